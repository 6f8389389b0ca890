#include "vmm/log/logging.h"

#include <memory>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "vmm/log/json_sink.h"

namespace cocoon::vmm {
namespace {

bool json_enabled = false;

} // namespace

bool json_log_enabled() { return json_enabled; }

void setup_logging(const std::string& level, const std::string& json_path) {
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_pattern("%^[cocoon %l]%$ %v");
    // The level is the console's; the JSON log, for tools, has every line.
    console->set_level(spdlog::level::from_str(level));
    std::vector<spdlog::sink_ptr> sinks{console};
    json_enabled = !json_path.empty();
    if (json_enabled) sinks.push_back(std::make_shared<JsonSink>(json_path));
    auto logger = std::make_shared<spdlog::logger>("cocoon", sinks.begin(), sinks.end());
    logger->set_level(json_enabled ? spdlog::level::trace : console->level());
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

} // namespace cocoon::vmm
