#pragma once
// The typed query form: conditions built from member pointers, checked at
// compile time. col(&User::age) > 18 compiles; col(&User::age) > "x" and
// col(&User::age).contains("x") do not, and a Where<User> cannot filter a
// QuerySet<Post>.
//
//   User::objects(db).filter(col(&User::username).startswith("adm") || col(&User::age) >= 18)
#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "covet/query/q.hpp"
#include "covet/schema/meta.hpp"

namespace covet {

// A condition on model T: Q plus the model it belongs to.
template <class T>
class Where {
 public:
  explicit Where(Q q) : q_(std::move(q)) {}
  const Q& q() const { return q_; }
  friend Where operator&&(const Where& a, const Where& b) { return Where(a.q_ & b.q_); }
  friend Where operator||(const Where& a, const Where& b) { return Where(a.q_ | b.q_); }
  friend Where operator!(const Where& a) { return Where(~a.q_); }
  friend Where operator&(const Where& a, const Where& b) { return Where(a.q_ & b.q_); }
  friend Where operator|(const Where& a, const Where& b) { return Where(a.q_ | b.q_); }
  friend Where operator~(const Where& a) { return Where(~a.q_); }

 private:
  Q q_;
};

namespace detail {
template <class M>
struct strip_optional {
  using type = M;
};
template <class M>
struct strip_optional<std::optional<M>> {
  using type = M;
};

// Which C++ argument types a member of type V may be compared with.
template <class U, class V>
concept comparable_with =
    (std::same_as<V, std::string> && std::convertible_to<U, std::string_view>) ||
    (std::integral<V> && !std::same_as<V, bool> && std::integral<std::remove_cvref_t<U>> &&
     !std::same_as<std::remove_cvref_t<U>, bool>) ||
    (std::same_as<V, bool> && std::same_as<std::remove_cvref_t<U>, bool>) ||
    (std::floating_point<V> && std::is_arithmetic_v<std::remove_cvref_t<U>> && !std::same_as<std::remove_cvref_t<U>, bool>) ||
    (std::same_as<V, DateTime> && requires(const U& u) { DateTime::from_time_point(u); }) ||
    (!std::is_arithmetic_v<V> && !std::same_as<V, std::string> && std::same_as<std::remove_cvref_t<U>, V>);

// One short, readable error instead of a page of failed overloads.
template <class U, class V>
constexpr void assert_comparable() {
  using A = std::remove_cvref_t<U>;
  if constexpr (std::same_as<V, std::string>)
    static_assert(comparable_with<U, V>, "covet: cannot compare a std::string column with a value that is not a string");
  else if constexpr (std::same_as<V, bool>)
    static_assert(comparable_with<U, V>, "covet: cannot compare a bool column with a value that is not a bool");
  else if constexpr (std::integral<V>)
    static_assert(comparable_with<U, V>,
                  "covet: cannot compare an integer column with a value that is not an integer (bool, floating point "
                  "and strings are refused)");
  else if constexpr (std::floating_point<V>)
    static_assert(comparable_with<U, V>, "covet: cannot compare a floating-point column with a value that is not a number");
  else
    static_assert(comparable_with<U, V>,
                  "covet: cannot compare this column with a value of another type (a Date column takes covet::Date, "
                  "a DateTime column covet::DateTime or a std::chrono time point, a Uuid column covet::Uuid, ...)");
  (void)sizeof(A);
}

template <class T>
std::string_view field_name_at(std::size_t offset) {
  const ModelInfo& m = model_info<T>();
  return m.field(m.field_at_offset(offset)).name;
}
}  // namespace detail

template <class T, class V>
class Column {
 public:
  explicit Column(std::string path) : path_(std::move(path)) {}

  template <class U>
  Where<T> operator==(const U& v) const {
    detail::assert_comparable<U, V>();
    return make("exact", v);
  }
  template <class U>
  Where<T> operator!=(const U& v) const {
    detail::assert_comparable<U, V>();
    return Where<T>(~Q(path_ + "__exact", to_value(v)));
  }
  template <class U>
  Where<T> operator<(const U& v) const {
    detail::assert_comparable<U, V>();
    return make("lt", v);
  }
  template <class U>
  Where<T> operator<=(const U& v) const {
    detail::assert_comparable<U, V>();
    return make("lte", v);
  }
  template <class U>
  Where<T> operator>(const U& v) const {
    detail::assert_comparable<U, V>();
    return make("gt", v);
  }
  template <class U>
  Where<T> operator>=(const U& v) const {
    detail::assert_comparable<U, V>();
    return make("gte", v);
  }

  template <class U>
  Where<T> in(const std::vector<U>& vs) const {
    detail::assert_comparable<U, V>();
    Array a;
    for (const auto& v : vs) a.push_back(to_value(v));
    return Where<T>(Q(path_ + "__in", std::move(a)));
  }
  template <class U>
  Where<T> in(std::initializer_list<U> vs) const { return in(std::vector<U>(vs)); }
  template <class U>
  Where<T> range(const U& low, const U& high) const {
    detail::assert_comparable<U, V>();
    return Where<T>(Q(path_ + "__range", Array{to_value(low), to_value(high)}));
  }
  Where<T> is_null(bool yes = true) const { return Where<T>(Q(path_ + "__isnull", yes)); }

  // Text lookups exist only on std::string members.
  Where<T> iexact(std::string_view s) const requires std::same_as<V, std::string> { return make("iexact", s); }
  Where<T> contains(std::string_view s) const requires std::same_as<V, std::string> { return make("contains", s); }
  Where<T> icontains(std::string_view s) const requires std::same_as<V, std::string> { return make("icontains", s); }
  Where<T> startswith(std::string_view s) const requires std::same_as<V, std::string> { return make("startswith", s); }
  Where<T> istartswith(std::string_view s) const requires std::same_as<V, std::string> { return make("istartswith", s); }
  Where<T> endswith(std::string_view s) const requires std::same_as<V, std::string> { return make("endswith", s); }
  Where<T> iendswith(std::string_view s) const requires std::same_as<V, std::string> { return make("iendswith", s); }

  // Date parts exist only on Date / DateTime members.
  Column<T, int> year() const requires(std::same_as<V, Date> || std::same_as<V, DateTime>) { return Column<T, int>(path_ + "__year"); }
  Column<T, int> month() const requires(std::same_as<V, Date> || std::same_as<V, DateTime>) { return Column<T, int>(path_ + "__month"); }
  Column<T, int> day() const requires(std::same_as<V, Date> || std::same_as<V, DateTime>) { return Column<T, int>(path_ + "__day"); }

  const std::string& path() const { return path_; }

 private:
  template <class U>
  static Value to_value(const U& v) {
    if constexpr (std::convertible_to<U, std::string_view> && std::same_as<V, std::string>) return Value(std::string_view(v));
    else if constexpr (std::same_as<V, DateTime>) return Value(DateTime(v));
    else if constexpr (detail::user_field_type<V>) return Value(FieldType<V>::to_db(v));  // a user type: its stored form
    else return Value(v);
  }
  template <class U>
  Where<T> make(const char* lookup, const U& v) const { return Where<T>(Q(path_ + "__" + lookup, to_value(v))); }
  std::string path_;
};

// col(&User::age): the typed column of a member.
template <class T, class M>
Column<T, typename detail::strip_optional<M>::type> col(M T::*mp) {
  return Column<T, typename detail::strip_optional<M>::type>(std::string(detail::field_name_at<T>(detail::offset_of(mp))));
}

// Typed ordering terms: order_by(desc(&User::created_at), asc(&User::username)).
template <class T>
struct OrderBy {
  std::string term;
};
template <class T, class M>
OrderBy<T> asc(M T::*mp) { return {std::string(detail::field_name_at<T>(detail::offset_of(mp)))}; }
template <class T, class M>
OrderBy<T> desc(M T::*mp) { return {"-" + std::string(detail::field_name_at<T>(detail::offset_of(mp)))}; }

}  // namespace covet
