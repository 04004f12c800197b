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
// Never destroyed: covet may still look models up from other static
// destructors and atexit handlers (a Database dropping a schema at exit).
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}
}  // namespace

namespace {
struct Pending {
  std::mutex mutex;
  std::vector<const ModelInfo& (*)()> schemas;
};
Pending& pending() {
  static Pending* p = new Pending;
  return *p;
}
// Builds (and so registers) the models noted so far. One thread at a
// time, and a note is dropped only once built: no caller sees the list
// empty while its models are still being built.
void register_pending() {
  static std::mutex& building = *new std::mutex;
  Pending& p = pending();
  {
    std::lock_guard lock(p.mutex);
    if (p.schemas.empty()) return;
  }
  std::lock_guard build(building);
  for (;;) {
    const ModelInfo& (*schema)() = nullptr;
    {
      std::lock_guard lock(p.mutex);
      if (p.schemas.empty()) return;
      schema = p.schemas.back();
    }
    schema();
    std::lock_guard lock(p.mutex);
    if (!p.schemas.empty() && p.schemas.back() == schema) p.schemas.pop_back();
    else p.schemas.erase(std::remove(p.schemas.begin(), p.schemas.end(), schema), p.schemas.end());
  }
}
}  // namespace

namespace detail {
bool note_model(const ModelInfo& (*schema)()) {
  Pending& p = pending();
  std::lock_guard lock(p.mutex);
  p.schemas.push_back(schema);
  return true;
}

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
  register_pending();
  std::vector<const ModelInfo*> models;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    models = r.models;
  }
  return in_dependency_order(std::move(models));
}

std::vector<std::pair<const ModelInfo*, const RelationInfo*>> relations_to(const ModelInfo& m) {
  register_pending();
  std::vector<const ModelInfo*> models;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    models = r.models;
  }
  std::vector<std::pair<const ModelInfo*, const RelationInfo*>> out;
  for (const ModelInfo* other : models)  // target() may build (and register) a model: outside the lock
    for (const auto& rel : other->relations)
      if ((rel->forward() || rel->kind == RelationInfo::Kind::ManyToMany) && &rel->target() == &m)
        out.emplace_back(other, rel.get());
  return out;
}

std::vector<const ModelInfo*> in_dependency_order(std::vector<const ModelInfo*> models) {
  // Depth-first: a model's relation targets (those in the list) before it.
  // A cycle (or a self-reference) is cut where it closes.
  std::vector<const ModelInfo*> out;
  std::vector<const ModelInfo*> visiting;
  auto listed = [&](const ModelInfo* m) { return std::find(models.begin(), models.end(), m) != models.end(); };
  auto done = [&](const ModelInfo* m) { return std::find(out.begin(), out.end(), m) != out.end(); };
  auto visit = [&](auto& self, const ModelInfo* m) -> void {
    if (done(m) || std::find(visiting.begin(), visiting.end(), m) != visiting.end()) return;
    visiting.push_back(m);
    for (const auto& r : m->relations)
      if (r->forward()) {
        const ModelInfo* t = &r->target();
        if (t != m && listed(t)) self(self, t);
      }
    visiting.pop_back();
    out.push_back(m);
  };
  for (const ModelInfo* m : models) visit(visit, m);
  return out;
}

}  // namespace covet
