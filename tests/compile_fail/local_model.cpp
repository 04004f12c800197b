// A model declared inside a function: covet says where to declare it.
#include <covet/covet.hpp>
#ifndef COVET_SHOULD_FAIL
struct NamespaceModel {
  int64_t id = 0;
  std::string name;
};
#endif
int main() {
#ifdef COVET_SHOULD_FAIL
  struct LocalModel {
    int64_t id = 0;
    std::string name;
  };
  (void)covet::model_info<LocalModel>();
#else
  (void)covet::model_info<NamespaceModel>();
#endif
}
