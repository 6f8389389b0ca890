// What the kernel's demo prints on its console, wherever it runs: the same checks for
// a run on cocoon (tests/kvm) and one on QEMU's microvm (tests/qemu).
#pragma once
#include <regex>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace cocoon::test {

// Each protection program and the reason it is killed for.
inline constexpr std::pair<const char*, const char*> demo_kills[] = {
    {"nullderef", "NULL pointer dereference at 0,"},
    {"writecode", "write to read-only page at 400010"},
    {"execdata", "execute from no-execute page"},
    {"execstack", "execute from no-execute page at 7fffffff"},
    {"kernelread", "access to kernel memory at ffffffff80100000"},
    {"stackoverflow", "stack overflow into the guard gap"},
    {"privileged", "general protection fault"},
    {"divzero", "divide error"},
    {"badopcode", "invalid opcode"},
};

inline size_t count_matches(const std::string& text, const std::regex& pattern) {
    return static_cast<size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), pattern), std::sregex_iterator()));
}

inline void expect_demo_kills(const std::string& out) {
    for (auto [program, reason] : demo_kills) {
        std::regex line(std::string("\\[kernel\\] killed ") + program + " \\(pid [0-9]+\\): [^\n]*");
        std::smatch m;
        ASSERT_TRUE(std::regex_search(out, m, line)) << program << "\n" << out;
        EXPECT_NE(m.str().find(reason), std::string::npos) << m.str();
    }
}

inline void expect_demo_survivors(const std::string& out) {
    EXPECT_NE(out.find("heapgrow: grew the heap by 8 MiB, checksum 9216\n"), std::string::npos) << out;
    EXPECT_NE(out.find("recurse: depth 10000, odd levels 5000\n"), std::string::npos) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex("hello from pid [0-9]+\n"))) << out;
    for (int step = 1; step <= 5; ++step)
        EXPECT_EQ(count_matches(out, std::regex("spin pid=[0-9]+ step=" + std::to_string(step) + "\n")), 3u) << out;
    EXPECT_NE(out.find("[kernel] all processes have exited; powering off"), std::string::npos) << out;
}

// Two processes, one virtual address, each reads back its own pid.
inline void expect_demo_transparency(const std::string& out) {
    std::regex line("transparency pid=([0-9]+) addr=(0x[0-9a-f]+) value=([0-9]+)\n");
    std::vector<std::smatch> lines(std::sregex_iterator(out.begin(), out.end(), line), std::sregex_iterator());
    ASSERT_EQ(lines.size(), 2u) << out;
    EXPECT_EQ(lines[0][2], lines[1][2]);
    EXPECT_NE(lines[0][3], lines[1][3]);
    EXPECT_EQ(lines[0][1], lines[0][3]);
    EXPECT_EQ(lines[1][1], lines[1][3]);
}

} // namespace cocoon::test
