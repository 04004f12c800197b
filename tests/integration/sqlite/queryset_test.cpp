// QuerySet terminals and chaining on SQLite: all/get/first/last/exists/count,
// values/values_list, update/remove, paginate, ordering and slicing,
// distinct, only/defer (Partial), in_bulk, iterate, immutability, and the
// compiled-SQL and prepared-statement caches.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "support/models.hpp"

using namespace covet;

namespace qs_models {

struct Item : covet::Model<Item> {
  int64_t id = 0;
  std::string name;
  std::string category;
  int32_t qty = 0;
  double price = 0;
  std::optional<std::string> note;
  static void meta(covet::Meta<Item>& m) {
    m.table("items").field(&Item::name, covet::max_length(40)).field(&Item::category, covet::max_length(20));
  }
};

}  // namespace qs_models

using qs_models::Item;

namespace {

struct Seed {
  const char* name;
  const char* category;
  int32_t qty;
  double price;
  const char* note;
};

// ids 1..8 in this order.
const Seed kSeed[] = {
    {"apple", "fruit", 5, 1.5, "red"},     {"banana", "fruit", 12, 0.5, nullptr}, {"carrot", "veg", 7, 0.8, "orange"},
    {"date", "fruit", 5, 3.0, nullptr},    {"eggplant", "veg", 2, 2.2, "purple"}, {"fig", "fruit", 0, 4.0, nullptr},
    {"garlic", "spice", 30, 0.3, "white"}, {"herb", "spice", 5, 1.1, nullptr},
};

class QuerySetTest : public ::testing::Test {
 protected:
  void SetUp() override { seed(db); }
  static void seed(Database& d) {
    d.create_all<Item>();
    for (const Seed& s : kSeed) {
      Item it;
      it.name = s.name;
      it.category = s.category;
      it.qty = s.qty;
      it.price = s.price;
      if (s.note) it.note = s.note;
      it.save(d);
    }
  }
  // A seeded file database: a pool of several connections (a :memory:
  // database has exactly one).
  static Database file_db(const std::string& tag) {
    std::string path = std::string(COVET_TEST_TMP) + "/queryset_" + tag + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    Database d("sqlite:///" + path);
    seed(d);
    return d;
  }
  QuerySet<Item> items() { return Item::objects(db); }
  int64_t raw_int(const std::string& sql, const std::vector<Value>& params = {}) {
    return db.execute(sql, params).rows.at(0)[0].as_int();
  }
  static std::vector<std::string> names(const std::vector<Item>& v) {
    std::vector<std::string> out;
    for (const auto& i : v) out.push_back(i.name);
    return out;
  }
  static std::vector<int64_t> ids(const std::vector<Item>& v) {
    std::vector<int64_t> out;
    for (const auto& i : v) out.push_back(i.id);
    return out;
  }

  Database db{"sqlite://:memory:"};
};

using Names = std::vector<std::string>;
using Ids = std::vector<int64_t>;

// ------------------------------------------------------------------ all / get
TEST_F(QuerySetTest, AllReturnsEveryRowWithEveryField) {
  auto all = items().order_by("id").all();
  ASSERT_EQ(all.size(), 8u);
  EXPECT_EQ(ids(all), (Ids{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(all[2].name, "carrot");
  EXPECT_EQ(all[2].category, "veg");
  EXPECT_EQ(all[2].qty, 7);
  EXPECT_DOUBLE_EQ(all[2].price, 0.8);
  EXPECT_EQ(all[2].note, std::optional<std::string>("orange"));
  EXPECT_FALSE(all[1].note.has_value());
}

TEST_F(QuerySetTest, AllOnEmptyTableIsEmpty) {
  db.execute("DELETE FROM items");
  EXPECT_TRUE(items().all().empty());
}

TEST_F(QuerySetTest, GetReturnsTheSingleMatch) {
  Item it = items().get("name", "fig");
  EXPECT_EQ(it.id, 6);
  EXPECT_EQ(it.category, "fruit");
  EXPECT_EQ(items().get(Q("category", "veg") & Q("qty__lt", 5)).name, "eggplant");
  EXPECT_EQ(items().get({{"category", "spice"}, {"qty", 30}}).name, "garlic");
  EXPECT_EQ(items().get(col(&Item::name) == "date").id, 4);
  EXPECT_EQ(items().filter("name", "banana").get().id, 2);
}

TEST_F(QuerySetTest, GetWithNoMatchRaisesDoesNotExist) {
  try {
    items().get("name", "kiwi");
    FAIL() << "expected DoesNotExist";
  } catch (const DoesNotExist& e) {
    EXPECT_NE(std::string(e.what()).find("Item matching query does not exist"), std::string::npos) << e.what();
  }
}

TEST_F(QuerySetTest, GetWithSeveralMatchesRaisesMultipleObjectsReturned) {
  try {
    items().get("category", "veg");
    FAIL() << "expected MultipleObjectsReturned";
  } catch (const MultipleObjectsReturned& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("returned more than one"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Item"), std::string::npos) << msg;
    EXPECT_NE(msg.find("it returned 2"), std::string::npos) << msg;
  }
}

TEST_F(QuerySetTest, GetWithMoreThanTwentyMatchesSaysMoreThanTwenty) {
  for (int i = 0; i < 25; ++i) Item::create(db, {{"name", "bulk" + std::to_string(i)}, {"category", "bulk"}});
  try {
    items().get("category", "bulk");
    FAIL() << "expected MultipleObjectsReturned";
  } catch (const MultipleObjectsReturned& e) {
    EXPECT_NE(std::string(e.what()).find("more than 20"), std::string::npos) << e.what();
  }
}

// ----------------------------------------------------------- first / last
TEST_F(QuerySetTest, FirstAndLastUsePrimaryKeyWhenUnordered) {
  auto f = items().first();
  auto l = items().last();
  ASSERT_TRUE(f && l);
  EXPECT_EQ(f->id, 1);
  EXPECT_EQ(l->id, 8);
  auto fv = items().filter("category", "veg").first();
  auto lv = items().filter("category", "veg").last();
  ASSERT_TRUE(fv && lv);
  EXPECT_EQ(fv->name, "carrot");
  EXPECT_EQ(lv->name, "eggplant");
}

TEST_F(QuerySetTest, FirstAndLastFollowOrderBy) {
  auto by_price = items().order_by("price");
  EXPECT_EQ(by_price.first()->name, "garlic");  // 0.3
  EXPECT_EQ(by_price.last()->name, "fig");      // 4.0
  auto by_name_desc = items().order_by("-name");
  EXPECT_EQ(by_name_desc.first()->name, "herb");
  EXPECT_EQ(by_name_desc.last()->name, "apple");
  // Ties on qty broken by the second key.
  auto tie = items().filter("qty", 5).order_by("qty", "-name");
  EXPECT_EQ(tie.first()->name, "herb");
  EXPECT_EQ(tie.last()->name, "apple");
}

TEST_F(QuerySetTest, FirstAndLastOnEmptyResultAreNullopt) {
  EXPECT_EQ(items().filter("category", "none").first(), std::nullopt);
  EXPECT_EQ(items().filter("category", "none").last(), std::nullopt);
  db.execute("DELETE FROM items");
  EXPECT_FALSE(items().first().has_value());
  EXPECT_FALSE(items().order_by("-name").last().has_value());
}

// ---------------------------------------------------------- exists / count
TEST_F(QuerySetTest, ExistsReflectsMatches) {
  EXPECT_TRUE(items().exists());
  EXPECT_TRUE(items().filter("name", "fig").exists());
  EXPECT_FALSE(items().filter("name", "kiwi").exists());
  EXPECT_FALSE(items().filter("qty__gt", 100).exists());
  EXPECT_TRUE(items().offset(7).exists());
  EXPECT_FALSE(items().offset(8).exists());
}

TEST_F(QuerySetTest, CountMatchesRawSql) {
  EXPECT_EQ(items().count(), 8);
  EXPECT_EQ(items().filter("category", "fruit").count(), raw_int("SELECT COUNT(*) FROM items WHERE category = 'fruit'"));
  EXPECT_EQ(items().filter("category", "fruit").count(), 4);
  EXPECT_EQ(items().filter("note__isnull", true).count(), 4);
  EXPECT_EQ(items().exclude("category", "fruit").count(), 4);
  EXPECT_EQ(items().filter("qty__gte", 5).filter("price__lt", 2.0).count(),
            raw_int("SELECT COUNT(*) FROM items WHERE qty >= 5 AND price < 2.0"));
  EXPECT_EQ(items().limit(3).count(), 3);
  EXPECT_EQ(items().offset(6).count(), 2);
  EXPECT_EQ(items().offset(6).limit(10).count(), 2);
}

// --------------------------------------------------------- values / list
TEST_F(QuerySetTest, ValuesReturnsRecordsByName) {
  auto rows = items().filter("category", "veg").order_by("name").values("name", "qty");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].names(), (std::vector<std::string>{"name", "qty"}));
  EXPECT_EQ(rows[0]["name"].as_string(), "carrot");
  EXPECT_EQ(rows[0]["qty"].as_int(), 7);
  EXPECT_EQ(rows[1]["name"].as_string(), "eggplant");
  EXPECT_EQ(rows[1]["qty"].as_int(), 2);
  EXPECT_FALSE(rows[0].contains("price"));
  EXPECT_THROW(rows[0]["price"], FieldError);
}

TEST_F(QuerySetTest, ValuesWithoutNamesHasEveryField) {
  auto rows = items().filter("name", "banana").values();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].names(), (std::vector<std::string>{"id", "name", "category", "qty", "price", "note"}));
  EXPECT_EQ(rows[0]["id"].as_int(), 2);
  EXPECT_DOUBLE_EQ(rows[0]["price"].as_double(), 0.5);
  EXPECT_TRUE(rows[0]["note"].is_null());
}

TEST_F(QuerySetTest, ValuesWithUnknownFieldRaisesFieldError) {
  try {
    items().values("name", "quantity");
    FAIL() << "expected FieldError";
  } catch (const FieldError& e) {
    EXPECT_NE(std::string(e.what()).find("quantity"), std::string::npos) << e.what();
  }
}

TEST_F(QuerySetTest, ValuesListReturnsRowsInFieldOrder) {
  auto rows = items().filter("category", "spice").order_by("-qty").values_list("qty", "name");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<Value>{Value(30), Value("garlic")}));
  EXPECT_EQ(rows[1], (std::vector<Value>{Value(5), Value("herb")}));
  EXPECT_THROW(items().values_list("nope"), FieldError);
}

// ---------------------------------------------------------- update / remove
TEST_F(QuerySetTest, UpdateReturnsRowsAffectedAndLeavesOthersAlone) {
  int64_t n = items().filter("category", "fruit").update({{"qty", 99}, {"note", "sale"}});
  EXPECT_EQ(n, 4);
  EXPECT_EQ(items().filter("qty", 99).count(), 4);
  EXPECT_EQ(items().filter("note", "sale").count(), 4);
  // Other rows keep their values.
  EXPECT_EQ(items().get("name", "carrot").qty, 7);
  EXPECT_EQ(items().get("name", "garlic").note, std::optional<std::string>("white"));
  EXPECT_EQ(raw_int("SELECT COUNT(*) FROM items WHERE qty = 99 AND category <> 'fruit'"), 0);
}

TEST_F(QuerySetTest, UpdateMatchingNothingReturnsZero) {
  EXPECT_EQ(items().filter("category", "none").update({{"qty", 1}}), 0);
  EXPECT_EQ(raw_int("SELECT SUM(qty) FROM items"), 66);
}

TEST_F(QuerySetTest, UpdateCanSetNull) {
  EXPECT_EQ(items().filter("note__isnull", false).update({{"note", nullptr}}), 4);
  EXPECT_EQ(items().filter("note__isnull", true).count(), 8);
}

TEST_F(QuerySetTest, UpdateWithUnknownFieldRaisesFieldError) {
  EXPECT_THROW(items().update({{"qtty", 1}}), FieldError);
  EXPECT_EQ(raw_int("SELECT SUM(qty) FROM items"), 66);
}

TEST_F(QuerySetTest, RemoveReturnsRowsDeleted) {
  EXPECT_EQ(items().filter("category", "spice").remove(), 2);
  EXPECT_EQ(items().count(), 6);
  EXPECT_FALSE(items().filter("category", "spice").exists());
  EXPECT_EQ(items().filter("category", "none").remove(), 0);
  EXPECT_EQ(items().remove(), 6);
  EXPECT_EQ(raw_int("SELECT COUNT(*) FROM items"), 0);
}

// ---------------------------------------------------------------- paginate
TEST_F(QuerySetTest, PaginateFirstPageOfEmptyTable) {
  db.execute("DELETE FROM items");
  auto p = items().paginate(1, 10);
  EXPECT_EQ(p.total, 0);
  EXPECT_EQ(p.pages, 1);
  EXPECT_EQ(p.page, 1);
  EXPECT_EQ(p.per_page, 10);
  EXPECT_TRUE(p.items.empty());
  EXPECT_FALSE(p.has_next);
  EXPECT_FALSE(p.has_previous);
}

TEST_F(QuerySetTest, PaginateExactMultiple) {
  auto p1 = items().paginate(1, 4);
  auto p2 = items().paginate(2, 4);
  EXPECT_EQ(p1.total, 8);
  EXPECT_EQ(p1.pages, 2);
  EXPECT_EQ(ids(p1.items), (Ids{1, 2, 3, 4}));
  EXPECT_TRUE(p1.has_next);
  EXPECT_FALSE(p1.has_previous);
  EXPECT_EQ(ids(p2.items), (Ids{5, 6, 7, 8}));
  EXPECT_FALSE(p2.has_next);
  EXPECT_TRUE(p2.has_previous);
}

TEST_F(QuerySetTest, PaginatePartialLastPageFollowsOrdering) {
  auto q = items().order_by("-qty", "name");
  auto p3 = q.paginate(3, 3);
  EXPECT_EQ(p3.pages, 3);
  // -qty, name: garlic 30, banana 12, carrot 7, apple 5, date 5, herb 5, eggplant 2, fig 0
  EXPECT_EQ(names(p3.items), (Names{"eggplant", "fig"}));
  EXPECT_FALSE(p3.has_next);
  EXPECT_EQ(names(q.paginate(2, 3).items), (Names{"apple", "date", "herb"}));
}

TEST_F(QuerySetTest, PaginatePastTheEndIsEmpty) {
  auto p = items().paginate(5, 4);
  EXPECT_EQ(p.total, 8);
  EXPECT_EQ(p.pages, 2);
  EXPECT_EQ(p.page, 5);
  EXPECT_TRUE(p.items.empty());
  EXPECT_FALSE(p.has_next);
  EXPECT_TRUE(p.has_previous);
}

TEST_F(QuerySetTest, PaginateRejectsZeroPerPageAndPageZero) {
  EXPECT_THROW(items().paginate(1, 0), InvalidArgument);
  EXPECT_THROW(items().paginate(1, -3), InvalidArgument);
  EXPECT_THROW(items().paginate(0, 10), InvalidArgument);
  EXPECT_THROW(items().paginate(-1, 10), InvalidArgument);
}

TEST_F(QuerySetTest, PaginateOfFilteredQuery) {
  auto p = items().filter("category", "fruit").paginate(2, 3);
  EXPECT_EQ(p.total, 4);
  EXPECT_EQ(p.pages, 2);
  EXPECT_EQ(names(p.items), (Names{"fig"}));
}

// --------------------------------------------------- ordering and slicing
TEST_F(QuerySetTest, OrderByMultipleKeys) {
  auto v = items().order_by("-qty", "name").all();
  EXPECT_EQ(names(v), (Names{"garlic", "banana", "carrot", "apple", "date", "herb", "eggplant", "fig"}));
  auto w = items().order_by("category", "-price").all();
  EXPECT_EQ(names(w), (Names{"fig", "date", "apple", "banana", "herb", "garlic", "eggplant", "carrot"}));
  // Typed terms give the same order.
  auto t = items().order_by(desc(&Item::qty), asc(&Item::name)).all();
  EXPECT_EQ(names(t), names(v));
}

TEST_F(QuerySetTest, OrderByReplacesEarlierOrdering) {
  auto v = items().order_by("name").order_by("-id").all();
  EXPECT_EQ(ids(v), (Ids{8, 7, 6, 5, 4, 3, 2, 1}));
}

TEST_F(QuerySetTest, OrderByUnknownFieldRaisesFieldError) {
  EXPECT_THROW(items().order_by("-nmae"), FieldError);
}

TEST_F(QuerySetTest, LimitAndOffset) {
  auto q = items().order_by("id");
  EXPECT_EQ(ids(q.limit(3).all()), (Ids{1, 2, 3}));
  EXPECT_EQ(ids(q.offset(5).all()), (Ids{6, 7, 8}));
  EXPECT_EQ(ids(q.offset(2).limit(2).all()), (Ids{3, 4}));
  EXPECT_EQ(ids(q.limit(2).offset(2).all()), (Ids{3, 4}));
  EXPECT_TRUE(q.offset(8).all().empty());
  EXPECT_TRUE(q.limit(0).all().empty());
  EXPECT_THROW(q.limit(-1), InvalidArgument);
  EXPECT_THROW(q.offset(-1), InvalidArgument);
}

TEST_F(QuerySetTest, DistinctRemovesDuplicateRows) {
  auto cats = items().distinct().order_by("category").values("category");
  ASSERT_EQ(cats.size(), 3u);
  EXPECT_EQ(cats[0]["category"].as_string(), "fruit");
  EXPECT_EQ(cats[1]["category"].as_string(), "spice");
  EXPECT_EQ(cats[2]["category"].as_string(), "veg");
  EXPECT_EQ(items().values("category").size(), 8u);
  auto qtys = items().distinct().values_list("qty");
  EXPECT_EQ(qtys.size(), 6u);  // 5 occurs three times
  EXPECT_EQ(items().distinct().count(), 8);  // whole rows are all distinct
  EXPECT_EQ(items().distinct(false).values("category").size(), 8u);
}

// ----------------------------------------------------------- only / defer
TEST_F(QuerySetTest, OnlyLoadsNamedFieldsAndThePrimaryKey) {
  std::vector<Partial<Item>> rows = items().only("name").order_by("id").all();
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows[0].get(&Item::id), 1);
  EXPECT_EQ(rows[0].get(&Item::name), "apple");
  EXPECT_TRUE(rows[0].is_loaded("name"));
  EXPECT_FALSE(rows[0].is_loaded("qty"));
  EXPECT_EQ(rows[0]["name"].as_string(), "apple");
  EXPECT_THROW(rows[0].get(&Item::qty), FieldError);
  EXPECT_THROW(rows[0]["qty"], FieldError);
  EXPECT_THROW(rows[0].get(&Item::note), FieldError);
}

TEST_F(QuerySetTest, DeferredFieldAccessRunsNoQuery) {
  Partial<Item> p = items().only("name").get("id", 3);
  ConnectionStats before = db.connection_stats();
  try {
    (void)p.get(&Item::price);
    FAIL() << "expected FieldError";
  } catch (const FieldError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("price"), std::string::npos) << msg;
    EXPECT_NE(msg.find("not loaded"), std::string::npos) << msg;
  }
  ConnectionStats after = db.connection_stats();
  EXPECT_EQ(after.prepares, before.prepares);
  EXPECT_EQ(after.cache_hits, before.cache_hits);
}

TEST_F(QuerySetTest, DeferLoadsEverythingButTheNamedFields) {
  Partial<Item> p = items().defer("price", "note").get("name", "garlic");
  EXPECT_EQ(p.get(&Item::id), 7);
  EXPECT_EQ(p.get(&Item::name), "garlic");
  EXPECT_EQ(p.get(&Item::category), "spice");
  EXPECT_EQ(p.get(&Item::qty), 30);
  EXPECT_THROW(p.get(&Item::price), FieldError);
  EXPECT_THROW(p.get(&Item::note), FieldError);
  EXPECT_THROW(items().defer("id"), FieldError);
  EXPECT_THROW(items().only("nope"), FieldError);
}

TEST_F(QuerySetTest, PartialSaveWritesOnlyLoadedFields) {
  Partial<Item> p = items().only("name", "qty").get("name", "carrot");
  // Someone else changes a field this object did not load.
  db.execute("UPDATE items SET price = 9.5, category = 'root' WHERE id = ?", {p.get(&Item::id)});
  p.set(&Item::qty, 70);
  p.save(db);
  Item back = items().get("id", 3);
  EXPECT_EQ(back.qty, 70);
  EXPECT_EQ(back.name, "carrot");
  EXPECT_DOUBLE_EQ(back.price, 9.5);   // not overwritten with the unloaded default 0
  EXPECT_EQ(back.category, "root");   // nor with ""
  EXPECT_EQ(items().count(), 8);      // an update, not an insert
}

TEST_F(QuerySetTest, PartialSetMarksFieldLoadedAndSavesIt) {
  Partial<Item> p = items().only("name").get("name", "fig");
  EXPECT_FALSE(p.is_loaded("note"));
  p.set(&Item::note, std::optional<std::string>("dried"));
  EXPECT_TRUE(p.is_loaded("note"));
  EXPECT_EQ(p.get(&Item::note), std::optional<std::string>("dried"));
  p.save(db);
  Item back = items().get("name", "fig");
  EXPECT_EQ(back.note, std::optional<std::string>("dried"));
  EXPECT_EQ(back.qty, 0);
  EXPECT_DOUBLE_EQ(back.price, 4.0);
}

TEST_F(QuerySetTest, PartialSaveOfDeletedRowRaisesDoesNotExist) {
  Partial<Item> p = items().only("qty").get("name", "date");
  db.execute("DELETE FROM items WHERE name = 'date'");
  p.set(&Item::qty, 1);
  EXPECT_THROW(p.save(db), DoesNotExist);
  EXPECT_EQ(items().count(), 7);
}

// -------------------------------------------------------------------- in_bulk
TEST_F(QuerySetTest, InBulkReturnsOnlyExistingKeys) {
  auto m = items().in_bulk(std::vector<int64_t>{2, 5, 42, 7, -1});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m.at(2).name, "banana");
  EXPECT_EQ(m.at(5).name, "eggplant");
  EXPECT_EQ(m.at(7).name, "garlic");
  EXPECT_EQ(m.count(42), 0u);
  EXPECT_TRUE(items().in_bulk(std::vector<int64_t>{}).empty());
  // It respects the query's filters.
  auto fruit = items().filter("category", "fruit").in_bulk(std::vector<int64_t>{1, 2, 3});
  EXPECT_EQ(fruit.size(), 2u);
  EXPECT_EQ(fruit.count(3), 0u);
}

// -------------------------------------------------------------------- iterate
TEST_F(QuerySetTest, IterateStreamsRowsInOrder) {
  std::vector<std::string> seen;
  int64_t qty = 0;
  for (const Item& it : items().filter("qty__gte", 5).order_by("-qty", "name").iterate()) {
    seen.push_back(it.name);
    qty += it.qty;
  }
  EXPECT_EQ(seen, (Names{"garlic", "banana", "carrot", "apple", "date", "herb"}));
  EXPECT_EQ(qty, 30 + 12 + 7 + 5 + 5 + 5);
}

TEST_F(QuerySetTest, IterateOverEmptyResult) {
  int n = 0;
  for (const Item& it : items().filter("category", "none").iterate()) {
    (void)it;
    ++n;
  }
  EXPECT_EQ(n, 0);
}

TEST_F(QuerySetTest, IterateCanStopEarlyAndTheConnectionIsReusable) {
  int n = 0;
  for (const Item& it : items().order_by("id").iterate()) {
    EXPECT_EQ(it.id, n + 1);
    if (++n == 3) break;
  }
  EXPECT_EQ(n, 3);
  // The same query runs again from the start afterwards.
  std::vector<int64_t> again;
  for (const Item& it : items().order_by("id").iterate()) again.push_back(it.id);
  EXPECT_EQ(again, (Ids{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(items().count(), 8);
}

TEST_F(QuerySetTest, IteratePartialRows) {
  std::vector<std::string> seen;
  for (const Partial<Item>& p : items().only("name").filter("category", "veg").order_by("name").iterate()) {
    seen.push_back(p.get(&Item::name));
    EXPECT_THROW(p.get(&Item::qty), FieldError);
  }
  EXPECT_EQ(seen, (Names{"carrot", "eggplant"}));
}

// ------------------------------------------------------------- immutability
TEST_F(QuerySetTest, ChainingLeavesTheBaseQueryUnchanged) {
  auto base = items().filter("qty__gte", 5);
  auto fruit = base.filter("category", "fruit");
  auto spice = base.filter("category", "spice");
  auto ordered = base.order_by("-name");
  auto limited = base.limit(1);
  EXPECT_EQ(base.count(), 6);
  EXPECT_EQ(fruit.count(), 3);
  EXPECT_EQ(spice.count(), 2);
  EXPECT_EQ(limited.count(), 1);
  EXPECT_EQ(names(fruit.order_by("name").all()), (Names{"apple", "banana", "date"}));
  EXPECT_EQ(names(spice.order_by("name").all()), (Names{"garlic", "herb"}));
  EXPECT_EQ(ordered.first()->name, "herb");
  EXPECT_EQ(base.first()->name, "apple");  // still unordered: by primary key
  EXPECT_EQ(base.all().size(), 6u);
  EXPECT_EQ(base.sql(), items().filter("qty__gte", 5).sql());
}

TEST_F(QuerySetTest, QueriesSeeLaterWrites) {
  auto fruit = items().filter("category", "fruit");
  EXPECT_EQ(fruit.count(), 4);
  Item::create(db, {{"name", "kiwi"}, {"category", "fruit"}});
  EXPECT_EQ(fruit.count(), 5);  // nothing is cached in the QuerySet
}

// ------------------------------------------------------------ misc terminals
TEST_F(QuerySetTest, EmptyOrderByClearsOrdering) {
  auto q = items().order_by("-id");
  EXPECT_EQ(q.first()->id, 8);
  EXPECT_EQ(q.order_by().first()->id, 1);  // back to primary-key order
  EXPECT_EQ(q.first()->id, 8);             // q itself unchanged
}

TEST_F(QuerySetTest, UpdateOfAutoPrimaryKeyIsRefused) {
  EXPECT_THROW(items().filter("id", 1).update({{"id", 100}}), FieldError);
  EXPECT_TRUE(items().filter("id", 1).exists());
}

TEST_F(QuerySetTest, UpdateWithTypedFilter) {
  EXPECT_EQ(items().filter(col(&Item::price) < 1.0 && col(&Item::category) == "fruit").update({{"qty", 50}}), 1);
  EXPECT_EQ(items().get("name", "banana").qty, 50);
}

TEST_F(QuerySetTest, UnboundQuerySetCompilesButDoesNotRun) {
  QuerySet<Item> q = covet::query<Item>().filter("qty__gt", 3).order_by("name");
  std::string sql = q.sql(db.dialect());
  EXPECT_NE(sql.find("FROM \"items\""), std::string::npos) << sql;
  EXPECT_NE(sql.find("ORDER BY"), std::string::npos) << sql;
  EXPECT_THROW(q.count(), covet::UsageError);
  EXPECT_THROW(q.all(), covet::UsageError);
}

TEST_F(QuerySetTest, InBulkNeedsThePrimaryKeyType) {
  EXPECT_THROW(items().in_bulk(std::vector<int32_t>{1}), InvalidArgument);
}

TEST_F(QuerySetTest, InBulkOfPartialObjects) {
  auto m = items().only("name").in_bulk(std::vector<int64_t>{1, 3});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at(3).get(&Item::name), "carrot");
  EXPECT_THROW(m.at(3).get(&Item::qty), FieldError);
}

TEST_F(QuerySetTest, ValuesOfPartialQueryUsesTheNamedFields) {
  auto rows = items().only("name").filter("id", 2).values("qty", "category");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["qty"].as_int(), 12);
  EXPECT_EQ(rows[0]["category"].as_string(), "fruit");
}

TEST_F(QuerySetTest, CountOfPartialDistinctQueryCountsRows) {
  EXPECT_EQ(items().only("category").distinct().count(), 8);  // the key keeps rows distinct
}

// ------------------------------------------------ terminals on sliced queries
TEST_F(QuerySetTest, FirstOfSlicedQueryStaysInsideTheSlice) {
  auto q = items().order_by("id");
  EXPECT_EQ(q.offset(2).first()->id, 3);
  EXPECT_EQ(q.offset(2).limit(3).first()->id, 3);
  EXPECT_FALSE(q.limit(0).first().has_value());
  EXPECT_FALSE(q.offset(8).first().has_value());
}

TEST_F(QuerySetTest, LastOfSlicedQueryIsTheSlicesLastRow) {
  // Reversing the ordering of a sliced query must not pick a row from outside the slice.
  auto q = items().order_by("id");
  EXPECT_EQ(q.limit(3).last()->id, 3);
  EXPECT_EQ(q.offset(2).limit(3).last()->id, 5);
  EXPECT_EQ(q.offset(6).last()->id, 8);
  EXPECT_EQ(q.offset(6).limit(10).last()->id, 8);
  EXPECT_EQ(items().order_by("-qty", "name").limit(4).last()->name, "apple");
  EXPECT_FALSE(q.offset(8).last().has_value());
  EXPECT_FALSE(q.limit(0).last().has_value());
}

TEST_F(QuerySetTest, ExistsOfEmptySliceIsFalse) {
  EXPECT_FALSE(items().limit(0).exists());
  EXPECT_EQ(items().limit(0).count(), 0);
}

TEST_F(QuerySetTest, PaginateSlicedQueryStaysInsideTheSlice) {
  auto q = items().order_by("id").limit(5);
  auto p1 = q.paginate(1, 4);
  auto p2 = q.paginate(2, 4);
  EXPECT_EQ(p1.total, 5);
  EXPECT_EQ(p1.pages, 2);
  EXPECT_EQ(ids(p1.items), (Ids{1, 2, 3, 4}));
  EXPECT_EQ(ids(p2.items), (Ids{5}));
  auto off = items().order_by("id").offset(2).limit(3).paginate(2, 2);
  EXPECT_EQ(off.total, 3);
  EXPECT_EQ(ids(off.items), (Ids{5}));
}

TEST_F(QuerySetTest, UpdateAndRemoveIgnoreOrdering) {
  // Django: ordering does not matter to update()/delete(); slicing is refused.
  EXPECT_EQ(items().filter("category", "veg").order_by("-name").update({{"qty", 1}}), 2);
  EXPECT_EQ(items().filter("qty", 1).count(), 2);
  EXPECT_EQ(items().filter("category", "spice").order_by("name").remove(), 2);
  EXPECT_EQ(items().count(), 6);
  EXPECT_THROW(items().limit(2).update({{"qty", 3}}), NotSupportedError);
  EXPECT_THROW(items().offset(2).remove(), NotSupportedError);
  EXPECT_EQ(items().count(), 6);
}

TEST_F(QuerySetTest, NestedIterationOfTheSameQuery) {
  Database fdb = file_db("nested");  // each open cursor holds its own pooled connection
  auto q = Item::objects(fdb).filter("category", "veg").order_by("id");
  std::vector<std::pair<int64_t, int64_t>> pairs;
  for (const Item& a : q.iterate())
    for (const Item& b : q.iterate()) pairs.emplace_back(a.id, b.id);
  EXPECT_EQ(pairs, (std::vector<std::pair<int64_t, int64_t>>{{3, 3}, {3, 5}, {5, 3}, {5, 5}}));
}

TEST_F(QuerySetTest, QueriesRunWhileIterating) {
  Database fdb = file_db("while_iterating");
  std::vector<int64_t> counts;
  for (const Item& a : Item::objects(fdb).filter("category", "spice").order_by("id").iterate())
    counts.push_back(Item::objects(fdb).filter("qty__lte", a.qty).count());  // another pooled connection
  EXPECT_EQ(counts, (Ids{8, 5}));  // qty <= 30: all; qty <= 5: apple, date, eggplant, fig, herb
}

TEST_F(QuerySetTest, AStatementOnAConnectionWhoseResultIsBeingReadIsAUsageError) {
  auto tx = db.transaction();
  std::string msg;
  for (const Item& a : Item::objects(tx).order_by("id").iterate()) {
    try {
      (void)Item::objects(tx).filter("qty__lte", a.qty).count();  // the same connection: still reading
    } catch (const covet::UsageError& e) {
      msg = e.what();
    }
    break;
  }
  EXPECT_NE(msg.find("one result at a time"), std::string::npos) << msg;
  EXPECT_EQ(Item::objects(tx).count(), 8);  // the cursor is gone: the connection is free again
  tx.commit();
}

// ------------------------------------------------------------------- caches
TEST_F(QuerySetTest, SameFilterShapeWithDifferentValuesHitsTheCompileCache) {
  auto q = [&](int32_t qty, const char* cat) { return items().filter("qty__gte", qty).filter("category", cat).order_by("name"); };
  (void)q(1, "fruit").all();  // make sure the shape is compiled
  CompileCacheStats before = compile_cache_stats();
  auto a = q(5, "fruit").all();
  auto b = q(3, "veg").all();
  CompileCacheStats after = compile_cache_stats();
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_GE(after.hits, before.hits + 2);
  // The parameters differ, so the results do.
  EXPECT_EQ(names(a), (Names{"apple", "banana", "date"}));
  EXPECT_EQ(names(b), (Names{"carrot"}));
}

TEST_F(QuerySetTest, NewFilterShapeIsAMiss) {
  CompileCacheStats before = compile_cache_stats();
  (void)items().filter("note__iendswith", "E").filter("qty__lte", 123456).order_by("-price", "id").count();
  CompileCacheStats mid = compile_cache_stats();
  EXPECT_EQ(mid.misses, before.misses + 1);
  (void)items().filter("note__iendswith", "x").filter("qty__lte", 7).order_by("-price", "id").count();
  CompileCacheStats after = compile_cache_stats();
  EXPECT_EQ(after.misses, mid.misses);
  EXPECT_EQ(after.hits, mid.hits + 1);
}

TEST_F(QuerySetTest, RepeatedQueryReusesThePreparedStatement) {
  auto run = [&](int32_t qty) { return items().filter("qty__gt", qty).order_by("id").all().size(); };
  EXPECT_EQ(run(4), 6u);
  ConnectionStats before = db.connection_stats();
  EXPECT_EQ(run(10), 2u);
  EXPECT_EQ(run(0), 7u);
  ConnectionStats after = db.connection_stats();
  EXPECT_EQ(after.prepares, before.prepares);
  EXPECT_EQ(after.cache_hits, before.cache_hits + 2);
}

TEST_F(QuerySetTest, RepeatedSaveReusesPreparedStatements) {
  Item::create(db, {{"name", "warmup"}, {"category", "x"}});
  Item it = items().get("name", "warmup");
  it.qty = 1;
  it.save(db);
  ConnectionStats before = db.connection_stats();
  it.qty = 2;
  it.save(db);
  Item::create(db, {{"name", "another"}, {"category", "x"}});
  ConnectionStats after = db.connection_stats();
  EXPECT_EQ(after.prepares, before.prepares);
  EXPECT_EQ(items().get("name", "warmup").qty, 2);
}

}  // namespace
