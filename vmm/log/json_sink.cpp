#include "vmm/log/json_sink.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/chrono.h>
#include <nlohmann/json.hpp>

#include "vmm/error.h"
#include "vmm/exit_status.h"

namespace cocoon::vmm {
namespace {

thread_local const nlohmann::json* current_fields = nullptr;

} // namespace

LogFields::LogFields(const nlohmann::json& fields) : outer_(current_fields) { current_fields = &fields; }
LogFields::~LogFields() { current_fields = outer_; }
const nlohmann::json* LogFields::current() { return current_fields; }

JsonSink::JsonSink(const std::string& path) : file_(std::fopen(path.c_str(), "we")) {
    if (!file_)
        throw SetupError(exit_status::no_input, "--log-json " + path + ": " + std::strerror(errno));
}

JsonSink::~JsonSink() { std::fclose(file_); }

void JsonSink::sink_it_(const spdlog::details::log_msg& msg) {
    auto since_epoch = msg.time.time_since_epoch();
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count() % 1000000;
    nlohmann::json event = {
        {"time", fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06}Z",
                             fmt::gmtime(std::chrono::system_clock::to_time_t(msg.time)), micros)},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())},
    };
    if (const nlohmann::json* fields = LogFields::current()) event.update(*fields);
    std::string line = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(line.data(), 1, line.size(), file_);
}

void JsonSink::flush_() { std::fflush(file_); }

} // namespace cocoon::vmm
