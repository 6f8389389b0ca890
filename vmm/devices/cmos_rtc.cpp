#include "vmm/devices/cmos_rtc.h"

namespace cocoon::vmm {
namespace {
namespace reg {
constexpr uint8_t seconds = 0x00, minutes = 0x02, hours = 0x04, weekday = 0x06, day = 0x07, month = 0x08,
                  year = 0x09, status_a = 0x0a, status_b = 0x0b, status_c = 0x0c, status_d = 0x0d, century = 0x32;
} // namespace reg

constexpr uint8_t uip = 0x80;            // status A: an update is about to happen
constexpr uint8_t divider_32khz = 0x26;  // status A: 32.768 kHz time base, 1.024 kHz periodic rate
constexpr uint8_t set = 0x80, binary = 0x04, hours_24 = 0x02;  // status B
constexpr uint8_t valid_ram_and_time = 0x80;                   // status D: VRT
constexpr uint8_t pm = 0x80;             // hours, in 12-hour form
constexpr auto uip_window = std::chrono::microseconds(244);
} // namespace

CmosRtc::CmosRtc(WallClock wall_clock) : wall_clock_(std::move(wall_clock)) {
    ram_[reg::status_a] = divider_32khz;
    ram_[reg::status_b] = hours_24;  // BCD, 24-hour, as PC firmware leaves it
}

void CmosRtc::read(uint64_t offset, std::span<uint8_t> data) {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = offset + i == 1 ? read_register(index_) : 0xff;  // the index port is write-only
}

void CmosRtc::write(uint64_t offset, std::span<const uint8_t> data) {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < data.size(); ++i) {
        if (offset + i == 0) index_ = data[i] & 0x7f;
        else if (offset + i == 1 && index_ != reg::status_c && index_ != reg::status_d) ram_[index_] = data[i];
    }
}

uint8_t CmosRtc::read_register(uint8_t index) const {
    using namespace std::chrono;
    switch (index) {
    case reg::status_a: {
        auto now = wall_clock_();
        bool updating = !(ram_[reg::status_b] & set) && now - floor<seconds>(now) >= 1s - uip_window;
        return static_cast<uint8_t>((ram_[reg::status_a] & 0x7f) | (updating ? uip : 0));
    }
    case reg::status_c: return 0;  // no interrupt flags: none are raised
    case reg::status_d: return valid_ram_and_time;
    case reg::seconds:
    case reg::minutes:
    case reg::hours:
    case reg::weekday:
    case reg::day:
    case reg::month:
    case reg::year:
    case reg::century: return time_register(index, wall_clock_());
    default: return ram_[index];
    }
}

uint8_t CmosRtc::time_register(uint8_t index, std::chrono::system_clock::time_point now) const {
    using namespace std::chrono;
    auto today = floor<days>(now);
    year_month_day date{today};
    hh_mm_ss time{floor<seconds>(now - today)};
    auto year = static_cast<unsigned>(static_cast<int>(date.year()));
    switch (index) {
    case reg::seconds: return encode(static_cast<unsigned>(time.seconds().count()));
    case reg::minutes: return encode(static_cast<unsigned>(time.minutes().count()));
    case reg::hours: {
        auto hour = static_cast<unsigned>(time.hours().count());
        if (ram_[reg::status_b] & hours_24) return encode(hour);
        return static_cast<uint8_t>(encode(hour % 12 ? hour % 12 : 12) | (hour >= 12 ? pm : 0));
    }
    case reg::weekday: return encode(weekday{today}.c_encoding() + 1);  // Sunday is 1
    case reg::day: return encode(static_cast<unsigned>(date.day()));
    case reg::month: return encode(static_cast<unsigned>(date.month()));
    case reg::year: return encode(year % 100);
    default: return encode(year / 100);
    }
}

uint8_t CmosRtc::encode(unsigned value) const {
    if (ram_[reg::status_b] & binary) return static_cast<uint8_t>(value);
    return static_cast<uint8_t>((value / 10 % 10) << 4 | value % 10);
}

} // namespace cocoon::vmm
