// A spdlog sink that writes one JSON object per event:
//   {"time":"2026-11-24T01:02:03.456789Z","level":"info","msg":"..."}
// so that tools never have to parse the human format.
#pragma once
#include <cstdio>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>

namespace cocoon::vmm {

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
