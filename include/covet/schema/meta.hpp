#pragma once
// Declaring a model: a plain struct, optionally deriving from
// covet::Model<T> for the Django-style member functions, plus a static
// `meta` that names only what needs options, keyed by member pointer:
//
//   struct User : covet::Model<User> {
//     int64_t id = 0;
//     std::string username;
//     covet::DateTime created_at;
//     static void meta(covet::Meta<User>& m) {
//       m.table("users")
//        .field(&User::id, covet::primary_key())
//        .field(&User::username, covet::max_length(50), covet::unique())
//        .field(&User::created_at, covet::auto_now_add())
//        .index("idx_created_at", {"-created_at"});
//     }
//   };
//
// Field names are read from the struct itself at compile time; they are
// never written twice. model_info<T>() builds the ModelInfo once.
// A model is declared at namespace scope (g++ cannot read the member names
// of a class local to a function) and has at most 64 members.
#include <initializer_list>
#include <string>
#include <string_view>

#include "covet/schema/detail/reflect.hpp"
#include "covet/schema/field_codec.hpp"
#include "covet/schema/model_info.hpp"

namespace covet {

namespace detail {
// Offset of a member pointer's member in a T (computed on a real object).
template <class T>
const T& sample_object() {
  static const T obj{};
  return obj;
}
template <class T, class M>
std::size_t offset_of(M T::*mp) {
  const T& obj = sample_object<T>();
  return static_cast<std::size_t>(reinterpret_cast<const char*>(&(obj.*mp)) - reinterpret_cast<const char*>(&obj));
}
void register_model(const ModelInfo* info);
void meta_add_index(ModelInfo& info, std::string name, std::initializer_list<std::string_view> fields, bool unique);
void meta_add_unique(ModelInfo& info, std::string name, std::initializer_list<std::string_view> fields);
void meta_primary_key(ModelInfo& info, std::initializer_list<std::size_t> offsets);
std::string default_table_name(std::string_view type_name);
RelationInfo& relation_at_offset(ModelInfo& info, std::size_t offset);
const RelationInfo& relation_at_offset(const ModelInfo& info, std::size_t offset);
}  // namespace detail

template <class T>
class Meta {
 public:
  explicit Meta(ModelInfo& info) : info_(info) {}

  Meta& table(std::string name) {
    info_.table = std::move(name);
    return *this;
  }
  Meta& database(std::string name) {
    info_.database = std::move(name);
    return *this;
  }
  template <class M, class... Options>
  Meta& field(M T::*mp, const Options&... options) {
    FieldInfo& f = info_.fields[static_cast<std::size_t>(info_.field_at_offset(detail::offset_of(mp)))];
    (options.apply(f), ...);
    return *this;
  }
  // A OneToMany member's options (back_populates).
  template <class X, class... Options>
  Meta& field(OneToMany<X> T::*mp, const Options&... options) {
    RelationInfo& r = detail::relation_at_offset(info_, detail::offset_of(mp));
    (options.apply(r), ...);
    return *this;
  }
  // A ReverseOneToOne member's options (back_populates).
  template <class X, class... Options>
  Meta& field(ReverseOneToOne<X> T::*mp, const Options&... options) {
    RelationInfo& r = detail::relation_at_offset(info_, detail::offset_of(mp));
    (options.apply(r), ...);
    return *this;
  }
  // A ManyToMany member's options (through, m2m_related_name).
  template <class X, class... Options>
  Meta& field(ManyToMany<X> T::*mp, const Options&... options) {
    RelationInfo& r = detail::relation_at_offset(info_, detail::offset_of(mp));
    (options.apply(r), ...);
    return *this;
  }
  // A composite primary key (Chinook's PlaylistTrack): every listed member.
  template <class... M>
  Meta& primary_key(M T::*... mps) {
    detail::meta_primary_key(info_, {detail::offset_of(mps)...});
    return *this;
  }
  // Fields by name; a leading '-' sorts the column descending.
  Meta& index(std::string name, std::initializer_list<std::string_view> fields) {
    detail::meta_add_index(info_, std::move(name), fields, false);
    return *this;
  }
  Meta& unique_index(std::string name, std::initializer_list<std::string_view> fields) {
    detail::meta_add_index(info_, std::move(name), fields, true);
    return *this;
  }
  Meta& unique_constraint(std::string name, std::initializer_list<std::string_view> fields) {
    detail::meta_add_unique(info_, std::move(name), fields);
    return *this;
  }
  Meta& check(std::string name, std::string sql) {
    info_.checks.push_back({std::move(name), std::move(sql)});
    return *this;
  }

 private:
  ModelInfo& info_;
};

namespace detail {
template <class M>
std::shared_ptr<RelationInfo> make_relation(std::string_view name, std::size_t offset) {
  using Tr = RelationTraits<M>;
  auto r = std::make_shared<RelationInfo>();
  r->kind = Tr::kind;
  r->name = std::string(name);
  r->offset = offset;
  r->target_fn = &model_info<typename Tr::target>;
  r->ops = relation_ops<M>();
  return r;
}

inline FieldInfo make_field(std::string_view name, std::size_t offset, const FieldCodec* codec) {
  FieldInfo f;
  f.name = std::string(name);
  f.column = f.name;
  f.offset = offset;
  f.codec = codec;
  f.kind = codec->kind;
  f.null = codec->optional;
  return f;
}

// One member of a model: a column field, a ForeignKey/OneToOne (its key
// column plus a relation), or a OneToMany (a relation without a column).
template <class M>
void add_member(ModelInfo& info, const void* obj, std::string_view name, const M& member) {
  auto offset_of_addr = [&](const void* addr) {
    return static_cast<std::size_t>(static_cast<const char*>(addr) - static_cast<const char*>(obj));
  };
  using Tr = RelationTraits<M>;
  if constexpr (Tr::many) {
    info.relations.push_back(make_relation<M>(name, offset_of_addr(&member)));
  } else if constexpr (Tr::forward) {
    // meta's field(&Post::author, ...) finds the field by the member's offset.
    if (static_cast<const void*>(&member.id) != static_cast<const void*>(&member))
      throw ConfigurationError(info.name + "." + std::string(name) + ": the relation's key is not at its start");
    FieldInfo f = make_field(name, offset_of_addr(&member.id), codec_for<typename Tr::key>());
    f.column += "_id";  // Django's attname: author -> author_id
    f.relation = make_relation<M>(name, offset_of_addr(&member));
    info.relations.push_back(f.relation);
    info.fields.push_back(std::move(f));
  } else {
    info.fields.push_back(make_field(name, offset_of_addr(&member), codec_for<M>()));
  }
}

template <class T, std::size_t... I>
void add_fields(ModelInfo& info, std::index_sequence<I...>) {
  const T& obj = sample_object<T>();
  auto members = tie_members<member_count<T>>(obj);
  (add_member(info, &obj, member_name<T, I>(), std::get<I>(members)), ...);
}

template <class T>
ModelInfo build_model_info() {
  static_assert(!is_local_type<T>(),
                "covet: declare models at namespace scope, not inside a function (the member names of a local "
                "class cannot be read)");
  static_assert(std::is_aggregate_v<T>, "covet: a model is an aggregate struct (public members, no constructors)");
  static_assert(std::is_default_constructible_v<T>, "covet: a model must be default-constructible");
  ModelInfo info;
  info.name = std::string(type_name<T>());
  info.table = default_table_name(info.name);
  info.sample = &sample_object<T>();
  add_fields<T>(info, std::make_index_sequence<member_count<T>>{});
  if constexpr (requires(Meta<T>& m) { T::meta(m); }) {
    Meta<T> m(info);
    T::meta(m);
  }
  if constexpr (requires(const T& t) { t.validate(); })
    info.validate = [](const void* obj) { static_cast<const T*>(obj)->validate(); };
  info.finalize();
  T probe{};
  info.check_defaults(&probe);
  return info;
}
}  // namespace detail

// The schema of model T, built on first use (thread-safe) and registered.
template <class T>
const ModelInfo& model_info() {
  // One guarded static (built, then registered at its final address).
  struct Registered {
    ModelInfo info = detail::build_model_info<T>();
    Registered() { detail::register_model(&info); }
  };
  static const Registered model;
  return model.info;
}

template <class T, class K>
void ForeignKey<T, K>::set(T obj) {
  const ModelInfo& m = model_info<T>();
  if (m.primary_key.size() != 1)
    throw InvalidArgument(m.name + ": a ForeignKey to a model with a composite primary key cannot be set from an object");
  const FieldInfo& pk = m.field(m.primary_key[0]);
  detail::codec_for<K>()->set(&id, pk.get(&obj), pk);
  adopt(std::make_shared<T>(std::move(obj)));
}

}  // namespace covet
