// The gdb stub's commands against a fake target: guest memory as pages mapped by hand,
// registers in a struct, and a record of what the stub asked the target to do.
#include "vmm/gdb/gdb_stub.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

using namespace cocoon::vmm::gdb;

namespace {

constexpr uint64_t page = 4096;

std::string fmt_hex(uint64_t value) { return fmt::format("{:x}", value); }

class FakeTarget : public Target {
public:
    explicit FakeTarget(uint32_t vcpus = 1) : regs(vcpus), own_pages(vcpus), waiting(vcpus), ram(16 * page) {}

    DebugSupport debug_support() const override { return support; }
    uint32_t vcpu_count() const override { return static_cast<uint32_t>(regs.size()); }
    X86Registers registers(uint32_t vcpu) override { return regs.at(vcpu); }
    void set_registers(uint32_t vcpu, const X86Registers& r) override { regs.at(vcpu) = r; }
    std::optional<uint64_t> translate(uint32_t vcpu, uint64_t virt) override {
        const auto& own = own_pages.at(vcpu);
        const auto& map = own.count(virt & ~(page - 1)) ? own : pages;
        auto it = map.find(virt & ~(page - 1));
        if (it == map.end()) return std::nullopt;
        return it->second + (virt & (page - 1));
    }
    bool awaits_startup(uint32_t vcpu) override { return waiting.at(vcpu); }
    bool read_physical(uint64_t phys, std::span<uint8_t> out) override {
        if (phys > ram.size() || out.size() > ram.size() - phys) return false;
        std::copy_n(ram.begin() + static_cast<long>(phys), out.size(), out.begin());
        return true;
    }
    bool write_physical(uint64_t phys, std::span<const uint8_t> in) override {
        if (phys > ram.size() || in.size() > ram.size() - phys) return false;
        std::copy(in.begin(), in.end(), ram.begin() + static_cast<long>(phys));
        return true;
    }
    void set_debug_registers(const DebugRegisters& r) override { debug = r; }
    void resume(std::span<const Action> actions) override {
        ++resumes;
        last.assign(actions.begin(), actions.end());
        stepped = std::count(last.begin(), last.end(), Action::step) > 0;
    }
    void interrupt() override { ++interrupts; }
    void detach() override { ++detaches; }
    void kill() override { ++kills; }

    DebugSupport support;
    std::vector<X86Registers> regs;                    // per vCPU
    std::vector<std::map<uint64_t, uint64_t>> own_pages;  // per vCPU, before `pages`
    std::vector<bool> waiting;                         // per vCPU: awaits INIT and SIPI
    std::vector<uint8_t> ram;
    std::map<uint64_t, uint64_t> pages;  // virtual page -> physical page, for every vCPU
    DebugRegisters debug;
    int resumes = 0, interrupts = 0, detaches = 0, kills = 0;
    std::vector<Action> last;  // the last resume's actions
    bool stepped = false;      // one of them a step
};

// A stub with a connected client over a target of `vcpus` vCPUs, stopped at the start;
// `sent` collects what the client received.
struct Session {
    explicit Session(uint32_t vcpus) : target(vcpus), stub(target) {
        stub.connect([this](std::string bytes) { sent += bytes; });
        stub.on_stop({StopEvent::Kind::initial, 0, 0});
        target.interrupts = 0;
    }

    // Sends one packet, returns the payloads of the packets that came back.
    std::vector<std::string> ask(const std::string& payload) {
        sent.clear();
        stub.receive(frame(payload));
        return replies();
    }
    std::string ask_one(const std::string& payload) {
        auto r = ask(payload);
        EXPECT_EQ(r.size(), 1u) << payload;
        return r.empty() ? "<none>" : r.back();
    }
    std::vector<std::string> replies() const {
        std::vector<std::string> out;
        size_t at = 0;
        while ((at = sent.find('$', at)) != std::string::npos) {
            size_t hash = sent.find('#', at);
            out.push_back(sent.substr(at + 1, hash - at - 1));
            at = hash;
        }
        return out;
    }
    void stop(StopEvent::Kind kind, uint64_t dr6 = 0, uint32_t vcpu = 0) {
        sent.clear();
        stub.on_stop({kind, dr6, vcpu});
    }
    uint8_t phys_byte(uint64_t phys) const { return target.ram[phys]; }

    FakeTarget target;
    GdbStub stub;
    std::string sent;
};

struct GdbStubTest : ::testing::Test, Session {
    GdbStubTest() : Session(1) {}
};

// A machine of three vCPUs: threads 1, 2 and 3.
struct GdbThreadsTest : ::testing::Test, Session {
    GdbThreadsTest() : Session(3) {}
};

TEST_F(GdbStubTest, AcksEveryGoodPacketAndNacksABadChecksum) {
    stub.receive("$?#3f");
    EXPECT_EQ(sent.substr(0, 1), "+");
    sent.clear();
    stub.receive("$?#00");
    EXPECT_EQ(sent, "-");
}

TEST_F(GdbStubTest, ANackResendsTheLastPacket) {
    ask("?");
    std::string last = frame("T05thread:1;");
    sent.clear();
    stub.receive("-");
    EXPECT_EQ(sent, last);
}

TEST_F(GdbStubTest, SupportedFeaturesAndThreadQueries) {
    std::string supported = ask_one("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
    EXPECT_NE(supported.find("PacketSize=4000"), std::string::npos);
    EXPECT_NE(supported.find("qXfer:features:read+"), std::string::npos);
    EXPECT_NE(supported.find("swbreak+"), std::string::npos);
    EXPECT_EQ(ask_one("qAttached"), "1");
    EXPECT_EQ(ask_one("qC"), "QC1");
    EXPECT_EQ(ask_one("qfThreadInfo"), "m1");
    EXPECT_EQ(ask_one("qsThreadInfo"), "l");
    EXPECT_EQ(ask_one("Hg0"), "OK");
    EXPECT_EQ(ask_one("T1"), "OK");
    EXPECT_EQ(ask_one("vCont?"), "vCont;c;C;s;S");
}

TEST_F(GdbStubTest, UnknownPacketsGetAnEmptyReply) {
    EXPECT_EQ(ask_one("vMustReplyEmpty"), "");
    EXPECT_EQ(ask_one("qTStatus"), "");
    EXPECT_EQ(ask_one("Z3,1000,4"), "");  // read watchpoints: x86 has none
    EXPECT_EQ(ask_one("!"), "");
}

TEST_F(GdbStubTest, TargetDescriptionReadsInPiecesAndNamesTheControlRegisters) {
    std::string xml;
    for (int i = 0; i < 100; ++i) {
        std::string piece = ask_one("qXfer:features:read:target.xml:" + fmt_hex(xml.size()) + ",200");
        ASSERT_FALSE(piece.empty());
        xml += piece.substr(1);
        if (piece[0] == 'l') break;
        ASSERT_EQ(piece[0], 'm');
    }
    EXPECT_EQ(xml, target_xml());
    for (const char* needle : {"<architecture>i386:x86-64</architecture>", "org.gnu.gdb.i386.core",
                               "org.gnu.gdb.i386.sse", "org.gnu.gdb.i386.segments", "name=\"fs_base\"",
                               "name=\"cr3\"", "name=\"efer\"", "name=\"rip\""})
        EXPECT_NE(xml.find(needle), std::string::npos) << needle;
    EXPECT_EQ(ask_one("qXfer:features:read:other.xml:0,100"), "E00");
    EXPECT_EQ(ask_one("qXfer:features:read:target.xml:ffff,100"), "l");
}

TEST_F(GdbStubTest, RegistersInTheOrderOfTheDescription) {
    target.regs[0].gpr[0] = 0x1122334455667788;  // rax
    target.regs[0].rip = 0xffffffff80106ca0;
    target.regs[0].cr3 = 0xff41000;
    std::string all = ask_one("g");
    size_t digits = 0;
    for (size_t i = 0; i < register_count(); ++i) digits += register_info(i).bits / 4;
    EXPECT_EQ(all.size(), digits);
    EXPECT_EQ(all.substr(0, 16), "8877665544332211");  // little-endian
    EXPECT_EQ(ask_one("p10"), "a06c1080ffffffff");    // register 16: rip
    size_t cr3 = 0;
    while (register_info(cr3).name != "cr3") ++cr3;
    EXPECT_EQ(ask_one("p" + fmt_hex(cr3)), "0010f40f00000000");
    EXPECT_EQ(ask_one("p" + fmt_hex(register_count())), "E01");
}

TEST_F(GdbStubTest, WritableRegistersChangeAndSelectorsDoNot) {
    EXPECT_EQ(ask_one("P10=0010100000000000"), "OK");
    EXPECT_EQ(target.regs[0].rip, 0x101000u);
    EXPECT_EQ(ask_one("P12=1000000000000000"), "E01");  // register 18: cs
    EXPECT_EQ(ask_one("P10=00"), "E01");                // wrong size
    EXPECT_EQ(ask_one("P10"), "E01");
    // 'G' takes everything back, and changes only what may change.
    target.regs[0].segment[0] = 0x10;
    std::string all = ask_one("g");
    std::string changed = "ff" + all.substr(2);
    EXPECT_EQ(ask_one("G" + changed), "OK");
    EXPECT_EQ(target.regs[0].gpr[0] & 0xff, 0xffu);
    EXPECT_EQ(ask_one("G" + changed.substr(2)), "E01");  // short
}

TEST_F(GdbStubTest, MemoryIsReadThroughTheMappingsPageByPage) {
    target.pages[0x400000] = 3 * page;
    target.pages[0x401000] = 7 * page;  // the next virtual page is elsewhere physically
    target.ram[4 * page - 2] = 0xaa;
    target.ram[4 * page - 1] = 0xbb;
    target.ram[7 * page] = 0xcc;
    target.ram[7 * page + 1] = 0xdd;
    EXPECT_EQ(ask_one("m400ffe,4"), "aabbccdd");
    EXPECT_EQ(ask_one("m401ffe,4"), "0000");      // stops where the mapping does
    EXPECT_EQ(ask_one("m900000,4"), "E0e");       // nothing mapped
    EXPECT_EQ(ask_one("m400000"), "E01");         // malformed
    EXPECT_EQ(ask_one("mzz,4"), "E01");
    EXPECT_EQ(ask_one("m400000,0"), "");
}

TEST_F(GdbStubTest, MemoryWritesAsHexAndAsBinary) {
    target.pages[0x400000] = 2 * page;
    EXPECT_EQ(ask_one("M400010,2:beef"), "OK");
    EXPECT_EQ(phys_byte(2 * page + 0x10), 0xbe);
    EXPECT_EQ(phys_byte(2 * page + 0x11), 0xef);
    EXPECT_EQ(ask_one(std::string("X400020,4:#$}\0", 14)), "OK");  // frame() escapes on the way
    EXPECT_EQ(phys_byte(2 * page + 0x20), '#');
    EXPECT_EQ(phys_byte(2 * page + 0x22), '}');
    EXPECT_EQ(phys_byte(2 * page + 0x23), 0);
    EXPECT_EQ(ask_one("X400000,0:"), "OK");      // gdb's probe for X
    EXPECT_EQ(ask_one("M400010,2:be"), "E01");   // length mismatch
    EXPECT_EQ(ask_one("M900000,1:00"), "E0e");
}

TEST_F(GdbStubTest, SoftwareBreakpointIsAnInt3HiddenFromReads) {
    target.pages[0xffffffff80100000] = 5 * page;
    target.ram[5 * page + 0x10] = 0x55;
    EXPECT_EQ(ask_one("Z0,ffffffff80100010,1"), "OK");
    EXPECT_EQ(phys_byte(5 * page + 0x10), 0xcc);
    EXPECT_EQ(ask_one("mffffffff80100010,1"), "55");
    EXPECT_EQ(ask_one("Z0,ffffffff80100010,1"), "OK");  // idempotent: the 0x55 is kept
    // A write over it updates what is restored and keeps the int3 in place.
    EXPECT_EQ(ask_one("Mffffffff80100010,1:66"), "OK");
    EXPECT_EQ(phys_byte(5 * page + 0x10), 0xcc);
    EXPECT_EQ(ask_one("z0,ffffffff80100010,1"), "OK");
    EXPECT_EQ(phys_byte(5 * page + 0x10), 0x66);
    EXPECT_EQ(ask_one("z0,ffffffff80100010,1"), "OK");  // removing twice is fine
}

TEST_F(GdbStubTest, BreakpointIsRemovedFromTheFrameItWasPutIn) {
    // Inserted under one process's mappings, removed under another's.
    target.pages[0x401000] = 4 * page;
    target.ram[4 * page + 8] = 0x90;
    ASSERT_EQ(ask_one("Z0,401008,1"), "OK");
    target.pages[0x401000] = 6 * page;
    target.ram[6 * page + 8] = 0x48;
    ASSERT_EQ(ask_one("z0,401008,1"), "OK");
    EXPECT_EQ(phys_byte(4 * page + 8), 0x90);
    EXPECT_EQ(phys_byte(6 * page + 8), 0x48);
}

TEST_F(GdbStubTest, BreakpointWithoutATranslationTakesADebugRegister) {
    // Paging still off at the first instruction: the kernel's addresses mean nothing yet.
    ASSERT_EQ(ask_one("Z0,ffffffff80106ca0,1"), "OK");
    ask("c");
    EXPECT_EQ(target.debug.address[0], 0xffffffff80106ca0u);
    EXPECT_EQ(target.debug.dr7 & 0x3, 0x2u);               // G0
    EXPECT_EQ(target.debug.dr7 >> 16 & 0xf, 0u);           // execute, one byte
    stop(StopEvent::Kind::debug, 0x1);
    EXPECT_EQ(replies(), std::vector<std::string>{"T05swbreak:;thread:1;"});
    EXPECT_EQ(ask_one("z0,ffffffff80106ca0,1"), "OK");
    ask("c");
    EXPECT_EQ(target.debug.dr7, 0u);
}

TEST_F(GdbStubTest, HitAtTheByteAfterTheInt3MovesRipBack) {
    target.pages[0x400000] = 1 * page;
    ASSERT_EQ(ask_one("Z0,400100,1"), "OK");
    ask("c");
    target.regs[0].rip = 0x400101;  // KVM left rip after the int3
    stop(StopEvent::Kind::breakpoint);
    EXPECT_EQ(replies(), std::vector<std::string>{"T05swbreak:;thread:1;"});
    EXPECT_EQ(target.regs[0].rip, 0x400100u);
    ask("c");
    target.regs[0].rip = 0x400100;  // or at it
    stop(StopEvent::Kind::breakpoint);
    EXPECT_EQ(replies(), std::vector<std::string>{"T05swbreak:;thread:1;"});
    EXPECT_EQ(target.regs[0].rip, 0x400100u);
    ask("c");
    target.regs[0].rip = 0x500000;  // the guest's own int3
    stop(StopEvent::Kind::breakpoint);
    EXPECT_EQ(replies(), std::vector<std::string>{"T05thread:1;"});
}

TEST_F(GdbStubTest, WatchpointsUseDebugRegistersAndSayWhatFired) {
    EXPECT_EQ(ask_one("Z2,402000,4"), "OK");
    EXPECT_EQ(ask_one("Z4,403000,8"), "OK");
    EXPECT_EQ(ask_one("Z1,ffffffff80100000,1"), "OK");
    ask("c");
    EXPECT_EQ(target.debug.address[0], 0x402000u);
    EXPECT_EQ(target.debug.dr7 >> 16 & 0xf, 0b1101u);  // write, four bytes
    EXPECT_EQ(target.debug.dr7 >> 20 & 0xf, 0b1011u);  // read or write, eight bytes
    EXPECT_EQ(target.debug.dr7 >> 24 & 0xf, 0b0000u);  // execute
    stop(StopEvent::Kind::debug, 0x1);
    EXPECT_EQ(replies(), std::vector<std::string>{"T05watch:402000;thread:1;"});
    ask("c");
    stop(StopEvent::Kind::debug, 0x2);
    EXPECT_EQ(replies(), std::vector<std::string>{"T05awatch:403000;thread:1;"});
    ask("c");
    stop(StopEvent::Kind::debug, 0x4);
    EXPECT_EQ(replies(), std::vector<std::string>{"T05hwbreak:;thread:1;"});
    ask("s");
    stop(StopEvent::Kind::debug, 0x4000);  // BS: a single step
    EXPECT_EQ(replies(), std::vector<std::string>{"T05thread:1;"});
}

TEST_F(GdbStubTest, AWatchedRangeIsSplitIntoAlignedPiecesAndSlotsRunOut) {
    EXPECT_EQ(ask_one("Z2,402001,6"), "OK");  // 1 + 2 + 2 + 1... as aligned pieces: 1, 2, 2, 1
    EXPECT_EQ(ask_one("Z2,500000,1"), "E1c");  // all four slots taken
    EXPECT_EQ(ask_one("z2,402001,6"), "OK");
    EXPECT_EQ(ask_one("Z2,500000,1"), "OK");
    EXPECT_EQ(ask_one("Z2,600000,40"), "E1c");  // 64 bytes need more than four slots
}

TEST_F(GdbStubTest, ContinueAnswersOnlyWhenTheTargetStops) {
    EXPECT_TRUE(ask("c").empty());
    EXPECT_EQ(target.resumes, 1);
    EXPECT_FALSE(target.stepped);
    EXPECT_EQ(ask_one("g"), "E01");  // running: no registers to read
    sent.clear();
    stub.receive("\x03");
    EXPECT_EQ(target.interrupts, 1);
    stop(StopEvent::Kind::interrupted);
    EXPECT_EQ(replies(), std::vector<std::string>{"T02thread:1;"});
    EXPECT_EQ(ask_one("?"), "T02thread:1;");
}

TEST_F(GdbStubTest, StepAndVContAndContinueAtAnAddress) {
    EXPECT_TRUE(ask("vCont;s:1").empty());
    EXPECT_TRUE(target.stepped);
    stop(StopEvent::Kind::debug, 0x4000);
    EXPECT_TRUE(ask("vCont;c").empty());
    EXPECT_FALSE(target.stepped);
    stop(StopEvent::Kind::interrupted);
    EXPECT_EQ(ask_one("vCont;s:2;c"), "E01");  // there is no thread 2
    EXPECT_TRUE(ask("c400000").empty());
    EXPECT_EQ(target.regs[0].rip, 0x400000u);
    stop(StopEvent::Kind::interrupted);
    EXPECT_TRUE(ask("S05").empty());
    EXPECT_TRUE(target.stepped);
    stop(StopEvent::Kind::interrupted);
    EXPECT_EQ(ask_one("vCont;t"), "E01");
    EXPECT_EQ(ask_one("cxyz"), "E01");
    EXPECT_EQ(target.resumes, 4);
}

TEST_F(GdbStubTest, DetachTakesEveryBreakpointOutAndLetsTheGuestRun) {
    target.pages[0x400000] = 1 * page;
    target.ram[page + 5] = 0x31;
    ask("Z0,400005,1");
    ask("Z2,402000,4");
    EXPECT_EQ(ask_one("D"), "OK");
    EXPECT_EQ(phys_byte(page + 5), 0x31);
    EXPECT_EQ(target.debug.dr7, 0u);
    EXPECT_EQ(target.detaches, 1);
    EXPECT_TRUE(stub.hung_up());
}

TEST_F(GdbStubTest, ADebuggerThatVanishesIsDetached) {
    target.pages[0x400000] = 1 * page;
    target.ram[page + 5] = 0x31;
    ask("Z0,400005,1");
    stub.disconnect();
    EXPECT_EQ(phys_byte(page + 5), 0x31);
    EXPECT_EQ(target.detaches, 1);
}

TEST_F(GdbStubTest, ADebuggerThatVanishesWhileTheGuestRunsIsDetachedAtTheStop) {
    target.pages[0x400000] = 1 * page;
    ask("Z0,400005,1");
    ask("c");
    stub.disconnect();
    EXPECT_EQ(target.interrupts, 1);   // stopped first: the int3 must not be hit mid-removal
    EXPECT_EQ(target.detaches, 0);
    stub.on_stop({StopEvent::Kind::interrupted, 0});
    EXPECT_EQ(phys_byte(page + 5), 0);
    EXPECT_EQ(target.detaches, 1);
    // A stop nobody is debugging any more lets the guest run on at once.
    stub.on_stop({StopEvent::Kind::debug, 0x4000});
    EXPECT_EQ(target.detaches, 2);
}

TEST_F(GdbStubTest, AClientArrivingWhileTheGuestRunsStopsIt) {
    ask("D");
    stub.disconnect();
    EXPECT_FALSE(stub.stopped());
    sent.clear();
    stub.connect([this](std::string bytes) { sent += bytes; });
    EXPECT_EQ(target.interrupts, 1);
    stub.receive(frame("?"));
    EXPECT_EQ(replies(), std::vector<std::string>{});  // answered at the stop
    stub.on_stop({StopEvent::Kind::interrupted, 0});
    EXPECT_EQ(replies(), std::vector<std::string>{"T02thread:1;"});
}

TEST_F(GdbStubTest, KillEndsTheRun) {
    EXPECT_TRUE(ask("k").empty());
    EXPECT_EQ(target.kills, 1);
    EXPECT_TRUE(stub.hung_up());
    EXPECT_EQ(stub.exit_packet(137), "");
}

TEST_F(GdbStubTest, TheEndOfTheRunIsAnExitPacket) {
    ask("c");
    EXPECT_EQ(stub.exit_packet(0), frame("W00"));
    EXPECT_EQ(stub.exit_packet(130), frame("W82"));
}

TEST_F(GdbStubTest, WhatThisKvmCannotReportIsRefusedNotPlanted) {
    target.support = {false, false};
    target.pages[0x400000] = 1 * page;
    target.ram[page] = 0x90;
    EXPECT_EQ(ask_one("Z0,400000,1"), "E5f");  // an error: gdb must not write the int3 itself
    EXPECT_EQ(phys_byte(page), 0x90);
    EXPECT_EQ(ask_one("Z1,400000,1"), "E5f");
    EXPECT_EQ(ask_one("Z2,402000,4"), "E5f");
    // Debug registers alone still stand in for an int3.
    target.support = {false, true};
    EXPECT_EQ(ask_one("Z0,400000,1"), "OK");
    EXPECT_EQ(phys_byte(page), 0x90);
    ask("c");
    EXPECT_EQ(target.debug.address[0], 0x400000u);
}

TEST_F(GdbStubTest, MonitorReadsPhysicalMemoryAndTranslates) {
    target.ram[0x100] = 0xfa;
    target.ram[0x101] = 0xfc;
    std::string command = to_hex(std::string_view("phys 0x100 2"));
    auto r = ask("qRcmd," + command);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0], std::string("O").append(to_hex(std::string_view("0x0000000000000100: fa fc\n"))));
    EXPECT_EQ(r[1], "OK");
    target.pages[0x402000] = 9 * page;
    r = ask("qRcmd," + to_hex(std::string_view("translate 0x402010")));
    ASSERT_EQ(r.size(), 2u);
    auto text = from_hex(r[0].substr(1));
    ASSERT_TRUE(text);
    EXPECT_EQ(std::string(text->begin(), text->end()), "0x402010 -> physical 0x9010 (cr3 0x0)\n");
    r = ask("qRcmd," + to_hex(std::string_view("phys 0x100000000 16")));
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[1], "OK");
    r = ask("qRcmd," + to_hex(std::string_view("help")));
    EXPECT_EQ(r.back(), "OK");
    EXPECT_EQ(ask_one("qRcmd,zz"), "E01");
}

TEST_F(GdbStubTest, GarbageFromTheClientNeverThrows) {
    uint32_t state = 99;
    for (int round = 0; round < 3000; ++round) {
        std::string payload;
        state = state * 1103515245 + 12345;
        static const char* starts[] = {"m", "M", "X",      "Z", "z", "p", "P", "G", "vCont;",
                                       "qXfer:features:read:target.xml:", "qRcmd,", "c", "s", "H", "T"};
        payload = starts[(state >> 16) % 15];
        for (int i = 0; i < 12; ++i) {
            state = state * 1103515245 + 12345;
            payload += "0123456789abcdef,:;=-xyz"[(state >> 16) % 24];
        }
        EXPECT_NO_THROW(stub.receive(frame(payload))) << payload;
        if (!stub.stopped()) stub.on_stop({StopEvent::Kind::interrupted, 0});
    }
}

TEST_F(GdbThreadsTest, EachVcpuIsAThread) {
    EXPECT_EQ(ask_one("qfThreadInfo"), "m1,2,3");
    EXPECT_EQ(ask_one("qsThreadInfo"), "l");
    EXPECT_EQ(ask_one("qC"), "QC1");
    for (const char* alive : {"T1", "T2", "T3", "Tp1.3"}) EXPECT_EQ(ask_one(alive), "OK") << alive;
    for (const char* gone : {"T4", "T0", "T-1", "Tzz", "T"}) EXPECT_EQ(ask_one(gone), "E01") << gone;
    target.waiting[2] = true;
    auto said = [](const std::string& hex) {
        auto text = from_hex(hex);
        return text ? std::string(text->begin(), text->end()) : std::string("<bad hex>");
    };
    EXPECT_EQ(said(ask_one("qThreadExtraInfo,1")), "vCPU 0");
    EXPECT_EQ(said(ask_one("qThreadExtraInfo,3")), "vCPU 2, waiting for INIT and SIPI");
    EXPECT_EQ(ask_one("qThreadExtraInfo,9"), "E01");
}

TEST_F(GdbThreadsTest, RegistersAndMemoryAreTheSelectedThreads) {
    target.regs[0].rip = 0x1000;
    target.regs[1].rip = 0x2000;
    EXPECT_EQ(ask_one("p10"), "0010000000000000");
    EXPECT_EQ(ask_one("Hg2"), "OK");
    EXPECT_EQ(ask_one("qC"), "QC2");
    EXPECT_EQ(ask_one("p10"), "0020000000000000");
    EXPECT_EQ(ask_one("P10=0030000000000000"), "OK");
    EXPECT_EQ(target.regs[1].rip, 0x3000u);
    EXPECT_EQ(target.regs[0].rip, 0x1000u) << "the other thread's stay";
    // Each vCPU's page tables: the same address, another frame.
    target.pages[0x400000] = 2 * page;
    target.own_pages[1][0x400000] = 3 * page;
    target.ram[2 * page] = 0x11;
    target.ram[3 * page] = 0x22;
    EXPECT_EQ(ask_one("m400000,1"), "22");
    EXPECT_EQ(ask_one("Hg0"), "OK") << "any thread: the current one stays";
    EXPECT_EQ(ask_one("m400000,1"), "22");
    EXPECT_EQ(ask_one("Hgp1.1"), "OK");
    EXPECT_EQ(ask_one("m400000,1"), "11");
    EXPECT_EQ(ask_one("Hg4"), "E01");
    EXPECT_EQ(ask_one("Hx1"), "E01");
}

TEST_F(GdbThreadsTest, AStopNamesItsThreadAndMakesItCurrent) {
    ask("c");
    EXPECT_EQ(target.last, (std::vector<Action>{Action::run, Action::run, Action::run}));
    stop(StopEvent::Kind::debug, 0x4000, 2);
    EXPECT_EQ(replies(), std::vector<std::string>{"T05thread:3;"});
    EXPECT_EQ(ask_one("qC"), "QC3");
    target.regs[2].rip = 0x3000;
    EXPECT_EQ(ask_one("p10"), "0030000000000000");
    EXPECT_EQ(ask_one("?"), "T05thread:3;");
}

TEST_F(GdbThreadsTest, VContSaysWhatEachThreadDoes) {
    ask("vCont;s:2;c");  // step thread 2, the others run
    EXPECT_EQ(target.last, (std::vector<Action>{Action::run, Action::step, Action::run}));
    stop(StopEvent::Kind::debug, 0x4000, 1);
    ask("vCont;s:p1.3");  // step thread 3 alone
    EXPECT_EQ(target.last, (std::vector<Action>{Action::stay, Action::stay, Action::step}));
    stop(StopEvent::Kind::debug, 0x4000, 2);
    ask("vCont;c:1;s:1;s:2");  // the leftmost action for a thread wins
    EXPECT_EQ(target.last, (std::vector<Action>{Action::run, Action::step, Action::stay}));
    stop(StopEvent::Kind::interrupted, 0, 0);
    EXPECT_EQ(ask_one("vCont;c:7"), "E01");  // no such thread
    EXPECT_EQ(ask_one("vCont;"), "E01");
    EXPECT_EQ(target.resumes, 3);
}

TEST_F(GdbThreadsTest, ContinueRunsEveryThreadAndStepTheOneHcChose) {
    EXPECT_EQ(ask_one("Hc-1"), "OK");
    ask("s");  // every thread selected: the current one steps
    EXPECT_EQ(target.last, (std::vector<Action>{Action::step, Action::stay, Action::stay}));
    stop(StopEvent::Kind::debug, 0x4000, 0);
    EXPECT_EQ(ask_one("Hc3"), "OK");
    ask("s400000");
    EXPECT_EQ(target.last, (std::vector<Action>{Action::stay, Action::stay, Action::step}));
    EXPECT_EQ(target.regs[2].rip, 0x400000u) << "the address is the stepping thread's";
    stop(StopEvent::Kind::debug, 0x4000, 2);
    ask("c");
    EXPECT_EQ(target.last, (std::vector<Action>{Action::run, Action::run, Action::run}));
}

TEST_F(GdbThreadsTest, ABreakpointHitIsReportedWithItsThreadsRegisters) {
    target.pages[0x400000] = 1 * page;
    ASSERT_EQ(ask_one("Z0,400100,1"), "OK");
    ask("c");
    target.regs[1].rip = 0x400101;  // vCPU 1 left after the int3
    stop(StopEvent::Kind::breakpoint, 0, 1);
    EXPECT_EQ(replies(), std::vector<std::string>{"T05swbreak:;thread:2;"});
    EXPECT_EQ(target.regs[1].rip, 0x400100u);
    EXPECT_EQ(target.regs[0].rip, 0u);
}

} // namespace
