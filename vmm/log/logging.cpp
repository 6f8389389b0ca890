#include "vmm/log/logging.h"

#include <memory>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "vmm/log/json_sink.h"

namespace cocoon::vmm {

void setup_logging(const std::string& level, const std::string& json_path) {
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_pattern("%^[cocoon %l]%$ %v");
    std::vector<spdlog::sink_ptr> sinks{console};
    if (!json_path.empty()) sinks.push_back(std::make_shared<JsonSink>(json_path));
    auto logger = std::make_shared<spdlog::logger>("cocoon", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

} // namespace cocoon::vmm
