#include "vmm/devices/uart.h"

#include <algorithm>

namespace cocoon::vmm {
namespace {

enum : uint64_t { rbr_thr = 0, ier = 1, iir_fcr = 2, lcr = 3, mcr = 4, lsr = 5, msr = 6, scr = 7 };

constexpr uint8_t lcr_dlab = 0x80;
constexpr uint8_t ier_rx = 0x01, ier_thre = 0x02;
constexpr uint8_t lsr_data_ready = 0x01, lsr_thr_empty = 0x20, lsr_tx_empty = 0x40;
constexpr uint8_t iir_none = 0x01, iir_thre = 0x02, iir_rx = 0x04, iir_fifo = 0xc0;
constexpr uint8_t msr_cts = 0x10, msr_dsr = 0x20, msr_dcd = 0x80;

} // namespace

Uart::Uart(Output output, IrqLine& irq, UartWatcher* watcher)
    : output_(std::move(output)), irq_(irq), watcher_(watcher) {}

void Uart::read(uint64_t offset, std::span<uint8_t> data) {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < data.size(); ++i) data[i] = read_register((offset + i) & 7);
    update_irq();
}

void Uart::write(uint64_t offset, std::span<const uint8_t> data) {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < data.size(); ++i) write_register((offset + i) & 7, data[i]);
    update_irq();
}

size_t Uart::receive(std::span<const uint8_t> bytes) {
    std::lock_guard lock(mutex_);
    size_t taken = std::min(bytes.size(), fifo_size - rx_.size());
    for (uint8_t b : bytes.first(taken)) {
        rx_.push_back(b);
        if (watcher_) watcher_->entered(b);
    }
    host_waiting_ = taken < bytes.size();
    update_irq();
    return taken;
}

void Uart::on_room(std::function<void()> room) {
    std::lock_guard lock(mutex_);
    room_ = std::move(room);
}

uint8_t Uart::take_received() {
    uint8_t b = rx_.front();
    rx_.pop_front();
    if (watcher_) watcher_->left();
    if (host_waiting_ && room_) room_();
    host_waiting_ = false;
    return b;
}

uint8_t Uart::interrupt_id() const {
    if ((ier_ & ier_rx) && !rx_.empty()) return iir_rx;
    if ((ier_ & ier_thre) && thr_empty_pending_) return iir_thre;
    return iir_none;
}

uint8_t Uart::read_register(uint64_t offset) {
    bool dlab = lcr_ & lcr_dlab;
    switch (offset) {
    case rbr_thr: {
        if (dlab) return dll_;
        return rx_.empty() ? 0 : take_received();
    }
    case ier: return dlab ? dlm_ : ier_;
    case iir_fcr: {
        uint8_t id = interrupt_id();
        if (id == iir_thre) thr_empty_pending_ = false;  // reading IIR acknowledges THRE
        return id | ((fcr_ & 1) ? iir_fifo : 0);
    }
    case lcr: return lcr_;
    case mcr: return mcr_;
    case lsr: return lsr_thr_empty | lsr_tx_empty | (rx_.empty() ? 0 : lsr_data_ready);
    case msr: return msr_cts | msr_dsr | msr_dcd;
    case scr: return scr_;
    }
    return 0xff;
}

void Uart::write_register(uint64_t offset, uint8_t value) {
    bool dlab = lcr_ & lcr_dlab;
    switch (offset) {
    case rbr_thr:
        if (dlab) {
            dll_ = value;
        } else {
            if (watcher_) watcher_->sent(value);
            output_(value);
            thr_empty_pending_ = true;  // sent at once: THR is empty again
        }
        break;
    case ier:
        if (dlab) {
            dlm_ = value;
        } else {
            // Enabling THRE while THR is empty raises it at once, as the 16550A does.
            if ((value & ier_thre) && !(ier_ & ier_thre)) thr_empty_pending_ = true;
            ier_ = value & 0x0f;
        }
        break;
    case iir_fcr:
        fcr_ = value & 0xc9;
        if (value & 0x02)  // reset the receive FIFO
            while (!rx_.empty()) take_received();
        break;
    case lcr: lcr_ = value; break;
    case mcr: mcr_ = value & 0x1f; break;
    case scr: scr_ = value; break;
    default: break;  // LSR and MSR are read-only
    }
}

void Uart::update_irq() {
    bool level = interrupt_id() != iir_none;
    if (level && !irq_level_) irq_.raise();  // an edge per new reason to interrupt
    irq_level_ = level;
}

} // namespace cocoon::vmm
