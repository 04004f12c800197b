// A std::string column compared with an int: one short covet message first.
#include "blog/models.hpp"
using namespace covet;
int main() {
#ifdef COVET_SHOULD_FAIL
  auto w = col(&blog::User::username) == 5;
#else
  auto w = col(&blog::User::username) == "alice";
#endif
  (void)w;
}
