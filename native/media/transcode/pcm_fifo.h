// The re-framing stage: decoded (and resampled) PCM goes in in whatever
// frame size the incoming codec has, comes out in the outgoing ptime. A
// fixed linear buffer (compacted on read); when full, the oldest samples
// give way (counted), so it never grows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace edgesbc::media::transcode {

class PcmFifo {
 public:
  explicit PcmFifo(size_t capacity) : buf_(std::make_unique<int16_t[]>(capacity)), cap_(capacity) {}

  size_t size() const { return end_ - begin_; }
  size_t capacity() const { return cap_; }
  uint64_t overflowed() const { return overflowed_; }
  const int16_t* data() const { return buf_.get() + begin_; }

  void push(const int16_t* pcm, size_t n) {
    if (n > cap_) {  // keep only the newest cap_ samples
      overflowed_ += n - cap_;
      pcm += n - cap_;
      n = cap_;
    }
    if (end_ + n > cap_) compact();
    if (end_ + n > cap_) {
      size_t drop = end_ + n - cap_;
      overflowed_ += drop;
      begin_ += drop;
      compact();
    }
    std::memcpy(buf_.get() + end_, pcm, n * sizeof(int16_t));
    end_ += n;
  }
  void consume(size_t n) {
    begin_ += std::min(n, size());
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void clear() { begin_ = end_ = 0; }

 private:
  void compact() {
    if (begin_ == 0) return;
    std::memmove(buf_.get(), buf_.get() + begin_, size() * sizeof(int16_t));
    end_ -= begin_;
    begin_ = 0;
  }
  std::unique_ptr<int16_t[]> buf_;
  size_t cap_;
  size_t begin_ = 0, end_ = 0;
  uint64_t overflowed_ = 0;
};

}  // namespace edgesbc::media::transcode
