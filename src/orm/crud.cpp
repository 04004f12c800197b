#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "covet/core/error.hpp"
#include "covet/orm/executor.hpp"
#include "covet/schema/field_kind.hpp"

namespace covet::orm {

namespace {

bool pk_unset(const ModelInfo& m, const void* obj) {
  if (m.primary_key.size() != 1) return false;
  const FieldInfo& f = m.field(m.primary_key[0]);
  if (f.auto_increment) {  // the common case, read without a Value
    if (f.codec->load_op == MemberLoad::Op::Int64) return *static_cast<const int64_t*>(f.member(obj)) == 0;
    if (f.codec->load_op == MemberLoad::Op::Int32) return *static_cast<const int32_t*>(f.member(obj)) == 0;
    return f.get(obj).as_int() == 0;
  }
  if (f.kind == FieldKind::Uuid && !f.codec->optional) return f.get(obj).as_uuid().is_nil();
  return false;
}

void bind_pk(const ModelInfo& m, const void* obj, Binder& b, int first) {
  for (std::size_t i = 0; i < m.primary_key.size(); ++i) {
    const FieldInfo& f = m.field(m.primary_key[i]);
    f.codec->bind(f.member(obj), b, first + static_cast<int>(i));
  }
}

// Sets auto_now (and, when adding, auto_now_add) fields; only those in
// `subset` when one is given.
void touch_auto_now(const ModelInfo& m, void* obj, bool adding, const std::vector<int>* subset = nullptr) {
  if (!m.has_auto_now) return;
  DateTime now;
  bool have_now = false;
  for (std::size_t i = 0; i < m.fields.size(); ++i) {
    const FieldInfo& f = m.fields[i];
    if (subset && std::find(subset->begin(), subset->end(), static_cast<int>(i)) == subset->end()) continue;
    if (f.auto_now || (adding && f.auto_now_add)) {
      if (!have_now) now = DateTime::now(), have_now = true;
      f.set(obj, f.kind == FieldKind::Date ? Value(now.date()) : Value(now));
    }
  }
}

// The common case of a write check, inline: only std::string members that
// hold valid text within max_length (texts_fit), and nothing else to check
// (plainly_valid).
inline bool texts_fit(const ModelInfo& m, const void* obj) {
  bool ok = true;
  for (const ModelInfo::TextCheck& t : m.text_checks) {
    const auto& s = *reinterpret_cast<const std::string*>(static_cast<const char*>(obj) + t.offset);
    ok &= text_fits(s, t.max_length);
  }
  return ok;
}
inline bool plainly_valid(const ModelInfo& m, const void* obj) { return m.other_checks.empty() && texts_fit(m, obj); }

// What save() does to a new object before writing it: default_factory,
// auto_now / auto_now_add, the write checks. default_factory fills a
// member that still holds its initializer's value (a nil UUID key, an
// epoch DateTime): the struct's own default otherwise wins.
void prepare_for_insert(const ModelInfo& m, void* obj) {
  if (m.validate) m.validate(obj);
  if (m.has_default_factory) {
    for (const FieldInfo& f : m.fields) {
      if (f.default_factory && f.get(obj) == f.get(m.sample)) f.set(obj, f.default_factory());
    }
  }
  if (m.has_auto_now) touch_auto_now(m, obj, true);
  if (!m.write_checked.empty() && !plainly_valid(m, obj)) validate_for_write(m, obj);
}

// The key a RETURNING row gives (an auto key, or a UUID one after an upsert).
void set_key_from_row(const ModelInfo& m, void* obj, const Row& row) {
  const FieldInfo& pk = m.field(m.primary_key[0]);
  if (pk.codec->load_op == MemberLoad::Op::Int64) *static_cast<int64_t*>(pk.member(obj)) = row.get_int(0);
  else pk.set(obj, read_value(pk, row, 0));
}

void set_auto_pk(const ModelInfo& m, void* obj, int64_t id) {
  const FieldInfo& pk = m.field(m.primary_key[0]);
  if (pk.codec->load_op == MemberLoad::Op::Int64) *static_cast<int64_t*>(pk.member(obj)) = id;
  else pk.set(obj, Value(id));
}

void do_insert(Lease& lease, const ModelInfo& m, void* obj, bool with_auto_pk) {
  prepare_for_insert(m, obj);
  const std::string& sql = insert_sql(lease.dialect(), m, with_auto_pk);
  int64_t id = 0;
  const std::vector<MemberBind>& binds = with_auto_pk ? m.binds : m.insert_binds;
  const bool wants_key = m.has_auto_pk() && !with_auto_pk;
  // The insert plan: per-model static SQL, the members bound in one driver call.
  lease.insert_members(sql, binds.data(), binds.size(), obj, &m, wants_key ? &id : nullptr);
  if (wants_key) set_auto_pk(m, obj, id);
}

}  // namespace

namespace {
void add_problems(const FieldInfo& f, std::vector<std::string> problems, ValidationError::Errors& errors) {
  for (std::string& problem : problems) errors[f.name].push_back(std::move(problem));
}
void check_all(const ModelInfo& m, const void* obj, const std::vector<int>* subset);
}  // namespace

void validate_for_write(const ModelInfo& m, const void* obj, const std::vector<int>* subset) {
  // The common case first, without a Value or a call through the codec:
  // std::string members that must hold valid text of at most max_length.
  if (!subset && texts_fit(m, obj)) {
    for (int i : m.other_checks) {
      const FieldInfo& f = m.field(i);
      if (!f.codec->is_null(f.member(obj)) && !write_problems(f, f.get(obj)).empty()) return check_all(m, obj, subset);
    }
    return;
  }
  check_all(m, obj, subset);
}

namespace {
// Collects every problem and throws them at once (the slow path: something
// is wrong, or only a subset of the fields is written).
void check_all(const ModelInfo& m, const void* obj, const std::vector<int>* subset) {
  ValidationError::Errors errors;
  for (int i : m.write_checked) {
    const FieldInfo& f = m.field(i);
    if (subset && std::find(subset->begin(), subset->end(), i) == subset->end()) continue;
    if (f.codec->load_op == MemberLoad::Op::Text && f.choices.empty()) {
      std::vector<std::string> problems;
      check_text_value(f, *static_cast<const std::string*>(f.member(obj)), problems);
      add_problems(f, std::move(problems), errors);
      continue;
    }
    if (f.codec->is_null(f.member(obj))) continue;
    add_problems(f, write_problems(f, f.get(obj)), errors);
  }
  if (!errors.empty()) throw ValidationError(std::move(errors));
}
}  // namespace

void insert(const Executor& ex, const ModelInfo& m, void* obj) {
  Lease lease = ex.lease();
  do_insert(lease, m, obj, !pk_unset(m, obj) && m.has_auto_pk());
  if (detail::query_cache_used()) invalidate_after_write(m);
}

namespace {
// Rows per multi-row INSERT when the caller leaves it to covet: past a few
// hundred rows a bigger statement saves nothing measurable.
constexpr std::size_t kDefaultBatchRows = 1000;
// From how many objects the backend's bulk path (COPY, with keys drawn
// from the sequence first) is used where it has one: below it, the extra
// round trips cost more than a multi-row INSERT.
constexpr std::size_t kCopyRows = 200;
}  // namespace

namespace {
// bulk_create, and bulk_upsert when `conflict` holds its ON CONFLICT clause
// (no COPY then: it cannot update).
void bulk_insert(const Executor& ex, const ModelInfo& m, void* first, std::size_t count, std::size_t stride,
                 const BulkOptions& options, const std::string& conflict) {
  if (count == 0) return;
  auto obj = [&](std::size_t i) { return static_cast<void*>(static_cast<char*>(first) + i * stride); };
  // Every object is made ready and checked before anything is written, so
  // a refused one leaves the table as it was. With an auto key, objects
  // whose key is set insert it; the others get theirs from RETURNING.
  const bool auto_pk = m.has_auto_pk();
  std::vector<std::size_t> keyed, unkeyed;
  for (std::size_t i = 0; i < count; ++i) {
    void* o = obj(i);
    const bool gets_key = auto_pk && pk_unset(m, o);
    prepare_for_insert(m, o);
    (gets_key ? unkeyed : keyed).push_back(i);
  }
  Transaction tx = ex.transaction();
  Lease lease = Executor(tx).lease();
  const Dialect& d = lease.dialect();
  std::size_t done = 0;
  auto report = [&](std::size_t rows) {
    done += rows;
    if (options.progress) options.progress(done, count);
  };
  // The backend's bulk path (COPY on PostgreSQL) for a group of objects
  // whose keys are set, in a savepoint: false when the driver has none, or
  // when the server or a value refuses it (0A000: a table with row-level
  // security, a member bound as text into another type; 428C9: keys given
  // for a GENERATED ALWAYS identity), and the caller inserts the group
  // another way.
  auto copy = [&](const std::vector<std::size_t>& which, bool with_auto_pk) {
    const std::vector<MemberBind>& binds = with_auto_pk ? m.binds : m.insert_binds;
    if (binds.empty()) return false;
    std::string target;
    d.quote_identifier(target, m.table);
    target += " (";
    for (std::size_t k = 0; k < binds.size(); ++k) {
      if (k) target += ", ";
      d.quote_identifier(target, m.field(binds[k].field).column);
    }
    target += ")";
    const std::size_t per = options.batch_size ? options.batch_size : kDefaultBatchRows;
    const std::size_t before = done;
    Transaction sp = tx.transaction();
    try {
      bool copied = lease.copy_rows(
          target, insert_sql(d, m, with_auto_pk), which.size(),
          [&](Binder& b, std::size_t r) { b.bind_members(binds.data(), binds.size(), obj(which[r]), 1, &m); },
          [&](std::size_t sent) {
            if (sent % per == 0 || sent == which.size()) report(before + sent - done);
          });
      if (copied) sp.commit();
      return copied;
    } catch (const DatabaseError& e) {
      if (e.sqlstate() != "0A000" && e.sqlstate() != "428C9") throw;
      done = before;  // the INSERTs report these rows again
      return false;
    }
  };
  auto write = [&](const std::vector<std::size_t>& which, bool with_auto_pk, bool returning) {
    if (which.size() >= kCopyRows && conflict.empty() && lease.connection().has_bulk_load()) {
      if (!returning) {
        if (copy(which, with_auto_pk)) return;
      } else {
        const std::string& column = m.field(m.primary_key[0]).column;
        std::string table;
        d.quote_identifier(table, m.table);
        std::vector<int64_t> keys;
        // First the COPY draws the keys itself, in row order: when nothing
        // else drew from the sequence meanwhile (the common case), they are
        // the n after its last value before, and no key is sent or read.
        // Otherwise the rows go back (a savepoint) and the keys are drawn
        // first, as below.
        if (int64_t before = 0; lease.sequence_position(table, column, before)) {
          const std::size_t done_before = done;
          Transaction drawn = tx.transaction();
          if (!copy(which, false)) {
            drawn.rollback();
          } else {
            int64_t last = 0;
            const auto n = static_cast<int64_t>(which.size());
            // And the rows hold those keys (a key default other than the
            // sequence's plain nextval, or a trigger, would give others).
            auto rows_in_range = [&] {
              QueryData range;
              range.model = &m;
              for (Lookup lk : {Lookup::Gt, Lookup::Lte}) {
                WhereNode& w = range.where.emplace_back();
                w.kind = QNode::Kind::Leaf;
                w.filter.field = m.primary_key[0];
                w.filter.lookup = lk;
                w.filter.value = Value(lk == Lookup::Gt ? before : last);
              }
              CompiledQuery c = compile_query(d, range, QueryKind::Count);
              int64_t found = 0;
              lease.run(*c.sql, c.params, [&](const Row& row) { found = row.get_int(0); });
              return found;
            };
            if (lease.last_drawn_key(table, column, last) && last - before == n && rows_in_range() == n) {
              drawn.commit();
              for (std::size_t k = 0; k < which.size(); ++k) set_auto_pk(m, obj(which[k]), before + 1 + static_cast<int64_t>(k));
              return;
            }
            drawn.rollback();  // another session drew keys in between: which rows are ours is not known
            done = done_before;
          }
        }
        // Keys drawn from the key's sequence in one round trip, then the
        // rows with their keys, as if they had been set by the caller.
        if (lease.reserve_keys(table, column, which.size(), keys)) {
          for (std::size_t k = 0; k < which.size(); ++k) set_auto_pk(m, obj(which[k]), keys[k]);
          if (copy(which, true)) return;
          // No COPY after all: the keys go back unused (a gap in the
          // sequence) and RETURNING gives the rows theirs.
          for (std::size_t i : which) set_auto_pk(m, obj(i), 0);
        }
      }
    }
    const std::vector<MemberBind>& binds = with_auto_pk ? m.binds : m.insert_binds;
    const std::size_t cols = binds.size();
    if (cols == 0) {  // nothing but an auto key: one INSERT ... DEFAULT VALUES each
      for (std::size_t i : which) {
        do_insert(lease, m, obj(i), false);
        report(1);
      }
      return;
    }
    std::size_t per = options.batch_size ? options.batch_size : kDefaultBatchRows;
    per = std::max<std::size_t>(1, std::min(per, static_cast<std::size_t>(lease.connection().max_parameters()) / cols));
    std::string full;  // the text for `per` rows, built once
    for (std::size_t start = 0; start < which.size(); start += per) {
      const std::size_t rows = std::min(per, which.size() - start);
      std::string part;
      const std::string& sql =
          rows == per ? (full.empty() ? full = bulk_insert_sql(d, m, with_auto_pk, per, returning, conflict) : full)
                      : (part = bulk_insert_sql(d, m, with_auto_pk, rows, returning, conflict));
      std::size_t next = start;  // the object the next RETURNING row belongs to
      lease.run(
          sql,
          [&](Binder& b) {
            for (std::size_t r = 0; r < rows; ++r)
              b.bind_members(binds.data(), cols, obj(which[start + r]), static_cast<int>(1 + r * cols), &m);
          },
          [&](const Row& row) {
            if (!returning) return;
            if (next >= start + rows) throw OperationalError("the INSERT returned more keys than it had rows");
            set_key_from_row(m, obj(which[next++]), row);
          });
      if (returning && next != start + rows)
        throw OperationalError(fmt::format("the INSERT of {} rows returned {} keys", rows, next - start));
      report(rows);
    }
  };
  // An upsert hands every object the key of its row, which may be an
  // existing row's: RETURNING for both groups, and the keys as they were
  // kept in case the call fails.
  const bool upsert = !conflict.empty();
  std::vector<Value> keys_before;
  if (upsert && m.primary_key.size() == 1)
    for (std::size_t i : keyed) keys_before.push_back(m.field(m.primary_key[0]).get(obj(i)));
  try {
    write(keyed, auto_pk, upsert && m.primary_key.size() == 1);
    write(unkeyed, false, true);
    tx.commit();
  } catch (...) {
    // Nothing was written: the objects get their keys back.
    for (std::size_t i : unkeyed) set_auto_pk(m, obj(i), 0);
    for (std::size_t k = 0; k < keys_before.size(); ++k) m.field(m.primary_key[0]).set(obj(keyed[k]), keys_before[k]);
    throw;
  }
}

std::vector<int> field_list(const ModelInfo& m, const std::vector<std::string>& names, const char* what) {
  if (names.empty()) throw InvalidArgument(fmt::format("{}: {} names no field", m.name, what));
  std::vector<int> out;
  for (const std::string& n : names) {
    int f = m.require(n);
    if (std::find(out.begin(), out.end(), f) != out.end())
      throw InvalidArgument(fmt::format("{}: {} names '{}' twice", m.name, what, n));
    out.push_back(f);
  }
  return out;
}
}  // namespace

void bulk_create(const Executor& ex, const ModelInfo& m, void* first, std::size_t count, std::size_t stride,
                 const BulkOptions& options) {
  bulk_insert(ex, m, first, count, stride, options, "");
  invalidate_after_write(m);
}

void bulk_upsert(const Executor& ex, const ModelInfo& m, void* first, std::size_t count, std::size_t stride,
                 const std::vector<std::string>& conflict_target, const std::vector<std::string>& update_fields,
                 const BulkOptions& options) {
  const std::vector<int> target = field_list(m, conflict_target, "bulk_upsert's conflict_target");
  const std::vector<int> update = field_list(m, update_fields, "bulk_upsert's update_fields");
  for (int f : update)
    if (m.field(f).primary_key)
      throw InvalidArgument(fmt::format("{}: bulk_upsert cannot update the primary key '{}'", m.name, m.field(f).name));
  // Two objects aiming at the same row: PostgreSQL refuses it within one
  // statement and SQLite lets the last win, so it is refused here, before
  // anything is written. A NULL (or an unset auto key) conflicts with nothing.
  std::map<std::vector<std::string>, std::size_t> seen;
  for (std::size_t i = 0; i < count; ++i) {
    const void* o = static_cast<const char*>(first) + i * stride;
    std::vector<std::string> values;
    bool comparable = true;
    for (int f : target) {
      const FieldInfo& fi = m.field(f);
      Value v = fi.get(o);
      if (v.is_null() || (fi.auto_increment && v.is<int64_t>() && v.as_int() == 0)) comparable = false;
      values.push_back(v.to_string());
    }
    if (!comparable) continue;
    if (auto [it, added] = seen.emplace(std::move(values), i); !added)
      throw InvalidArgument(fmt::format("{}: bulk_upsert objects {} and {} have the same conflict_target values", m.name,
                                        it->second, i));
  }
  bulk_insert(ex, m, first, count, stride, options, upsert_clause(ex.dialect(), m, target, update));
  invalidate_after_write(m);
}

int64_t bulk_update(const Executor& ex, const ModelInfo& m, void* first, std::size_t count, std::size_t stride,
                    const std::vector<std::string>& field_names, const BulkOptions& options) {
  const std::vector<int> fields = field_list(m, field_names, "bulk_update's fields");
  for (int f : fields)
    if (m.field(f).primary_key)
      throw InvalidArgument(fmt::format("{}: bulk_update cannot set the primary key '{}'", m.name, m.field(f).name));
  if (m.primary_key.size() != 1)
    throw NotSupportedError(fmt::format("{}: bulk_update needs a single-column primary key", m.name));
  if (count == 0) return 0;
  auto obj = [&](std::size_t i) { return static_cast<void*>(static_cast<char*>(first) + i * stride); };
  // As save_fields: auto_now among the fields is set, the fields are
  // checked, on every object before anything is written.
  for (std::size_t i = 0; i < count; ++i) {
    void* o = obj(i);
    if (pk_unset(m, o))
      throw InvalidArgument(fmt::format("{}: bulk_update needs every object's primary key (object {} has none)", m.name, i));
    touch_auto_now(m, o, false, &fields);
    validate_for_write(m, o, &fields);
  }
  Transaction tx = ex.transaction();
  Lease lease = Executor(tx).lease();
  const FieldInfo& pk = m.field(m.primary_key[0]);
  const std::size_t per_row = fields.size() * 2 + 1;
  std::size_t per = options.batch_size ? options.batch_size : kDefaultBatchRows;
  per = std::max<std::size_t>(1, std::min(per, static_cast<std::size_t>(lease.connection().max_parameters()) / per_row));
  int64_t matched = 0;
  std::string full;
  for (std::size_t start = 0; start < count; start += per) {
    const std::size_t rows = std::min(per, count - start);
    std::string part;
    const std::string& sql = rows == per ? (full.empty() ? full = bulk_update_sql(lease.dialect(), m, fields, per) : full)
                                         : (part = bulk_update_sql(lease.dialect(), m, fields, rows));
    matched += run(lease, Plan{sql,
                               [&](Binder& b) {
                                 int idx = 1;
                                 for (int f : fields) {  // CASE pk WHEN key THEN value ... per field
                                   const FieldInfo& fi = m.field(f);
                                   for (std::size_t r = 0; r < rows; ++r) {
                                     const void* o = obj(start + r);
                                     pk.codec->bind(pk.member(o), b, idx++);
                                     fi.codec->bind(fi.member(o), b, idx++);
                                   }
                                 }
                                 for (std::size_t r = 0; r < rows; ++r) pk.codec->bind(pk.member(obj(start + r)), b, idx++);
                               },
                               no_rows});
    if (options.progress) options.progress(start + rows, count);
  }
  tx.commit();
  invalidate_after_write(m);
  return matched;
}

void save_fields(const Executor& ex, const ModelInfo& m, void* obj, const std::vector<int>& fields) {
  if (pk_unset(m, obj)) throw InvalidArgument(fmt::format("{}: cannot save a partial object without its primary key", m.name));
  std::vector<int> set;
  for (int i : fields)
    if (!m.field(i).primary_key) set.push_back(i);
  if (set.empty()) return;
  touch_auto_now(m, obj, false, &set);
  validate_for_write(m, obj, &set);
  std::string sql = update_by_pk_sql(ex.dialect(), m, set);
  int64_t n = run(ex, Plan{sql,
                           [&](Binder& b) {
                             int idx = 1;
                             for (int i : set) m.field(i).codec->bind(m.field(i).member(obj), b, idx++);
                             bind_pk(m, obj, b, idx);
                           },
                           no_rows});
  if (n == 0) throw DoesNotExist(fmt::format("{}: the row to update no longer exists", m.name));
  invalidate_after_write(m);
}

namespace {
// save() of anything but its one-step case (below): out of line, so that
// save() itself is a small frame whose hot path is a few cache lines.
[[gnu::noinline]] void save_general(const Executor& ex, const ModelInfo& m, void* obj) {
  if (pk_unset(m, obj)) {
    Lease lease = ex.lease();
    do_insert(lease, m, obj, false);
    invalidate_after_write(m);
    return;
  }
  // The key is set: UPDATE, and INSERT when no row had that key (Django's
  // rule), both in one transaction level on one connection.
  if (m.validate) m.validate(obj);
  Transaction tx = ex.transaction();
  Lease lease = Executor(tx).lease();
  int64_t matched = 0;
  if (m.update_binds.size() == m.primary_key.size()) {  // nothing but the key
    run(lease, Plan{exists_by_pk_sql(lease.dialect(), m), [&](Binder& b) { bind_pk(m, obj, b, 1); },
                    [&](const Row&) { matched = 1; }});
  } else {
    touch_auto_now(m, obj, false);
    validate_for_write(m, obj);
    matched = run(lease, Plan{update_all_by_pk_sql(lease.dialect(), m),
                              [&](Binder& b) { b.bind_members(m.update_binds.data(), m.update_binds.size(), obj, 1, &m); },
                              no_rows, true});
  }
  if (matched == 0) do_insert(lease, m, obj, m.has_auto_pk());
  tx.commit();
  invalidate_after_write(m);
}
}  // namespace

void save(const Executor& ex, const ModelInfo& m, void* obj) {
  // The common case in one step: a new object of a model whose key is an
  // int64_t auto key and whose insert needs nothing but the text checks.
  if (m.auto_pk_int64_offset >= 0 && m.plain_insert) [[likely]] {
    int64_t& pk = *reinterpret_cast<int64_t*>(static_cast<char*>(obj) + m.auto_pk_int64_offset);
    if (pk == 0) [[likely]] {
      if (!texts_fit(m, obj)) [[unlikely]]  // plain_insert: no other checks
        validate_for_write(m, obj);
      int64_t id = 0;
      ex.insert_members(insert_sql(ex.dialect(), m, false), m.insert_binds.data(), m.insert_binds.size(), obj, &m, &id);
      pk = id;
      if (detail::query_cache_used()) [[unlikely]]
        invalidate_after_write(m);
      return;
    }
  }
  save_general(ex, m, obj);
}

void remove(const Executor& ex, const ModelInfo& m, void* obj) {
  if (m.primary_key.size() == 1) {
    QueryData self;
    self.model = &m;
    WhereNode& w = self.where.emplace_back();
    w.kind = QNode::Kind::Leaf;
    w.filter.field = m.primary_key[0];
    w.filter.value = m.field(m.primary_key[0]).get(obj);
    check_protected(ex, self);
  }
  run(ex, Plan{delete_by_pk_sql(ex.dialect(), m), [&](Binder& b) { bind_pk(m, obj, b, 1); }, no_rows});
  invalidate_after_write(m, true);
  if (m.has_auto_pk()) m.field(m.primary_key[0]).set(obj, Value(0));
}

void refresh(const Executor& ex, const ModelInfo& m, void* obj) {
  const std::vector<int>& all = *m.all_columns;
  bool found = false;
  run(ex, Plan{select_by_pk_sql(ex.dialect(), m), [&](Binder& b) { bind_pk(m, obj, b, 1); },
               [&](const Row& row) {
                 hydrate(m, all, row, obj);
                 found = true;
               },
               false, Access::Read});
  if (!found) throw DoesNotExist(fmt::format("{}: refresh() found no row with this primary key", m.name));
}

std::vector<std::pair<int, Value>> resolve_assignments(const ModelInfo& m, KwargsView kwargs, std::string_view what) {
  std::vector<std::pair<int, Value>> out;
  out.reserve(kwargs.size());
  kwargs.for_each([&](std::string_view name, const Value& v) {
    int i = m.require(name);
    for (const auto& [j, _] : out)
      if (j == i)
        throw InvalidArgument(fmt::format("{}: {} names field '{}' more than once", m.name, what, m.field(i).name));
    out.emplace_back(i, coerce_value(m, m.field(i), v));
  });
  return out;
}

void assign(const ModelInfo& m, void* obj, KwargsView kwargs, bool apply_defaults) {
  auto sets = resolve_assignments(m, kwargs, "the call");
  if (apply_defaults) {
    for (std::size_t i = 0; i < m.fields.size(); ++i) {
      const FieldInfo& f = m.fields[i];
      bool named = std::any_of(sets.begin(), sets.end(), [&](const auto& s) { return s.first == static_cast<int>(i); });
      if (named) continue;
      if (f.default_factory) f.set(obj, f.default_factory());
      else if (f.default_value) f.set(obj, *f.default_value);
    }
  }
  for (const auto& [i, v] : sets) m.field(i).set(obj, v);
}

void assign_from_lookup(const ModelInfo& m, void* obj, KwargsView lookup, KwargsView defaults) {
  std::vector<int> in_defaults;
  defaults.for_each([&](std::string_view name, const Value&) { in_defaults.push_back(m.find(name)); });
  std::vector<int> done;
  lookup.for_each([&](std::string_view path, const Value& v) {
    std::string_view name = path;
    if (name.ends_with("__exact")) name.remove_suffix(7);
    if (name.find("__") != std::string_view::npos) return;  // Django's rule: only exact lookups set fields
    int i = m.require(name);
    if (std::find(done.begin(), done.end(), i) != done.end())
      throw InvalidArgument(fmt::format("{}: the lookup names field '{}' more than once", m.name, m.field(i).name));
    done.push_back(i);
    if (std::find(in_defaults.begin(), in_defaults.end(), i) != in_defaults.end()) return;  // defaults win, as in Django
    m.field(i).set(obj, coerce_value(m, m.field(i), v));
  });
}

}  // namespace covet::orm
