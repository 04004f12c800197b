#pragma once
// Model<T>: the optional base that gives a model struct Django's instance
// and manager calls. It adds no data members (T stays an aggregate and keeps
// its size); every call takes where it runs explicitly — a Database, a
// Session or a Transaction (an Executor) — there is no global database.
//
//   User u;  u.username = "alice";
//   u.save(db);                                  // INSERT, fills u.id
//   auto admins = User::objects(db).filter("username__startswith", "admin").all();
#include "covet/db/multi.hpp"
#include "covet/orm/queryset.hpp"

namespace covet {


template <class T>
struct Model : ModelTag {
  // Every model whose objects the program makes is noted at start-up, so
  // that reverse relations (User.filter("posts__title", ...)) find the
  // models declaring them whatever was used first.
  Model() noexcept { (void)&noted_; }

  static QuerySet<T> objects(const Executor& db) { return QuerySet<T>(db); }
  // On the database of a MultiDB this model belongs to.
  static QuerySet<T> objects(const MultiDB& dbs) { return QuerySet<T>(dbs.for_model<T>()); }
  static const ModelInfo& schema() { return model_info<T>(); }

  // INSERT when the primary key is unset (auto key 0, nil UUID), else
  // UPDATE, falling back to INSERT when no row has that key. Fills an auto
  // primary key and auto_now / auto_now_add fields.
  void save(const Executor& db) { orm::save(db, model_info<T>(), self()); }
  void save(const MultiDB& dbs) { save(dbs.for_model<T>()); }
  // DELETE this object's row (by primary key). An auto primary key is reset
  // to 0 afterwards (Django sets pk to None), so a later save() inserts anew.
  void remove(const Executor& db) { orm::remove(db, model_info<T>(), self()); }
  void remove(const MultiDB& dbs) { remove(dbs.for_model<T>()); }
  // Reloads every field from the database; DoesNotExist if the row is gone.
  void refresh(const Executor& db) { orm::refresh(db, model_info<T>(), self()); }
  void refresh(const MultiDB& dbs) { refresh(dbs.for_model<T>()); }

  // Loads relations of this object, as prefetch_related() does for a
  // query: obj.fetch(db, "author"), obj.fetch(db, "posts", "posts__comments").
  template <class... S>
    requires(sizeof...(S) > 0 && (std::convertible_to<const S&, std::string_view> && ...))
  void fetch(const Executor& db, const S&... paths) {
    orm::prefetch(db, model_info<T>(), {static_cast<void*>(self())}, {std::string(std::string_view(paths))...});
  }

  // Raw SQL returning models (Django's Manager.raw): result columns are
  // matched to the model's columns (or field names) by name; placeholders
  // are ? (or $1, $2, ... on PostgreSQL), values always bound.
  //   auto busy = User::raw(db, "SELECT u.* FROM users u JOIN posts p ON p.author_id = u.id "
  //                             "GROUP BY u.id HAVING COUNT(p.id) > ?", {5});
  static std::vector<T> raw(const Executor& db, std::string_view sql, const std::vector<Value>& params = {}) {
    std::vector<T> out;
    orm::raw(db, model_info<T>(), std::string(sql), params, [&]() -> void* { return &out.emplace_back(); });
    return out;
  }

  static T create(const Executor& db, T obj) { return objects(db).create(std::move(obj)); }
  static T create(const Executor& db, Kwargs kwargs) { return objects(db).create(kwargs); }
  static T create(const Executor& db, KwargsView kwargs) { return objects(db).create(kwargs); }
  static std::pair<T, bool> get_or_create(const Executor& db, Kwargs lookup, Kwargs defaults = {}) {
    return objects(db).get_or_create(lookup, defaults);
  }
  static std::pair<T, bool> get_or_create(const Executor& db, KwargsView lookup, KwargsView defaults = {}) {
    return objects(db).get_or_create(lookup, defaults);
  }
  static std::pair<T, bool> update_or_create(const Executor& db, Kwargs lookup, Kwargs defaults = {}) {
    return objects(db).update_or_create(lookup, defaults);
  }
  static std::pair<T, bool> update_or_create(const Executor& db, KwargsView lookup, KwargsView defaults = {}) {
    return objects(db).update_or_create(lookup, defaults);
  }

 private:
  static inline const bool noted_ = detail::note_model(&model_info<T>);
  T* self() { return static_cast<T*>(this); }
  const T* self() const { return static_cast<const T*>(this); }
};

// A ManyToMany member's pairs for one saved object, Django's
// post.tags.add(...) / remove / set / clear, and the related rows as a
// QuerySet:
//
//   auto tags = covet::m2m(db, post, &Post::tags);
//   tags.add(python, cpp);            // objects or keys
//   tags.remove(cpp);
//   tags.set({python.id, rust.id});
//   auto names = tags.all().order_by("name").all();
template <class T, class X>
class ManyToManyManager {
 public:
  ManyToManyManager(const Executor& ex, const T& owner, ManyToMany<X> T::*member)
      : ex_(ex), relation_(&detail::relation_at_offset(model_info<T>(), detail::offset_of(member))),
        owner_(key(model_info<T>(), &owner)) {}

  template <class... A>
  void add(const A&... targets) const {
    orm::m2m_add(ex_.get(), model_info<T>(), *relation_, owner_, {target_key(targets)...});
  }
  void add(const std::vector<Value>& keys) const { orm::m2m_add(ex_.get(), model_info<T>(), *relation_, owner_, keys); }
  template <class... A>
  int64_t remove(const A&... targets) const {
    return orm::m2m_remove(ex_.get(), model_info<T>(), *relation_, owner_, {target_key(targets)...});
  }
  int64_t remove(const std::vector<Value>& keys) const {
    return orm::m2m_remove(ex_.get(), model_info<T>(), *relation_, owner_, keys);
  }
  void set(const std::vector<Value>& keys) const { orm::m2m_set(ex_.get(), model_info<T>(), *relation_, owner_, keys); }
  void set(const std::vector<X>& objs) const {
    std::vector<Value> keys;
    for (const X& o : objs) keys.push_back(target_key(o));
    set(keys);
  }
  int64_t clear() const { return orm::m2m_clear(ex_.get(), model_info<T>(), *relation_, owner_); }
  // The related rows (a QuerySet on X across the join table).
  QuerySet<X> all() const {
    return QuerySet<X>(ex_.get()).filter(relation_->related_name + "__" + model_info<T>().field(model_info<T>().primary_key[0]).name, owner_);
  }

 private:
  static Value key(const ModelInfo& m, const void* obj) {
    if (m.primary_key.size() != 1) throw InvalidArgument(m.name + ": a ManyToMany needs a single-column primary key");
    return m.field(m.primary_key[0]).get(obj);
  }
  static Value target_key(const X& obj) { return key(model_info<X>(), &obj); }
  static Value target_key(const Value& v) { return v; }
  template <class K>
    requires(std::is_arithmetic_v<K> || std::is_convertible_v<K, Value>) && (!std::is_same_v<K, X>)
  static Value target_key(const K& k) {
    return Value(k);
  }

  HeldExecutor ex_;
  const RelationInfo* relation_;
  Value owner_;
};

template <class T, class X>
ManyToManyManager<T, X> m2m(const Executor& ex, const T& owner, ManyToMany<X> T::*member) {
  return ManyToManyManager<T, X>(ex, owner, member);
}

// The same for structs that do not derive from Model<T>.
template <class T>
QuerySet<T> objects(const Executor& db) {
  return QuerySet<T>(db);
}
template <class T>
void save(const Executor& db, T& obj) {
  orm::save(db, model_info<T>(), &obj);
}
template <class T>
void remove(const Executor& db, T& obj) {
  orm::remove(db, model_info<T>(), &obj);
}
template <class T>
void refresh(const Executor& db, T& obj) {
  orm::refresh(db, model_info<T>(), &obj);
}

}  // namespace covet
