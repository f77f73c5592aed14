#include "tones.h"

#include <cstddef>
#include <cstdint>

#include "telephone_event.h"

// spandsp last: its telephony.h redefines some <math.h> names; dtmf.h needs
// the headers before it that spandsp.h would include.
#include <spandsp/telephony.h>
#include <spandsp/logging.h>
#include <spandsp/complex.h>
#include <spandsp/tone_detect.h>
#include <spandsp/tone_generate.h>
#include <spandsp/super_tone_rx.h>
#include <spandsp/dtmf.h>

namespace edgesbc::codecs::dtmf {

// Feeding in 10 ms pieces bounds the error of the reported positions.
constexpr size_t kChunk = 80;

struct ToneDetector::State {
  dtmf_rx_state_t* rx = nullptr;
  ~State() {
    if (rx) dtmf_rx_free(rx);
  }
};

ToneDetector::ToneDetector() : st_(std::make_unique<State>()) {
  st_->rx = dtmf_rx_init(nullptr, nullptr, nullptr);
  if (st_->rx) dtmf_rx_set_realtime_callback(st_->rx, &ToneDetector::on_tone, this);
}

ToneDetector::~ToneDetector() = default;

void ToneDetector::on_tone(void* self, int code, int, int) {
  auto* d = static_cast<ToneDetector*>(self);
  if (code && digit_to_event(static_cast<char>(code)) >= 0) {
    if (d->on_digit_ == static_cast<char>(code)) return;
    if (d->on_digit_ && d->out_n_ < d->out_max_) {
      d->out_[d->out_n_++] = {d->on_digit_, d->on_start_, static_cast<uint32_t>(d->pos_ - d->on_start_)};
    }
    d->on_digit_ = static_cast<char>(code);
    d->on_start_ = d->pos_;
  } else if (d->on_digit_) {
    if (d->out_n_ < d->out_max_) {
      d->out_[d->out_n_++] = {d->on_digit_, d->on_start_, static_cast<uint32_t>(d->pos_ - d->on_start_)};
    }
    d->on_digit_ = '\0';
  }
}

size_t ToneDetector::feed(const int16_t* pcm, size_t n, DetectedDigit* out, size_t max) {
  if (!st_->rx) return 0;
  out_ = out;
  out_max_ = max;
  out_n_ = 0;
  for (size_t i = 0; i < n; i += kChunk) {
    const size_t len = n - i < kChunk ? n - i : kChunk;
    dtmf_rx(st_->rx, pcm + i, static_cast<int>(len));
    pos_ += len;
  }
  char discard[64];
  dtmf_rx_get(st_->rx, discard, sizeof discard);  // we use the realtime reports; keep spandsp's queue empty
  out_ = nullptr;
  return out_n_;
}

struct ToneGenerator::State {
  dtmf_tx_state_t* tx = nullptr;
  ~State() {
    if (tx) dtmf_tx_free(tx);
  }
};

ToneGenerator::ToneGenerator() : st_(std::make_unique<State>()) { st_->tx = dtmf_tx_init(nullptr); }

ToneGenerator::~ToneGenerator() = default;

bool ToneGenerator::queue(const char* digits, size_t n, unsigned on_ms, unsigned off_ms) {
  if (!st_->tx || n > 128) return false;
  for (size_t i = 0; i < n; ++i) {
    if (digit_to_event(digits[i]) < 0) return false;
  }
  dtmf_tx_set_timing(st_->tx, static_cast<int>(on_ms), static_cast<int>(off_ms));
  return dtmf_tx_put(st_->tx, digits, static_cast<int>(n)) == 0;
}

size_t ToneGenerator::generate(int16_t* pcm, size_t max) {
  if (!st_->tx) return 0;
  const int n = dtmf_tx(st_->tx, pcm, static_cast<int>(max > 1 << 20 ? 1 << 20 : max));
  return n > 0 ? static_cast<size_t>(n) : 0;
}

}  // namespace edgesbc::codecs::dtmf
