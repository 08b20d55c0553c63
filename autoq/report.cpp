#include "autoq/report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <sstream>

#include "qtrain/files.h"

namespace autoq {

std::vector<bool> pareto_front(const std::vector<TrialRecord>& trials) {
  std::vector<bool> front(trials.size(), true);
  for (size_t i = 0; i < trials.size(); ++i)
    for (size_t j = 0; j < trials.size() && front[i]; ++j) {
      const TrialRecord& a = trials[i];
      const TrialRecord& b = trials[j];
      bool dominates = b.metric >= a.metric && b.cost <= a.cost && (b.metric > a.metric || b.cost < a.cost);
      if (dominates) front[i] = false;
    }
  return front;
}

namespace {

// The quantizers of a trial, one "layer.key=quantizer" per slot.
std::string quantizer_list(const nlohmann::json& quantizers, const char* separator) {
  std::string text;
  for (const auto& [layer, value] : quantizers.items()) {
    if (value.is_string()) {
      text += (text.empty() ? "" : separator) + layer + "=" + value.get<std::string>();
      continue;
    }
    for (const auto& [key, quantizer] : value.items())
      text += (text.empty() ? "" : separator) + layer + "." + key + "=" + quantizer.get<std::string>();
  }
  return text;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string svg(const std::vector<TrialRecord>& trials, const std::vector<bool>& front, const std::string& unit) {
  const double width = 640, height = 420, left = 70, right = 20, top = 20, bottom = 50;
  auto [cmin, cmax] = std::minmax_element(trials.begin(), trials.end(),
                                          [](const auto& a, const auto& b) { return a.cost < b.cost; });
  auto [mmin, mmax] = std::minmax_element(trials.begin(), trials.end(),
                                          [](const auto& a, const auto& b) { return a.metric < b.metric; });
  const double c0 = cmin->cost, c1 = cmax->cost > c0 ? cmax->cost : c0 + 1;
  const double m0 = mmin->metric, m1 = mmax->metric > m0 ? mmax->metric : m0 + 1e-3;
  auto x = [&](double cost) { return left + (cost - c0) / (c1 - c0) * (width - left - right); };
  auto y = [&](double metric) { return height - bottom - (metric - m0) / (m1 - m0) * (height - top - bottom); };
  std::ostringstream s;
  char buf[256];
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  std::snprintf(buf, sizeof buf,
                "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n"
                "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n",
                left, height - bottom, width - right, height - bottom, left, top, left, height - bottom);
  s << buf;
  std::snprintf(buf, sizeof buf,
                "<text x=\"%g\" y=\"%g\" font-size=\"12\" text-anchor=\"middle\">cost (%s): %.6g .. %.6g</text>\n",
                (left + width - right) / 2, height - 15, unit.c_str(), c0, c1);
  s << buf;
  std::snprintf(buf, sizeof buf,
                "<text x=\"15\" y=\"%g\" font-size=\"12\" transform=\"rotate(-90 15 %g)\" "
                "text-anchor=\"middle\">metric: %.4f .. %.4f</text>\n",
                (top + height - bottom) / 2, (top + height - bottom) / 2, m0, m1);
  s << buf;
  // The front as a staircase line, by increasing cost.
  std::vector<size_t> on_front;
  for (size_t i = 0; i < trials.size(); ++i)
    if (front[i]) on_front.push_back(i);
  std::sort(on_front.begin(), on_front.end(), [&](size_t a, size_t b) { return trials[a].cost < trials[b].cost; });
  s << "<polyline fill=\"none\" stroke=\"red\" points=\"";
  for (size_t i : on_front) s << x(trials[i].cost) << "," << y(trials[i].metric) << " ";
  s << "\"/>\n";
  for (size_t i = 0; i < trials.size(); ++i) {
    std::snprintf(buf, sizeof buf, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%d\" fill=\"%s\">", x(trials[i].cost),
                  y(trials[i].metric), front[i] ? 5 : 3, front[i] ? "red" : "gray");
    s << buf << "<title>trial " << trials[i].trial << ": metric " << trials[i].metric << ", cost " << trials[i].cost
      << ", score " << trials[i].score << "\n"
      << xml_escape(quantizer_list(trials[i].quantizers, "\n")) << "</title></circle>\n";
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace

void write_report(const std::vector<TrialRecord>& trials, const std::string& cost_unit, const std::string& out_dir) {
  const std::vector<bool> front = pareto_front(trials);
  std::vector<size_t> order(trials.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return trials[a].score > trials[b].score; });

  std::ostringstream table, csv;
  char line[256];
  std::snprintf(line, sizeof line, "%-6s %-7s %10s %14s %10s %9s  %s\n", "trial", "pareto", "metric",
                ("cost " + cost_unit).c_str(), "score", "seconds", "quantizers");
  table << line;
  csv << "trial,pareto,metric,cost,score,seconds,quantizers\n";
  for (size_t i : order) {
    const TrialRecord& t = trials[i];
    std::snprintf(line, sizeof line, "%-6d %-7s %10.4f %14.0f %10.4f %9.1f  ", t.trial, front[i] ? "*" : "",
                  t.metric, t.cost, t.score, t.seconds);
    table << line << quantizer_list(t.quantizers, " ") << "\n";
    csv << t.trial << "," << (front[i] ? 1 : 0) << "," << t.metric << "," << t.cost << "," << t.score << ","
        << t.seconds << ",\"" << quantizer_list(t.quantizers, " ") << "\"\n";
  }
  const std::filesystem::path out(out_dir);
  qtrain::write_text_atomically((out / "report.txt").string(), table.str());
  qtrain::write_text_atomically((out / "report.csv").string(), csv.str());
  qtrain::write_text_atomically((out / "pareto.svg").string(), svg(trials, front, cost_unit));
}

}  // namespace autoq
