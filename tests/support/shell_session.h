// Shell sessions typed at the kernel's `init=sh`, and what each must show: the KVM
// tests type them into cocoon, the QEMU cross-check into QEMU's microvm (whose 16550
// raises IRQ 4 too). Each step waits for its text on the console, then types.
#pragma once
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_program.h"

namespace cocoon::test::shell {

inline constexpr const char* prompt_after_ps = "quantum 10 ms\n$ ";  // ps ends with the quantum

// Two background spinners keep running while the shell runs a program and answers;
// ps lists them; Ctrl-C ends a spinner in the foreground and nothing else; kill ends a
// job with its reason; exit ends the rest and the run.
inline std::vector<TypeAfter> jobs_session() {
    return {
        {"$ ", "burn &\n"},
        {"burn pid=2: spinning until killed\n", "burn &\n"},
        {"burn pid=3: spinning until killed\n", "hello\n"},
        {"hello from pid 4\n$ ", "ps\n"},
        {prompt_after_ps, "burn\n"},
        {"burn pid=5: spinning until killed\n", "\x03"},
        {"sh: burn killed: interrupted (Ctrl-C)\n$ ", "jobs\n"},
        {"[2] 3 burn\n$ ", "kill 2\n"},
        {"[1] 2 burn: killed: ended by its parent\n$ ", "ps\n"},
        {prompt_after_ps, "exit\n"},
    };
}

// The ps tables in `out`, in order: from the heading to the CPU line.
inline std::vector<std::string> ps_tables(const std::string& out) {
    std::vector<std::string> tables;
    const std::string heading = "  PID  PPID STATE", end = "\nCPU busy ";
    for (size_t at = 0; (at = out.find(heading, at)) != std::string::npos;) {
        size_t stop = out.find(end, at);
        if (stop == std::string::npos) break;
        tables.push_back(out.substr(at, stop - at + 1));
        at = stop;
    }
    return tables;
}

// Whether a ps table has pid `pid` (child of `parent`) named `name` in `state`.
inline bool lists(const std::string& table, int pid, int parent, const char* state, const char* name) {
    std::regex row("\n +" + std::to_string(pid) + " +" + std::to_string(parent) + " " + state +
                   " +[0-9]+ +[0-9]+ +[0-9]+ " + name + "\n");
    return std::regex_search(table, row);
}

inline bool lists_pid(const std::string& table, int pid) {
    return std::regex_search(table, std::regex("\n +" + std::to_string(pid) + " +[0-9]+ "));
}

inline void expect_jobs_session(const std::string& out) {
    EXPECT_NE(out.find("hello from pid 4\n"), std::string::npos) << out;
    auto tables = ps_tables(out);
    ASSERT_EQ(tables.size(), 2u) << out;
    EXPECT_TRUE(lists(tables[0], 1, 0, "running", "sh")) << tables[0];
    EXPECT_TRUE(lists(tables[0], 2, 1, "ready", "burn")) << tables[0];
    EXPECT_TRUE(lists(tables[0], 3, 1, "ready", "burn")) << tables[0];
    EXPECT_FALSE(lists_pid(tables[0], 4)) << tables[0];  // hello ended, and its status was collected
    EXPECT_NE(out.find("sh: burn killed: interrupted (Ctrl-C)\n"), std::string::npos) << out;
    EXPECT_NE(out.find("[1] 2 burn: killed: ended by its parent\n"), std::string::npos) << out;
    EXPECT_FALSE(lists_pid(tables[1], 2)) << tables[1];  // killed
    EXPECT_FALSE(lists_pid(tables[1], 5)) << tables[1];  // interrupted
    EXPECT_TRUE(lists(tables[1], 3, 1, "ready", "burn")) << tables[1];  // untouched by both
    EXPECT_TRUE(std::regex_search(out, std::regex("\nCPU busy [0-9]+% of [0-9]+ ms since boot \\(idle [0-9]+ ms\\); "
                                                  "scheduler rr, quantum 10 ms\n")))
        << out;
    EXPECT_NE(out.find("[kernel] all processes have exited; powering off"), std::string::npos) << out;
}

// Ctrl-C at the prompt gives a new one; the quantum changes at run time; a program in
// raw mode gets each byte as it comes, Ctrl-C among them, and echoes them itself; Ctrl-D
// on an empty line ends the shell and the run.
inline std::vector<TypeAfter> console_session() {
    return {
        {"$ ", "hel\x03"},
        {"hel^C\n$ ", "quantum 5\n"},
        {"quantum 5 ms (was 10 ms)\n$ ", "rawecho\n"},
        {"rawecho: raw mode, Ctrl-D ends\n", "hi\x03!\x04"},
        {"rawecho: done\n$ ", "\x04"},
    };
}

inline void expect_console_session(const std::string& out) {
    EXPECT_NE(out.find("$ hel^C\n$ "), std::string::npos) << out;
    EXPECT_NE(out.find("quantum 5 ms (was 10 ms)\n"), std::string::npos) << out;
    EXPECT_NE(out.find("rawecho: raw mode, Ctrl-D ends\nhi\x03!\nrawecho: done\n"), std::string::npos) << out;
    EXPECT_NE(out.find("[kernel] all processes have exited; powering off"), std::string::npos) << out;
}

// Pasted text for linesum: `lines` lines of 64 bytes, newline included.
inline std::string pasted_lines(int lines) {
    std::string text;
    for (int i = 0; i < lines; ++i) {
        std::string line = "line " + std::to_string(i) + " ";
        for (int c = 0; line.size() < 63; ++c) line += static_cast<char>('a' + (i * 7 + c) % 26);
        text += line + "\n";
    }
    return text;
}

// What linesum says of `text`: its lines, bytes and FNV-1a hash.
inline std::string linesum_of(const std::string& text) {
    uint32_t hash = 2166136261u;
    for (unsigned char c : text) hash = (hash ^ c) * 16777619u;
    char hex[16];
    snprintf(hex, sizeof hex, "%08x", hash);
    size_t lines = 0;
    for (char c : text) lines += c == '\n';
    return "linesum: " + std::to_string(lines) + " lines, " + std::to_string(text.size()) + " bytes, fnv1a " + hex +
           "\n";
}

inline constexpr int pasted_line_count = 256;  // 16 KiB
inline constexpr int line_max = 1023;          // the console's longest line (LineDiscipline::line_max)
inline constexpr int overlong_line = 2000;

// linesum reads 16 KiB pasted while it waits, `lines_per_paste` lines at a time (each
// paste typed once linesum has read the one before), and says what it got; then one
// line longer than the console's line buffer, which is cut, and `mem` counts the rest.
inline std::vector<TypeAfter> paste_session(int lines_per_paste) {
    std::string text = pasted_lines(pasted_line_count);
    std::string command = "linesum " + std::to_string(lines_per_paste) + "\n";
    std::vector<TypeAfter> steps{{"$ ", command}};
    for (int line = 0; line < pasted_line_count; line += lines_per_paste) {
        std::string after = line ? "linesum: " + std::to_string(line) + " lines so far\n" : command;
        steps.push_back({after, text.substr(line * 64, lines_per_paste * 64)});
    }
    steps.push_back({"linesum: " + std::to_string(pasted_line_count) + " lines so far\n", "\x04"});
    steps.push_back({"$ ", "linesum\n"});
    steps.push_back({"linesum\n", std::string(overlong_line, 'z') + "\n"});
    steps.push_back({"zzz\n", "\x04"});
    steps.push_back({"$ ", "mem\n"});
    steps.push_back({"(lines cut at the line buffer's end)\n$ ", "exit\n"});
    return steps;
}

inline void expect_paste_session(const std::string& out) {
    EXPECT_NE(out.find(linesum_of(pasted_lines(pasted_line_count))), std::string::npos) << out;
    EXPECT_NE(out.find(linesum_of(std::string(line_max, 'z') + "\n")), std::string::npos) << out;
    EXPECT_NE(out.find("console input dropped: " + std::to_string(overlong_line - line_max) + " bytes"), std::string::npos)
        << out;
    EXPECT_NE(out.find("[kernel] all processes have exited; powering off"), std::string::npos) << out;
}

} // namespace cocoon::test::shell
