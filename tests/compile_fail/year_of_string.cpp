#include "blog/models.hpp"
using namespace covet;
int main() {
#ifdef COVET_SHOULD_FAIL
  auto w = col(&blog::User::username).year() == 2024;
#else
  auto w = col(&blog::User::created_at).year() == 2024;
#endif
  (void)w;
}
