// In-band DTMF at 8 kHz through spandsp: a detector that reports each digit
// with its start and duration (in samples), and a generator of digit tones.
// Both allocate in their constructor only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace edgesbc::codecs::dtmf {

struct DetectedDigit {
  char digit;              // '0'-'9', '*', '#', 'A'-'D'
  uint64_t start;          // sample index (since the detector was made) where the tone was first reported
  uint32_t duration;       // samples until it was reported gone (granularity ~10 ms)
};

class ToneDetector {
 public:
  ToneDetector();
  ~ToneDetector();
  ToneDetector(const ToneDetector&) = delete;
  ToneDetector& operator=(const ToneDetector&) = delete;
  // Feeds 8 kHz PCM; digits whose tone ended are written to `out` (up to
  // `max`; more in one call are dropped). Returns how many were written.
  size_t feed(const int16_t* pcm, size_t n, DetectedDigit* out, size_t max);
  // The digit whose tone is on now, or '\0'.
  char current() const { return on_digit_; }

 private:
  static void on_tone(void* self, int code, int level, int delay);
  struct State;
  std::unique_ptr<State> st_;
  uint64_t pos_ = 0;
  char on_digit_ = '\0';
  uint64_t on_start_ = 0;
  DetectedDigit* out_ = nullptr;
  size_t out_max_ = 0, out_n_ = 0;
};

class ToneGenerator {
 public:
  ToneGenerator();
  ~ToneGenerator();
  ToneGenerator(const ToneGenerator&) = delete;
  ToneGenerator& operator=(const ToneGenerator&) = delete;
  // Queues digits with the given tone and gap lengths (the timing applies to
  // digits generated from now on). False if a digit is not DTMF or the queue is full.
  bool queue(const char* digits, size_t n, unsigned on_ms, unsigned off_ms);
  // Writes up to `max` samples of tone; returns how many (0 when idle).
  size_t generate(int16_t* pcm, size_t max);

 private:
  struct State;
  std::unique_ptr<State> st_;
};

}  // namespace edgesbc::codecs::dtmf
