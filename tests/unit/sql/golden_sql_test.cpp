// Golden SQL for the SQLite dialect: one expected string per query shape,
// no database needed (sqlpp11-style).
#include <covet/covet.hpp>
#include <gtest/gtest.h>

#include "blog/models.hpp"
#include "support/models.hpp"

using namespace covet;
using covet::Count;
using covet::Sum;
using blog::User;
using testing_models::Everything;

namespace {
const Dialect& sqlite = sqlite_dialect();
const std::string kUserCols =
    R"("users"."id", "users"."username", "users"."email", "users"."password_hash", "users"."is_active", "users"."created_at", "users"."updated_at")";

std::string where_of(const QuerySet<Everything>& qs) {
  std::string sql = qs.sql(sqlite);
  auto pos = sql.find(" WHERE ");
  return pos == std::string::npos ? "" : sql.substr(pos + 7);
}
std::vector<Value> params_of(const QuerySet<Everything>& qs) { return qs.compiled(sqlite).params; }
}  // namespace

TEST(GoldenSql, SelectAll) {
  EXPECT_EQ(query<User>().sql(sqlite), "SELECT " + kUserCols + R"( FROM "users")");
}

TEST(GoldenSql, FilterOrderLimitOffset) {
  auto qs = query<User>().filter("is_active", true).order_by("-created_at", "username").limit(10).offset(20);
  EXPECT_EQ(qs.sql(sqlite), "SELECT " + kUserCols +
                                R"( FROM "users" WHERE "users"."is_active" = ? ORDER BY "users"."created_at" DESC, "users"."username" LIMIT ? OFFSET ?)");
  EXPECT_EQ(qs.compiled(sqlite).params, (std::vector<Value>{true, 10, 20}));
}

TEST(GoldenSql, OffsetWithoutLimit) {
  EXPECT_EQ(query<User>().offset(5).sql(sqlite), "SELECT " + kUserCols + R"( FROM "users" LIMIT -1 OFFSET ?)");
}

TEST(GoldenSql, SeedComplexQuery) {
  auto qs = query<User>()
                .filter(Q("email__contains", "@gmail.com") | Q("username__startswith", "admin"))
                .filter("is_active", true);
  EXPECT_EQ(qs.sql(sqlite), "SELECT " + kUserCols +
                                R"( FROM "users" WHERE ("users"."email" GLOB ? OR "users"."username" GLOB ?) AND "users"."is_active" = ?)");
  EXPECT_EQ(qs.compiled(sqlite).params, (std::vector<Value>{"*@gmail.com*", "admin*", true}));
}

struct LookupCase {
  const char* lookup;
  Value value;
  const char* where;
  std::vector<Value> params;
};

class GoldenLookup : public ::testing::TestWithParam<LookupCase> {};

TEST_P(GoldenLookup, CompilesToExpectedSql) {
  const auto& c = GetParam();
  auto qs = query<Everything>().filter(c.lookup, c.value);
  EXPECT_EQ(where_of(qs), c.where) << c.lookup;
  EXPECT_EQ(params_of(qs), c.params) << c.lookup;
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, GoldenLookup,
    ::testing::Values(
        LookupCase{"name", "x", R"("everything"."name" = ?)", {"x"}},
        LookupCase{"nickname", nullptr, R"("everything"."nickname" IS NULL)", {}},
        LookupCase{"name__iexact", "A_b", R"(covet_fold("everything"."name") LIKE ? ESCAPE '\')", {"a\\_b"}},
        LookupCase{"name__contains", "a*b?[c]", R"("everything"."name" GLOB ?)", {"*a[*]b[?][[]c]*"}},
        LookupCase{"name__icontains", "50%_\\", R"(covet_fold("everything"."name") LIKE ? ESCAPE '\')", {"%50\\%\\_\\\\%"}},
        LookupCase{"name__icontains", "ÉCOLE Ωmega Жук", R"(covet_fold("everything"."name") LIKE ? ESCAPE '\')", {"%école ωmega жук%"}},
        LookupCase{"name__startswith", "ab", R"("everything"."name" GLOB ?)", {"ab*"}},
        LookupCase{"name__istartswith", "AB", R"(covet_fold("everything"."name") LIKE ? ESCAPE '\')", {"ab%"}},
        LookupCase{"name__endswith", "ab", R"("everything"."name" GLOB ?)", {"*ab"}},
        LookupCase{"name__iendswith", "ab", R"(covet_fold("everything"."name") LIKE ? ESCAPE '\')", {"%ab"}},
        LookupCase{"big__gt", 1, R"("everything"."big" > ?)", {1}},
        LookupCase{"big__gte", 1, R"("everything"."big" >= ?)", {1}},
        LookupCase{"big__lt", 1, R"("everything"."big" < ?)", {1}},
        LookupCase{"big__lte", 1, R"("everything"."big" <= ?)", {1}},
        LookupCase{"big__in", Array{1, 2, 3}, R"("everything"."big" IN (?, ?, ?))", {1, 2, 3}},
        LookupCase{"big__in", Array{}, "1 = 0", {}},
        LookupCase{"nickname__isnull", true, R"("everything"."nickname" IS NULL)", {}},
        LookupCase{"nickname__isnull", false, R"("everything"."nickname" IS NOT NULL)", {}},
        LookupCase{"big__range", Array{1, 9}, R"("everything"."big" BETWEEN ? AND ?)", {1, 9}},
        LookupCase{"at__year", 2024, R"(CAST(strftime('%Y', "everything"."at") AS INTEGER) = ?)", {2024}},
        LookupCase{"day__month__gte", 6, R"(CAST(strftime('%m', "everything"."day") AS INTEGER) >= ?)", {6}},
        LookupCase{"at__day__in", Array{1, 15}, R"(CAST(strftime('%d', "everything"."at") AS INTEGER) IN (?, ?))", {1, 15}}));

TEST(GoldenSql, ExcludeOnNullableColumnKeepsNullRows) {
  auto qs = query<Everything>().exclude("nickname", "bob");
  EXPECT_EQ(where_of(qs), R"(NOT (("everything"."nickname" = ? AND "everything"."nickname" IS NOT NULL)))");
  // Not needed for a NOT NULL column.
  EXPECT_EQ(where_of(query<Everything>().exclude("name", "bob")), R"(NOT ("everything"."name" = ?))");
  // Double negation cancels out, guard and all.
  EXPECT_EQ(where_of(query<Everything>().exclude(~Q("nickname", "bob"))), R"("everything"."nickname" = ?)");
}

TEST(GoldenSql, NestedQ) {
  auto qs = query<Everything>().filter((Q("big", 1) | (Q("small", 2) & ~Q("name", "x"))) & Q("flag", true));
  EXPECT_EQ(where_of(qs),
            R"((("everything"."big" = ? OR ("everything"."small" = ? AND NOT ("everything"."name" = ?))) AND "everything"."flag" = ?))");
}

TEST(GoldenSql, CountExistsDeleteUpdate) {
  auto qs = query<User>().filter("id__gt", 5);
  EXPECT_EQ(*qs.compiled(sqlite, QueryKind::Count).sql, R"(SELECT COUNT(*) FROM "users" WHERE "users"."id" > ?)");
  EXPECT_EQ(*qs.compiled(sqlite, QueryKind::Exists).sql, R"(SELECT 1 FROM "users" WHERE "users"."id" > ? LIMIT 1)");
  EXPECT_EQ(*qs.compiled(sqlite, QueryKind::Delete).sql, R"(DELETE FROM "users" WHERE "users"."id" > ?)");
  auto up = compile_update(sqlite, qs.data(), {{model_info<User>().require("is_active"), false}});
  EXPECT_EQ(*up.sql, R"(UPDATE "users" SET "is_active" = ? WHERE "users"."id" > ?)");
  EXPECT_EQ(up.params, (std::vector<Value>{false, 5}));
}

TEST(GoldenSql, CountOfASliceUsesASubquery) {
  auto qs = query<User>().filter("id__gt", 5).limit(3);
  EXPECT_EQ(*qs.compiled(sqlite, QueryKind::Count).sql,
            "SELECT COUNT(*) FROM (SELECT " + kUserCols + R"( FROM "users" WHERE "users"."id" > ? LIMIT ?) AS "covet_subquery")");
}

TEST(GoldenSql, SlicedDeleteIsRefused) {
  EXPECT_THROW(query<User>().limit(3).compiled(sqlite, QueryKind::Delete), NotSupportedError);
}

TEST(GoldenSql, OnlySelectsTheKeyAndTheNamedFields) {
  EXPECT_EQ(query<User>().only("email").sql(sqlite), R"(SELECT "users"."id", "users"."email" FROM "users")");
  EXPECT_EQ(query<User>().defer("password_hash", "updated_at", "created_at").sql(sqlite),
            R"(SELECT "users"."id", "users"."username", "users"."email", "users"."is_active" FROM "users")");
  EXPECT_EQ(query<User>().distinct().only("email").sql(sqlite), R"(SELECT DISTINCT "users"."id", "users"."email" FROM "users")");
}

TEST(GoldenSql, PerModelStatements) {
  const ModelInfo& m = model_info<User>();
  EXPECT_EQ(insert_sql(sqlite, m),
            R"(INSERT INTO "users" ("username", "email", "password_hash", "is_active", "created_at", "updated_at") VALUES (?, ?, ?, ?, ?, ?))");
  EXPECT_EQ(delete_by_pk_sql(sqlite, m), R"(DELETE FROM "users" WHERE "id" = ?)");
  const ModelInfo& pt = model_info<testing_models::PlaylistTrack>();
  EXPECT_EQ(delete_by_pk_sql(sqlite, pt), R"(DELETE FROM "PlaylistTrack" WHERE "PlaylistId" = ? AND "TrackId" = ?)");
  EXPECT_EQ(insert_sql(sqlite, pt), R"(INSERT INTO "PlaylistTrack" ("PlaylistId", "TrackId") VALUES (?, ?))");
}

TEST(Quoting, OddIdentifiersAreQuotedNotPasted) {
  std::string out;
  sqlite.quote_identifier(out, R"(we"ird; DROP TABLE x; --)");
  EXPECT_EQ(out, R"("we""ird; DROP TABLE x; --")");
  out.clear();
  sqlite.quote_identifier(out, "select");
  EXPECT_EQ(out, R"("select")");
  EXPECT_THROW(sqlite.quote_identifier(out, ""), ProgrammingError);
  EXPECT_THROW(sqlite.quote_identifier(out, std::string("a\0b", 3)), ProgrammingError);
}

TEST(Quoting, LiteralsForDdlDoubleQuotes) {
  EXPECT_EQ(sqlite.literal(Value("it's")), "'it''s'");
  EXPECT_EQ(sqlite.literal(Value(true)), "1");
  EXPECT_EQ(sqlite.literal(Value(nullptr)), "NULL");
}

TEST(CompileCache, RepeatedShapeIsServedFromCache) {
  auto before = compile_cache_stats();
  for (int i = 0; i < 5; ++i) (void)query<User>().filter("username__icontains", std::to_string(i)).filter("id__in", Array{i, i + 1}).compiled(sqlite);
  auto after = compile_cache_stats();
  EXPECT_EQ(after.misses - before.misses, 1u);
  EXPECT_EQ(after.hits - before.hits, 4u);
}

// The self-check CTest turns on (COVET_CHECK_COMPILE_CACHE=1): every
// compile, hit or miss, is compared with a fresh one (a difference would
// abort the test program).
TEST(CompileCache, SelfCheckComparesEveryCompileWithAFreshOne) {
  const bool was = compile_cache_check();
  set_compile_cache_check(true);
  auto before = compile_cache_stats();
  for (int i = 0; i < 3; ++i) {
    (void)query<User>().filter("username__icontains", std::to_string(i)).filter("id__in", Array{i, i + 1}).order_by("-id").limit(i + 1).compiled(sqlite);
    (void)query<testing_models::Everything>().filter("real__gt", 0.5 + i).compiled(sqlite);
    (void)query<testing_models::Everything>().filter("real__in", Array{1.5, 2.5 + i}).exclude("name__icontains", "x").compiled(sqlite);
  }
  auto after = compile_cache_stats();
  set_compile_cache_check(was);
  EXPECT_EQ(after.checked - before.checked, 9u);
  EXPECT_EQ((after.hits + after.misses) - (before.hits + before.misses), 9u);
}

TEST(CompileCache, ParamsFromCacheMatchAFreshCompile) {
  auto make = [](int i) { return query<User>().filter(Q("id__gt", i) | ~Q("username__startswith", "u" + std::to_string(i))).limit(i + 1); };
  auto first = make(1).compiled(sqlite);  // miss or hit: both must agree
  auto second = make(2).compiled(sqlite);
  EXPECT_EQ(first.sql, second.sql);  // the same cached text object
  EXPECT_EQ(second.params, (std::vector<Value>{2, "u2*", 3}));
}

TEST(CompileCache, DifferentShapesDoNotCollide) {
  EXPECT_NE(query<User>().filter("email__isnull", true).sql(sqlite), query<User>().filter("email__isnull", false).sql(sqlite));
  EXPECT_NE(query<User>().filter("id__in", Array{1}).sql(sqlite), query<User>().filter("id__in", Array{1, 2}).sql(sqlite));
  EXPECT_NE(query<User>().filter("username", nullptr).sql(sqlite), query<User>().filter("username", "x").sql(sqlite));
}

// The short key of a plain SELECT (own columns, plain comparisons ANDed,
// ordering, limit) keeps apart what its text depends on.
TEST(CompileCache, FlatSelectsKeepTheirShapes) {
  for (int i = 0; i < 2; ++i) {
    auto a = query<User>().filter("id__gt", i).filter("username", "x").order_by("id").limit(3).compiled(sqlite);
    auto b = query<User>().filter("id__gte", i).filter("username", "x").order_by("id").limit(3).compiled(sqlite);
    auto c = query<User>().filter("username", "x").filter("id__gt", i).order_by("-id").compiled(sqlite);
    auto d = query<User>().filter("id__gt", i).filter("username", "x").order_by("id").offset(2).compiled(sqlite);
    EXPECT_EQ(*a.sql, R"(SELECT "users"."id", "users"."username", "users"."email", "users"."password_hash", "users"."is_active", "users"."created_at", "users"."updated_at" FROM "users" WHERE "users"."id" > ? AND "users"."username" = ? ORDER BY "users"."id" LIMIT ?)")
        << *a.sql;
    EXPECT_EQ(a.params, (std::vector<Value>{i, "x", 3}));
    EXPECT_NE(*a.sql, *b.sql);
    EXPECT_NE(*a.sql, *c.sql);
    EXPECT_NE(*a.sql, *d.sql);
    EXPECT_EQ(d.params, (std::vector<Value>{i, "x", 2}));
  }
}

// ------------------------------------------------------------- PostgreSQL
namespace {
const Dialect& pg = postgres_dialect();
std::string pg_where_of(const QuerySet<Everything>& qs) {
  std::string sql = qs.sql(pg);
  auto pos = sql.find(" WHERE ");
  return pos == std::string::npos ? "" : sql.substr(pos + 7);
}
}  // namespace

class GoldenLookupPg : public ::testing::TestWithParam<LookupCase> {};

TEST_P(GoldenLookupPg, CompilesToExpectedSql) {
  const auto& c = GetParam();
  auto qs = query<Everything>().filter(c.lookup, c.value);
  EXPECT_EQ(pg_where_of(qs), c.where) << c.lookup;
  EXPECT_EQ(qs.compiled(pg).params, c.params) << c.lookup;
}

INSTANTIATE_TEST_SUITE_P(
    Postgres, GoldenLookupPg,
    ::testing::Values(
        LookupCase{"name", "x", R"("everything"."name" = $1)", {"x"}},
        LookupCase{"nickname", nullptr, R"("everything"."nickname" IS NULL)", {}},
        LookupCase{"name__iexact", "A_b", R"("everything"."name" ILIKE $1)", {"A\\_b"}},
        LookupCase{"name__contains", "50%_\\", R"("everything"."name" LIKE $1)", {"%50\\%\\_\\\\%"}},
        LookupCase{"name__icontains", "ÉCOLE", R"("everything"."name" ILIKE $1)", {"%ÉCOLE%"}},
        LookupCase{"name__startswith", "a*b", R"("everything"."name" LIKE $1)", {"a*b%"}},
        LookupCase{"name__iendswith", "ab", R"("everything"."name" ILIKE $1)", {"%ab"}},
        LookupCase{"big__gt", 1, R"("everything"."big" > $1)", {1}},
        // One array parameter, one statement shape for any length.
        LookupCase{"big__in", Array{1, 2, 3}, R"("everything"."big" = ANY($1))", {Value(Array{1, 2, 3})}},
        LookupCase{"big__in", Array{}, "1 = 0", {}},
        LookupCase{"nickname__isnull", false, R"("everything"."nickname" IS NOT NULL)", {}},
        LookupCase{"big__range", Array{1, 9}, R"("everything"."big" BETWEEN $1 AND $2)", {1, 9}},
        LookupCase{"at__year", 2024, R"(CAST(EXTRACT(YEAR FROM "everything"."at" AT TIME ZONE 'UTC') AS bigint) = $1)", {2024}},
        LookupCase{"day__month__gte", 6, R"(CAST(EXTRACT(MONTH FROM "everything"."day") AS bigint) >= $1)", {6}}));

TEST(GoldenSqlPg, SlicesOrderingAndPerModelStatements) {
  auto qs = query<User>().filter("is_active", true).order_by("-created_at", "username").limit(10).offset(20);
  EXPECT_EQ(qs.sql(pg), "SELECT " + kUserCols +
                            R"( FROM "users" WHERE "users"."is_active" = $1 ORDER BY "users"."created_at" DESC, "users"."username" LIMIT $2 OFFSET $3)");
  EXPECT_EQ(query<User>().offset(5).sql(pg), "SELECT " + kUserCols + R"( FROM "users" OFFSET $1)");
  // NULLs sort last ascending on both backends: PostgreSQL's default, written out for SQLite.
  EXPECT_EQ(query<Everything>().order_by("nickname").sql(pg).substr(query<Everything>().order_by("nickname").sql(pg).find(" ORDER BY")),
            R"( ORDER BY "everything"."nickname")");
  EXPECT_EQ(query<Everything>().order_by("-nickname").sql(sqlite).substr(query<Everything>().order_by("-nickname").sql(sqlite).find(" ORDER BY")),
            R"( ORDER BY "everything"."nickname" DESC NULLS FIRST)");
  const ModelInfo& m = model_info<User>();
  EXPECT_EQ(insert_sql(pg, m),
            R"(INSERT INTO "users" ("username", "email", "password_hash", "is_active", "created_at", "updated_at") VALUES ($1, $2, $3, $4, $5, $6) RETURNING "id")");
  EXPECT_EQ(delete_by_pk_sql(pg, m), R"(DELETE FROM "users" WHERE "id" = $1)");
  auto up = compile_update(pg, query<User>().filter("id__gt", 5).data(), {{m.require("is_active"), false}});
  EXPECT_EQ(*up.sql, R"(UPDATE "users" SET "is_active" = $1 WHERE "users"."id" > $2)");
}

TEST(GoldenSqlPg, DdlUsesNativeTypes) {
  auto sql = create_table_sql(pg, model_info<Everything>())[0];
  EXPECT_NE(sql.find(R"("id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)"), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("small" integer NOT NULL)"), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("price" numeric(12, 2) NOT NULL)"), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("name" varchar(20) NOT NULL)"), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("at" timestamptz NOT NULL)"), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("uid" uuid NOT NULL)"), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("doc" jsonb NOT NULL)"), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("tags" text[] NOT NULL)"), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("numbers" bigint[] NOT NULL)"), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("blob" bytea NOT NULL)"), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("flag" boolean NOT NULL)"), std::string::npos) << sql;
  EXPECT_EQ(pg.literal(Value(true)), "true");
}

// bulk_create / bulk_upsert / bulk_update statements on both dialects.
TEST(GoldenSql, BulkStatements) {
  const Dialect& pg = postgres_dialect();
  const ModelInfo& m = model_info<User>();
  const std::string cols = R"(("username", "email", "password_hash", "is_active", "created_at", "updated_at"))";
  EXPECT_EQ(bulk_insert_sql(sqlite, m, false, 2, true),
            R"(INSERT INTO "users" )" + cols + R"( VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?) RETURNING "id")");
  EXPECT_EQ(bulk_insert_sql(pg, m, false, 2, false),
            R"(INSERT INTO "users" )" + cols + R"( VALUES ($1, $2, $3, $4, $5, $6), ($7, $8, $9, $10, $11, $12))");
  const std::string upsert = upsert_clause(pg, m, {m.require("username")}, {m.require("email"), m.require("updated_at")});
  EXPECT_EQ(upsert, R"( ON CONFLICT ("username") DO UPDATE SET "email" = EXCLUDED."email", "updated_at" = EXCLUDED."updated_at")");
  EXPECT_EQ(bulk_insert_sql(sqlite, m, false, 1, true, upsert),
            R"(INSERT INTO "users" )" + cols + R"( VALUES (?, ?, ?, ?, ?, ?))" + upsert + R"( RETURNING "id")");
  const std::vector<int> set{m.require("email"), m.require("is_active")};
  EXPECT_EQ(bulk_update_sql(sqlite, m, set, 2),
            R"(UPDATE "users" SET "email" = CASE "id" WHEN ? THEN ? WHEN ? THEN ? ELSE "email" END, )"
            R"("is_active" = CASE "id" WHEN ? THEN ? WHEN ? THEN ? ELSE "is_active" END WHERE "id" IN (?, ?))");
  // PostgreSQL cannot infer a CASE branch's parameter type: each is cast to its column's type,
  // without a length (a cast to varchar(255) would cut what the column refuses).
  EXPECT_EQ(bulk_update_sql(pg, m, set, 1),
            R"(UPDATE "users" SET "email" = CASE "id" WHEN CAST($1 AS bigint) THEN CAST($2 AS varchar) ELSE "email" END, )"
            R"("is_active" = CASE "id" WHEN CAST($3 AS bigint) THEN CAST($4 AS boolean) ELSE "is_active" END WHERE "id" IN ($5))");
}

// ---- joins (relations) ----
namespace {
using RTrack = testing_models::RelTrack<testing_models::ChinookNames::Snake>;
using RArtist = testing_models::RelArtist<testing_models::ChinookNames::Snake>;
using RAlbum = testing_models::RelAlbum<testing_models::ChinookNames::Snake>;
}  // namespace

TEST(GoldenSql, Joins) {
  auto span = query<RTrack>().filter("album__artist__name", "AC/DC").order_by("album__title");
  EXPECT_EQ(span.sql(pg), R"(SELECT "track"."track_id", "track"."name", "track"."album_id", "track"."genre_id", "track"."milliseconds", "track"."unit_price" FROM "track" INNER JOIN "album" ON ("track"."album_id" = "album"."album_id") INNER JOIN "artist" ON ("album"."artist_id" = "artist"."artist_id") WHERE "artist"."name" = $1 ORDER BY "album"."title")");
  auto reverse = query<RArtist>().filter("albums__title__icontains", "greatest").distinct().order_by("albums__title");
  // PostgreSQL wants a DISTINCT query's ORDER BY columns selected: added after the model's.
  EXPECT_EQ(reverse.sql(pg), R"(SELECT DISTINCT "artist"."artist_id", "artist"."name", "album"."title" FROM "artist" INNER JOIN "album" ON ("artist"."artist_id" = "album"."artist_id") WHERE "album"."title" ILIKE $1 ORDER BY "album"."title")");
  auto orq = query<RTrack>().filter(Q("genre__name", "Jazz") | Q("milliseconds__gt", 1000));
  EXPECT_EQ(orq.sql(sqlite), R"(SELECT "track"."track_id", "track"."name", "track"."album_id", "track"."genre_id", "track"."milliseconds", "track"."unit_price" FROM "track" LEFT OUTER JOIN "genre" ON ("track"."genre_id" = "genre"."genre_id") WHERE ("genre"."name" = ? OR "track"."milliseconds" > ?))");
  auto ex = query<RArtist>().exclude("albums__tracks__milliseconds__lt", 300000);
  EXPECT_EQ(ex.sql(pg), R"(SELECT "artist"."artist_id", "artist"."name" FROM "artist" WHERE NOT ("artist"."artist_id" IN (SELECT "album"."artist_id" FROM "album" INNER JOIN "track" ON ("album"."album_id" = "track"."album_id") WHERE "track"."milliseconds" < $1 AND "album"."artist_id" IS NOT NULL)))");
  EXPECT_EQ(ex.compiled(pg).params, (std::vector<Value>{300000}));
  auto sel = query<RTrack>().select_related("album__artist", "genre").filter("id", 1);
  EXPECT_EQ(sel.sql(sqlite), R"(SELECT "track"."track_id", "track"."name", "track"."album_id", "track"."genre_id", "track"."milliseconds", "track"."unit_price", "album"."album_id", "album"."title", "album"."artist_id", "artist"."artist_id", "artist"."name", "genre"."genre_id", "genre"."name" FROM "track" LEFT OUTER JOIN "album" ON ("track"."album_id" = "album"."album_id") LEFT OUTER JOIN "artist" ON ("album"."artist_id" = "artist"."artist_id") LEFT OUTER JOIN "genre" ON ("track"."genre_id" = "genre"."genre_id") WHERE "track"."track_id" = ?)");
  auto del = query<RTrack>().filter("album__title", "x");
  EXPECT_EQ(*del.compiled(pg, QueryKind::Delete).sql, R"(DELETE FROM "track" WHERE "track"."track_id" IN (SELECT "track"."track_id" FROM "track" INNER JOIN "album" ON ("track"."album_id" = "album"."album_id") WHERE "album"."title" = $1))");
  EXPECT_EQ(*del.compiled(pg, QueryKind::Count).sql, R"(SELECT COUNT(*) FROM "track" INNER JOIN "album" ON ("track"."album_id" = "album"."album_id") WHERE "album"."title" = $1)");
  // A self-join names the second copy of the table T<n>.
  auto self = query<RAlbum>().filter("artist__albums__title", "x");
  EXPECT_EQ(self.sql(sqlite), R"(SELECT "album"."album_id", "album"."title", "album"."artist_id" FROM "album" INNER JOIN "artist" ON ("album"."artist_id" = "artist"."artist_id") INNER JOIN "album" "T3" ON ("artist"."artist_id" = "T3"."artist_id") WHERE "T3"."title" = ?)");
}

// ---- aggregates, group by, having ----
TEST(GoldenSql, GroupByHaving) {
  auto per_genre = query<RTrack>().values("genre__name").annotate({{"n", Count("id")}}).filter("n__gt", 10).order_by("-n");
  EXPECT_EQ(per_genre.sql(pg), R"(SELECT "genre"."name" AS "genre__name", COUNT("track"."track_id") AS "n" FROM "track" LEFT OUTER JOIN "genre" ON ("track"."genre_id" = "genre"."genre_id") GROUP BY 1 HAVING COUNT("track"."track_id") > $1 ORDER BY "n" DESC)");
  EXPECT_EQ(per_genre.sql(sqlite), R"(SELECT "genre"."name" AS "genre__name", COUNT("track"."track_id") AS "n" FROM "track" LEFT OUTER JOIN "genre" ON ("track"."genre_id" = "genre"."genre_id") GROUP BY 1 HAVING COUNT("track"."track_id") > ? ORDER BY "n" DESC)");
  auto albums = query<RAlbum>().annotate({{"n", Count("tracks")}, {"ms", Sum("tracks__milliseconds")}}).filter("n__gt", 25);
  EXPECT_EQ(albums.sql(pg), R"(SELECT "album"."album_id", "album"."title", "album"."artist_id", COUNT("track"."track_id") AS "n", CAST(SUM("track"."milliseconds") AS bigint) AS "ms" FROM "album" LEFT OUTER JOIN "track" ON ("album"."album_id" = "track"."album_id") GROUP BY 1, 2, 3 HAVING COUNT("track"."track_id") > $1)");
  EXPECT_EQ(*albums.compiled(pg, QueryKind::Count).sql, R"(SELECT COUNT(*) FROM (SELECT "album"."album_id", "album"."title", "album"."artist_id", COUNT("track"."track_id") AS "n", CAST(SUM("track"."milliseconds") AS bigint) AS "ms" FROM "album" LEFT OUTER JOIN "track" ON ("album"."album_id" = "track"."album_id") GROUP BY 1, 2, 3 HAVING COUNT("track"."track_id") > $1) AS "covet_subquery")");
  auto filtered = query<RTrack>().annotate({{"long_ones", Count("id", {.filter = Q("milliseconds__gt", 300000)})},
                                            {"twice", F("milliseconds") * 2}});
  EXPECT_EQ(filtered.sql(sqlite), R"(SELECT "track"."track_id", "track"."name", "track"."album_id", "track"."genre_id", "track"."milliseconds", "track"."unit_price", COUNT("track"."track_id") FILTER (WHERE "track"."milliseconds" > ?) AS "long_ones", ("track"."milliseconds" * ?) AS "twice" FROM "track" GROUP BY 1, 2, 3, 4, 5, 6, 8)");
}

TEST(GoldenSql, SubqueriesAndColumnComparisons) {
  // Exists with an OuterRef: the inner query's tables go by U0, U1, ...
  auto with_albums = query<RArtist>().filter(Exists(query<RAlbum>().filter("artist", OuterRef("id")).filter("title__startswith", "B")));
  EXPECT_EQ(with_albums.sql(pg), R"(SELECT "artist"."artist_id", "artist"."name" FROM "artist" WHERE EXISTS (SELECT 1 FROM "album" "U0" WHERE "U0"."artist_id" = "artist"."artist_id" AND "U0"."title" LIKE $1))");
  EXPECT_EQ(with_albums.sql(sqlite), R"(SELECT "artist"."artist_id", "artist"."name" FROM "artist" WHERE EXISTS (SELECT 1 FROM "album" "U0" WHERE "U0"."artist_id" = "artist"."artist_id" AND "U0"."title" GLOB ?))");
  // Subquery in an annotation, sliced to one row; over the same table.
  auto longest = query<RTrack>().annotate(
      {{"longest", Subquery(query<RTrack>().filter("album", OuterRef("album")).order_by("-milliseconds").values("name").limit(1))}});
  EXPECT_EQ(longest.sql(pg), R"(SELECT "track"."track_id", "track"."name", "track"."album_id", "track"."genre_id", "track"."milliseconds", "track"."unit_price", (SELECT "U0"."name" FROM "track" "U0" WHERE "U0"."album_id" = "track"."album_id" ORDER BY "U0"."milliseconds" DESC LIMIT $1) AS "longest" FROM "track")");
  // F on the right of a comparison, across a relation (Django adds IS NOT
  // NULL under exclude() for a nullable field or a nullable plain column
  // on the right, not for an expression).
  auto f = query<RTrack>().exclude("milliseconds__gt", F("album__artist__id") * 1000);
  // (album__artist__id is album.artist_id: no join to artist.)
  EXPECT_EQ(f.sql(sqlite), R"(SELECT "track"."track_id", "track"."name", "track"."album_id", "track"."genre_id", "track"."milliseconds", "track"."unit_price" FROM "track" LEFT OUTER JOIN "album" ON ("track"."album_id" = "album"."album_id") WHERE NOT ("track"."milliseconds" > ("album"."artist_id" * ?)))");
  // aggregate() over groups: the groups as a subquery.
  QueryData groups = query<RTrack>().values("genre").annotate({{"n", Count("id")}}).data();
  auto avg = resolve_aggregates(groups, {{"avg", covet::Avg("n")}});
  EXPECT_EQ(*compile_aggregate(pg, groups, avg).sql, R"(SELECT CAST(AVG("covet_subquery"."__col0") AS double precision) AS "avg" FROM (SELECT "track"."genre_id" AS "genre", COUNT("track"."track_id") AS "n", COUNT("track"."track_id") AS "__col0" FROM "track" GROUP BY 1) AS "covet_subquery")");
  // group_by() after values().
  auto g = query<RTrack>().values("genre").annotate({{"n", Count("id")}}).group_by("genre");
  EXPECT_EQ(g.sql(pg), R"(SELECT "track"."genre_id" AS "genre", COUNT("track"."track_id") AS "n" FROM "track" GROUP BY 1)");
}

// Names written into the text are part of the shape: two annotations of
// one expression, or one column selected under two names (values("author")
// and values("author_id")), compile to their own aliases.
TEST(CompileCache, SelectListNamesAreKeyed) {
  for (int i = 0; i < 2; ++i) {  // the second round hits the cache
    EXPECT_NE(query<User>().annotate({{"a", Count("id")}}).sql(sqlite).find(R"(AS "a")"), std::string::npos);
    EXPECT_NE(query<User>().annotate({{"b", Count("id")}}).sql(sqlite).find(R"(AS "b")"), std::string::npos);
    EXPECT_NE(query<RTrack>().values("album").sql(sqlite).find(R"(AS "album")"), std::string::npos);
    EXPECT_NE(query<RTrack>().values("album_id").sql(sqlite).find(R"(AS "album_id")"), std::string::npos);
  }
}

// A subquery's select list carries no names, so its ordering by an
// annotation repeats the expression (ORDER BY "n" would name nothing:
// PostgreSQL refuses it, SQLite reads it as a string and sorts by a constant).
TEST(GoldenSql, SubqueryOrderedByAnAnnotationRepeatsIt) {
  for (const char* name : {"n", "m"}) {  // two names, one shape of text
    auto most = query<RArtist>().annotate({{"most", Subquery(query<RAlbum>()
                                                                 .filter("artist", OuterRef("id"))
                                                                 .annotate({{name, Count("tracks")}})
                                                                 .order_by(std::string("-") + name)
                                                                 .values(name)
                                                                 .limit(1))}});
    for (const Dialect* d : {&sqlite, &pg}) {
      std::string sql = most.sql(*d);
      EXPECT_NE(sql.find(R"(ORDER BY COUNT("U1"."track_id") DESC)"), std::string::npos) << sql;
      EXPECT_EQ(sql.find("ORDER BY \"" + std::string(name) + "\""), std::string::npos) << sql;
    }
  }
}
