#pragma once
// Text helpers shared by the dialects and drivers.
#include <cstddef>
#include <string>
#include <string_view>

namespace covet {

// Simple Unicode case folding (to lower case) for Latin, Latin-1,
// Latin Extended-A, Greek and Cyrillic; other code points pass unchanged.
// SQLite folds ASCII only, so its i-lookups fold both sides with this to
// agree with PostgreSQL's ILIKE. Invalid UTF-8 bytes pass through.
std::string casefold(std::string_view s);

// Number of code points in UTF-8 text (what max_length counts).
std::size_t utf8_length(std::string_view s);

}  // namespace covet
