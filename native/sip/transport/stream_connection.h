// One TCP or TLS connection on the SIP loop: non-blocking connect, optional
// TLS (memory BIOs), a write queue, framing, keepalive pong, idle and
// handshake timeouts. Owned by the TransportManager through shared_ptr; a
// callback that closes the connection never frees it under our feet.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "../loop/event_loop.h"
#include "stream_framer.h"
#include "transport.h"

namespace edgesbc::sip {

// Idle connections (no bytes either way) are closed after this long. A
// runtime value only so tests can shorten it; the engine keeps the default.
inline constexpr uint64_t kDefaultConnectionIdleMs = 10 * 60 * 1000;
// The idle timeout new connections get; tests shorten it.
std::atomic<uint64_t>& connection_idle_ms();
// Connect + TLS handshake must finish within this (half-open peers, slow
// handshakes that would otherwise pin a socket for the whole idle time).
inline constexpr uint64_t kHandshakeTimeoutMs = 10 * 1000;
// A peer that does not read: beyond this much queued output we give up.
inline constexpr size_t kMaxQueuedBytes = 4 * 1024 * 1024;

class StreamConnection : public std::enable_shared_from_this<StreamConnection> {
 public:
  struct Owner {
    virtual void on_stream_message(StreamConnection& c, Message&& msg) = 0;
    virtual void on_stream_invalid(StreamConnection& c, std::string&& bytes, const ParseResult& res) = 0;
    // After the fd is closed. pending: bytes we had been asked to send were
    // not (all) sent, or an outbound connect never completed.
    virtual void on_stream_closed(StreamConnection& c, const std::string& reason, bool pending) = 0;

   protected:
    ~Owner() = default;
  };

  // fd: connected (accepted) or connect in progress (outbound). ssl: a
  // session from TlsContext::new_session or nullptr for TCP; we own it.
  StreamConnection(EventLoop& loop, Owner& owner, int fd, SSL* ssl, Flow flow, bool connecting,
                   uint64_t idle_ms);
  ~StreamConnection();
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  void start();
  // Queues bytes (plaintext); sent once connected / handshake done.
  void send(std::string_view bytes);
  // Closes now; notifies the owner unless quiet.
  void close(const std::string& reason, bool quiet = false);

  bool closed() const { return state_ == State::Closed; }
  const Flow& flow() const { return flow_; }
  uint64_t id() const { return flow_.conn_id; }

 private:
  enum class State { Connecting, Handshaking, Open, Closed };

  void on_io(uint32_t events);
  void finish_connect();
  void read_socket();
  void tls_advance();           // handshake / SSL_read after new ciphertext
  void tls_encrypt_pending();   // plaintext queued before the handshake ended
  void drain_tls_output();      // wbio → raw queue
  void deliver(std::string_view plain);
  void flush();
  void update_interest();
  void on_timer();
  bool has_pending() const { return !raw_out_.empty() || !plain_pending_.empty(); }

  EventLoop& loop_;
  Owner& owner_;
  int fd_;
  SSL* ssl_;
  Flow flow_;
  State state_;
  uint64_t idle_ms_;
  uint64_t last_activity_ = 0;
  uint32_t interest_ = 0;
  StreamFramer framer_;
  std::deque<std::string> raw_out_;  // bytes for the socket (ciphertext for TLS)
  size_t raw_off_ = 0;              // sent prefix of raw_out_.front()
  size_t raw_bytes_ = 0;
  std::string plain_pending_;        // TLS plaintext waiting for the handshake
  Timer timer_;
};

}  // namespace edgesbc::sip
