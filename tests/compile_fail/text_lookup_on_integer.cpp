#include "blog/models.hpp"
using namespace covet;
int main() {
#ifdef COVET_SHOULD_FAIL
  auto w = col(&blog::User::id).contains("4");
#else
  auto w = col(&blog::User::username).contains("4");
#endif
  (void)w;
}
