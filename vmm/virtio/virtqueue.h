// The device's side of one split virtqueue (virtio 1.x, 2.7). Everything in the rings
// is guest input: every address goes through GuestMemory, a chain is bounded by the
// queue size (a loop is an error, not a hang), an indirect table by its own length,
// and a chain that breaks a rule comes back as an error the device answers and logs.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "vmm/memory/guest_memory.h"

namespace cocoon::vmm {

// One buffer of a chain, already checked to lie inside guest RAM.
struct ChainSegment {
    std::span<uint8_t> bytes;
    bool device_writable;
};

// Room for the usual request (header, a few data buffers, status) without a heap
// allocation on the event thread; a longer chain spills to the heap.
constexpr size_t inline_segments = 8;

struct DescriptorChain {
    uint16_t head = 0;
    boost::container::small_vector<ChainSegment, inline_segments> segments;  // the device-readable ones first
    std::string error;                   // non-empty: malformed, `segments` unusable
};

struct QueueLayout {
    uint16_t size = 0;  // a power of two, at most the queue's maximum
    uint64_t desc = 0, avail = 0, used = 0;
};

class Virtqueue {
public:
    Virtqueue(const GuestMemory& memory, uint16_t max_size) : memory_(memory), max_size_(max_size) {}

    uint16_t max_size() const { return max_size_; }
    // Starts using the rings at `layout`; an empty string, or why they are unusable.
    std::string activate(const QueueLayout& layout);
    void reset();
    bool active() const { return active_; }
    uint16_t size() const { return layout_.size; }  // 0 until activated

    // The next chain the driver made available, or nullopt when there is none. A
    // broken ring (avail idx more than `size` ahead, rings outside RAM) deactivates
    // the queue and also gives nullopt; broken() then says why.
    std::optional<DescriptorChain> pop();
    // Returns a chain to the driver with the bytes written into it.
    void push_used(uint16_t head, uint32_t written);
    // Whether the driver asked for no interrupt (VIRTQ_AVAIL_F_NO_INTERRUPT).
    bool interrupt_suppressed() const;
    const std::string& broken() const { return broken_; }

private:
    void walk(DescriptorChain& chain, uint64_t table, uint32_t count, uint16_t first, bool indirect);
    void fail(std::string why);

    const GuestMemory& memory_;
    uint16_t max_size_;
    QueueLayout layout_;
    bool active_ = false;
    uint16_t next_avail_ = 0;
    uint16_t next_used_ = 0;
    std::string broken_;
};

} // namespace cocoon::vmm
