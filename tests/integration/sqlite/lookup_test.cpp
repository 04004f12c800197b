// Every Django lookup on SQLite, data-driven: each case is a lookup string, a
// value and the set of fixture rows it must match. The same fixture checks
// negation (exclude, ~Q) with Django's NULL rule, nested Q trees, keyword
// filters and the typed form (col(&Model::member) ...).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "support/models.hpp"

namespace {

using covet::Array;
using covet::col;
using covet::Date;
using covet::DateTime;
using covet::Q;
using covet::Value;
using testing_models::Everything;

using Ids = std::set<int64_t>;

// ---------------------------------------------------------------- fixture
struct Seed {
  const char* name;
  std::optional<std::string> nickname;
  int32_t small;
  int64_t big;
  double real;
  Date day;
  DateTime at;
  std::optional<int64_t> score;
  std::optional<DateTime> seen_at;
};

// Row i+1 of the table (ids are 1..9 in this order).
std::vector<Seed> seeds() {
  return {
      /*1*/ {"Alice", "bob", 10, 100, 1.5, Date(2024, 1, 15), DateTime(2024, 1, 15, 8, 30), 5, DateTime(2024, 3, 1, 10)},
      /*2*/ {"alice", std::nullopt, 20, 200, 2.5, Date(2023, 6, 30), DateTime(2023, 6, 30, 23, 59, 59, 999999), std::nullopt, std::nullopt},
      /*3*/ {"ALICE smith", "Bob", 30, -300, -0.5, Date(2024, 12, 31), DateTime(2024, 12, 31, 12), 15, DateTime(2025, 1, 1)},
      /*4*/ {"50%_off", "carol", -5, 0, 0.0, Date(2022, 2, 28), DateTime(2022, 2, 28), 0, std::nullopt},
      /*5*/ {"50xyoff", std::nullopt, 0, 5'000'000'000, 100.25, Date(2024, 2, 29), DateTime(2024, 2, 29, 6, 0, 0, 500000), std::nullopt, std::nullopt},
      /*6*/ {"back\\slash", "b_b", 7, 7, 7.0, Date(2021, 7, 4), DateTime(2021, 7, 4, 7, 7, 7), 7, std::nullopt},
      /*7*/ {"backslash", "bxb", 8, 8, 8.0, Date(2021, 7, 5), DateTime(2021, 7, 5, 8, 8, 8), 8, std::nullopt},
      /*8*/ {"star*q?[x]", std::nullopt, 9, 9, 9.0, Date(2020, 1, 1), DateTime(2020, 1, 1), std::nullopt, std::nullopt},
      /*9*/ {"starAq!x", "x%y", 11, 11, 11.0, Date(2020, 12, 31), DateTime(2020, 12, 31, 23, 59, 59), std::nullopt, std::nullopt},
  };
}

class LookupFixture {
 public:
  static covet::Database& db() {
    static covet::Database db = [] {
      covet::Database d("sqlite://:memory:");
      d.create_all<Everything>();
      int64_t expected_id = 1;
      for (const Seed& s : seeds()) {
        Everything e;
        e.name = s.name;
        e.nickname = s.nickname;
        e.small = s.small;
        e.big = s.big;
        e.real = s.real;
        e.day = s.day;
        e.at = s.at;
        e.score = s.score;
        e.seen_at = s.seen_at;
        e.save(d);
        if (e.id != expected_id) throw std::runtime_error("fixture ids must be 1..9 in seed order");
        ++expected_id;
      }
      return d;
    }();
    return db;
  }
  static covet::QuerySet<Everything> objects() { return Everything::objects(db()); }
};

Ids ids_of(const covet::QuerySet<Everything>& qs) {
  Ids out;
  for (const Everything& e : qs.all()) out.insert(e.id);
  // count() compiles a different statement; it must agree with the rows.
  EXPECT_EQ(qs.count(), static_cast<int64_t>(out.size())) << qs.sql();
  return out;
}

// ------------------------------------------------------- the lookup table
struct LookupCase {
  const char* label;  // the test name
  const char* lookup;
  Value value;
  Ids expected;
};

std::ostream& operator<<(std::ostream& os, const LookupCase& c) {
  return os << c.lookup << "=" << c.value.to_string();
}

const std::vector<LookupCase>& lookup_cases() {
  static const std::vector<LookupCase> cases = {
      // exact / iexact
      {"ExactMatchesCaseSensitively", "name__exact", "Alice", {1}},
      {"BareFieldNameMeansExact", "name", "alice", {2}},
      {"ExactWithNullMeansIsNull", "nickname__exact", nullptr, {2, 5, 8}},
      {"BareFieldWithNullMeansIsNull", "score", nullptr, {2, 5, 8, 9}},
      {"ExactOnOptionalMatchesValue", "nickname", "bob", {1}},
      {"ExactOnDateTimeWithMicroseconds", "at", DateTime(2023, 6, 30, 23, 59, 59, 999999), {2}},
      {"ExactOnDateTimeFromIsoString", "at", "2024-02-29T06:00:00.5Z", {5}},
      {"ExactOnDate", "day", Date(2024, 2, 29), {5}},
      {"ExactOnDateFromString", "day", "2021-07-04", {6}},
      {"ExactOnNegativeInteger", "small", -5, {4}},
      {"ExactOnBigIntegerAboveInt32", "big", int64_t{5'000'000'000}, {5}},
      {"ExactOnDouble", "real", 100.25, {5}},
      {"IexactMatchesCaseInsensitively", "name__iexact", "ALICE", {1, 2}},
      {"IexactIsNotAPrefixMatch", "name__iexact", "ali", {}},
      {"IexactTreatsPercentLiterally", "name__iexact", "50%", {}},
      {"IexactTreatsUnderscoreLiterally", "name__iexact", "50%_OFF", {4}},
      {"IexactUnderscoreDoesNotMatchOtherChars", "nickname__iexact", "B_B", {6}},
      {"IexactBackslashMatchesLiterally", "name__iexact", "BACK\\SLASH", {6}},
      {"IexactStarQuestionBracketMatchLiterally", "name__iexact", "STAR*Q?[X]", {8}},
      // contains / icontains
      {"ContainsIsCaseSensitive", "name__contains", "lic", {1, 2}},
      {"ContainsUpperCaseMatchesOnlyUpperCase", "name__contains", "LIC", {3}},
      {"IcontainsMatchesCaseInsensitively", "name__icontains", "LIC", {1, 2, 3}},
      {"ContainsPercentUnderscoreMatchesLiterally", "name__contains", "%_", {4}},
      {"IcontainsPercentUnderscoreMatchesLiterally", "name__icontains", "%_", {4}},
      {"ContainsPercentMatchesLiterally", "name__contains", "%", {4}},
      {"ContainsUnderscoreMatchesLiterally", "nickname__contains", "_", {6}},
      {"IcontainsUnderscoreMatchesLiterally", "nickname__icontains", "_", {6}},
      {"IcontainsPercentMatchesLiterally", "nickname__icontains", "%", {9}},
      {"ContainsBackslashMatchesLiterally", "name__contains", "\\", {6}},
      {"IcontainsBackslashMatchesLiterally", "name__icontains", "K\\S", {6}},
      {"ContainsStarQuestionMatchLiterally", "name__contains", "*q?", {8}},
      {"IcontainsStarQuestionMatchLiterally", "name__icontains", "*Q?", {8}},
      {"ContainsQuestionMarkMatchesLiterally", "name__contains", "?", {8}},
      {"ContainsBracketMatchesLiterally", "name__contains", "[x]", {8}},
      {"IcontainsBracketMatchesLiterally", "name__icontains", "[X]", {8}},
      {"ContainsLoneOpenBracketMatchesLiterally", "name__contains", "[", {8}},
      {"ContainsEmptyStringMatchesEveryNonNullRow", "nickname__contains", "", {1, 3, 4, 6, 7, 9}},
      // startswith / istartswith
      {"StartswithIsCaseSensitive", "name__startswith", "A", {1, 3}},
      {"StartswithLowerCase", "name__startswith", "a", {2}},
      {"IstartswithMatchesCaseInsensitively", "name__istartswith", "a", {1, 2, 3}},
      {"StartswithPercentMatchesLiterally", "name__startswith", "50%", {4}},
      {"IstartswithUnderscoreMatchesLiterally", "name__istartswith", "50_", {}},
      {"IstartswithPercentUnderscoreMatchesLiterally", "name__istartswith", "50%_", {4}},
      {"StartswithStarMatchesLiterally", "name__startswith", "star*", {8}},
      {"IstartswithStarMatchesLiterally", "name__istartswith", "STAR*", {8}},
      {"StartswithBackslashMatchesLiterally", "name__startswith", "back\\", {6}},
      {"IstartswithBackslashMatchesLiterally", "name__istartswith", "BACK\\S", {6}},
      {"StartswithQuestionMarkMatchesLiterally", "name__startswith", "star*q?", {8}},
      {"StartswithPercentOnNullableMatchesLiterally", "nickname__startswith", "x%", {9}},
      // endswith / iendswith
      {"EndswithMatchesSuffix", "name__endswith", "off", {4, 5}},
      {"EndswithIsCaseSensitive", "name__endswith", "OFF", {}},
      {"IendswithMatchesCaseInsensitively", "name__iendswith", "OFF", {4, 5}},
      {"EndswithUnderscoreMatchesLiterally", "name__endswith", "_off", {4}},
      {"IendswithPercentUnderscoreMatchesLiterally", "name__iendswith", "%_OFF", {4}},
      {"EndswithBracketMatchesLiterally", "name__endswith", "?[x]", {8}},
      {"EndswithUpperCaseSuffixIsCaseSensitive", "name__endswith", "SMITH", {}},
      {"IendswithUpperCaseSuffix", "name__iendswith", "SMITH", {3}},
      {"EndswithBackslashSuffixMatchesLiterally", "name__endswith", "k\\slash", {6}},
      {"IendswithBackslashSuffixMatchesLiterally", "name__iendswith", "\\SLASH", {6}},
      {"EndswithQuestionMarkMatchesLiterally", "name__endswith", "q?[x]", {8}},
      {"IendswithBracketMatchesLiterally", "name__iendswith", "[X]", {8}},
      {"IendswithUnderscoreMatchesLiterally", "nickname__iendswith", "_B", {6}},
      // comparisons
      {"GtOnInteger", "small__gt", 10, {2, 3, 9}},
      {"GteOnInteger", "small__gte", 10, {1, 2, 3, 9}},
      {"LtOnInteger", "small__lt", 0, {4}},
      {"LteOnInteger", "small__lte", 0, {4, 5}},
      {"GtOnBigInteger", "big__gt", int64_t{4'000'000'000}, {5}},
      {"LtOnBigIntegerNegative", "big__lt", 0, {3}},
      {"GteOnDouble", "real__gte", 8.0, {5, 7, 8, 9}},
      {"LtOnDoubleWithIntegerValue", "real__lt", 0, {3}},
      {"GtOnOptionalSkipsNulls", "score__gt", 4, {1, 3, 6, 7}},
      {"LteOnOptional", "score__lte", 5, {1, 4}},
      {"GtOnText", "name__gt", "b", {6, 7, 8, 9}},
      {"GtOnDateTimeOrdersMicroseconds", "at__gt", DateTime(2024, 2, 29, 6), {3, 5}},
      {"LteOnDateTimeIsInclusive", "at__lte", "2020-12-31 23:59:59", {8, 9}},
      {"GteOnDate", "day__gte", Date(2024, 1, 15), {1, 3, 5}},
      {"LtOnDateFromString", "day__lt", "2021-01-01", {8, 9}},
      {"GtOnIntegerFromString", "small__gt", "20", {3}},
      // in
      {"InMatchesListedValues", "small__in", Value(Array{10, 30, 999}), {1, 3}},
      {"InWithEmptyListMatchesNothing", "small__in", Value(Array{}), {}},
      {"InOnText", "name__in", Value(Array{"alice", "Alice", "ALICE"}), {1, 2}},
      {"InOnOptionalSkipsNulls", "nickname__in", Value(Array{"bob", "carol"}), {1, 4}},
      {"InOnDate", "day__in", Value(Array{Date(2020, 1, 1), Date(2024, 2, 29)}), {5, 8}},
      {"InWithStringsOnInteger", "small__in", Value(Array{"7", "8"}), {6, 7}},
      // isnull
      {"IsnullTrueMatchesNulls", "nickname__isnull", true, {2, 5, 8}},
      {"IsnullFalseMatchesNonNulls", "nickname__isnull", false, {1, 3, 4, 6, 7, 9}},
      {"IsnullAcceptsTrueString", "score__isnull", "true", {2, 5, 8, 9}},
      {"IsnullAcceptsFalseString", "seen_at__isnull", "false", {1, 3}},
      {"IsnullOnRequiredFieldMatchesNothing", "name__isnull", true, {}},
      // range (inclusive)
      {"RangeOnIntegerIsInclusive", "small__range", Value(Array{0, 10}), {1, 5, 6, 7, 8}},
      {"RangeOnDate", "day__range", Value(Array{"2024-01-01", "2024-12-31"}), {1, 3, 5}},
      {"RangeOnDateTimeIncludesUpperBound", "at__range", Value(Array{DateTime(2024, 1, 1), DateTime(2024, 12, 31, 12)}), {1, 3, 5}},
      {"RangeOnDouble", "real__range", Value(Array{-1.0, 2.5}), {1, 2, 3, 4}},
      {"RangeWithLowAboveHighMatchesNothing", "small__range", Value(Array{10, 0}), {}},
      // date parts on Date
      {"YearOnDate", "day__year", 2024, {1, 3, 5}},
      {"MonthOnDate", "day__month", 12, {3, 9}},
      {"DayOnDate", "day__day", 31, {3, 9}},
      {"YearGteOnDate", "day__year__gte", 2023, {1, 2, 3, 5}},
      {"YearInOnDate", "day__year__in", Value(Array{2020, 2021}), {6, 7, 8, 9}},
      {"MonthRangeOnDate", "day__month__range", Value(Array{1, 2}), {1, 4, 5, 8}},
      {"DayFromStringOnDate", "day__day", "29", {5}},
      // date parts on DateTime
      {"YearOnDateTime", "at__year", 2024, {1, 3, 5}},
      {"YearGteOnDateTime", "at__year__gte", 2024, {1, 3, 5}},
      {"YearLtOnDateTime", "at__year__lt", 2021, {8, 9}},
      {"MonthOnDateTime", "at__month", 6, {2}},
      {"DayOnDateTimeLastMicrosecondStaysInDay", "at__day", 30, {2}},
      {"DayOnDateTimeWithFraction", "at__day", 29, {5}},
      {"MonthLteOnDateTime", "at__month__lte", 1, {1, 8}},
      {"YearOnOptionalDateTime", "seen_at__year", 2025, {3}},
      {"YearExactOnDateTime", "at__year__exact", 2023, {2}},
  };
  return cases;
}

class LookupTable : public ::testing::TestWithParam<LookupCase> {};

TEST_P(LookupTable, MatchesExpectedRows) {
  const LookupCase& c = GetParam();
  auto qs = LookupFixture::objects().filter(c.lookup, c.value);
  EXPECT_EQ(ids_of(qs), c.expected) << c.lookup << " = " << c.value.to_string() << "\nSQL: " << qs.sql();
}

// exclude() is the complement, with Django's NULL rule: a row whose column
// is NULL is not "equal" to the value, so exclude keeps it.
TEST_P(LookupTable, ExcludeMatchesComplement) {
  const LookupCase& c = GetParam();
  // Complement over every row, NULL rows included, except where the lookup
  // itself is about NULL (there the complement is plain).
  Ids all{1, 2, 3, 4, 5, 6, 7, 8, 9};
  Ids want;
  for (int64_t id : all)
    if (!c.expected.contains(id)) want.insert(id);
  auto qs = LookupFixture::objects().exclude(c.lookup, c.value);
  EXPECT_EQ(ids_of(qs), want) << "exclude " << c.lookup << " = " << c.value.to_string() << "\nSQL: " << qs.sql();
}

INSTANTIATE_TEST_SUITE_P(Sqlite, LookupTable, ::testing::ValuesIn(lookup_cases()),
                         [](const ::testing::TestParamInfo<LookupCase>& info) { return std::string(info.param.label); });

// --------------------------------------------------- negation and Q trees
TEST(SqliteLookupNegation, ExcludeOnNullableColumnKeepsNullRows) {
  auto qs = LookupFixture::objects().exclude("nickname", "bob");
  EXPECT_EQ(ids_of(qs), (Ids{2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(SqliteLookupNegation, ExcludeIcontainsOnNullableColumnKeepsNullRows) {
  auto qs = LookupFixture::objects().exclude("nickname__icontains", "b");
  EXPECT_EQ(ids_of(qs), (Ids{2, 4, 5, 8, 9}));
}

TEST(SqliteLookupNegation, ExcludeDatePartOnNullableColumnKeepsNullRows) {
  auto qs = LookupFixture::objects().exclude("seen_at__year", 2024);
  EXPECT_EQ(ids_of(qs), (Ids{2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(SqliteLookupNegation, NegatedQInFilterKeepsNullRows) {
  auto qs = LookupFixture::objects().filter(~Q("score__gt", 4));
  EXPECT_EQ(ids_of(qs), (Ids{2, 4, 5, 8, 9}));
}

TEST(SqliteLookupNegation, DoubleNegationIsIdentity) {
  auto qs = LookupFixture::objects().filter(~~Q("score__gt", 4));
  EXPECT_EQ(ids_of(qs), (Ids{1, 3, 6, 7}));
}

TEST(SqliteLookupNegation, ExcludeOfNegatedQIsFilter) {
  auto qs = LookupFixture::objects().exclude(~Q("nickname", "bob"));
  EXPECT_EQ(ids_of(qs), (Ids{1}));
}

TEST(SqliteLookupNegation, ExcludeIsnullFalseKeepsOnlyNulls) {
  auto qs = LookupFixture::objects().exclude("nickname__isnull", false);
  EXPECT_EQ(ids_of(qs), (Ids{2, 5, 8}));
}

TEST(SqliteLookupNegation, ExcludeOrExcludesEitherSide) {
  auto qs = LookupFixture::objects().exclude(Q("nickname", "bob") | Q("small__gt", 25));
  EXPECT_EQ(ids_of(qs), (Ids{2, 4, 5, 6, 7, 8, 9}));
}

TEST(SqliteLookupNegation, ExcludeKwargsExcludesRowsMatchingAll) {
  // Django: exclude(a=1, b=2) is NOT (a=1 AND b=2).
  auto qs = LookupFixture::objects().exclude({{"nickname__istartswith", "b"}, {"small__gte", 8}});
  // nickname starting with b/B: 1 (small 10), 3 (30), 6 (7), 7 (8) → excluded 1, 3, 7.
  EXPECT_EQ(ids_of(qs), (Ids{2, 4, 5, 6, 8, 9}));
}

TEST(SqliteLookupNegation, NotEqualViaNegatedQOnRequiredColumn) {
  auto qs = LookupFixture::objects().filter(~Q("name__istartswith", "alice"));
  EXPECT_EQ(ids_of(qs), (Ids{4, 5, 6, 7, 8, 9}));
}

TEST(SqliteLookupQ, AndWithNegatedChildKeepsNullRows) {
  auto qs = LookupFixture::objects().filter(Q("name__istartswith", "alice") & ~Q("nickname", "Bob"));
  EXPECT_EQ(ids_of(qs), (Ids{1, 2}));
}

TEST(SqliteLookupQ, NestedOrOfAndWithNegation) {
  auto qs = LookupFixture::objects().filter(Q("small__lt", 0) | (Q("name__startswith", "star") & ~Q("nickname__isnull", true)));
  EXPECT_EQ(ids_of(qs), (Ids{4, 9}));
}

TEST(SqliteLookupQ, NegatedOrIsAndOfNegations) {
  // NOT (a OR b) == NOT a AND NOT b; both sides on nullable columns.
  auto a = LookupFixture::objects().filter(~(Q("nickname__startswith", "b") | Q("score__gte", 8)));
  auto b = LookupFixture::objects().filter(~Q("nickname__startswith", "b") & ~Q("score__gte", 8));
  // a: 1, 6, 7 (nickname), 3, 7 (score); NULL nicknames/scores do not match.
  EXPECT_EQ(ids_of(a), (Ids{2, 4, 5, 8, 9}));
  EXPECT_EQ(ids_of(a), ids_of(b));
}

TEST(SqliteLookupQ, NegatedAndIsOrOfNegations) {
  auto a = LookupFixture::objects().filter(~(Q("name__icontains", "alice") & Q("score__gte", 5)));
  auto b = LookupFixture::objects().filter(~Q("name__icontains", "alice") | ~Q("score__gte", 5));
  // alice rows with score >= 5: 1 (5), 3 (15) → every other row.
  EXPECT_EQ(ids_of(a), (Ids{2, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(ids_of(a), ids_of(b));
}

TEST(SqliteLookupQ, DeeplyNestedTree) {
  Q q = (Q("day__year", 2024) & (Q("small__gte", 20) | ~Q("nickname__isnull", true))) | (Q("at__year__lt", 2021) & ~Q("name__contains", "*"));
  // 2024 rows: 1 (nick bob), 3 (small 30), 5 (small 0, nick NULL) → 1, 3; before 2021: 8 (has *), 9 → 9.
  EXPECT_EQ(ids_of(LookupFixture::objects().filter(q)), (Ids{1, 3, 9}));
}

TEST(SqliteLookupQ, EmptyQMatchesEverything) {
  EXPECT_EQ(LookupFixture::objects().filter(Q()).count(), 9);
  EXPECT_EQ(LookupFixture::objects().exclude(Q()).count(), 9);
}

TEST(SqliteLookupQ, EmptyQIsTheIdentityOfAndAndOr) {
  // Django: Q() | Q(a) == Q(a) and Q() & Q(a) == Q(a).
  EXPECT_EQ(ids_of(LookupFixture::objects().filter(Q() | Q("small", 10))), (Ids{1}));
  EXPECT_EQ(ids_of(LookupFixture::objects().filter(Q("small", 10) | Q())), (Ids{1}));
  EXPECT_EQ(ids_of(LookupFixture::objects().filter(Q() & Q("small", 10))), (Ids{1}));
  EXPECT_EQ(ids_of(LookupFixture::objects().filter(~Q() & Q("small", 10))), (Ids{1}));
}

TEST(SqliteLookupQ, KeywordFiltersAreAnded) {
  auto qs = LookupFixture::objects().filter({{"name__istartswith", "alice"}, {"small__gte", 20}});
  EXPECT_EQ(ids_of(qs), (Ids{2, 3}));
}

TEST(SqliteLookupQ, KeywordQIsAndedWithOtherQ) {
  auto qs = LookupFixture::objects().filter(Q({{"real__gte", 7.0}, {"real__lte", 9.0}}) | Q("small", -5));
  EXPECT_EQ(ids_of(qs), (Ids{4, 6, 7, 8}));
}

TEST(SqliteLookupQ, ChainedFiltersAreAnded) {
  auto qs = LookupFixture::objects().filter("name__istartswith", "alice").filter("small__gte", 20).exclude("nickname", "Bob");
  EXPECT_EQ(ids_of(qs), (Ids{2}));
}

TEST(SqliteLookupQ, ChainingLeavesTheOriginalQuerySetUnchanged) {
  auto base = LookupFixture::objects().filter("name__istartswith", "alice");
  auto narrowed = base.filter("small", 30);
  EXPECT_EQ(ids_of(base), (Ids{1, 2, 3}));
  EXPECT_EQ(ids_of(narrowed), (Ids{3}));
}

TEST(SqliteLookupQ, PkAliasesThePrimaryKey) {
  EXPECT_EQ(ids_of(LookupFixture::objects().filter("pk__in", Value(Array{2, 4}))), (Ids{2, 4}));
}

// ----------------------------------------------------------- typed form
struct TypedCase {
  const char* what;
  covet::Where<Everything> typed;
  Q string_form;
  Ids expected;
};

TEST(SqliteLookupTyped, TypedFormMatchesStringForm) {
  using E = Everything;
  const std::vector<TypedCase> cases = {
      {"==", col(&E::name) == "Alice", Q("name", "Alice"), {1}},
      {"!= keeps NULL", col(&E::nickname) != "bob", ~Q("nickname", "bob"), {2, 3, 4, 5, 6, 7, 8, 9}},
      {">", col(&E::small) > 3, Q("small__gt", 3), {1, 2, 3, 6, 7, 8, 9}},
      {">=", col(&E::small) >= 10, Q("small__gte", 10), {1, 2, 3, 9}},
      {"<", col(&E::big) < 0, Q("big__lt", 0), {3}},
      {"<=", col(&E::real) <= 0.0, Q("real__lte", 0.0), {3, 4}},
      {"optional >", col(&E::score) > 4, Q("score__gt", 4), {1, 3, 6, 7}},
      {"iexact", col(&E::name).iexact("ALICE"), Q("name__iexact", "ALICE"), {1, 2}},
      {"contains", col(&E::name).contains("%_"), Q("name__contains", "%_"), {4}},
      {"contains case", col(&E::name).contains("lic"), Q("name__contains", "lic"), {1, 2}},
      {"icontains", col(&E::name).icontains("LIC"), Q("name__icontains", "LIC"), {1, 2, 3}},
      {"startswith", col(&E::name).startswith("star*"), Q("name__startswith", "star*"), {8}},
      {"istartswith", col(&E::name).istartswith("a"), Q("name__istartswith", "a"), {1, 2, 3}},
      {"endswith", col(&E::name).endswith("off"), Q("name__endswith", "off"), {4, 5}},
      {"iendswith", col(&E::name).iendswith("SMITH"), Q("name__iendswith", "SMITH"), {3}},
      {"optional contains", col(&E::nickname).contains("_"), Q("nickname__contains", "_"), {6}},
      {"in", col(&E::small).in({10, 30, 999}), Q("small__in", Value(Array{10, 30, 999})), {1, 3}},
      {"in empty", col(&E::small).in(std::vector<int>{}), Q("small__in", Value(Array{})), {}},
      {"in text", col(&E::name).in({"alice", "Alice"}), Q("name__in", Value(Array{"alice", "Alice"})), {1, 2}},
      {"is_null", col(&E::nickname).is_null(), Q("nickname__isnull", true), {2, 5, 8}},
      {"is_null(false)", col(&E::nickname).is_null(false), Q("nickname__isnull", false), {1, 3, 4, 6, 7, 9}},
      {"range", col(&E::small).range(0, 10), Q("small__range", Value(Array{0, 10})), {1, 5, 6, 7, 8}},
      {"year ==", col(&E::at).year() == 2024, Q("at__year", 2024), {1, 3, 5}},
      {"year >=", col(&E::at).year() >= 2024, Q("at__year__gte", 2024), {1, 3, 5}},
      {"month ==", col(&E::day).month() == 12, Q("day__month", 12), {3, 9}},
      {"day ==", col(&E::day).day() == 31, Q("day__day", 31), {3, 9}},
      {"optional year", col(&E::seen_at).year() == 2025, Q("seen_at__year", 2025), {3}},
      {"datetime >", col(&E::at) > DateTime(2024, 2, 29, 6), Q("at__gt", DateTime(2024, 2, 29, 6)), {3, 5}},
      {"date ==", col(&E::day) == Date(2024, 2, 29), Q("day", Date(2024, 2, 29)), {5}},
      {"&&", col(&E::name).istartswith("alice") && col(&E::small) >= 20,
       Q("name__istartswith", "alice") & Q("small__gte", 20), {2, 3}},
      {"||", col(&E::small) < 0 || col(&E::name).startswith("star"),
       Q("small__lt", 0) | Q("name__startswith", "star"), {4, 8, 9}},
      {"!", !col(&E::score).is_null(), ~Q("score__isnull", true), {1, 3, 4, 6, 7}},
      {"! keeps NULL", !(col(&E::score) > 4), ~Q("score__gt", 4), {2, 4, 5, 8, 9}},
      {"nested", (col(&E::small) < 0 || col(&E::name).startswith("star")) && !col(&E::nickname).is_null(),
       (Q("small__lt", 0) | Q("name__startswith", "star")) & ~Q("nickname__isnull", true), {4, 9}},
  };
  for (const TypedCase& c : cases) {
    SCOPED_TRACE(c.what);
    Ids typed = ids_of(LookupFixture::objects().filter(c.typed));
    Ids stringly = ids_of(LookupFixture::objects().filter(c.string_form));
    EXPECT_EQ(typed, c.expected);
    EXPECT_EQ(typed, stringly);
  }
}

TEST(SqliteLookupTyped, TypedExcludeKeepsNullRows) {
  auto qs = LookupFixture::objects().exclude(col(&Everything::nickname) == "bob");
  EXPECT_EQ(ids_of(qs), (Ids{2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(SqliteLookupTyped, TypedAndStringFormsCompileToTheSameSql) {
  auto typed = LookupFixture::objects().filter(col(&Everything::name).icontains("x") && col(&Everything::small) > 3);
  auto stringly = LookupFixture::objects().filter(Q("name__icontains", "x") & Q("small__gt", 3));
  EXPECT_EQ(typed.sql(), stringly.sql());
}

}  // namespace
