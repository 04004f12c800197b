#pragma once
#include "covet/db/connection.hpp"

namespace covet {
Driver& sqlite_driver();
}
