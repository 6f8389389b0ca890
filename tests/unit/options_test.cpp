#include "vmm/cli/options.h"

#include <gtest/gtest.h>

#include "vmm/error.h"

using namespace cocoon::vmm;

namespace {

Command parse(std::vector<const char*> args) {
    args.insert(args.begin(), "cocoon");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

int usage_status(std::vector<const char*> args) {
    try {
        parse(args);
    } catch (const SetupError& e) {
        return e.status();
    }
    return 0;
}

TEST(Options, Sizes) {
    EXPECT_EQ(parse_size("64M"), 64ull << 20);
    EXPECT_EQ(parse_size("1G"), 1ull << 30);
    EXPECT_EQ(parse_size("512K"), 512ull << 10);
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_FALSE(parse_size(""));
    EXPECT_FALSE(parse_size("M"));
    EXPECT_FALSE(parse_size("-1M"));
    EXPECT_FALSE(parse_size("12X"));
    EXPECT_FALSE(parse_size("99999999999999999999"));
    EXPECT_FALSE(parse_size("17179869184G"));  // overflows 64 bits
}

TEST(Options, RunWithEveryFlag) {
    Command c = parse({"run", "--kernel", "k.elf", "--initrd", "p.tar", "--disk", "a.img", "--disk", "b.img,ro",
                       "--mem", "128M", "--cmdline", "init=hello", "--timeout", "2.5", "--log-level", "debug",
                       "--log-json", "log.json", "--maps-out", "maps", "--trace-out", "run.json", "--trace-svg", "run.svg",
                       "--no-seccomp"});
    ASSERT_EQ(c.kind, Command::run);
    const RunOptions& o = c.options;
    EXPECT_EQ(o.kernel, "k.elf");
    EXPECT_EQ(o.maps_out, "maps");
    EXPECT_EQ(o.trace_out, "run.json");
    EXPECT_EQ(o.trace_svg, "run.svg");
    EXPECT_EQ(o.initrd, "p.tar");
    ASSERT_EQ(o.disks.size(), 2u);
    EXPECT_FALSE(o.disks[0].read_only);
    EXPECT_EQ(o.disks[1].path, "b.img");
    EXPECT_TRUE(o.disks[1].read_only);
    EXPECT_EQ(o.mem, 128ull << 20);
    EXPECT_EQ(o.cmdline, "init=hello");
    EXPECT_DOUBLE_EQ(o.timeout_s, 2.5);
    EXPECT_EQ(o.log_level, "debug");
    EXPECT_EQ(o.log_json, "log.json");
    EXPECT_FALSE(o.seccomp);
}

TEST(Options, DefaultsAndHelpAndVersion) {
    Command c = parse({"run"});
    EXPECT_EQ(c.kind, Command::run);
    EXPECT_EQ(c.options.mem, 256ull << 20);
    EXPECT_EQ(c.options.cpus, 1u);
    EXPECT_TRUE(c.options.kernel.empty());
    EXPECT_TRUE(c.options.seccomp);
    EXPECT_EQ(parse({}).kind, Command::help);
    EXPECT_EQ(parse({"--help"}).kind, Command::help);
    EXPECT_EQ(parse({"--version"}).kind, Command::version);
    std::string help = parse({"--help"}).help_text;
    for (const char* flag : {"--kernel", "--initrd", "--disk", "--mem", "--cpus", "--cmdline", "--timeout", "--log-level",
                             "--log-json", "--no-seccomp", "124"})
        EXPECT_NE(help.find(flag), std::string::npos) << flag;
}

TEST(Options, BadInputIsAUsageError) {
    EXPECT_EQ(usage_status({"fly"}), 64);
    EXPECT_EQ(usage_status({"run", "--mem", "lots"}), 64);
    EXPECT_EQ(usage_status({"run", "--mem", "1M"}), 64);     // too small
    EXPECT_EQ(usage_status({"run", "--mem", "64G"}), 64);    // too large
    EXPECT_EQ(usage_status({"run", "--timeout", "-1"}), 64);
    EXPECT_EQ(usage_status({"run", "--log-level", "loud"}), 64);
    EXPECT_EQ(usage_status({"run", "--frobnicate"}), 64);
    EXPECT_EQ(usage_status({"run", "--disk", ",ro"}), 64);
}

TEST(Options, GdbTakesAPortOrASocketPath) {
    EXPECT_EQ(parse({"run", "--gdb", "1234"}).options.gdb, "1234");
    EXPECT_EQ(parse({"run", "--gdb", "/tmp/cocoon.gdb"}).options.gdb, "/tmp/cocoon.gdb");
    EXPECT_TRUE(parse({"run"}).options.gdb.empty());
    for (const char* bad : {"0", "65536", "123456", "port", "12ab", "", "-1", "localhost:1234"})
        EXPECT_EQ(usage_status({"run", "--gdb", bad}), 64) << bad;
}

TEST(Options, CpusFromOneTo255) {
    EXPECT_EQ(parse({"run", "--cpus", "4"}).options.cpus, 4u);
    EXPECT_EQ(parse({"run", "--cpus", "1"}).options.cpus, 1u);
    EXPECT_EQ(parse({"run", "--cpus", "255"}).options.cpus, 255u);
    for (const char* bad : {"0", "256", "1000", "-1", "", "two", "4x", "0x4", " 4"})
        EXPECT_EQ(usage_status({"run", "--cpus", bad}), 64) << bad;
}

} // namespace
