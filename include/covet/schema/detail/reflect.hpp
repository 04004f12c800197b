#pragma once
// Compile-time reflection of plain aggregate structs on g++ 12 / C++20:
// the member count (aggregate initialisation probe), references to the
// members (structured bindings, tie.hpp) and the member names (the name of a
// pointer to a member of an extern object, read from function_name()).
#include <cstddef>
#include <source_location>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "covet/schema/detail/tie.hpp"

namespace covet {
// Base of covet::Model<T>: empty, so it is not a member when counting.
struct ModelTag {};
}

namespace covet::detail {

struct AnyArg {
  template <class T>
  operator T() const;
};

template <class T>
constexpr bool has_model_base = std::is_base_of_v<ModelTag, T>;

template <class T, class... A>
concept aggregate_init_with = (has_model_base<T> && requires { T{{}, std::declval<A>()...}; }) ||
                              (!has_model_base<T> && requires { T{std::declval<A>()...}; });

template <class T, class... A>
consteval std::size_t count_members() {
  if constexpr (aggregate_init_with<T, A..., AnyArg>) return count_members<T, A..., AnyArg>();
  else return sizeof...(A);
}

template <class T>
inline constexpr std::size_t member_count = count_members<T>();

// Declared, never defined: only the addresses of its members are taken, in
// constant expressions, so nothing is emitted and nothing links against it.
template <class T>
extern const T extern_object;

template <auto Ptr>
consteval std::string_view pointer_name() {
  std::string_view s = std::source_location::current().function_name();

  std::size_t end = s.find(')', s.find("Ptr = "));
  std::size_t start = s.rfind("::", end) + 2;
  return s.substr(start, end - start);
}

template <class T, std::size_t I>
consteval std::string_view member_name() {
  return pointer_name<&std::get<I>(tie_members<member_count<T>>(extern_object<T>))>();
}

template <class T, std::size_t I>
using member_type = std::remove_cvref_t<std::tuple_element_t<I, decltype(tie_members<member_count<T>>(std::declval<T&>()))>>;

template <class T>
consteval std::string_view type_name() {
  std::string_view s = std::source_location::current().function_name();
  std::size_t start = s.find("T = ") + 4;
  std::size_t end = s.find_first_of(";]", start);
  return s.substr(start, end - start);
}

// True for a class declared inside a function ("main()::User"): g++ cannot
// read the member names of such a class (it has no linkage).
template <class T>
consteval bool is_local_type() {
  return type_name<T>().find(")::") != std::string_view::npos;
}

}  // namespace covet::detail
