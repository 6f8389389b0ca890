// Port 0x80: Linux's outb_p() writes there after every slow port access.
#include "vmm/devices/discard_port.h"

#include <gtest/gtest.h>

TEST(DiscardPort, TakesWritesOfAnySizeAndReadsAsAllOnes) {
    cocoon::vmm::DiscardPort port80;
    const uint8_t post_code[4] = {0x55, 0xaa, 0x00, 0x01};
    port80.write(0, post_code);
    uint8_t value[2] = {0, 0};
    port80.read(0, value);
    EXPECT_EQ(value[0], 0xff);
    EXPECT_EQ(value[1], 0xff);
}
