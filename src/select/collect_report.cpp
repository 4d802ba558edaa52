#include "select/collect_report.hpp"

#include <cmath>
#include <cstdio>

#include "core/atomic_file.hpp"
#include "report/html.hpp"
#include "report/plot.hpp"
#include "select/collect.hpp"
#include "select/stats.hpp"

namespace nc::select {
namespace {

std::string csv_cell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  // nlohmann writes the shortest text that reads back as the same double.
  if (!v.is_string()) return v.dump();
  const std::string s = v.get<std::string>();
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (const char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string label(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// The select metric's values pooled over datasets and the other axes, per value of axis a.
std::vector<MeanSe> along_axis(const CollectedJobs& c, const std::vector<Group>& groups, size_t a,
                               size_t metric) {
  std::vector<std::vector<double>> pooled(c.plan.grid[a].values.size());
  for (const Group& g : groups)
    for (const double v : g.values[metric]) pooled[g.point[a]].push_back(v);
  std::vector<MeanSe> out;
  for (const auto& v : pooled) out.push_back(mean_se(v));
  return out;
}

std::string axis_figure(const std::string& dir, const CollectedJobs& c,
                        const std::vector<Group>& groups, size_t a, size_t metric,
                        const std::string& select) {
  const auto& axis = c.plan.grid[a];
  const std::vector<MeanSe> s = along_axis(c, groups, a, metric);
  std::vector<double> x, y, bx, by;
  std::vector<std::string> labels;
  for (size_t k = 0; k < s.size(); ++k) {
    x.push_back(static_cast<double>(k));
    y.push_back(s[k].mean);
    // Error bars as vertical segments, separated by NaN (which breaks a line).
    bx.insert(bx.end(), {double(k), double(k), NAN});
    by.insert(by.end(), {s[k].mean - s[k].se, s[k].mean + s[k].se, NAN});
    labels.push_back(label(axis.values[k]));
  }
  report::Figure fig(640, 440);
  report::Axes& ax = fig.subplot(1, 1, 0);
  ax.line(bx, by, report::colors::black, 1.5);
  ax.line(x, y, report::colors::tab10[0], 1.0);
  ax.dots(x, y, report::colors::tab10[0], 9.0);
  ax.xticks = report::Ticks::labelled(0, 1, labels);
  ax.xlim = {-0.5, static_cast<double>(s.size()) - 0.5};
  ax.xlabel = axis.key;
  ax.ylabel = select;
  ax.title = select + " (mean +- SE) against " + axis.key;
  const std::string name = "collect_" + axis.key + ".png";
  fig.save(dir + "/" + name);
  return name;
}

std::string heatmap_figure(const std::string& dir, const CollectedJobs& c,
                           const std::vector<Group>& groups, size_t metric,
                           const std::string& select) {
  const auto &ra = c.plan.grid[0], &ca = c.plan.grid[1];
  std::vector<std::vector<double>> cells(ra.values.size() * ca.values.size());
  for (const Group& g : groups)
    for (const double v : g.values[metric])
      cells[g.point[0] * ca.values.size() + g.point[1]].push_back(v);
  RowMatD z(static_cast<int64_t>(ra.values.size()), static_cast<int64_t>(ca.values.size()));
  double lo = INFINITY, hi = -INFINITY;
  for (int64_t r = 0; r < z.rows(); ++r)
    for (int64_t k = 0; k < z.cols(); ++k) {
      z(r, k) = mean_se(cells[static_cast<size_t>(r * z.cols() + k)]).mean;
      if (std::isfinite(z(r, k))) lo = std::min(lo, z(r, k)), hi = std::max(hi, z(r, k));
    }
  if (!(lo < hi)) lo = std::isfinite(lo) ? lo - 1 : 0, hi = std::isfinite(hi) ? hi + 1 : 1;
  std::vector<std::string> rl, cl;
  for (const auto& v : ra.values) rl.push_back(label(v));
  for (const auto& v : ca.values) cl.push_back(label(v));
  report::Figure fig(720, 520);
  report::Axes& ax = fig.subplot(1, 1, 0);
  ax.image(z, report::ColorMap::viridis, lo, hi);
  ax.colorbar(select);
  ax.xticks = report::Ticks::labelled(0, 1, cl);
  ax.yticks = report::Ticks::labelled(0, 1, rl);
  ax.xlabel = ca.key;
  ax.ylabel = ra.key;
  ax.title = "mean " + select;
  fig.save(dir + "/collect_heatmap.png");
  return "collect_heatmap.png";
}

}  // namespace

std::string csv_row(const std::vector<nlohmann::json>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + csv_cell(cells[i]);
  return line + "\n";
}

std::string summary_csv(const CollectedJobs& c, const std::vector<Group>& groups,
                        const std::vector<std::string>& metrics) {
  std::vector<nlohmann::json> header = {"data"};
  for (const auto& a : c.plan.grid) header.push_back(a.key);
  for (const auto& m : metrics)
    for (const char* s : {"_mean", "_se", "_n"}) header.push_back(m + s);
  std::string out = csv_row(header);
  for (const Group& g : groups) {
    std::vector<nlohmann::json> row = {data_name(c.plan, g.data)};
    for (const auto& a : c.plan.grid) row.push_back(g.grid[a.key]);
    for (const auto& v : g.values) {
      const MeanSe s = mean_se(v);
      row.insert(row.end(), {json_number(s.mean), json_number(s.n > 0 ? s.se : NAN), s.n});
    }
    out += csv_row(row);
  }
  return out;
}

nlohmann::json best_points(const CollectedJobs& c, const std::vector<Group>& groups, size_t metric,
                           const std::string& name) {
  const bool higher = higher_is_better(name);
  nlohmann::json datasets = nlohmann::json::object();
  std::vector<double> best(c.plan.data.size(), NAN);
  for (const Group& g : groups) {
    const MeanSe s = mean_se(g.values[metric]);
    double& b = best[g.data];
    if (!std::isfinite(s.mean) || (std::isfinite(b) && (higher ? s.mean <= b : s.mean >= b)))
      continue;
    b = s.mean;
    datasets[data_name(c.plan, g.data)] = {
        {"grid", g.grid}, {"mean", s.mean}, {"se", s.se}, {"n", s.n}};
  }
  return {{"metric", name},
          {"higher_is_better", higher},
          {"datasets", datasets},
          {"missing", c.missing}};
}

void write_collect_page(const std::string& dir, const CollectedJobs& c,
                        const std::vector<Group>& groups, const std::vector<std::string>& metrics,
                        const std::string& select, const nlohmann::json& best) {
  const size_t m =
      static_cast<size_t>(std::find(metrics.begin(), metrics.end(), select) - metrics.begin());
  std::string body =
      "<h1>Sweep: " + report::html_escape(std::to_string(c.jobs.size())) + " jobs</h1>\n";
  if (!c.missing.empty())
    body += "<p>Missing or unreadable jobs: " + std::to_string(c.missing.size()) + "</p>\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& [data, b] : best["datasets"].items())
    rows.push_back({data, b["grid"].dump(), std::to_string(b["mean"].get<double>()),
                    std::to_string(b["se"].get<double>()), std::to_string(b["n"].get<int64_t>())});
  body += "<h2>Best grid point by " + report::html_escape(select) +
          (higher_is_better(select) ? " (higher)" : " (lower)") + "</h2>\n" +
          report::html_table({"data", "grid point", "mean", "se", "n"}, rows);
  body += "<p>Figures pool the jobs of every dataset; summary.csv has them per dataset.</p>\n";
  for (size_t a = 0; a < c.plan.grid.size(); ++a)
    body += report::html_figure(dir, axis_figure(dir, c, groups, a, m, select),
                                select + " against " + c.plan.grid[a].key);
  if (c.plan.grid.size() == 2)
    body += report::html_figure(dir, heatmap_figure(dir, c, groups, m, select),
                                "mean " + select + " over the grid");
  write_file_atomic(dir + "/index.html", report::html_page("neurocodec sweep", body));
}

}  // namespace nc::select
