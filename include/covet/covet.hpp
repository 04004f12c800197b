#pragma once
// covet: declarative models, a chainable query API and CRUD for C++20.
// One include for users; each module's headers can also be included alone.
#include "covet/core/date_time.hpp"
#include "covet/core/decimal.hpp"
#include "covet/core/error.hpp"
#include "covet/core/json.hpp"
#include "covet/core/record.hpp"
#include "covet/core/uuid.hpp"
#include "covet/core/value.hpp"
#include "covet/db/database.hpp"
#include "covet/orm/model.hpp"
#include "covet/orm/queryset.hpp"
#include "covet/query/column.hpp"
#include "covet/query/q.hpp"
#include "covet/schema/meta.hpp"
#include "covet/schema/registry.hpp"
#include "covet/sql/compiler.hpp"
