// Guest RAM: one anonymous mapping, registered with KVM as a memory slot at
// guest-physical 0. Every address or length that comes from the guest reaches host
// memory through span() and nothing else: it refuses ranges outside RAM and any
// gpa + len that overflows, so no guest number ever becomes a wild host pointer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>

namespace cocoon::vmm {

class GuestMemory {
public:
    // Maps `size` bytes of zeroed, not pre-touched RAM. Throws std::system_error.
    explicit GuestMemory(uint64_t size);
    ~GuestMemory();
    GuestMemory(const GuestMemory&) = delete;
    GuestMemory& operator=(const GuestMemory&) = delete;

    uint64_t size() const { return size_; }
    uint8_t* host_base() const { return base_; }  // for KVM_SET_USER_MEMORY_REGION only

    // The host view of [gpa, gpa + len), or nullopt if any byte is outside RAM.
    std::optional<std::span<uint8_t>> span(uint64_t gpa, uint64_t len) const;

    template <typename T>
    std::optional<T> read(uint64_t gpa) const {
        static_assert(std::is_trivially_copyable_v<T>);
        auto bytes = span(gpa, sizeof(T));
        if (!bytes) return std::nullopt;
        T value;
        std::memcpy(&value, bytes->data(), sizeof(T));
        return value;
    }

    template <typename T>
    bool write(uint64_t gpa, const T& value) const {
        static_assert(std::is_trivially_copyable_v<T>);
        auto bytes = span(gpa, sizeof(T));
        if (!bytes) return false;
        std::memcpy(bytes->data(), &value, sizeof(T));
        return true;
    }

private:
    uint8_t* base_ = nullptr;
    uint64_t size_ = 0;
};

} // namespace cocoon::vmm
