// libFuzzer target: ModelSerializer's MessagePack input (see harness.hpp).
#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  covet_fuzz::run(data, size, covet::InputFormat::MsgPack);
  return 0;
}
