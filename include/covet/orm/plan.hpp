#pragma once
// A plan: one statement an ORM operation needs run — its SQL text, how its
// parameters are bound, where its rows go — apart from how it runs. The
// synchronous executor below runs a plan on a pooled or borrowed
// connection; the coroutine executor (a later layer) will run the same
// plans, so async adds no second compiler, binder or hydrator.
#include <cstdint>
#include <string>

#include "covet/core/function_ref.hpp"
#include "covet/core/row.hpp"
#include "covet/db/session.hpp"

namespace covet::orm {

struct Plan {
  const std::string& sql;
  FunctionRef<void(Binder&)> bind;
  FunctionRef<void(const Row&)> sink;
  bool static_sql = false;  // the text lives as long as the process (per-model SQL)
  Access access = Access::Write;  // Read: a replica may serve it
};

// An INSERT whose generated key goes to `on_key` (RETURNING or the
// driver's own way, as the dialect says).
struct InsertPlan {
  const std::string& sql;
  FunctionRef<void(Binder&)> bind;
  FunctionRef<void(int64_t)> on_key;
  bool static_sql = false;
};

inline constexpr auto no_params = [](Binder&) {};
inline constexpr auto no_rows = [](const Row&) {};

// Runs one plan on a connection of `ex` (checked out for this plan alone
// when `ex` is a Database); returns the rows affected.
inline int64_t run(const Executor& ex, const Plan& p) {
  Lease lease = ex.lease(p.access);
  return lease.run(p.sql, p.bind, p.sink, p.static_sql);
}
// Runs a plan on a connection already leased (several plans, one connection).
inline int64_t run(Lease& lease, const Plan& p) { return lease.run(p.sql, p.bind, p.sink, p.static_sql); }
inline int64_t run(Lease& lease, const InsertPlan& p) {
  return lease.run_insert(p.sql, p.bind, p.on_key, p.static_sql);
}

}  // namespace covet::orm
