// A spdlog sink that writes one JSON object per log line:
//   {"time":"2026-11-24T01:02:03.456789Z","level":"info","msg":"...", ...fields}
// so that tools never have to parse the human format. A line written while LogFields
// is in scope on the same thread also carries those fields (every field of a trace
// record, see vmm/trace/record_fields.h).
#pragma once
#include <cstdio>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>

namespace cocoon::vmm {

// The fields the log lines written on this thread carry into the JSON log while it lives
// (spdlog calls its sinks on the caller's thread). The console shows only the message.
class LogFields {
public:
    explicit LogFields(const nlohmann::json& fields);
    ~LogFields();
    LogFields(const LogFields&) = delete;
    LogFields& operator=(const LogFields&) = delete;
    static const nlohmann::json* current();

private:
    const nlohmann::json* outer_;
};

class JsonSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit JsonSink(const std::string& path);  // throws SetupError
    ~JsonSink() override;

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override;

private:
    std::FILE* file_;
};

} // namespace cocoon::vmm
