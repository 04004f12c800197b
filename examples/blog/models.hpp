#pragma once
// The seed's User, Post and Profile: a post's author is a ForeignKey
// (column author_id), a user's posts its reverse side; a profile belongs
// to one user (a OneToOne, column user_id), the user's profile its reverse.
#include <covet/covet.hpp>

namespace blog {

struct Post;
struct Profile;

struct User : covet::Model<User> {
  int64_t id = 0;
  std::string username;
  std::string email;
  std::string password_hash;
  bool is_active = true;
  covet::DateTime created_at;
  covet::DateTime updated_at;
  covet::OneToMany<Post> posts;               // Post.author's reverse side (no column)
  covet::ReverseOneToOne<Profile> profile;     // Profile.user's reverse side (no column)

  static void meta(covet::Meta<User>& m) {
    m.table("users")
        .database("default")
        .field(&User::id, covet::primary_key())
        .field(&User::username, covet::max_length(50), covet::unique(), covet::index())
        .field(&User::email, covet::max_length(255), covet::unique())
        .field(&User::password_hash, covet::max_length(255))
        .field(&User::is_active, covet::default_value(true))
        .field(&User::created_at, covet::auto_now_add())
        .field(&User::updated_at, covet::auto_now())
        .index("idx_email_username", {"email", "username"})
        .index("idx_created_at", {"-created_at"})
        .unique_constraint("unique_email", {"email"})
        .check("username_length", "length(username) >= 3");
  }
};

struct Post : covet::Model<Post> {
  covet::Uuid id;
  std::string title;
  std::string content;
  bool published = false;
  covet::ForeignKey<User> author;  // column author_id, indexed, REFERENCES users
  covet::Json metadata = covet::Json::object();
  std::vector<std::string> tags;
  int32_t view_count = 0;
  covet::DateTime created_at;

  static void meta(covet::Meta<Post>& m) {
    m.table("posts")
        .field(&Post::id, covet::primary_key())
        .field(&Post::title, covet::max_length(200))
        .field(&Post::published, covet::default_value(false))
        .field(&Post::author, covet::on_delete(covet::OnDelete::Cascade), covet::related_name("posts"))
        .field(&Post::view_count, covet::default_value(0))
        .field(&Post::created_at, covet::auto_now_add());
  }
};

struct Profile : covet::Model<Profile> {
  int64_t id = 0;
  covet::OneToOne<User> user;  // column user_id, unique
  std::string bio;
  std::optional<std::string> website;

  static void meta(covet::Meta<Profile>& m) {
    m.table("profiles")
        .field(&Profile::user, covet::on_delete(covet::OnDelete::Cascade), covet::related_name("profile"))
        .field(&Profile::bio, covet::max_length(500));
  }
};

}  // namespace blog
