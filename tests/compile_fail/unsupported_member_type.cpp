#include <covet/covet.hpp>
#include <map>
struct Bad {
  int64_t id = 0;
#ifdef COVET_SHOULD_FAIL
  std::map<int, int> lookup;
#else
  std::vector<int64_t> lookup;
#endif
};
int main() { (void)covet::model_info<Bad>(); }
