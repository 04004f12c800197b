#pragma once
// Runs the registered benchmarks and prints, after Google Benchmark's own
// table, one line per figure: `ratio <name> <covet time / reference time>`,
// then the absolute figures (`alloc <name> <n>`, `ns <name> <ns>`).
#include <string>
#include <vector>

namespace covet_bench {

struct RatioSpec {
  std::string name;       // e.g. "sqlite.hydrate_100k"
  std::string covet;      // benchmark name of the covet side
  std::string reference;  // benchmark name of the raw C API side
  // A benchmark alternating both sides in each iteration, whose "ratio"
  // counter is the figure (its median over repetitions).
  std::string paired;
};

// An absolute figure: `<prefix> <name> <value>`, from a benchmark's median
// time in ns (counter empty) or the median of one of its counters.
struct ValueSpec {
  std::string prefix;     // "alloc", "ns"
  std::string name;       // e.g. "sqlite.filter_repeat"
  std::string benchmark;
  std::string counter;
};

int run_and_report(int argc, char** argv, const std::vector<RatioSpec>& ratios,
                   const std::vector<ValueSpec>& values = {});

}  // namespace covet_bench
