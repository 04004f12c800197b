#include "blog/models.hpp"
using namespace covet;
int main() {
  auto posts = query<blog::Post>();
#ifdef COVET_SHOULD_FAIL
  auto q = posts.filter(col(&blog::User::username) == "x");
#else
  auto q = posts.filter(col(&blog::Post::title) == "x");
#endif
  (void)q;
}
