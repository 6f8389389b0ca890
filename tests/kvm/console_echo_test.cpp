// Keys typed through a pipe into a guest that echoes them (the test guest `echo`): cocoon
// times each key from its entry into the UART to its echo, and sums them up at the end —
// in the summary line, its JSON fields and a span per key on the timeline — with a key
// the guest does not echo counted apart. A paste larger than the UART's FIFO arrives whole.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "support/files.h"
#include "support/json_log.h"
#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::run_cocoon;

namespace {

const std::string echo_guest = build_path("tests/kvm/guests/echo.elf");

TEST(ConsoleEcho, EachKeyIsTimedToItsEchoAndTheSummaryCountsThem) {
    COCOON_REQUIRE_KVM();
    std::string log = build_path("tests/kvm/console_echo_log.json");
    std::string timeline = build_path("tests/kvm/console_echo_timeline.json");
    auto run = run_cocoon({"run", "--kernel", echo_guest, "--timeout", "120", "--log-json", log, "--trace-out", timeline},
                          std::chrono::seconds(200), std::nullopt,
                          {{"echo ready\n", "hello\r"}, {"hello\r\n", "\x03"}, {"^C", "\x04"}});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "echo ready\nhello\r\n^C") << run.err;
    // h, e, l, l, o, CR and Ctrl-C echoed; Ctrl-D read, never answered.
    EXPECT_NE(run.err.find("console input: 8 bytes, echo latency of 7: median "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("; 1 not echoed\n"), std::string::npos) << run.err;

    auto lines = cocoon::test::read_json_lines(log);
    auto console = cocoon::test::summary(lines, "console");
    ASSERT_FALSE(console.is_null()) << run.err;
    EXPECT_EQ(console["handed"], 8);
    EXPECT_EQ(console["echoed"], 7);
    EXPECT_EQ(console["not_echoed"], 1);
    EXPECT_EQ(console["unread"], 0);
    EXPECT_GT(console["median_ns"].get<int64_t>(), 0);
    EXPECT_LE(console["median_ns"].get<int64_t>(), console["p99_ns"].get<int64_t>());
    EXPECT_LE(console["p99_ns"].get<int64_t>(), console["worst_ns"].get<int64_t>());
    size_t echo_lines = std::count_if(lines.begin(), lines.end(), [](const auto& l) { return l.value("kind", "") == "echo"; });
    EXPECT_EQ(echo_lines, 7u);

    nlohmann::json trace = nlohmann::json::parse(cocoon::test::read_file(timeline));
    int begins = 0, ends = 0;
    for (const auto& e : trace["traceEvents"]) {
        begins += e.value("cat", "") == "console" && e["ph"] == "b";
        ends += e.value("cat", "") == "console" && e["ph"] == "e";
    }
    EXPECT_EQ(begins, 7);
    EXPECT_EQ(ends, 7);
}

// 2000 bytes written at once, 125 times the FIFO: cocoon holds them back while it is
// full, and the guest reads and echoes every one, in order.
TEST(ConsoleEcho, APasteLargerThanTheFifoArrivesWholeAndEachByteIsEchoed) {
    COCOON_REQUIRE_KVM();
    std::string paste;
    for (int i = 0; paste.size() < 2000; ++i) paste += std::to_string(i) + ' ';
    paste.resize(2000);
    auto run = run_cocoon({"run", "--kernel", echo_guest, "--timeout", "240"}, std::chrono::seconds(300), std::nullopt,
                          {{"echo ready\n", paste}, {paste, "\x04"}});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "echo ready\n" + paste) << run.err;
    EXPECT_NE(run.err.find("console input: 2001 bytes, echo latency of 2000: "), std::string::npos) << run.err;
}

} // namespace
