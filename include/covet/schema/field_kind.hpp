#pragma once
// One table of what covet does per field kind: convert a value from a
// lookup or an assignment (strings from a query string are parsed), read a
// column as a Value, and check a value before it is written. The codecs
// (field_codec.hpp) are the per-C++-type half (load and bind members
// without a Value); this is the per-kind half, shared by filters, update(),
// save() and — with entries for JSON and MessagePack added beside these —
// the serializers. A user type maps onto a kind through covet::FieldType.
#include <string>
#include <string_view>
#include <vector>

#include "covet/core/text.hpp"
#include "covet/schema/field.hpp"

namespace covet {

class ModelInfo;

struct KindOps {
  FieldKind kind;
  std::string_view name;
  // `v` as a value of this kind; FieldError (naming m.f) when it cannot be.
  // NULL passes through (nullability is the caller's rule).
  Value (*convert)(const ModelInfo& m, const FieldInfo& f, const Value& v);
  // Column `col` of the current row as a Value of this kind (not NULL).
  Value (*read)(const FieldInfo& f, const Row& row, int col);
  // Appends why `v` (already of this kind, not NULL) cannot be written to
  // `f`: text that is not valid UTF-8 or too long, a decimal beyond its
  // precision.
  void (*check)(const FieldInfo& f, const Value& v, std::vector<std::string>& problems);
};

const KindOps& kind_ops(FieldKind k);

// Converts `v` for field `f` as kind `kind` (the field's own kind, or the
// element kind of an Array, or BigInteger for a date part).
Value convert_to_kind(FieldKind kind, const ModelInfo& m, const FieldInfo& f, const Value& v);

// Every reason `v` cannot be written to `f` (its kind's checks, then
// choices): the one write check behind save(), update(), create() and,
// later, bulk operations and serializers. Empty when it can be written.
std::vector<std::string> write_problems(const FieldInfo& f, const Value& v);

// True when `s` can be written to a text field of `max_length` characters
// (0: unlimited) as it is: valid UTF-8 without NUL, short enough. Inline:
// save() asks it for every string member.
inline bool text_fits(std::string_view s, int max_length) {
  return is_valid_short_text(s) && (max_length == 0 || s.size() <= static_cast<std::size_t>(max_length) ||
                                    utf8_length(s) <= static_cast<std::size_t>(max_length));
}

// FieldError: `v` cannot be a value of m.f, which expects `what`.
[[noreturn]] void throw_wrong_value(const ModelInfo& m, const FieldInfo& f, std::string_view what, const Value& v);

// The text kinds' check on a string in place (save() of a std::string
// member needs no Value copy).
void check_text_value(const FieldInfo& f, std::string_view s, std::vector<std::string>& problems);

// Django's DecimalValidator: the message when `d` exceeds the field's
// max_digits / decimal_places.
std::optional<std::string> decimal_problem(const FieldInfo& f, const Decimal& d);

}  // namespace covet
