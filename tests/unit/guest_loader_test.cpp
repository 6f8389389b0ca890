// The kernel's readers of untrusted input: the ustar program archive and user ELFs.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/layout.h"
#include "kernel/proc/elf_image.h"
#include "kernel/proc/ustar.h"

using namespace kernel::proc;

namespace {

// A ustar archive with the given files, as `tar --format=ustar` lays it out.
std::vector<uint8_t> archive(const std::vector<std::pair<std::string, std::string>>& files) {
    std::vector<uint8_t> out;
    for (auto& [name, data] : files) {
        uint8_t h[512] = {};
        std::memcpy(h, name.c_str(), name.size());
        std::snprintf(reinterpret_cast<char*>(h + 124), 12, "%011zo", data.size());
        h[156] = '0';
        std::memcpy(h + 257, "ustar", 6);
        out.insert(out.end(), h, h + 512);
        out.insert(out.end(), data.begin(), data.end());
        out.resize((out.size() + 511) / 512 * 512);
    }
    out.resize(out.size() + 1024);
    return out;
}

TEST(GuestUstar, FindsFilesByNameWithOrWithoutDotSlash) {
    auto tar = archive({{"./hello", "HELLO"}, {"./spin", std::string(700, 's')}});
    auto hello = ustar_find(tar.data(), tar.size(), "hello");
    ASSERT_NE(hello.data, nullptr);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(hello.data), hello.size), "HELLO");
    auto spin = ustar_find(tar.data(), tar.size(), "./spin");
    ASSERT_NE(spin.data, nullptr);
    EXPECT_EQ(spin.size, 700u);
    EXPECT_EQ(ustar_find(tar.data(), tar.size(), "nope").data, nullptr);
    std::vector<std::string> names;
    ustar_for_each(tar.data(), tar.size(), [&](const char* n) { names.push_back(n); });
    EXPECT_EQ(names, (std::vector<std::string>{"./hello", "./spin"}));
}

// The longest name a header can hold: a 155-byte prefix and a 100-byte name, neither
// NUL-terminated. Its copy with the "/" and the NUL must fit (it once ran one byte over).
TEST(GuestUstar, ANameFillingPrefixAndNameFieldsIsFound) {
    std::string prefix(155, 'd'), name(100, 'f');
    auto tar = archive({{"x", "y"}});
    uint8_t* h = tar.data();
    std::memset(h, 0, 100);
    std::memcpy(h, name.data(), 100);
    std::memcpy(h + 345, prefix.data(), 155);
    auto found = ustar_find(tar.data(), tar.size(), (prefix + "/" + name).c_str());
    ASSERT_NE(found.data, nullptr);
    EXPECT_EQ(found.size, 1u);
    std::vector<std::string> names;
    ustar_for_each(tar.data(), tar.size(), [&](const char* n) { names.push_back(n); });
    EXPECT_EQ(names, std::vector<std::string>{prefix + "/" + name});
}

TEST(GuestUstar, MalformedArchivesFindNothing) {
    auto tar = archive({{"hello", std::string(1000, 'x')}});
    EXPECT_EQ(ustar_find(tar.data(), 600, "hello").data, nullptr);   // data runs past the end
    EXPECT_EQ(ustar_find(tar.data(), 100, "hello").data, nullptr);   // header truncated
    auto bad_magic = tar;
    bad_magic[257] = 'X';
    EXPECT_EQ(ustar_find(bad_magic.data(), bad_magic.size(), "hello").data, nullptr);
    auto bad_size = tar;
    std::memcpy(bad_size.data() + 124, "77777777777", 11);
    EXPECT_EQ(ustar_find(bad_size.data(), bad_size.size(), "hello").data, nullptr);
    auto no_digits = tar;
    std::memset(no_digits.data() + 124, 'z', 12);
    EXPECT_EQ(ustar_find(no_digits.data(), no_digits.size(), "hello").data, nullptr);
}

// A user ELF with one executable and one writable segment.
struct UserElf {
    struct {
        uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
        uint16_t type = 2, machine = 62;
        uint32_t version = 1;
        uint64_t entry = 0x400010, phoff = 64, shoff = 0;
        uint32_t flags = 0;
        uint16_t ehsize = 64, phentsize = 56, phnum = 2, shentsize = 0, shnum = 0, shstrndx = 0;
    } eh;
    struct Ph {
        uint32_t type, flags;
        uint64_t offset, vaddr, paddr, filesz, memsz, align;
    } ph[2] = {{1, 5, 0, 0x400000, 0x400000, 0x100, 0x100, 0x1000},
               {1, 6, 0x100, 0x401000, 0x401000, 0x20, 0x2000, 0x1000}};
    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> out(0x200);
        std::memcpy(out.data(), &eh, sizeof eh);
        std::memcpy(out.data() + 64, ph, sizeof ph);
        return out;
    }
};

TEST(GuestElf, ValidProgramGivesSegmentsAndHeapStart) {
    auto file = UserElf{}.bytes();
    auto image = parse_elf(file.data(), file.size());
    ASSERT_TRUE(image.ok());
    EXPECT_EQ(image.value().entry, 0x400010u);
    ASSERT_EQ(image.value().count, 2);
    EXPECT_TRUE(image.value().segments[0].executable);
    EXPECT_FALSE(image.value().segments[0].writable);
    EXPECT_TRUE(image.value().segments[1].writable);
    EXPECT_EQ(image.value().end, 0x403000u);
    EXPECT_EQ(image.value().pages, 3u);
}

// The stack's guard gap stays unmapped, whatever a program asks for: no segment may
// reach into it or into the stack's own range; and a page has one set of rights, so no
// two segments may share one.
TEST(GuestElf, SegmentsInTheGuardGapTheStackOrEachOthersPagesAreRefused) {
    using kernel::layout::user_guard_lowest;
    using kernel::layout::user_stack_lowest;
    auto refused = [](UserElf e) {
        auto file = e.bytes();
        return !parse_elf(file.data(), file.size()).ok();
    };
    UserElf in_gap; in_gap.ph[1].vaddr = user_stack_lowest - 0x2000; EXPECT_TRUE(refused(in_gap));
    UserElf into_gap; into_gap.ph[1].vaddr = user_guard_lowest - 0x1000; EXPECT_TRUE(refused(into_gap));
    UserElf in_stack; in_stack.ph[1].vaddr = user_stack_lowest + 0x1000; EXPECT_TRUE(refused(in_stack));
    UserElf over_gap; over_gap.ph[1].vaddr = 0x401000; over_gap.ph[1].memsz = user_stack_lowest - 0x401000;
    EXPECT_TRUE(refused(over_gap));
    UserElf overlapping; overlapping.ph[1].vaddr = 0x400080; EXPECT_TRUE(refused(overlapping));
    UserElf same_page; same_page.ph[1].vaddr = 0x400800; EXPECT_TRUE(refused(same_page));
    UserElf reversed; reversed.ph[1].vaddr = 0x3ff000; EXPECT_TRUE(refused(reversed));  // ends in text's page
    UserElf up_to_gap; up_to_gap.ph[1].vaddr = user_guard_lowest - 0x2000;  // its last byte below the gap
    EXPECT_FALSE(refused(up_to_gap));
}

TEST(GuestElf, MalformedProgramsAreRefused) {
    auto refused = [](UserElf e, size_t size = 0x200) {
        auto file = e.bytes();
        return !parse_elf(file.data(), size).ok();
    };
    EXPECT_TRUE(refused(UserElf{}, 10));
    UserElf bad_magic; bad_magic.eh.ident[1] = 'X'; EXPECT_TRUE(refused(bad_magic));
    UserElf i386; i386.eh.machine = 3; EXPECT_TRUE(refused(i386));
    UserElf page_zero; page_zero.ph[0].vaddr = 0; EXPECT_TRUE(refused(page_zero));
    UserElf kernel_half; kernel_half.ph[1].vaddr = 0xffffffff80000000; EXPECT_TRUE(refused(kernel_half));
    UserElf wraps; wraps.ph[1].memsz = ~0ull; EXPECT_TRUE(refused(wraps));
    UserElf past_file; past_file.ph[1].filesz = 0x1000; EXPECT_TRUE(refused(past_file));
    UserElf wx; wx.ph[0].flags = 7; EXPECT_TRUE(refused(wx));
    UserElf entry_in_data; entry_in_data.eh.entry = 0x401000; EXPECT_TRUE(refused(entry_in_data));
    UserElf headers_past_end; headers_past_end.eh.phoff = 0x1f0; EXPECT_TRUE(refused(headers_past_end));
}

} // namespace
