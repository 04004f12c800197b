#pragma once
// Partial<T>: a model loaded with only()/defer(). Reading a member that was
// not loaded raises FieldError instead of returning a default or running a
// hidden query; save() writes back only the loaded members.
#include <cstdint>
#include <string_view>
#include <vector>

#include "covet/core/error.hpp"
#include "covet/db/database.hpp"
#include "covet/orm/executor.hpp"
#include "covet/schema/meta.hpp"

namespace covet {

template <class T>
class Partial {
 public:
  Partial() = default;

  template <class M>
  const M& get(M T::*mp) const {
    check(index_of(mp));
    return obj_.*mp;
  }
  // Assigning a member makes it loaded (and saved by save()).
  template <class M, class U>
  void set(M T::*mp, U&& v) {
    obj_.*mp = std::forward<U>(v);
    mark(index_of(mp));
  }
  Value operator[](std::string_view name) const {
    int i = model_info<T>().require(name);
    check(i);
    return model_info<T>().field(i).get(&obj_);
  }
  bool is_loaded(std::string_view name) const { return loaded(model_info<T>().require(name)); }
  std::vector<int> loaded_fields() const {
    std::vector<int> out;
    for (std::size_t i = 0; i < model_info<T>().fields.size(); ++i)
      if (loaded(static_cast<int>(i))) out.push_back(static_cast<int>(i));
    return out;
  }
  void save(const Executor& db) { orm::save_fields(db, model_info<T>(), &obj_, loaded_fields()); }

  // For the hydrator.
  T& raw() { return obj_; }
  void mark(int i) { mask_[static_cast<std::size_t>(i) / 64] |= uint64_t{1} << (static_cast<std::size_t>(i) % 64); }

 private:
  template <class M>
  static int index_of(M T::*mp) {
    return model_info<T>().field_at_offset(detail::offset_of(mp));
  }
  bool loaded(int i) const { return mask_[static_cast<std::size_t>(i) / 64] >> (static_cast<std::size_t>(i) % 64) & 1; }
  void check(int i) const {
    if (!loaded(i)) {
      const ModelInfo& m = model_info<T>();
      throw FieldError(m.name + "." + m.field(i).name +
                       " was not loaded (deferred by only()/defer()); add it to only() or read the full object");
    }
  }
  T obj_{};
  uint64_t mask_[1] = {0};
  static_assert(detail::member_count<T> <= 64);
};

}  // namespace covet
