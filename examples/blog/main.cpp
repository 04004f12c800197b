// The blog example: the seed's User and Post on SQLite, end to end.
//   blog_example [database-url]      (default: sqlite://:memory:)
#include <cstdio>

#include "models.hpp"

using namespace covet;
using blog::Post;
using blog::Profile;
using blog::User;

int main(int argc, char** argv) {
  Database db(argc > 1 ? argv[1] : "sqlite://:memory:");
  db.create_all<User, Post, Profile>();

  // Create users: save() fills the id and the timestamps.
  const char* names[] = {"alice", "admin_bob", "carol", "dave", "admin_erin"};
  for (const char* name : names) {
    User u;
    u.username = name;
    u.email = std::string(name) + (name[0] == 'c' ? "@gmail.com" : "@example.com");
    u.password_hash = "x";
    u.save(db);
  }
  auto dave = User::objects(db).get("username", "dave");
  dave.is_active = false;
  dave.save(db);

  // Posts with UUID keys, JSON metadata and array tags.
  for (const User& u : User::objects(db).order_by("id").all()) {
    for (int i = 0; i < 3; ++i) {
      Post p;
      p.title = u.username + "'s post #" + std::to_string(i + 1);
      p.content = "Hello from " + u.username;
      p.published = i != 2;
      p.author = u.id;
      p.metadata = Json::parse(R"({"lang": "en"})");
      p.tags = {"cpp", i == 0 ? "first" : "more"};
      p.view_count = static_cast<int32_t>(u.id * 10 + i);
      p.save(db);
    }
  }

  // The seed's complex query: Q objects with | and keyword filters ANDed.
  auto users = User::objects(db)
                   .filter(Q("email__contains", "@gmail.com") | Q("username__startswith", "admin"))
                   .filter("is_active", true)
                   .order_by("-created_at", "username")
                   .limit(10)
                   .all();
  std::printf("gmail users or admins (active): %zu\n", users.size());
  for (const auto& u : users) std::printf("  %-12s %s\n", u.username.c_str(), u.email.c_str());

  // The same with the typed form, checked by the compiler.
  auto typed = User::objects(db).filter(col(&User::username).startswith("admin") && col(&User::is_active) == true).count();
  std::printf("typed: %lld active admins\n", static_cast<long long>(typed));

  // Pagination and aggregates-by-count.
  auto page = Post::objects(db).filter("published", true).order_by("-view_count").paginate(1, 4);
  std::printf("published posts: %lld in %lld pages; page 1:\n", static_cast<long long>(page.total),
              static_cast<long long>(page.pages));
  for (const auto& p : page.items) std::printf("  %5d views  %s\n", p.view_count, p.title.c_str());

  // Relations: filters across them, select_related (one JOIN), prefetch_related
  // (one query per relation), and aggregates grouped by author.
  auto by_admins = Post::objects(db).filter("author__username__startswith", "admin").count();
  std::printf("posts by admins: %lld\n", static_cast<long long>(by_admins));
  for (const Post& p : Post::objects(db).select_related("author").order_by("-view_count").limit(3).all())
    std::printf("  %-20s by %s\n", p.title.c_str(), p.author->username.c_str());
  Profile profile;
  profile.user = User::objects(db).get("username", "alice").id;
  profile.bio = "Writes about C++.";
  profile.save(db);
  // The seed's User.prefetch_related('posts', 'profile'): one query per relation.
  for (const User& u : User::objects(db).prefetch_related("posts", "profile").order_by("id").limit(2).all())
    std::printf("  %s wrote %zu posts; profile: %s\n", u.username.c_str(), u.posts.size(),
                u.profile.ptr() ? u.profile->bio.c_str() : "(none)");
  // Subqueries: users with a published post (EXISTS), and each one's most viewed title.
  auto published_posts = Post::objects(db).filter("author", OuterRef("id")).filter("published", true);
  std::printf("users with a published post: %lld\n", static_cast<long long>(User::objects(db).filter(Exists(published_posts)).count()));
  for (const auto& u : User::objects(db)
                           .annotate({{"top", Subquery(published_posts.order_by("-view_count").values("title").limit(1))}})
                           .order_by("id")
                           .limit(2)
                           .all())
    std::printf("  %s's most viewed: %s\n", u->username.c_str(), u["top"].is_null() ? "(none)" : u["top"].as_string().c_str());
  auto stats = Post::objects(db).aggregate(
      {{"total", Count("id")}, {"total_views", Sum("view_count")}, {"avg_views", Avg("view_count")}, {"max_views", Max("view_count")}});
  std::printf("posts: %lld, views: %lld, average %.1f, max %lld\n", static_cast<long long>(stats["total"].as_int()),
              static_cast<long long>(stats["total_views"].as_int()), stats["avg_views"].as_double(),
              static_cast<long long>(stats["max_views"].as_int()));
  for (const Record& r : Post::objects(db)
                             .values("author__username")
                             .annotate({{"post_count", Count("id")}, {"views", Sum("view_count")}})
                             .filter("views__gt", 60)
                             .order_by("-views")
                             .all())
    std::printf("  %-12s %lld posts, %lld views\n", r["author__username"].as_string().c_str(),
                static_cast<long long>(r["post_count"].as_int()), static_cast<long long>(r["views"].as_int()));

  // Bulk update and delete through a QuerySet.
  auto bumped = Post::objects(db).filter("tags__exact", Array{"cpp", "first"}).update({{"view_count", 1000}});
  std::printf("bumped %lld first posts\n", static_cast<long long>(bumped));
  auto removed = Post::objects(db).filter("published", false).remove();
  std::printf("removed %lld drafts, %lld posts left\n", static_cast<long long>(removed),
              static_cast<long long>(Post::objects(db).count()));

  // get_or_create and the error hierarchy.
  auto [frank, created] = User::get_or_create(db, {{"username", "frank"}}, {{"email", "frank@example.com"}, {"password_hash", "y"}});
  std::printf("frank: id %lld, created %s\n", static_cast<long long>(frank.id), created ? "yes" : "no");
  try {
    User::objects(db).filter("usernme", "x").all();
  } catch (const FieldError& e) {
    std::printf("FieldError: %s\n", e.what());
  }
  try {
    User dup;
    dup.username = "alice";
    dup.email = "alice@example.com";
    dup.save(db);
  } catch (const IntegrityError& e) {
    std::printf("IntegrityError (%s): %s\n", e.constraint().c_str(), e.what());
  }
  std::printf("SQL: %s\n", User::objects(db).filter("created_at__year", 2026).order_by("-id").limit(5).sql().c_str());
  return 0;
}
