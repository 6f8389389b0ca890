// What the tests share for reading what a run left: a whole file in one read (the
// nested runner's shared folders make many small reads slow), and whether a text holds
// another.
#pragma once
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

namespace cocoon::test {

inline std::string read_file(const std::string& path) {
    std::string bytes;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
        if (std::fseek(f, 0, SEEK_END) == 0) bytes.resize(static_cast<size_t>(std::max(std::ftell(f), 0L)));
        std::rewind(f);
        bytes.resize(std::fread(bytes.data(), 1, bytes.size(), f));
        std::fclose(f);
    }
    return bytes;
}

inline bool contains(std::string_view text, std::string_view needle) { return text.find(needle) != text.npos; }

} // namespace cocoon::test
