#pragma once
// Relations between models, declared as members of the model struct:
//
//   struct Post : covet::Model<Post> {
//     int64_t id = 0;
//     std::string title;
//     covet::ForeignKey<User> author;                          // column author_id
//     covet::ForeignKey<User, std::optional<int64_t>> editor;  // nullable
//     static void meta(covet::Meta<Post>& m) {
//       m.field(&Post::author, covet::on_delete(covet::OnDelete::Cascade), covet::related_name("posts"));
//     }
//   };
//   struct User : covet::Model<User> {
//     int64_t id = 0;
//     covet::OneToMany<Post> posts;  // the reverse side: Post.author
//   };
//
// A ForeignKey holds the related row's key (`post.author.id`, bound and
// loaded like any column) and, once loaded, the related object. Nothing
// is ever fetched behind the caller's back: select_related("author") (a
// JOIN), prefetch_related("author") (one batched query) or an explicit
// fetch() loads it; reading an unloaded relation is a UsageError naming
// the ways to load it. Models that name each other compile in either
// order: the related model is resolved when first used, not when declared.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "covet/core/error.hpp"
#include "covet/schema/detail/reflect.hpp"

namespace covet {

class ModelInfo;
template <class T>
const ModelInfo& model_info();

// What happens to the rows referring to a deleted row (DDL ON DELETE).
// Protect: covet refuses the delete with ProtectedError before sending it
// (and the database's RESTRICT backs it up).
enum class OnDelete : uint8_t { Cascade, Protect, Restrict, SetNull, SetDefault, DoNothing };

// Type-erased access to the objects a relation member holds: how the
// hydrator and prefetch fill a member whose C++ type they do not know.
struct RelationOps {
  // To-one: a new related object held by the member (loaded for its key).
  void* (*emplace)(void* member) = nullptr;
  // To-one: loaded, and there is no related row (NULL key).
  void (*set_none)(void* member) = nullptr;
  // To-one: hold `obj` (made by `make`), shared with other members.
  void (*adopt)(void* member, const std::shared_ptr<void>& obj) = nullptr;
  // To-many: empty and loaded.
  void (*clear)(void* member) = nullptr;
  // To-many: appends `obj` (a target object), moved or copied.
  void (*push)(void* member, void* obj, bool move) = nullptr;
  // A new default-constructed target object.
  std::shared_ptr<void> (*make)() = nullptr;
  // Calls f(ctx, obj) for each loaded related object.
  void (*each)(void* member, void (*f)(void* ctx, void* obj), void* ctx) = nullptr;
  // Whether the member holds what the database has (select_related,
  // prefetch_related or fetch loaded it), even if that is nothing.
  bool (*loaded)(const void* member) = nullptr;
};

struct RelationInfo {
  enum class Kind : uint8_t {
    ManyToOne,  // ForeignKey: a key column here, one related row
    OneToOne,   // a unique key column here, one related row
    OneToMany,  // the reverse of a ForeignKey on the target: no column here
    ManyToMany, // rows of a join table (the through model) pair this model's and the target's keys
    OneToOneReverse,  // the reverse of a OneToOne on the target: no column here, at most one row
  };
  Kind kind = Kind::ManyToOne;
  std::string name;         // the member's name
  std::size_t offset = 0;   // of the member in the object
  int field = -1;           // ManyToOne/OneToOne: the key column's field index
  const ModelInfo& (*target_fn)() = nullptr;  // resolved when used, never when declared
  const ModelInfo* fixed_target = nullptr;    // a target known at run time (covet's own join tables)
  OnDelete on_delete = OnDelete::Cascade;
  std::string related_name;    // ManyToOne/OneToOne: the reverse side's query name on the target
  std::string back_populates;  // OneToMany: the ForeignKey on the target it reverses
  // ManyToMany: an explicit through model and its key fields for this
  // model and the target (empty: found by target); without one, covet
  // makes the join table "<table>_<name>" with <model>_id and <target>_id.
  const ModelInfo& (*through)() = nullptr;
  std::string through_source, through_target;
  RelationOps ops;

  const ModelInfo& target() const { return fixed_target ? *fixed_target : target_fn(); }
  bool to_many() const { return kind == Kind::OneToMany || kind == Kind::ManyToMany; }
  bool forward() const { return kind == Kind::ManyToOne || kind == Kind::OneToOne; }
};

namespace detail {
[[noreturn]] void throw_not_loaded(std::string_view what, std::string_view target);
[[noreturn]] void throw_no_related(std::string_view target);
}  // namespace detail

// A many-to-one relation: the key of the related row, and the related
// object once loaded. K is the related model's key type; std::optional<K>
// makes the relation nullable.
namespace detail {
// The accessors of a member holding one related object once loaded
// (ForeignKey, OneToOne, ReverseOneToOne): Self has check() (UsageError
// when not loaded) and obj_ (null: loaded, and there is none).
template <class Self, class T>
class ToOne {
 public:
  // The related object; UsageError when not loaded, DoesNotExist when there is none.
  const T& get() const {
    self().check();
    if (!self().obj_) throw_no_related(type_name<T>());
    return *self().obj_;
  }
  T& get() { return const_cast<T&>(std::as_const(*this).get()); }
  // The related object, or nullptr when there is none; UsageError when not loaded.
  const T* ptr() const {
    self().check();
    return self().obj_.get();
  }
  T* ptr() { return const_cast<T*>(std::as_const(*this).ptr()); }
  const T* operator->() const { return &get(); }
  T* operator->() { return &get(); }
  const T& operator*() const { return get(); }
  T& operator*() { return get(); }

 private:
  const Self& self() const { return static_cast<const Self&>(*this); }
};
}  // namespace detail

template <class T, class K = int64_t>
class ForeignKey : public detail::ToOne<ForeignKey<T, K>, T> {
  friend class detail::ToOne<ForeignKey, T>;

 public:
  using target_type = T;
  using key_type = K;
  static constexpr bool nullable = requires(const K& k) { k.has_value(); };

  // The related row's key (the column). Changing it makes a loaded object
  // stale: it reads as not loaded until loaded again.
  K id{};

  ForeignKey() = default;
  ForeignKey(K key) : id(std::move(key)) {}  // post.author = 5
  ForeignKey& operator=(K key) {
    id = std::move(key);
    return *this;
  }

  // Points at `obj`'s row (its key must be set) and holds a copy as loaded.
  void set(T obj);

  // Whether the related object is loaded for the current key.
  bool loaded() const { return loaded_ && loaded_key_ == id; }
  // get(), ptr(), -> and *: the related object (see detail::ToOne); none
  // for a NULL key.
  // The loaded object shared (prefetch_related shares one object among the
  // rows that point at it); null when not loaded or NULL.
  std::shared_ptr<T> shared() const { return loaded() ? obj_ : nullptr; }

  // For the hydrator and prefetch (RelationOps).
  T* emplace_loaded() {
    obj_ = std::make_shared<T>();
    mark();
    return obj_.get();
  }
  void adopt(std::shared_ptr<T> obj) {
    obj_ = std::move(obj);
    mark();
  }
  void set_none() {
    obj_.reset();
    mark();
  }
  void unload() {
    obj_.reset();
    loaded_ = false;
  }

 private:
  void mark() {
    loaded_key_ = id;
    loaded_ = true;
  }
  void check() const {
    if (!loaded()) detail::throw_not_loaded("ForeignKey", detail::type_name<T>());
  }
  std::shared_ptr<T> obj_;
  K loaded_key_{};
  bool loaded_ = false;
};

// A one-to-one relation: a ForeignKey whose column is unique.
template <class T, class K = int64_t>
class OneToOne : public ForeignKey<T, K> {
 public:
  using ForeignKey<T, K>::ForeignKey;
  using ForeignKey<T, K>::operator=;
};

namespace detail {
// The objects of a to-many relation once loaded (prefetch_related or fetch).
template <class T>
class LoadedList {
 public:
  using target_type = T;
  LoadedList() = default;
  // A moved-from list reads as not loaded (it holds nothing).
  LoadedList(const LoadedList&) = default;
  LoadedList& operator=(const LoadedList&) = default;
  LoadedList(LoadedList&& o) noexcept : items_(std::move(o.items_)), loaded_(std::exchange(o.loaded_, false)) {}
  LoadedList& operator=(LoadedList&& o) noexcept {
    items_ = std::move(o.items_);
    loaded_ = std::exchange(o.loaded_, false);
    return *this;
  }

  bool loaded() const { return loaded_; }
  // The loaded objects; UsageError when not loaded.
  const std::vector<T>& get() const {
    if (!loaded_) detail::throw_not_loaded("to-many relation", detail::type_name<T>());
    return items_;
  }
  std::vector<T>& get() { return const_cast<std::vector<T>&>(std::as_const(*this).get()); }
  auto begin() const { return get().begin(); }
  auto end() const { return get().end(); }
  auto begin() { return get().begin(); }
  auto end() { return get().end(); }
  std::size_t size() const { return get().size(); }
  bool empty() const { return get().empty(); }
  const T& operator[](std::size_t i) const { return get()[i]; }
  T& operator[](std::size_t i) { return get()[i]; }

  // For prefetch (RelationOps).
  void clear_loaded() {
    items_.clear();
    loaded_ = true;
  }
  std::vector<T>& items() { return items_; }
  void unload() {
    items_.clear();
    loaded_ = false;
  }

 private:
  std::vector<T> items_;
  bool loaded_ = false;
};
}  // namespace detail

// The reverse side of a ForeignKey on T: the T rows that point at this
// object, once loaded (prefetch_related or fetch). With several
// ForeignKeys from T to this model, name the one it reverses with
// covet::back_populates("author") in meta.
template <class T>
class OneToMany : public detail::LoadedList<T> {};

// The reverse side of a OneToOne on T: the one T row that points at this
// object (or none), once loaded (select_related, prefetch_related or
// fetch). Django's user.profile:
//   struct Profile : covet::Model<Profile> { int64_t id = 0; covet::OneToOne<User> user; ... };
//   struct User : covet::Model<User> { int64_t id = 0; covet::ReverseOneToOne<Profile> profile; ... };
// With several OneToOnes from T to this model, name the one it reverses
// with covet::back_populates("user") in meta.
template <class T>
class ReverseOneToOne : public detail::ToOne<ReverseOneToOne<T>, T> {
  friend class detail::ToOne<ReverseOneToOne, T>;

 public:
  using target_type = T;

  bool loaded() const { return loaded_; }
  // get(), ptr(), -> and *: the related object (see detail::ToOne); none
  // when no row points here.
  std::shared_ptr<T> shared() const { return loaded_ ? obj_ : nullptr; }

  // For the hydrator and prefetch (RelationOps).
  T* emplace_loaded() {
    obj_ = std::make_shared<T>();
    loaded_ = true;
    return obj_.get();
  }
  void adopt(std::shared_ptr<T> obj) {
    obj_ = std::move(obj);
    loaded_ = true;
  }
  void set_none() {
    obj_.reset();
    loaded_ = true;
  }
  void unload() {
    obj_.reset();
    loaded_ = false;
  }

 private:
  void check() const {
    if (!loaded_) detail::throw_not_loaded("reverse OneToOne", detail::type_name<T>());
  }
  std::shared_ptr<T> obj_;
  bool loaded_ = false;
};

// A many-to-many relation: the T rows paired with this object in a join
// table, once loaded (prefetch_related or fetch). covet::m2m(db, obj,
// &Post::tags) adds, removes, sets and clears the pairs.
template <class T>
class ManyToMany : public detail::LoadedList<T> {};

// ---- relation options, applied in a model's meta ----
struct FieldInfo;
namespace option {
struct OnDeleteOpt {
  OnDelete action;
  void apply(FieldInfo& f) const;
};
struct RelatedName {
  std::string name;
  void apply(FieldInfo& f) const;
};
struct BackPopulates {
  std::string name;
  void apply(RelationInfo& r) const { r.back_populates = name; }
};
struct Through {
  const ModelInfo& (*model)();
  std::string source, target;
  void apply(RelationInfo& r) const {
    r.through = model;
    r.through_source = source;
    r.through_target = target;
  }
};
struct M2MRelatedName {
  std::string name;
  void apply(RelationInfo& r) const { r.related_name = name; }
};
}  // namespace option
inline option::OnDeleteOpt on_delete(OnDelete action) { return {action}; }
// The name the target model uses for this relation's reverse side in
// queries (User.filter("posts__title", ...)); the default is this model's
// name in lower case ("post").
inline option::RelatedName related_name(std::string name) { return {std::move(name)}; }
// On a OneToMany member: the ForeignKey on the target it is the reverse of.
inline option::BackPopulates back_populates(std::string name) { return {std::move(name)}; }
// On a ManyToMany member: the join table is model X (a struct with a
// ForeignKey to each side, and any other columns); `source` and `target`
// name its ForeignKeys to this model and to the target when X has several.
template <class X>
option::Through through(std::string source = {}, std::string target = {}) {
  return {&model_info<X>, std::move(source), std::move(target)};
}
// On a ManyToMany member: the name the target uses for the reverse side in
// queries (Tag.filter("posts__title", ...)); default: this model's name in lower case.
inline option::M2MRelatedName m2m_related_name(std::string name) { return {std::move(name)}; }

namespace detail {
template <class M>
struct RelationTraits {
  static constexpr bool forward = false;
  static constexpr bool many = false;
};
template <class T, class K>
struct RelationTraits<ForeignKey<T, K>> {
  static constexpr bool forward = true;
  static constexpr bool many = false;
  static constexpr RelationInfo::Kind kind = RelationInfo::Kind::ManyToOne;
  using target = T;
  using key = K;
};
template <class T, class K>
struct RelationTraits<OneToOne<T, K>> : RelationTraits<ForeignKey<T, K>> {
  static constexpr RelationInfo::Kind kind = RelationInfo::Kind::OneToOne;
};
template <class T>
struct RelationTraits<OneToMany<T>> {
  static constexpr bool forward = false;
  static constexpr bool many = true;
  static constexpr RelationInfo::Kind kind = RelationInfo::Kind::OneToMany;
  using target = T;
};
template <class T>
struct RelationTraits<ManyToMany<T>> : RelationTraits<OneToMany<T>> {
  static constexpr RelationInfo::Kind kind = RelationInfo::Kind::ManyToMany;
};
template <class T>
struct RelationTraits<ReverseOneToOne<T>> : RelationTraits<OneToMany<T>> {  // no column, as OneToMany
  static constexpr RelationInfo::Kind kind = RelationInfo::Kind::OneToOneReverse;
};

template <class M>
RelationOps relation_ops() {
  using Tr = RelationTraits<M>;
  using T = typename Tr::target;
  RelationOps ops;
  ops.make = [] { return std::shared_ptr<void>(std::make_shared<T>()); };
  ops.loaded = [](const void* m) { return static_cast<const M*>(m)->loaded(); };
  if constexpr (Tr::kind == RelationInfo::Kind::OneToOneReverse) {  // to-one, and prefetch's clear/push
    ops.emplace = [](void* m) -> void* { return static_cast<M*>(m)->emplace_loaded(); };
    ops.set_none = [](void* m) { static_cast<M*>(m)->set_none(); };
    ops.adopt = [](void* m, const std::shared_ptr<void>& obj) { static_cast<M*>(m)->adopt(std::static_pointer_cast<T>(obj)); };
    ops.clear = ops.set_none;
    ops.push = [](void* m, void* obj, bool move) {
      static_cast<M*>(m)->adopt(move ? std::make_shared<T>(std::move(*static_cast<T*>(obj)))
                                     : std::make_shared<T>(*static_cast<const T*>(obj)));
    };
    ops.each = [](void* m, void (*f)(void*, void*), void* ctx) {
      if (auto p = static_cast<M*>(m)->shared()) f(ctx, p.get());
    };
  } else if constexpr (Tr::forward) {
    ops.emplace = [](void* m) -> void* { return static_cast<M*>(m)->emplace_loaded(); };
    ops.set_none = [](void* m) { static_cast<M*>(m)->set_none(); };
    ops.adopt = [](void* m, const std::shared_ptr<void>& obj) { static_cast<M*>(m)->adopt(std::static_pointer_cast<T>(obj)); };
    ops.each = [](void* m, void (*f)(void*, void*), void* ctx) {
      if (auto p = static_cast<M*>(m)->shared()) f(ctx, p.get());
    };
  } else {
    ops.clear = [](void* m) { static_cast<M*>(m)->clear_loaded(); };
    ops.push = [](void* m, void* obj, bool move) {
      auto& items = static_cast<M*>(m)->items();
      if (move) items.push_back(std::move(*static_cast<T*>(obj)));
      else items.push_back(*static_cast<const T*>(obj));
    };
    ops.each = [](void* m, void (*f)(void*, void*), void* ctx) {
      auto& r = *static_cast<M*>(m);
      if (!r.loaded()) return;
      for (T& obj : r.items()) f(ctx, &obj);
    };
  }
  return ops;
}
}  // namespace detail

}  // namespace covet
