#include "blog/models.hpp"
using namespace covet;
int main() {
  auto users = query<blog::User>();
#ifdef COVET_SHOULD_FAIL
  auto q = users.order_by(desc(&blog::Post::created_at));
#else
  auto q = users.order_by(desc(&blog::User::created_at));
#endif
  (void)q;
}
