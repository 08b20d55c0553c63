// The report of a search: trials sorted by score with the Pareto front of
// metric (higher is better) against cost (lower is better) marked, as a
// text table, CSV and an SVG scatter plot.
#pragma once

#include <string>
#include <vector>

#include "autoq/search.h"

namespace autoq {

// For each trial, whether no other trial is at least as good in both metric
// and cost and strictly better in one.
std::vector<bool> pareto_front(const std::vector<TrialRecord>& trials);

// Writes report.txt, report.csv and pareto.svg into out_dir (atomically).
void write_report(const std::vector<TrialRecord>& trials, const std::string& cost_unit, const std::string& out_dir);

}  // namespace autoq
