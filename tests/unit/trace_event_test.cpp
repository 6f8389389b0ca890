// Decoding a trace record into its typed event: each kind to its own alternative with
// its fields; a kind, an outcome, a kill reason or a switch reason the contract does not
// name to the explicit unknown form; and no throw, whatever the record's bytes.
#include "vmm/trace/trace_event.h"

#include <cstring>
#include <random>

#include <gtest/gtest.h>

using namespace cocoon::vmm;
using namespace cocoon::vmm::event;
namespace trace = cocoon::trace;

namespace {

trace::Record of_kind(uint16_t kind) {
    trace::Record r{};
    r.seq = 7;
    r.tsc = 123456;
    r.cpu = 1;
    r.pid = 3;
    r.kind = kind;
    return r;
}

trace::Record fault(uint16_t vector, uint16_t outcome, uint32_t kill_reason = trace::kill_none) {
    trace::Record r = of_kind(trace::kind_fault);
    r.fault = trace::FaultEvent{0x400010, 0x400123, 0xff75000, 0x7, vector, outcome, kill_reason, 0};
    return r;
}

Outcome outcome_of(const trace::Record& r) { return std::get<Fault>(decode(r).what).outcome; }

KillReason reason_of(const trace::Record& r) { return std::get<Killed>(outcome_of(r)).reason; }

} // namespace

TEST(TraceEvent, TheHeaderIsKeptForEveryKind) {
    TraceEvent e = decode(of_kind(trace::kind_frames));
    EXPECT_EQ(e.seq, 7u);
    EXPECT_EQ(e.tsc, 123456u);
    EXPECT_EQ(e.cpu, 1);
    EXPECT_EQ(e.pid, 3u);
    EXPECT_STREQ(kind_name(e), "frames");
}

TEST(TraceEvent, EachKindDecodesToItsEvent) {
    trace::Record boot = of_kind(trace::kind_boot);
    boot.frames = trace::FramesEvent{100, 90, 0, 0};
    EXPECT_EQ(std::get<Boot>(decode(boot).what).frames.free, 90u);

    trace::Record spawn = of_kind(trace::kind_spawn);
    spawn.proc = trace::ProcessEvent{"hello", 0x2000, 0, {1}, 0, 7};
    auto s = std::get<Spawn>(decode(spawn).what);
    EXPECT_EQ(s.name, "hello");
    EXPECT_EQ(s.cr3, 0x2000u);
    EXPECT_EQ(s.parent, 1u);
    EXPECT_EQ(s.table_pages, 7u);

    trace::Record exit = of_kind(trace::kind_exit);
    exit.proc = trace::ProcessEvent{"hello", 0x2000, 3, {trace::kill_none}, 9, 7};
    auto x = std::get<Exit>(decode(exit).what);
    EXPECT_EQ(x.status, 3);
    EXPECT_FALSE(x.killed);
    EXPECT_EQ(x.peak_pages, 9u);
    exit.proc.kill_reason = trace::kill_stack_guard;
    EXPECT_EQ(std::get<Exit>(decode(exit).what).killed, KillReason(trace::kill_stack_guard));
    exit.proc.kill_reason = trace::kill_interrupted;
    EXPECT_EQ(std::get<Exit>(decode(exit).what).killed, KillReason(trace::kill_interrupted));

    trace::Record sw = of_kind(trace::kind_switch);
    sw.sw = trace::SwitchEvent{3, 4, trace::switch_yield, 0};
    auto w = std::get<Switch>(decode(sw).what);
    EXPECT_EQ(w.from, 3u);
    EXPECT_EQ(w.to, 4u);
    EXPECT_EQ(w.reason, SwitchReason::yielded);
    sw.sw.reason = trace::switch_preempted;
    EXPECT_EQ(std::get<Switch>(decode(sw).what).reason, SwitchReason::preempted);

    auto f = std::get<Fault>(decode(fault(14, trace::outcome_killed, trace::kill_write_code)).what);
    EXPECT_EQ(f.address, 0x400010u);
    EXPECT_EQ(f.rip, 0x400123u);
    EXPECT_EQ(f.error_code, 0x7u);
    EXPECT_EQ(std::get<Killed>(f.outcome).reason, KillReason(trace::kill_write_code));

    trace::Record frames = of_kind(trace::kind_frames);
    frames.frames = trace::FramesEvent{100, 80, 64, 2};
    EXPECT_EQ(std::get<Frames>(decode(frames).what).frames.swap_used, 2u);

    trace::Record disk = of_kind(trace::kind_disk);
    disk.disk = trace::DiskEvent{2048, 4096, 1, 0, 2, 3000};
    auto d = std::get<Disk>(decode(disk).what);
    EXPECT_EQ(d.sector, 2048u);
    EXPECT_EQ(d.op, 1);
    EXPECT_EQ(d.device, 2);
    EXPECT_EQ(d.latency_tsc, 3000u);

    trace::Record out = of_kind(trace::kind_page_out);
    out.swap = trace::SwapEvent{0x10000000, 17, 0x3000, 1, 0};
    EXPECT_TRUE(std::get<PageOut>(decode(out).what).written);
    trace::Record in = of_kind(trace::kind_page_in);
    in.swap = trace::SwapEvent{0x10000000, 17, 0x5000, 0, 0};
    EXPECT_EQ(std::get<PageIn>(decode(in).what).frame, 0x5000u);
}

TEST(TraceEvent, EachOutcomeDecodesToItsAlternative) {
    auto source = [](uint16_t outcome) { return std::get<PageSupplied>(outcome_of(fault(14, outcome))).source; };
    EXPECT_EQ(source(trace::outcome_demand_zero), PageSource::demand_zero);
    EXPECT_EQ(source(trace::outcome_stack_growth), PageSource::stack_growth);
    EXPECT_EQ(source(trace::outcome_swap_in), PageSource::swap);
    EXPECT_TRUE(std::holds_alternative<KernelPanic>(outcome_of(fault(14, trace::outcome_panic))));
    // Only a page fault's error code says what the access was.
    auto gp = fault(13, trace::outcome_killed, trace::kill_general_protection);
    EXPECT_FALSE(std::get<Fault>(decode(gp).what).error_code);
}

TEST(TraceEvent, WhatTheContractDoesNotNameDecodesToUnknown) {
    auto unknown = decode(of_kind(999));
    EXPECT_EQ(std::get<UnknownKind>(unknown.what).code, 999);
    EXPECT_STREQ(kind_name(unknown), "unknown");
    EXPECT_EQ(std::get<UnknownOutcome>(outcome_of(fault(14, 77))).code, 77);
    EXPECT_EQ(std::get<UnknownOutcome>(outcome_of(fault(14, 0))).code, 0);
    EXPECT_EQ(std::get<UnknownReason>(reason_of(fault(14, trace::outcome_killed, 99))).code, 99u);
    EXPECT_EQ(std::get<UnknownReason>(reason_of(fault(14, trace::outcome_killed, trace::kill_none))).code, 0u)
        << "a kill that gives no reason";

    trace::Record exit = of_kind(trace::kind_exit);
    exit.proc.kill_reason = 0xffffffff;
    EXPECT_EQ(std::get<UnknownReason>(*std::get<Exit>(decode(exit).what).killed).code, 0xffffffffu);

    trace::Record sw = of_kind(trace::kind_switch);
    sw.sw.reason = 42;
    EXPECT_EQ(std::get<Switch>(decode(sw).what).reason, SwitchReason::unknown);
}

// A hostile guest chooses every byte: any record decodes, to a name that is printable text.
TEST(TraceEvent, ArbitraryBytesNeverThrow) {
    std::mt19937_64 random(16);
    for (int i = 0; i < 100000; ++i) {
        trace::Record r;
        uint64_t bytes[sizeof r / 8];
        for (auto& b : bytes) b = random();
        std::memcpy(&r, bytes, sizeof r);
        if (i % 2) r.kind = static_cast<uint16_t>(r.kind % 12);  // half of them a kind the contract names, or just past
        TraceEvent e{};
        ASSERT_NO_THROW(e = decode(r)) << i;
        EXPECT_NE(kind_name(e), nullptr);
        if (auto* spawn = std::get_if<Spawn>(&e.what)) {
            for (char c : spawn->name) ASSERT_GE(static_cast<unsigned char>(c), 0x20) << spawn->name;
        }
    }
}
