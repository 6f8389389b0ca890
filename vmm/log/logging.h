// cocoon's logging: spdlog's default logger with a console sink for people (stderr, so
// the guest's console owns stdout) and, on request, a JSON-lines sink for tools, which
// gets every line whatever the console's level.
#pragma once
#include <string>

namespace cocoon::vmm {

// Throws SetupError(no_input) if the JSON file cannot be created.
void setup_logging(const std::string& level, const std::string& json_path);
// Whether a JSON log is being written (callers skip building fields nobody reads).
bool json_log_enabled();

} // namespace cocoon::vmm
