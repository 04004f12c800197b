#include "report.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>

namespace covet_bench {

namespace {
// Keeps the median real time of each benchmark (or its only run).
class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> median_ns;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      std::string name = r.run_name.str();
      double t = r.GetAdjustedRealTime();
      if (r.run_type == Run::RT_Aggregate) {
        if (r.aggregate_name == "median") median_ns[name] = t;
      } else if (!median_ns.count(name) || r.repetitions <= 1) {
        median_ns[name] = t;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
};
}  // namespace

int run_and_report(int argc, char** argv, const std::vector<RatioSpec>& ratios) {
  benchmark::Initialize(&argc, argv);
  CapturingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::printf("\n%-28s %14s %14s %8s\n", "figure", "covet", "reference", "ratio");
  std::vector<std::string> lines;
  for (const auto& spec : ratios) {
    auto c = reporter.median_ns.find(spec.covet), r = reporter.median_ns.find(spec.reference);
    if (c == reporter.median_ns.end() || r == reporter.median_ns.end() || r->second <= 0) continue;
    double ratio = c->second / r->second;
    std::printf("%-28s %14.0f %14.0f %8.3f\n", spec.name.c_str(), c->second, r->second, ratio);
    char buf[128];
    std::snprintf(buf, sizeof buf, "ratio %s %.3f", spec.name.c_str(), ratio);
    lines.emplace_back(buf);
  }
  std::printf("\n");
  for (const auto& l : lines) std::printf("%s\n", l.c_str());
  return 0;
}

}  // namespace covet_bench
