#pragma once
// ModelInfo: the run-time schema of one model (table, fields, keys, indexes,
// constraints). Built once per model type on first use, immutable after,
// and shared by every thread. Everything below the typed front end (query
// compilation, DDL, hydration, CRUD) works from it.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "covet/schema/field.hpp"

namespace covet {

struct IndexInfo {
  std::string name;
  std::vector<std::pair<int, bool>> fields;  // field index, descending
  bool unique = false;
};

struct UniqueConstraintInfo {
  std::string name;
  std::vector<int> fields;
};

struct CheckConstraintInfo {
  std::string name;
  std::string sql;  // an SQL boolean expression written by the model's author
};

class ModelInfo {
 public:
  // The plain std::string members among write_checked below (no choices):
  // checked in place by save() — valid text, max_length (0: none).
  struct TextCheck {
    uint32_t offset;
    int max_length;
    int field;
  };
  // What save()'s one-step insert of a new object reads of its model, on one
  // cache line (saving in a loop otherwise pulled in four):
  // - the text checks;
  // - the fields an INSERT without the auto key binds (as `binds` below,
  //   with this ModelInfo as context; a member bound generically, such as
  //   an optional or a DateTime, also reads `fields`);
  // - the insert statement last used for this model, filled on first use
  //   (dialect and text, see compiler.cpp; read and written through
  //   std::atomic_ref);
  // and, set by finalize(): the offset of the primary key when it is a
  // lone int64_t auto key (else -1), and whether inserting needs no
  // per-object work besides the text checks (no default_factory, auto_now,
  // other checks or validate()).
  alignas(64) std::vector<TextCheck> text_checks;
  std::vector<MemberBind> insert_binds;
  mutable const void* insert_sql_slot = nullptr;
  int32_t auto_pk_int64_offset = -1;
  bool plain_insert = false;

  std::string name;      // C++ type name
  std::string table;
  std::string database = "default";
  std::vector<FieldInfo> fields;
  std::vector<int> primary_key;  // field indexes; more than one for a composite key
  std::vector<IndexInfo> indexes;
  std::vector<UniqueConstraintInfo> unique_constraints;
  std::vector<CheckConstraintInfo> checks;
  // Every relation member: ForeignKey/OneToOne (a field too: its key
  // column, FieldInfo::relation) and OneToMany (no column).
  std::vector<std::shared_ptr<RelationInfo>> relations;
  // What save() must do besides binding (set by finalize(), so the common
  // model skips those loops entirely).
  // Fields save() checks before writing: text (valid UTF-8, max_length),
  // choices, a Decimal's max_digits.
  std::vector<int> write_checked;
  std::vector<int> other_checks;  // write_checked minus text_checks
  bool has_auto_now = false;        // auto_now or auto_now_add
  bool has_default_factory = false;
  // The model's own validation (a `void validate() const` member, Django's
  // Model.clean()): throws ValidationError. save(), create(), bulk_create()
  // and the serializers call it before writing.
  void (*validate)(const void* obj) = nullptr;
  // 0, 1, ..., fields.size() - 1: what SELECT * loads.
  std::shared_ptr<const std::vector<int>> all_columns;
  // How each field is loaded from a row (Row::load, with this ModelInfo as
  // its context), indexed by field.
  std::vector<MemberLoad> loads;
  // How each field is bound (Binder::bind_members, this ModelInfo as context):
  // every field; the fields an UPDATE by key sets, then the key. (The
  // fields an INSERT without the auto key binds, insert_binds, are at the top.)
  std::vector<MemberBind> binds;
  std::vector<MemberBind> update_binds;
  // A default-constructed object: each member's initializer value.
  const void* sample = nullptr;

  // Index of the field with this member name (or "pk"), or -1. Column
  // names (db_column) are not field names, as in Django.
  int find(std::string_view name) const;
  // Like find(), but throws FieldError naming the model, the bad name and
  // the closest valid names.
  int require(std::string_view name) const;
  int field_at_offset(std::size_t offset) const;
  // The relation member with this name, or null.
  const RelationInfo* find_relation(std::string_view name) const;
  // A relation's reverse: for a OneToMany, the ForeignKey on its target
  // that it reverses (back_populates, or the one ForeignKey to this model);
  // FieldError/ConfigurationError when there is none or it is ambiguous.
  const RelationInfo& reverse_key(const RelationInfo& one_to_many) const;
  const FieldInfo& field(int i) const { return fields[static_cast<std::size_t>(i)]; }
  bool has_auto_pk() const { return primary_key.size() == 1 && field(primary_key[0]).auto_increment; }
  // The valid names closest to `bad`, best first (edit distance).
  std::vector<std::string> suggest(std::string_view bad) const;

  // Validates options against each other (called once when the model is built).
  void finalize();
  // ConfigurationError when a default_value disagrees with the member's
  // initializer; `probe` is a scratch object of the model's type.
  void check_defaults(void* probe) const;
};

// A ManyToMany relation's join table: the through model (covet's own,
// "<table>_<relation>", or the one the relation names) and its two key
// fields. Built on first use and kept for the process.
struct ThroughInfo {
  const ModelInfo* model = nullptr;
  int source_field = -1;  // the key of the relation's own model
  int target_field = -1;  // the key of the target
  bool automatic = false;
};
const ThroughInfo& through_of(const ModelInfo& source, const RelationInfo& r);

// Why `sql` is not one self-contained SQL expression (a CHECK constraint's
// text), or nothing: parentheses balance and never close what they did not
// open, '...' and "..." close, no comment or backslash, and outside quotes
// only letters, digits, blanks and ()+-*/%<>=!|&,.:~^ — so the text cannot
// leave its CHECK (...) on any backend.
std::optional<std::string> sql_expression_problem(std::string_view sql);

// Closest candidates to `bad` by edit distance (shared with lookup names).
std::vector<std::string> closest_names(std::string_view bad, const std::vector<std::string>& candidates,
                                       std::size_t max = 3);

}  // namespace covet
