#include "transcoder.h"

#include <algorithm>
#include <cstring>

#include "../rtp/rtp.h"

namespace edgesbc::media::transcode {

namespace {

constexpr uint32_t kMaxDecodeMs = 120;      // the longest payload we decode (Opus allows 120 ms)
constexpr uint32_t kConcealLimitMs = 100;   // conceal this long when the stream stalls, then go quiet
constexpr uint64_t kEventTimeoutUs = 1000000;  // an event with no packet for this long is ended
constexpr unsigned kEndRepeats = 2;         // end packet sent 3 times in all (RFC 4733 §2.5.1.4)

uint32_t next_random(uint32_t& s) {
  // xorshift32: start values only need to be unpredictable enough to differ per stream.
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

uint32_t event_clock(const Side& s) { return s.te_clock ? s.te_clock : s.codec->rtp_clock; }

}  // namespace

Transcoder::Transcoder(const Side& in, std::unique_ptr<codecs::Decoder> decoder, const Side& out,
                       std::unique_ptr<codecs::Encoder> encoder, uint32_t ssrc, uint32_t seed,
                       const JitterBuffer::Config& jb)
    : in_(in),
      out_(out),
      dec_(std::move(decoder)),
      enc_(std::move(encoder)),
      jb_(JitterBuffer::Config{in.codec ? in.codec->rtp_clock : 8000, jb.min_delay_ms, jb.max_delay_ms}),
      fifo_(16384) {
  if (!in_.codec || !out_.codec || !dec_ || !enc_ || enc_->frame_samples() == 0) return;
  const uint32_t out_rate = out_.codec->pcm_rate;
  const size_t codec_frame = enc_->frame_samples();
  size_t want = size_t(std::clamp<uint16_t>(out_.ptime_ms, 10, 120)) * out_rate / 1000;
  // The ptime is rounded up to whole codec frames (iLBC 30 ms asked for 20).
  encoder_frames_ = std::max<size_t>(1, (want + codec_frame - 1) / codec_frame);
  frame_samples_ = encoder_frames_ * codec_frame;
  if (frame_samples_ * 4 > fifo_.capacity()) return;
  ptime_us_ = uint64_t(frame_samples_) * 1000000 / out_rate;
  ts_step_ = static_cast<uint32_t>(uint64_t(frame_samples_) * out_.codec->rtp_clock / out_rate);

  dec_cap_ = size_t(in_.codec->pcm_rate) * kMaxDecodeMs / 1000;
  dec_buf_ = std::make_unique<int16_t[]>(dec_cap_);
  if (in_.codec->pcm_rate != out_rate) {
    resampler_ = std::make_unique<Resampler>(in_.codec->pcm_rate, out_rate);
    if (!resampler_->ok()) return;
    rs_cap_ = resampler_->out_for(dec_cap_) + 64;
    rs_buf_ = std::make_unique<int16_t[]>(rs_cap_);
  }
  uint32_t s = seed ? seed : 0x9e3779b9u;
  seq_ = static_cast<uint16_t>(next_random(s));
  ts_ = next_random(s);
  stats_.ssrc = ssrc;
  ok_ = true;
}

size_t Transcoder::write_header(uint8_t* buf, uint8_t pt, bool marker, uint32_t ts) {
  buf[0] = 0x80;
  buf[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | (pt & 0x7f));
  put16(buf + 2, seq_++);
  put32(buf + 4, ts);
  put32(buf + 8, stats_.ssrc);
  return kRtpHeader;
}

size_t Transcoder::write_event(uint8_t* buf, bool end) {
  write_header(buf, static_cast<uint8_t>(out_.te_pt), !ev_started_, ev_out_ts_);
  ev_started_ = true;
  uint8_t* p = buf + kRtpHeader;
  p[0] = ev_code_;
  p[1] = static_cast<uint8_t>((end ? 0x80 : 0) | (ev_volume_ & 0x3f));
  put16(p + 2, static_cast<uint16_t>(std::min<uint32_t>(ev_duration_, 0xffff)));
  ++stats_.packets;
  stats_.octets += 4;
  return kRtpHeader + 4;
}

size_t Transcoder::on_rtp(const RtpHeader& h, uint8_t* buf, size_t cap, uint64_t now_us) {
  if (!ok_) return 0;
  const uint8_t* payload = buf + h.header_len;
  if (in_.te_pt >= 0 && h.payload_type == in_.te_pt) {
    if (h.payload_len < 4 || out_.te_pt < 0 || cap < kRtpHeader + 4) return 0;
    const bool end = (payload[1] & 0x80) != 0;
    const uint8_t code = payload[0], volume = payload[1] & 0x3f;
    const uint32_t duration = uint32_t(payload[2]) << 8 | payload[3];
    const bool same_event = (ev_active_ || ev_ended_) && h.timestamp == ev_in_ts_;
    if (same_event && ev_ended_) return 0;  // the sender's own end repeats: ours are sent already
    if (!same_event) {
      ev_in_ts_ = h.timestamp;
      ev_out_ts_ = ts_;  // where the outgoing audio timeline is now
      ev_started_ = ev_ended_ = false;
      ev_end_repeats_ = 0;
      ev_active_ = true;
      ++stats_.events;
    }
    ev_code_ = code;
    ev_volume_ = volume;
    ev_duration_ = static_cast<uint32_t>(uint64_t(duration) * event_clock(out_) / event_clock(in_));
    ev_last_us_ = now_us;
    if (end) {
      ev_active_ = false;
      ev_ended_ = true;
      ev_end_repeats_ = kEndRepeats;
      // Audio after the event must not overlap it on the outgoing timeline.
      uint32_t after = ev_out_ts_ + ev_duration_;
      if (static_cast<int32_t>(after - ts_) > 0) ts_ = after;
    }
    return write_event(buf, end);
  }
  if (h.payload_type != in_.pt) {
    ++stats_.other_pt;  // comfort noise and anything not negotiated: not transcoded
    return 0;
  }
  bool was_idle = !jb_.started();
  if (jb_.push(h.seq, h.timestamp, payload, h.payload_len, now_us) != JitterBuffer::Push::Queued) return 0;
  if (was_idle || next_due_us_ == 0) {
    // A (new) talkspurt: the outgoing timestamps jump by the silence, as the
    // sender's own would have.
    if (stats_.last_sent_us != 0 && now_us > stats_.last_sent_us)
      ts_ += static_cast<uint32_t>((now_us - stats_.last_sent_us) * out_.codec->rtp_clock / 1000000);
    next_due_us_ = std::max(now_us, jb_.first_arrival_us() + uint64_t(jb_.target_ms()) * 1000);
    marker_ = true;
  }
  return 0;
}

bool Transcoder::due(uint64_t now_us) const {
  return ev_end_repeats_ > 0 || (ev_active_ && now_us > ev_last_us_ + kEventTimeoutUs) ||
         (next_due_us_ != 0 && now_us >= next_due_us_);
}

uint64_t Transcoder::next_due_us() const {
  if (ev_end_repeats_ > 0) return 1;
  uint64_t t = next_due_us_;
  if (ev_active_ && (t == 0 || ev_last_us_ + kEventTimeoutUs < t)) t = ev_last_us_ + kEventTimeoutUs;
  return t;
}

void Transcoder::push_pcm(const int16_t* pcm, size_t n) {
  if (resampler_) {
    size_t m = resampler_->process(pcm, n, rs_buf_.get(), rs_cap_);
    fifo_.push(rs_buf_.get(), m);
  } else {
    fifo_.push(pcm, n);
  }
}

bool Transcoder::fill(uint64_t now_us, bool& waiting) {
  waiting = false;
  const uint8_t* payload = nullptr;
  size_t len = 0;
  bool lost = true;
  switch (jb_.pop(now_us, payload, len)) {
    case JitterBuffer::Pop::Waiting:
      waiting = true;
      return false;
    case JitterBuffer::Pop::Packet: {
      int n = dec_->decode(payload, len, dec_buf_.get(), dec_cap_);
      if (n > 0) {
        conceal_run_ = 0;
        push_pcm(dec_buf_.get(), static_cast<size_t>(n));
        return true;
      }
      if (n == 0) return true;  // no audio in it (an empty comfort-noise update)
      ++stats_.decode_errors;  // undecodable: concealed as if lost
      break;
    }
    case JitterBuffer::Pop::Missing:
      break;
    case JitterBuffer::Pop::Empty:
      // The stream stalls (silence suppression, hold, the end): conceal a
      // little in case the next packet is only late, then go quiet.
      if (uint64_t(conceal_run_) * 1000 >= uint64_t(kConcealLimitMs) * in_.codec->pcm_rate) return false;
      lost = false;
      break;
  }
  // A lost packet is concealed for its whole duration; a stall one codec
  // frame at a time.
  const size_t want = lost ? std::min<size_t>(size_t(jb_.packet_us()) * in_.codec->pcm_rate / 1000000, dec_cap_) : 1;
  size_t got = 0;
  for (int guard = 0; got < want && guard < 16; ++guard) {
    int n = dec_->conceal(dec_buf_.get() + got, dec_cap_ - got);
    if (n <= 0) {  // a decoder without concealment: 10 ms of silence
      n = static_cast<int>(std::min<size_t>(in_.codec->pcm_rate / 100, dec_cap_ - got));
      std::memset(dec_buf_.get() + got, 0, size_t(n) * sizeof(int16_t));
    }
    got += static_cast<size_t>(n);
    if (got >= dec_cap_) break;
  }
  conceal_run_ += static_cast<unsigned>(got);
  ++stats_.concealed;
  push_pcm(dec_buf_.get(), got);
  return true;
}

void Transcoder::go_idle() {
  jb_.reset();
  fifo_.clear();
  next_due_us_ = 0;
  conceal_run_ = 0;
  marker_ = true;
}

size_t Transcoder::pull(uint64_t now_us, uint8_t* buf, size_t cap) {
  if (!ok_ || cap < kRtpHeader + 4) return 0;
  if (ev_active_ && now_us > ev_last_us_ + kEventTimeoutUs) {
    // The event's end packets were all lost: end it ourselves.
    ev_active_ = false;
    ev_ended_ = true;
    ev_end_repeats_ = kEndRepeats + 1;
    uint32_t after = ev_out_ts_ + ev_duration_;
    if (static_cast<int32_t>(after - ts_) > 0) ts_ = after;
  }
  if (ev_end_repeats_ > 0) {
    --ev_end_repeats_;
    return write_event(buf, true);
  }
  if (next_due_us_ == 0 || now_us < next_due_us_) return 0;
  while (fifo_.size() < frame_samples_) {
    bool waiting = false;
    if (fill(now_us, waiting)) continue;
    if (waiting) {
      next_due_us_ = now_us + 5000;
    } else {
      go_idle();
    }
    return 0;
  }
  next_due_us_ += ptime_us_;
  // After a stall of the worker, catch up without a burst.
  if (next_due_us_ + 4 * ptime_us_ < now_us) next_due_us_ = now_us + ptime_us_;
  if (ev_active_) {
    // An event is being sent: its packets stand in for the audio.
    fifo_.consume(frame_samples_);
    ts_ += ts_step_;
    return 0;
  }
  int n = enc_->encode(fifo_.data(), encoder_frames_, buf + kRtpHeader, cap - kRtpHeader);
  fifo_.consume(frame_samples_);
  if (n < 0) return 0;
  write_header(buf, out_.pt, marker_, ts_);
  marker_ = false;
  stats_.last_ts = ts_;
  stats_.last_sent_us = now_us;
  ts_ += ts_step_;
  ++stats_.packets;
  stats_.octets += static_cast<uint64_t>(n);
  return kRtpHeader + static_cast<size_t>(n);
}

}  // namespace edgesbc::media::transcode
