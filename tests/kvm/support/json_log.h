// Reading cocoon's --log-json file in tests: one JSON object per line.
#pragma once
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cocoon::test {

// Every line of the file, parsed; a line that is not JSON fails the parse (throws).
inline std::vector<nlohmann::json> read_json_lines(const std::string& path) {
    std::vector<nlohmann::json> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
}

// The lines that carry a trace record (they have a sequence number), in file order.
inline std::vector<nlohmann::json> trace_records(const std::vector<nlohmann::json>& lines) {
    std::vector<nlohmann::json> records;
    for (const auto& line : lines)
        if (line.contains("seq")) records.push_back(line);
    return records;
}

// The summary line of the given kind ("trace", "exits") or of one process ("process"
// with `process` its "name#pid"); null if absent.
inline nlohmann::json summary(const std::vector<nlohmann::json>& lines, const std::string& kind,
                              const std::string& process = "") {
    for (const auto& line : lines)
        if (line.value("summary", "") == kind && (process.empty() || line.value("process", "") == process)) return line;
    return nullptr;
}

} // namespace cocoon::test
