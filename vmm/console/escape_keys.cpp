#include "vmm/console/escape_keys.h"

#include <fmt/format.h>

#include "vmm/exit_status.h"

namespace cocoon::vmm {

EscapeKeys::Key EscapeKeys::take(uint8_t byte) {
    if (!after_prefix_) {
        after_prefix_ = byte == prefix;
        return {after_prefix_ ? Action::held : Action::to_guest, byte};
    }
    after_prefix_ = false;
    switch (byte) {
    case prefix: return {Action::to_guest, byte};
    case quit_key: return {Action::quit, byte};
    default: return {Action::help, byte};
    }
}

std::string escape_keys_help() {
    return fmt::format("cocoon: the terminal's keys go to the guest, Ctrl-C too; after Ctrl-A:\n"
                       "  {:c}       end cocoon (exit status {})\n"
                       "  Ctrl-A  send one Ctrl-A to the guest\n"
                       "  {:c}       this help\n",
                       char(EscapeKeys::quit_key), exit_status::console_quit, char(EscapeKeys::help_key));
}

} // namespace cocoon::vmm
