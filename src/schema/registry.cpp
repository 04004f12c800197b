#include "covet/schema/registry.hpp"

#include <algorithm>
#include <mutex>

#include "covet/core/error.hpp"

namespace covet {

namespace {
struct Registry {
  std::mutex mutex;
  std::vector<const ModelInfo*> models;
};
Registry& registry() {
  static Registry r;
  return r;
}
}  // namespace

namespace detail {
void register_model(const ModelInfo* info) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (const ModelInfo* m : r.models) {
    if (m->table == info->table && m->database == info->database && m != info)
      throw ConfigurationError("models " + m->name + " and " + info->name + " both use table '" + info->table + "'");
  }
  if (std::find(r.models.begin(), r.models.end(), info) == r.models.end()) r.models.push_back(info);
}
}  // namespace detail

std::vector<const ModelInfo*> registered_models() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.models;  // relations (a later issue) will sort by dependency here
}

}  // namespace covet
