#pragma once
// Reading raw SQL text without parsing it: the drivers and the executor ask
// only what statement it starts with.
#include <string>
#include <string_view>

namespace covet {

// The first keyword of `sql`, upper-cased ("SELECT"), after blanks,
// opening parentheses and comments; empty when there is none.
std::string first_keyword(std::string_view sql);

// The highest $n placeholder in `sql` outside '...' strings, "..." names,
// comments and identifiers (a$1); 0 when there is none.
long highest_numbered_parameter(std::string_view sql);

}  // namespace covet
