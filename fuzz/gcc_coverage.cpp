// Edge coverage for libFuzzer from g++'s -fsanitize-coverage=trace-pc.
//
// g++ calls __sanitizer_cov_trace_pc() at the start of every basic block.
// libFuzzer 14 no longer takes those calls itself (its own definition, made
// weak in the engine's copy by fuzz/CMakeLists.txt, only reports that), but
// it does take inline 8-bit counters: each call site's return address is
// hashed to one counter here, which is what libFuzzer's trace-pc support
// did before it was removed. g++'s trace-cmp also reports floating-point
// comparisons, which libFuzzer does not take: those are ignored.
//
// This file is compiled without coverage (it would call itself).
#include <cstddef>
#include <cstdint>

namespace {
constexpr std::size_t kCounters = std::size_t{1} << 18;
uint8_t counters[kCounters];
}  // namespace

extern "C" {
void __sanitizer_cov_8bit_counters_init(uint8_t* begin, uint8_t* end);

__attribute__((constructor)) static void covet_fuzz_register_counters() {
  __sanitizer_cov_8bit_counters_init(counters, counters + kCounters);
}

__attribute__((no_sanitize("address", "undefined"))) void __sanitizer_cov_trace_pc() {
  auto pc = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  uint8_t& c = counters[(pc ^ (pc >> 18)) & (kCounters - 1)];
  c = static_cast<uint8_t>(c + 1);
}

void __sanitizer_cov_trace_cmpf(float, float) {}
void __sanitizer_cov_trace_cmpd(double, double) {}
}
