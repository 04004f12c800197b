#pragma once
#include "covet/db/connection.hpp"

namespace covet {
// PostgreSQL through libpq: postgresql:// and postgres:// URLs.
Driver& postgres_driver();
}  // namespace covet
