#include <covet/covet.hpp>
#include <gtest/gtest.h>

#include "blog/models.hpp"
#include "support/models.hpp"

using namespace covet;

TEST(Ddl, UserTableWithConstraintsAndIndexes) {
  auto sql = create_table_sql(sqlite_dialect(), model_info<blog::User>());
  // username is unique and index(): the UNIQUE constraint's index serves both.
  ASSERT_EQ(sql.size(), 3u);
  EXPECT_EQ(sql[0],
            R"(CREATE TABLE IF NOT EXISTS "users" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, )"
            R"("username" varchar(50) NOT NULL UNIQUE, "email" varchar(255) NOT NULL UNIQUE, )"
            R"("password_hash" varchar(255) NOT NULL, "is_active" bool NOT NULL DEFAULT 1 CHECK ("is_active" IN (0, 1)), )"
            R"("created_at" datetime NOT NULL, "updated_at" datetime NOT NULL, )"
            R"(CONSTRAINT "unique_email" UNIQUE ("email"), CONSTRAINT "username_length" CHECK (length(username) >= 3)))");
  EXPECT_EQ(sql[1], R"(CREATE INDEX IF NOT EXISTS "idx_email_username" ON "users" ("email", "username"))");
  EXPECT_EQ(sql[2], R"(CREATE INDEX IF NOT EXISTS "idx_created_at" ON "users" ("created_at" DESC))");
}

TEST(Ddl, EveryFieldKindHasAColumnType) {
  auto sql = create_table_sql(sqlite_dialect(), model_info<testing_models::Everything>())[0];
  for (const char* piece : {R"("small" integer NOT NULL)", R"("big" bigint NOT NULL)", R"("real" real NOT NULL)",
                            R"("price" decimal(12, 2) NOT NULL)", R"("name" varchar(20) NOT NULL)", R"("body" text NOT NULL)",
                            R"("day" date NOT NULL)", R"("at" datetime NOT NULL)", R"("uid" char(36) NOT NULL)",
                            R"("doc" text NOT NULL CHECK (json_valid("doc")))", R"("tags" text NOT NULL CHECK (json_valid("tags")))",
                            R"("blob" blob NOT NULL)", R"("nickname" varchar(30) NULL)", R"("score" bigint NULL)"}) {
    EXPECT_NE(sql.find(piece), std::string::npos) << piece << "\n in " << sql;
  }
}

TEST(Ddl, CompositeKeyIsATableConstraint) {
  auto sql = create_table_sql(sqlite_dialect(), model_info<testing_models::PlaylistTrack>())[0];
  EXPECT_EQ(sql, R"(CREATE TABLE IF NOT EXISTS "PlaylistTrack" ("PlaylistId" bigint NOT NULL, "TrackId" bigint NOT NULL, PRIMARY KEY ("PlaylistId", "TrackId")))");
}

TEST(Ddl, UuidKeyAndDrop) {
  auto sql = create_table_sql(sqlite_dialect(), model_info<blog::Post>())[0];
  EXPECT_NE(sql.find(R"("id" char(36) NOT NULL PRIMARY KEY,)"), std::string::npos) << sql;
  EXPECT_EQ(drop_table_sql(sqlite_dialect(), model_info<blog::Post>()), R"(DROP TABLE IF EXISTS "posts")");
}
