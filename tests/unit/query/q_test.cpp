#include <covet/covet.hpp>
#include <gtest/gtest.h>

#include <cmath>

#include "blog/models.hpp"
#include "support/models.hpp"

using namespace covet;
using blog::User;
using testing_models::Everything;

TEST(Q, CombinesWithAndOrNot) {
  Q q = (Q("a", 1) | Q("b", 2)) & ~Q("c", 3);
  EXPECT_EQ(q.to_string(), "((a=1 OR b=2) AND NOT c=3)");
  EXPECT_EQ((Q("a", 1) | Q("b", 2) | Q("c", 3)).node().children.size(), 3u);  // flattened
  EXPECT_EQ((~~Q("a", 1)).to_string(), "a=1");
}

TEST(Q, EmptyQIsNeutral) {
  EXPECT_TRUE(Q().empty());
  EXPECT_EQ((Q() & Q("a", 1)).to_string(), "a=1");
  EXPECT_EQ((Q("a", 1) | Q()).to_string(), "a=1");
}

TEST(Q, KwargsAreAnded) {
  Q q({{"a", 1}, {"b", "x"}});
  EXPECT_EQ(q.to_string(), "(a=1 AND b='x')");
}

TEST(Resolve, SplitsFieldTransformAndLookup) {
  const ModelInfo& m = model_info<Everything>();
  WhereNode w = resolve(m, Q("at__year__gte", 2020));
  EXPECT_EQ(w.filter.field, m.require("at"));
  EXPECT_EQ(w.filter.transform, Transform::Year);
  EXPECT_EQ(w.filter.lookup, Lookup::Gte);
  EXPECT_EQ(resolve(m, Q("name", "x")).filter.lookup, Lookup::Exact);
  EXPECT_EQ(resolve(m, Q("day__month", 3)).filter.lookup, Lookup::Exact);
}

TEST(Resolve, CoercesStringsToTheFieldKind) {
  const ModelInfo& m = model_info<Everything>();
  EXPECT_EQ(resolve(m, Q("big", "42")).filter.value, Value(42));
  EXPECT_EQ(resolve(m, Q("flag", "true")).filter.value, Value(true));
  EXPECT_EQ(resolve(m, Q("at__gte", "2024-01-01T00:00:00Z")).filter.value, Value(DateTime(2024, 1, 1)));
  EXPECT_EQ(resolve(m, Q("price__lt", "9.50")).filter.value.as_decimal(), Decimal("9.5"));
  EXPECT_EQ(resolve(m, Q("uid", "550e8400-e29b-41d4-a716-446655440000")).filter.value.type(), Value::Type::Uuid);
  EXPECT_EQ(resolve(m, Q("big__in", std::vector<std::string>{"1", "2"})).filter.value, Value(Array{1, 2}));
}

TEST(Resolve, RejectsWrongValueTypes) {
  const ModelInfo& m = model_info<Everything>();
  EXPECT_THROW(resolve(m, Q("big", "abc")), FieldError);
  EXPECT_THROW(resolve(m, Q("small", int64_t{1} << 40)), FieldError);
  EXPECT_THROW(resolve(m, Q("at", "not-a-date")), FieldError);
  EXPECT_THROW(resolve(m, Q("name", 5)), FieldError);
  EXPECT_THROW(resolve(m, Q("big__in", 5)), FieldError);
  EXPECT_THROW(resolve(m, Q("big__range", Array{1})), FieldError);
  EXPECT_THROW(resolve(m, Q("big__gt", nullptr)), FieldError);
  EXPECT_THROW(resolve(m, Q("nickname__isnull", "maybe")), FieldError);
  EXPECT_THROW(resolve(m, Q("real", std::nan(""))), FieldError);
}

TEST(Resolve, RejectsLookupsThatDoNotApply) {
  const ModelInfo& m = model_info<Everything>();
  EXPECT_THROW(resolve(m, Q("big__contains", "1")), FieldError);
  EXPECT_THROW(resolve(m, Q("name__year", 2020)), FieldError);
  EXPECT_THROW(resolve(m, Q("flag__gt", true)), FieldError);
  EXPECT_THROW(resolve(m, Q("name__exact__exact", "x")), FieldError);
}

TEST(Resolve, UnknownLookupSuggestsTheClosest) {
  try {
    resolve(model_info<User>(), Q("username__containz", "x"));
    FAIL();
  } catch (const FieldError& e) {
    EXPECT_NE(std::string(e.what()).find("'containz'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("contains"), std::string::npos);
  }
}

TEST(TypedColumns, BuildTheSameConditionsAsStrings) {
  EXPECT_EQ((col(&User::username).startswith("adm") || col(&User::is_active) == true).q().to_string(),
            (Q("username__startswith", "adm") | Q("is_active__exact", true)).to_string());
  EXPECT_EQ((col(&User::id) >= 3).q().to_string(), "id__gte=3");
  EXPECT_EQ((col(&Everything::at).year() == 2024).q().to_string(), "at__year__exact=2024");
  EXPECT_EQ((col(&Everything::nickname).is_null()).q().to_string(), "nickname__isnull=true");
  EXPECT_EQ((!(col(&User::id) < 3)).q().to_string(), "NOT id__lt=3");
  EXPECT_EQ(col(&User::id).in({1, 2}).q().to_string(), "id__in=[1, 2]");
}
