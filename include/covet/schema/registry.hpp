#pragma once
// The model registry: every model whose model_info<T>() has been built, in
// registration order. The one piece of global mutable state in covet
// (thread-safe). create_all()/drop_all() read it.
#include <vector>

#include "covet/schema/model_info.hpp"

namespace covet {

// Registered models, in dependency order (a model after those it refers to).
std::vector<const ModelInfo*> registered_models();
// The ForeignKey, OneToOne and ManyToMany relations of registered models
// that point at `m` (their model, the relation).
std::vector<std::pair<const ModelInfo*, const RelationInfo*>> relations_to(const ModelInfo& m);
// `models` reordered so that each comes after the models its relations
// point at (create in this order, drop in reverse).
std::vector<const ModelInfo*> in_dependency_order(std::vector<const ModelInfo*> models);

namespace detail {
// Notes a model to register before the next lookup of reverse relations
// (Model<T> does it for every model whose objects the program makes, at
// start-up; its schema is built later, on first use). Returns true.
bool note_model(const ModelInfo& (*schema)());
}  // namespace detail

// Registers models by building their schema: `covet::register_models<User, Post>();`
template <class... T>
void register_models();

}  // namespace covet

#include "covet/schema/meta.hpp"

template <class... T>
void covet::register_models() {
  (model_info<T>(), ...);
}
