// The GDB remote protocol's byte layer: framing, checksums, escapes, run-length
// encoding, acks, Ctrl-C, and what a client that sends garbage gets.
#include "vmm/gdb/packet.h"

#include <cstdio>

#include <gtest/gtest.h>

using namespace cocoon::vmm::gdb;

namespace {

using Kind = Input::Kind;

// "$raw#xx" with raw sent as it is: what a client puts on the wire.
std::string unescaped_frame(const std::string& raw) {
    char digits[3];
    snprintf(digits, sizeof digits, "%02x", checksum(raw));
    return std::string("$").append(raw).append("#").append(digits);
}

std::vector<Input> feed(std::string_view bytes) {
    PacketReader reader;
    return reader.feed(bytes);
}

TEST(GdbPacket, ChecksumIsTheByteSumModulo256) {
    EXPECT_EQ(checksum(""), 0);
    EXPECT_EQ(checksum("OK"), 0x9a);
    EXPECT_EQ(checksum("qSupported"), 0x37);
    EXPECT_EQ(checksum(std::string(300, '\xff')), static_cast<uint8_t>(300 * 0xff));
}

TEST(GdbPacket, FrameAddsChecksumAndEscapesTheFourSpecialBytes) {
    EXPECT_EQ(frame("OK"), "$OK#9a");
    EXPECT_EQ(frame(""), "$#00");
    // '$' '#' '}' '*' become '}' and the byte xor 0x20; the checksum covers what is sent.
    EXPECT_EQ(frame("a$b#c}d*"), unescaped_frame("a}\x04" "b}\x03" "c}]d}\x0a"));
}

TEST(GdbPacket, ReaderDeliversPacketsAcksAndInterrupts) {
    auto in = feed("+$g#67-\x03$m10,4#2e");
    ASSERT_EQ(in.size(), 5u);
    EXPECT_EQ(in[0].kind, Kind::ack);
    EXPECT_EQ(in[1].kind, Kind::packet);
    EXPECT_EQ(in[1].text, "g");
    EXPECT_EQ(in[2].kind, Kind::nack);
    EXPECT_EQ(in[3].kind, Kind::interrupt);
    EXPECT_EQ(in[4].kind, Kind::packet);
    EXPECT_EQ(in[4].text, "m10,4");
}

TEST(GdbPacket, APacketMayArriveOneByteAtATime) {
    PacketReader reader;
    std::string packet = frame("qSupported:multiprocess+");
    std::vector<Input> all;
    for (char c : packet)
        for (Input& i : reader.feed(std::string_view(&c, 1))) all.push_back(i);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].kind, Kind::packet);
    EXPECT_EQ(all[0].text, "qSupported:multiprocess+");
}

TEST(GdbPacket, ChecksumDigitsMayBeUpperCase) {
    auto in = feed("$OK#9A");
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0].kind, Kind::packet);
}

TEST(GdbPacket, BadChecksumIsMalformed) {
    auto in = feed("$g#68");
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0].kind, Kind::malformed);
    EXPECT_EQ(in[0].text, "bad checksum");
    in = feed("$g#zz");
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0].kind, Kind::malformed);
}

TEST(GdbPacket, EscapesAreUndone) {
    // X data as gdb sends it: '}' '#' '$' '*' escaped, 0x03 and 0x00 raw.
    std::string raw = std::string("X0,6:}]}\x03}\x04}\x0a\x03", 14) + '\0';
    auto in = feed(unescaped_frame(raw));
    ASSERT_EQ(in.size(), 1u);
    ASSERT_EQ(in[0].kind, Kind::packet);
    EXPECT_EQ(in[0].text, std::string("X0,6:}#$*\x03", 10) + '\0');
}

TEST(GdbPacket, RunLengthEncodingExpands) {
    EXPECT_EQ(decode_payload("0* "), "0000");         // ' ' is 32: three more
    EXPECT_EQ(decode_payload("a*!b"), "aaaaab");      // '!' is 33: four more
    EXPECT_EQ(decode_payload("x*~"), std::string(98, 'x'));
    EXPECT_EQ(decode_payload("}]* "), "}}}}");        // repeats the decoded byte
    EXPECT_EQ(decode_payload("plain"), "plain");
}

TEST(GdbPacket, MalformedEncodingsAreRefused) {
    EXPECT_FALSE(decode_payload("*a"));          // nothing to repeat
    EXPECT_FALSE(decode_payload("a*"));          // no count
    EXPECT_FALSE(decode_payload("a*\x1f"));      // count below ' '
    EXPECT_FALSE(decode_payload("a*\x7f"));      // count above '~'
    EXPECT_FALSE(decode_payload("abc}"));        // escape with nothing after it
    // Expanding past the packet size is refused, not allocated.
    std::string bomb;
    for (int i = 0; i < 400; ++i) bomb += "x*~";
    EXPECT_FALSE(decode_payload(bomb));
}

TEST(GdbPacket, OverlongPacketIsMalformedAndTheNextOneStillArrives) {
    std::string big = std::string("$").append(max_packet + 10, 'a').append("#00$g#67");
    auto in = feed(big);
    ASSERT_EQ(in.size(), 2u);
    EXPECT_EQ(in[0].kind, Kind::malformed);
    EXPECT_NE(in[0].text.find("longer"), std::string::npos);
    EXPECT_EQ(in[1].kind, Kind::packet);
    EXPECT_EQ(in[1].text, "g");
}

TEST(GdbPacket, NoiseBetweenPacketsIsIgnoredAndATruncatedPacketRestarts) {
    auto in = feed("garbage\r\n$abc$g#67");
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0].text, "g");
}

TEST(GdbPacket, CtrlCInsideAPacketIsData) {
    std::string raw = "X0,1:\x03";
    auto in = feed(unescaped_frame(raw));
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0].kind, Kind::packet);
    EXPECT_EQ(in[0].text, raw);
}

TEST(GdbPacket, RandomBytesNeverThrowOrHang) {
    uint32_t state = 12345;
    PacketReader reader;
    for (int round = 0; round < 2000; ++round) {
        std::string chunk;
        for (int i = 0; i < 64; ++i) {
            state = state * 1103515245 + 12345;
            static const char alphabet[] = "$#}*+-\x03" "0123456789abcdefg";
            chunk += alphabet[(state >> 16) % (sizeof alphabet - 1)];
        }
        EXPECT_NO_THROW(reader.feed(chunk));
    }
}

TEST(GdbPacket, HexHelpers) {
    uint8_t bytes[] = {0x00, 0x7f, 0xff};
    EXPECT_EQ(to_hex(std::span<const uint8_t>(bytes)), "007fff");
    EXPECT_EQ(to_hex(std::string_view("OK")), "4f4b");
    EXPECT_EQ(from_hex("007FfF"), (std::vector<uint8_t>{0x00, 0x7f, 0xff}));
    EXPECT_FALSE(from_hex("abc"));
    EXPECT_FALSE(from_hex("zz"));
    EXPECT_EQ(parse_hex("ffffffff80106ca0"), 0xffffffff80106ca0ull);
    EXPECT_FALSE(parse_hex(""));
    EXPECT_FALSE(parse_hex("1ffffffff80106ca0"));  // 17 digits
    EXPECT_FALSE(parse_hex("12g"));
}

} // namespace
