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
  std::map<std::string, double> median_ratio;
  std::map<std::string, std::map<std::string, double>> median_counters;  // by function name
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      std::string name = r.run_name.str();
      for (const auto& [cname, c] : r.counters) {
        const std::string& fn = r.run_name.function_name;
        auto& slot = median_counters[fn];
        if (r.run_type == Run::RT_Aggregate ? r.aggregate_name == "median" : !slot.count(cname)) slot[cname] = c.value;
      }
      if (auto c = r.counters.find("ratio"); c != r.counters.end()) {
        const std::string& fn = r.run_name.function_name;  // without "/manual_time"
        if (r.run_type == Run::RT_Aggregate ? r.aggregate_name == "median" : !median_ratio.count(fn))
          median_ratio[fn] = c->second.value;
      }
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

int run_and_report(int argc, char** argv, const std::vector<RatioSpec>& ratios, const std::vector<ValueSpec>& values) {
  benchmark::Initialize(&argc, argv);
  CapturingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::printf("\n%-28s %12s %12s %10s %12s\n", "figure", "covet", "reference", "separate", "ratio(paired)");
  std::vector<std::string> lines;
  for (const auto& spec : ratios) {
    auto c = reporter.median_ns.find(spec.covet), r = reporter.median_ns.find(spec.reference);
    auto p = reporter.median_ratio.find(spec.paired);
    double separate = (c != reporter.median_ns.end() && r != reporter.median_ns.end() && r->second > 0)
                          ? c->second / r->second
                          : 0;
    double ratio = p != reporter.median_ratio.end() ? p->second : separate;
    if (ratio <= 0) continue;
    std::printf("%-28s %12.0f %12.0f %10.3f %12.3f\n", spec.name.c_str(), c != reporter.median_ns.end() ? c->second : 0.0,
                r != reporter.median_ns.end() ? r->second : 0.0, separate, ratio);
    char buf[128];
    std::snprintf(buf, sizeof buf, "ratio %s %.3f", spec.name.c_str(), ratio);
    lines.emplace_back(buf);
  }
  for (const auto& v : values) {
    double value = -1;
    if (v.counter.empty()) {
      for (const auto& [name, t] : reporter.median_ns)
        if (name == v.benchmark || name.rfind(v.benchmark + "/", 0) == 0) value = t;
    } else if (auto f = reporter.median_counters.find(v.benchmark); f != reporter.median_counters.end()) {
      if (auto c = f->second.find(v.counter); c != f->second.end()) value = c->second;
    }
    if (value < 0) continue;
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s %s %.4g", v.prefix.c_str(), v.name.c_str(), value);
    lines.emplace_back(buf);
  }
  std::printf("\n");
  for (const auto& l : lines) std::printf("%s\n", l.c_str());
  return 0;
}

}  // namespace covet_bench
