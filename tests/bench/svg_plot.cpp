// A line plot as SVG from a table of points, for the benchmark scripts' figures.
// Input (a file or stdin): one point a line, `SERIES X Y`, where SERIES is everything
// before the last two fields (it may hold spaces); blank lines and `#` lines are skipped.
// X is drawn on a log scale, Y on a linear one from zero. A series' first word picks its
// colour and the rest its dash, so "cocoon exit" and "cocoon first byte" share a colour.
// Run by scripts/bench/startup.sh and scripts/bench/disk.sh.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "vmm/svg/axis_step.h"
#include "vmm/svg/xml_escape.h"

namespace {

using cocoon::vmm::xml_escape;

struct Series {
    std::string name;
    std::vector<std::pair<double, double>> points;
};

struct Options {
    std::string title, x_label, y_label, input, output;
    bool x_bytes = false;  // label X ticks 4K, 64M, 1G
};

// The series in order of first appearance, each sorted by X.
std::vector<Series> read_table(std::istream& in) {
    std::vector<Series> series;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::vector<std::string> words;
        for (std::string w; fields >> w;) words.push_back(w);
        if (words.size() < 3 || words[0][0] == '#') continue;
        std::string name = words[0];
        for (size_t i = 1; i + 2 < words.size(); ++i) name += " " + words[i];
        double x = std::stod(words[words.size() - 2]), y = std::stod(words.back());
        auto it = std::find_if(series.begin(), series.end(), [&](const Series& s) { return s.name == name; });
        if (it == series.end()) it = series.insert(series.end(), Series{name, {}});
        it->points.emplace_back(x, y);
    }
    for (auto& s : series) std::sort(s.points.begin(), s.points.end());
    return series;
}

std::string format_x(double x, bool bytes) {
    char text[32];
    if (bytes) {
        const char* units[] = {"", "K", "M", "G", "T"};
        int u = 0;
        while (u < 4 && x >= 1024 && std::fmod(x, 1024) == 0) x /= 1024, ++u;
        std::snprintf(text, sizeof text, "%g%s", x, units[u]);
    } else {
        std::snprintf(text, sizeof text, "%g", x);
    }
    return text;
}

void plot(const std::vector<Series>& series, const Options& o, std::ostream& out) {
    constexpr double width = 720, height = 420, left = 70, right = 200, top = 40, bottom = 55;
    const double plot_w = width - left - right, plot_h = height - top - bottom;

    std::set<double> xs;
    double y_max = 0;
    for (auto& s : series)
        for (auto [x, y] : s.points) xs.insert(x), y_max = std::max(y_max, y);
    if (y_max <= 0) y_max = 1;
    double step = cocoon::vmm::axis_step(y_max, 5), y_top = std::ceil(y_max / step) * step;
    // A margin of a quarter decade each side, so the end points are not on the frame.
    double lx0 = std::log10(*xs.begin()) - 0.25, lx1 = std::log10(*xs.rbegin()) + 0.25;
    auto px = [&](double x) { return left + (std::log10(x) - lx0) / (lx1 - lx0) * plot_w; };
    auto py = [&](double y) { return top + plot_h - y / y_top * plot_h; };

    const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    const char* dashes[] = {"none", "6,4", "2,3", "8,3,2,3"};
    std::map<std::string, int> colour_of, dash_of;
    auto style = [&](const std::string& name) {
        size_t space = name.find(' ');
        std::string group = name.substr(0, space), rest = space == std::string::npos ? "" : name.substr(space + 1);
        int c = colour_of.emplace(group, colour_of.size()).first->second % 6;
        int d = dash_of.emplace(rest, dash_of.size()).first->second % 4;
        return std::make_pair(colours[c], dashes[d]);
    };

    char buf[256];
    out << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height
        << "' font-family='sans-serif' font-size='12'>\n"
        << "<rect width='100%' height='100%' fill='white'/>\n";
    std::snprintf(buf, sizeof buf, "<text x='%g' y='22' font-size='15' text-anchor='middle'>", left + plot_w / 2);
    out << buf << xml_escape(o.title) << "</text>\n";
    // Grid and ticks.
    for (double y = 0; y <= y_top + step / 2; y += step) {
        std::snprintf(buf, sizeof buf,
                      "<line x1='%g' y1='%.1f' x2='%g' y2='%.1f' stroke='#ddd'/>"
                      "<text x='%g' y='%.1f' text-anchor='end'>%g</text>\n",
                      left, py(y), left + plot_w, py(y), left - 6, py(y) + 4, y);
        out << buf;
    }
    for (double x : xs) {
        std::snprintf(buf, sizeof buf,
                      "<line x1='%.1f' y1='%g' x2='%.1f' y2='%g' stroke='#ddd'/>"
                      "<text x='%.1f' y='%g' text-anchor='middle'>",
                      px(x), top, px(x), top + plot_h, px(x), top + plot_h + 16);
        out << buf << format_x(x, o.x_bytes) << "</text>\n";
    }
    std::snprintf(buf, sizeof buf, "<rect x='%g' y='%g' width='%g' height='%g' fill='none' stroke='black'/>\n", left,
                  top, plot_w, plot_h);
    out << buf;
    std::snprintf(buf, sizeof buf, "<text x='%g' y='%g' text-anchor='middle'>", left + plot_w / 2, height - 12);
    out << buf << xml_escape(o.x_label) << " (log scale)</text>\n";
    std::snprintf(buf, sizeof buf, "<text transform='translate(18,%g) rotate(-90)' text-anchor='middle'>",
                  top + plot_h / 2);
    out << buf << xml_escape(o.y_label) << "</text>\n";

    // The series, then their legend.
    for (size_t i = 0; i < series.size(); ++i) {
        auto [colour, dash] = style(series[i].name);
        out << "<polyline fill='none' stroke-width='2' stroke='" << colour << "' stroke-dasharray='" << dash
            << "' points='";
        for (auto [x, y] : series[i].points) {
            std::snprintf(buf, sizeof buf, "%.1f,%.1f ", px(x), py(y));
            out << buf;
        }
        out << "'/>\n";
        for (auto [x, y] : series[i].points) {
            std::snprintf(buf, sizeof buf, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'><title>", px(x), py(y), colour);
            out << buf << xml_escape(series[i].name) << ": " << format_x(x, o.x_bytes) << ", " << y
                << "</title></circle>\n";
        }
        double ly = top + 12 + 20 * static_cast<double>(i), lx = left + plot_w + 15;
        std::snprintf(buf, sizeof buf,
                      "<line x1='%g' y1='%g' x2='%g' y2='%g' stroke-width='2' stroke='%s' stroke-dasharray='%s'/>"
                      "<text x='%g' y='%g'>",
                      lx, ly, lx + 28, ly, colour, dash, lx + 34, ly + 4);
        out << buf << xml_escape(series[i].name) << "</text>\n";
    }
    out << "</svg>\n";
}

int usage() {
    std::fprintf(stderr,
                 "usage: svg_plot [--title T] [--x-label L] [--y-label L] [--x-bytes] [-o OUT.svg] [TABLE]\n"
                 "  TABLE: lines `SERIES X Y` (default: stdin); X on a log scale\n"
                 "  --x-bytes: label X ticks as sizes (4K, 64M, 1G)\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        auto value = [&](std::string& into) { return i + 1 < argc ? (into = argv[++i], true) : false; };
        std::string arg = argv[i];
        bool ok = true;
        if (arg == "--title") ok = value(o.title);
        else if (arg == "--x-label") ok = value(o.x_label);
        else if (arg == "--y-label") ok = value(o.y_label);
        else if (arg == "-o") ok = value(o.output);
        else if (arg == "--x-bytes") o.x_bytes = true;
        else if (arg[0] != '-' && o.input.empty()) o.input = arg;
        else ok = false;
        if (!ok) return usage();
    }
    std::ifstream file;
    if (!o.input.empty()) {
        file.open(o.input);
        if (!file) {
            std::fprintf(stderr, "svg_plot: cannot read %s\n", o.input.c_str());
            return 1;
        }
    }
    std::vector<Series> series;
    try {
        series = read_table(o.input.empty() ? std::cin : file);
    } catch (const std::exception&) {
        std::fprintf(stderr, "svg_plot: X and Y must be numbers\n");
        return 1;
    }
    for (auto& s : series)
        for (auto [x, y] : s.points)
            if (x <= 0) {
                std::fprintf(stderr, "svg_plot: X must be positive on a log scale\n");
                return 1;
            }
    if (series.empty()) {
        std::fprintf(stderr, "svg_plot: no points\n");
        return 1;
    }
    std::ofstream out_file;
    if (!o.output.empty()) out_file.open(o.output);
    plot(series, o, o.output.empty() ? std::cout : out_file);
    return 0;
}
