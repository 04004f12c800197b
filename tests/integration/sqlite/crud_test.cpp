// Instance-level CRUD on SQLite: save/insert/update, remove, refresh,
// create (object and kwargs), get_or_create, update_or_create, and a
// composite primary key.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include "blog/models.hpp"
#include "support/helpers.hpp"
#include "support/models.hpp"

using namespace covet;
using blog::Post;
using blog::User;
using testing_models::PlaylistTrack;

namespace crud_models {

// default_value must agree with the member initializer (else the model is a
// ConfigurationError): save() of a struct and create(kwargs) store the same.
struct Note : covet::Model<Note> {
  int64_t id = 0;
  std::string title;
  int32_t priority = 5;
  std::string status = "draft";
  std::optional<std::string> memo;
  static void meta(covet::Meta<Note>& m) {
    m.table("notes")
        .field(&Note::title, covet::max_length(50), covet::unique())
        .field(&Note::priority, covet::default_value(5))
        .field(&Note::status, covet::max_length(20), covet::default_value("draft"));
  }
};

}  // namespace crud_models

using crud_models::Note;

namespace {

class Crud : public ::testing::Test {
 protected:
  void SetUp() override { db.create_all<User, Post, Note>(); }

  User make_user(const std::string& name) { return test_support::make_user(name, "hash"); }
  int64_t rows(const std::string& table) {
    return db.execute("SELECT COUNT(*) AS n FROM \"" + table + "\"").rows.at(0)["n"].as_int();
  }

  Database db{"sqlite://:memory:"};
};

TEST_F(Crud, SaveInsertsAndFillsAutoId) {
  User u = make_user("alice");
  ASSERT_EQ(u.id, 0);
  u.save(db);
  EXPECT_GT(u.id, 0);
  EXPECT_EQ(rows("users"), 1);
  auto r = db.execute("SELECT id, username, email FROM users").rows;
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["id"].as_int(), u.id);
  EXPECT_EQ(r[0]["username"].as_string(), "alice");
  EXPECT_EQ(r[0]["email"].as_string(), "alice@example.com");

  User b = make_user("bobby");
  b.save(db);
  EXPECT_GT(b.id, u.id);
  EXPECT_EQ(rows("users"), 2);
}

TEST_F(Crud, SaveFillsAutoNowAddAndAutoNow) {
  DateTime before = DateTime::now();
  User u = make_user("alice");
  u.save(db);
  EXPECT_GE(u.created_at, before);
  EXPECT_GE(u.updated_at, before);
  User back = User::objects(db).get("id", u.id);
  EXPECT_EQ(back.created_at, u.created_at);
}

TEST_F(Crud, SecondSaveUpdatesWithoutNewRow) {
  User u = make_user("alice");
  u.save(db);
  int64_t id = u.id;
  DateTime created = u.created_at;
  u.email = "new@example.com";
  u.is_active = false;
  u.save(db);
  EXPECT_EQ(u.id, id);
  EXPECT_EQ(rows("users"), 1);
  User back = User::objects(db).get("id", id);
  EXPECT_EQ(back.email, "new@example.com");
  EXPECT_FALSE(back.is_active);
  EXPECT_EQ(back.created_at, created);  // auto_now_add is not touched by an update
}

TEST_F(Crud, SaveWithUnknownExplicitIdInsertsWithThatId) {
  User u = make_user("carol");
  u.id = 4242;
  u.save(db);
  EXPECT_EQ(u.id, 4242);
  EXPECT_EQ(rows("users"), 1);
  User back = User::objects(db).get("id", 4242);
  EXPECT_EQ(back.username, "carol");
  // Saving it again updates that row.
  u.email = "carol2@example.com";
  u.save(db);
  EXPECT_EQ(rows("users"), 1);
  EXPECT_EQ(User::objects(db).get("id", 4242).email, "carol2@example.com");
}

TEST_F(Crud, RemoveDeletesOnlyThatRow) {
  User a = make_user("alice");
  User b = make_user("bobby");
  a.save(db);
  b.save(db);
  int64_t removed_id = a.id;
  a.remove(db);
  EXPECT_EQ(rows("users"), 1);
  EXPECT_FALSE(User::objects(db).filter("id", removed_id).exists());
  EXPECT_TRUE(User::objects(db).filter("id", b.id).exists());
  // As Django sets pk to None: the object no longer claims the deleted row,
  // and saving it again inserts a new one.
  EXPECT_EQ(a.id, 0);
  a.save(db);
  EXPECT_NE(a.id, 0);
  EXPECT_NE(a.id, removed_id);
  EXPECT_EQ(rows("users"), 2);
}

TEST_F(Crud, RefreshReloadsFromDatabase) {
  User u = make_user("alice");
  u.save(db);
  db.execute("UPDATE users SET email = ?, is_active = 0 WHERE id = ?", {"changed@example.com", u.id});
  u.email = "local-edit@example.com";
  u.refresh(db);
  EXPECT_EQ(u.email, "changed@example.com");
  EXPECT_FALSE(u.is_active);
  EXPECT_EQ(u.username, "alice");
}

TEST_F(Crud, RefreshOfDeletedRowRaisesDoesNotExist) {
  User u = make_user("alice");
  u.save(db);
  db.execute("DELETE FROM users WHERE id = ?", {u.id});
  EXPECT_THROW(u.refresh(db), DoesNotExist);
  EXPECT_EQ(u.username, "alice");  // left as it was
}

TEST_F(Crud, FreeFunctionsWorkLikeMembers) {
  User u = make_user("alice");
  covet::save(db, u);
  EXPECT_GT(u.id, 0);
  u.email = "x@example.com";
  covet::save(db, u);
  db.execute("UPDATE users SET email = 'y@example.com'");
  covet::refresh(db, u);
  EXPECT_EQ(u.email, "y@example.com");
  covet::remove(db, u);
  EXPECT_EQ(rows("users"), 0);
}

TEST_F(Crud, CreateFromObjectInsertsAndReturnsIt) {
  User created = User::create(db, make_user("alice"));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.username, "alice");
  EXPECT_EQ(User::objects(db).get("id", created.id).email, "alice@example.com");
  EXPECT_EQ(rows("users"), 1);
}

TEST_F(Crud, CreateFromKwargsConvertsAndAppliesDefaults) {
  Note n = Note::create(db, {{"title", "first"}});
  EXPECT_GT(n.id, 0);
  EXPECT_EQ(n.title, "first");
  EXPECT_EQ(n.priority, 5);
  EXPECT_EQ(n.status, "draft");
  EXPECT_FALSE(n.memo.has_value());
  auto r = db.execute("SELECT title, priority, status, memo FROM notes WHERE id = ?", {n.id}).rows;
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["priority"].as_int(), 5);
  EXPECT_EQ(r[0]["status"].as_string(), "draft");
  EXPECT_TRUE(r[0]["memo"].is_null());

  // Named fields win over the defaults.
  Note m = Note::create(db, {{"title", "second"}, {"priority", 9}, {"status", "done"}, {"memo", "hi"}});
  EXPECT_EQ(m.priority, 9);
  EXPECT_EQ(m.status, "done");
  EXPECT_EQ(m.memo, std::optional<std::string>("hi"));
  Note back = Note::objects(db).get("id", m.id);
  EXPECT_EQ(back.priority, 9);
  EXPECT_EQ(back.memo, std::optional<std::string>("hi"));
}

TEST_F(Crud, CreateFromKwargsWithUnknownFieldRaisesFieldErrorAndInsertsNothing) {
  try {
    Note::create(db, {{"title", "x"}, {"titel", "y"}});
    FAIL() << "expected FieldError";
  } catch (const FieldError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("titel"), std::string::npos) << msg;
    EXPECT_NE(msg.find("title"), std::string::npos) << msg;  // the suggestion
  }
  EXPECT_EQ(rows("notes"), 0);
}

TEST_F(Crud, CreateDuplicateUniqueRaisesIntegrityError) {
  Note::create(db, {{"title", "same"}});
  EXPECT_THROW(Note::create(db, {{"title", "same"}}), IntegrityError);
  EXPECT_EQ(rows("notes"), 1);
}

TEST_F(Crud, GetOrCreateCreatesWhenMissing) {
  auto [n, created] = Note::get_or_create(db, {{"title", "todo"}}, {{"priority", 7}});
  EXPECT_TRUE(created);
  EXPECT_GT(n.id, 0);
  EXPECT_EQ(n.title, "todo");
  EXPECT_EQ(n.priority, 7);
  EXPECT_EQ(n.status, "draft");  // model default for a field in neither lookup nor defaults
  EXPECT_EQ(rows("notes"), 1);
  EXPECT_EQ(Note::objects(db).get("id", n.id).priority, 7);
}

TEST_F(Crud, GetOrCreateFindsExistingWithoutApplyingDefaults) {
  Note first = Note::create(db, {{"title", "todo"}, {"priority", 1}});
  auto [n, created] = Note::get_or_create(db, {{"title", "todo"}}, {{"priority", 7}});
  EXPECT_FALSE(created);
  EXPECT_EQ(n.id, first.id);
  EXPECT_EQ(n.priority, 1);
  EXPECT_EQ(rows("notes"), 1);
  EXPECT_EQ(Note::objects(db).get("id", first.id).priority, 1);
}

TEST_F(Crud, GetOrCreateWithUnknownLookupRaisesFieldError) {
  EXPECT_THROW(Note::get_or_create(db, {{"nope", "todo"}}), FieldError);
  EXPECT_EQ(rows("notes"), 0);
}

TEST_F(Crud, UpdateOrCreateUpdatesDefaultsWhenFound) {
  Note first = Note::create(db, {{"title", "todo"}, {"priority", 1}, {"status", "open"}});
  auto [n, created] = Note::update_or_create(db, {{"title", "todo"}}, {{"priority", 8}});
  EXPECT_FALSE(created);
  EXPECT_EQ(n.id, first.id);
  EXPECT_EQ(n.priority, 8);
  EXPECT_EQ(n.status, "open");  // a field not in defaults keeps its value
  EXPECT_EQ(rows("notes"), 1);
  Note back = Note::objects(db).get("id", first.id);
  EXPECT_EQ(back.priority, 8);
  EXPECT_EQ(back.status, "open");
}

TEST_F(Crud, UpdateOrCreateCreatesWhenMissing) {
  Note::create(db, {{"title", "other"}, {"priority", 2}});
  auto [n, created] = Note::update_or_create(db, {{"title", "todo"}}, {{"priority", 8}});
  EXPECT_TRUE(created);
  EXPECT_EQ(n.title, "todo");
  EXPECT_EQ(n.priority, 8);
  EXPECT_EQ(n.status, "draft");
  EXPECT_EQ(rows("notes"), 2);
  EXPECT_EQ(Note::objects(db).get("title", "other").priority, 2);  // the other row is untouched
}

TEST_F(Crud, SecondSaveRefreshesAutoNowOnly) {
  User u = make_user("alice");
  u.save(db);
  DateTime created = u.created_at, updated = u.updated_at;
  db.execute("UPDATE users SET updated_at = '2000-01-01 00:00:00', created_at = '2000-01-01 00:00:00' WHERE id = ?", {u.id});
  u.refresh(db);
  EXPECT_EQ(u.updated_at, DateTime(2000, 1, 1));
  u.save(db);
  EXPECT_GE(u.updated_at, updated);  // auto_now: set again by every save
  EXPECT_EQ(u.created_at, DateTime(2000, 1, 1));  // auto_now_add: only on insert
  User back = User::objects(db).get("id", u.id);
  EXPECT_EQ(back.updated_at, u.updated_at);
  EXPECT_EQ(back.created_at, DateTime(2000, 1, 1));
  EXPECT_NE(back.created_at, created);
}

TEST_F(Crud, CreateWithExplicitIdKeepsItAndDuplicateIdIsIntegrityError) {
  User u = make_user("alice");
  u.id = 77;
  User created = User::create(db, u);
  EXPECT_EQ(created.id, 77);
  EXPECT_EQ(User::objects(db).get("id", 77).username, "alice");
  // create() always inserts (unlike save()): the same key again is a constraint violation.
  User again = make_user("bobby");
  again.id = 77;
  EXPECT_THROW(User::create(db, again), IntegrityError);
  EXPECT_EQ(rows("users"), 1);
  EXPECT_EQ(User::objects(db).get("id", 77).username, "alice");
}

TEST_F(Crud, UuidPrimaryKeyIsGeneratedOnInsertAndKeptOnUpdate) {
  Post p;
  p.title = "hello";
  p.content = "body";
  p.author_id = 1;
  ASSERT_TRUE(p.id.is_nil());
  p.save(db);
  EXPECT_FALSE(p.id.is_nil());
  Uuid id = p.id;
  EXPECT_EQ(rows("posts"), 1);
  p.title = "hello again";
  p.view_count = 3;
  p.save(db);
  EXPECT_EQ(p.id, id);
  EXPECT_EQ(rows("posts"), 1);
  Post back = Post::objects(db).get("id", id);
  EXPECT_EQ(back.title, "hello again");
  EXPECT_EQ(back.view_count, 3);
  EXPECT_EQ(db.execute("SELECT id FROM posts").rows.at(0)[0].as_string(), id.to_string());
  back.remove(db);
  EXPECT_EQ(rows("posts"), 0);
}

TEST_F(Crud, UuidPrimaryKeySetByTheCallerIsInsertedAsIs) {
  Uuid id = Uuid::parse("0f8fad5b-d9cb-469f-a165-70867728950e");
  Post p;
  p.id = id;
  p.title = "mine";
  p.save(db);
  EXPECT_EQ(p.id, id);
  EXPECT_EQ(Post::objects(db).get("id", id).title, "mine");
  EXPECT_EQ(Post::objects(db).get("id", "0F8FAD5B-D9CB-469F-A165-70867728950E").title, "mine");  // parsed, any case
  EXPECT_EQ(rows("posts"), 1);
}

TEST_F(Crud, RefreshOfPartiallyLoadedObjectReloadsEverything) {
  User u = make_user("alice");
  u.save(db);
  User stale;
  stale.id = u.id;
  stale.refresh(db);
  EXPECT_EQ(stale.username, "alice");
  EXPECT_EQ(stale.email, "alice@example.com");
  EXPECT_EQ(stale.created_at, u.created_at);
}

// ---------------------------------------------------------- composite key
class CompositeKey : public ::testing::Test {
 protected:
  void SetUp() override { db.create_all<PlaylistTrack>(); }
  int64_t rows() { return db.execute("SELECT COUNT(*) AS n FROM \"PlaylistTrack\"").rows.at(0)["n"].as_int(); }
  Database db{"sqlite://:memory:"};
};

TEST_F(CompositeKey, SaveInsertsAndGetByBothColumns) {
  PlaylistTrack a{.playlist_id = 1, .track_id = 10};
  PlaylistTrack b{.playlist_id = 1, .track_id = 11};
  PlaylistTrack c{.playlist_id = 2, .track_id = 10};
  a.save(db);
  b.save(db);
  c.save(db);
  EXPECT_EQ(rows(), 3);
  PlaylistTrack got = PlaylistTrack::objects(db).get({{"playlist_id", 2}, {"track_id", 10}});
  EXPECT_EQ(got.playlist_id, 2);
  EXPECT_EQ(got.track_id, 10);
  EXPECT_EQ(PlaylistTrack::objects(db).filter("playlist_id", 1).count(), 2);
  EXPECT_EQ(PlaylistTrack::objects(db).filter("track_id", 10).count(), 2);
  EXPECT_THROW(PlaylistTrack::objects(db).get({{"playlist_id", 2}, {"track_id", 11}}), DoesNotExist);
}

TEST_F(CompositeKey, FilterByWholeKeyMatchesOneRow) {
  for (int64_t p = 1; p <= 3; ++p)
    for (int64_t t = 1; t <= 3; ++t) PlaylistTrack{.playlist_id = p, .track_id = t}.save(db);
  auto hit = PlaylistTrack::objects(db).filter({{"playlist_id", 3}, {"track_id", 2}}).all();
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_EQ(hit[0].playlist_id, 3);
  EXPECT_EQ(hit[0].track_id, 2);
  auto typed = PlaylistTrack::objects(db)
                   .filter(col(&PlaylistTrack::playlist_id) == 3 && col(&PlaylistTrack::track_id) == 2)
                   .count();
  EXPECT_EQ(typed, 1);
}

TEST_F(CompositeKey, SavingAgainIsNotADuplicate) {
  PlaylistTrack a{.playlist_id = 5, .track_id = 50};
  a.save(db);
  a.save(db);
  PlaylistTrack same{.playlist_id = 5, .track_id = 50};
  same.save(db);
  EXPECT_EQ(rows(), 1);
}

TEST_F(CompositeKey, InsertingTheSameKeyTwiceRaisesIntegrityError) {
  PlaylistTrack::create(db, PlaylistTrack{.playlist_id = 5, .track_id = 50});
  EXPECT_THROW(PlaylistTrack::create(db, PlaylistTrack{.playlist_id = 5, .track_id = 50}), IntegrityError);
  EXPECT_EQ(rows(), 1);
}

TEST_F(CompositeKey, RemoveDeletesExactlyThatRow) {
  PlaylistTrack a{.playlist_id = 1, .track_id = 10};
  PlaylistTrack b{.playlist_id = 1, .track_id = 11};
  PlaylistTrack c{.playlist_id = 2, .track_id = 10};
  a.save(db);
  b.save(db);
  c.save(db);
  a.remove(db);
  EXPECT_EQ(rows(), 2);
  EXPECT_FALSE(PlaylistTrack::objects(db).filter({{"playlist_id", 1}, {"track_id", 10}}).exists());
  EXPECT_TRUE(PlaylistTrack::objects(db).filter({{"playlist_id", 1}, {"track_id", 11}}).exists());
  EXPECT_TRUE(PlaylistTrack::objects(db).filter({{"playlist_id", 2}, {"track_id", 10}}).exists());
}

TEST_F(CompositeKey, RefreshByCompositeKey) {
  PlaylistTrack a{.playlist_id = 1, .track_id = 10};
  a.save(db);
  a.refresh(db);
  EXPECT_EQ(a.playlist_id, 1);
  EXPECT_EQ(a.track_id, 10);
  db.execute("DELETE FROM \"PlaylistTrack\"");
  EXPECT_THROW(a.refresh(db), DoesNotExist);
}

}  // namespace
