#include "blog/models.hpp"
using namespace covet;
int main() {
#ifdef COVET_SHOULD_FAIL
  auto w = col(&blog::User::id) == "abc";
#else
  auto w = col(&blog::User::id) == 42;
#endif
  (void)w;
}
