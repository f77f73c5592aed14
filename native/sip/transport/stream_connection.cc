#include "stream_connection.h"

#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "socket_util.h"
#include "tls_context.h"

namespace edgesbc::sip {

namespace {
constexpr size_t kReadChunk = 65536;
// Plain TCP reads per readiness before yielding to other fds (level-triggered
// epoll reports the rest next iteration).
constexpr int kMaxReadsPerWakeup = 8;
}  // namespace

std::atomic<uint64_t>& connection_idle_ms() {
  static std::atomic<uint64_t> ms{kDefaultConnectionIdleMs};
  return ms;
}

StreamConnection::StreamConnection(EventLoop& loop, Owner& owner, int fd, SSL* ssl, Flow flow,
                                   bool connecting, uint64_t idle_ms)
    : loop_(loop),
      owner_(owner),
      fd_(fd),
      ssl_(ssl),
      flow_(std::move(flow)),
      state_(connecting ? State::Connecting : (ssl ? State::Handshaking : State::Open)),
      idle_ms_(idle_ms) {}

StreamConnection::~StreamConnection() { close("destroyed", true); }

void StreamConnection::start() {
  last_activity_ = loop_.now_ms();
  interest_ = state_ == State::Connecting ? kWritable : kReadable;
  // The loop keeps the handler alive while it runs; the weak_ptr makes a
  // late event for a connection the manager already dropped a no-op.
  std::weak_ptr<StreamConnection> weak = shared_from_this();
  loop_.add_fd(fd_, interest_, [weak](uint32_t ev) {
    if (auto self = weak.lock()) self->on_io(ev);
  });
  uint64_t first = state_ == State::Open ? idle_ms_ : std::min(idle_ms_, kHandshakeTimeoutMs);
  loop_.timers().arm(timer_, first, [this] { on_timer(); });
  if (state_ == State::Handshaking) tls_advance();  // server: nothing to do until ClientHello
}

void StreamConnection::on_timer() {
  if (state_ == State::Closed) return;
  if (state_ != State::Open) {
    close(state_ == State::Connecting ? "connect timeout" : "TLS handshake timeout");
    return;
  }
  uint64_t now = loop_.now_ms();
  uint64_t idle = now - last_activity_;
  if (idle >= idle_ms_) {
    close("idle timeout");
    return;
  }
  loop_.timers().arm(timer_, idle_ms_ - idle, [this] { on_timer(); });
}

void StreamConnection::send(std::string_view bytes) {
  if (state_ == State::Closed || bytes.empty()) return;
  auto self = shared_from_this();  // a failing flush notifies the owner, who may drop us
  if (raw_bytes_ + plain_pending_.size() + bytes.size() > kMaxQueuedBytes) {
    close("send queue overflow (peer not reading)");
    return;
  }
  last_activity_ = loop_.now_ms();
  if (ssl_ != nullptr) {
    plain_pending_.append(bytes);
    if (state_ == State::Open) tls_encrypt_pending();
  } else {
    raw_out_.emplace_back(bytes);
    raw_bytes_ += bytes.size();
  }
  if (state_ == State::Open || state_ == State::Handshaking) flush();
  if (state_ != State::Closed) update_interest();
}

void StreamConnection::close(const std::string& reason, bool quiet) {
  if (state_ == State::Closed) return;
  bool pending = has_pending() || state_ == State::Connecting;
  if (ssl_ != nullptr && state_ == State::Open && raw_out_.empty()) {
    // Best effort close_notify, so the peer sees an orderly TLS close (one
    // non-blocking send; nothing else is queued ahead of it).
    ERR_clear_error();
    SSL_shutdown(ssl_);
    drain_tls_output();
    for (const auto& chunk : raw_out_) {
      if (::send(fd_, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) break;
    }
    ERR_clear_error();
  }
  state_ = State::Closed;
  timer_.cancel();
  loop_.remove_fd(fd_);
  ::close(fd_);
  fd_ = -1;
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  raw_out_.clear();
  raw_bytes_ = 0;
  plain_pending_.clear();
  if (!quiet) owner_.on_stream_closed(*this, reason, pending);
}

void StreamConnection::on_io(uint32_t events) {
  auto self = shared_from_this();  // owner callbacks may drop their reference
  if (state_ == State::Closed) return;
  if (state_ == State::Connecting) {
    if (events & (kWritable | kError)) finish_connect();
    if (state_ != State::Closed) update_interest();
    return;
  }
  if (events & (kReadable | kError)) read_socket();
  if (state_ == State::Closed) return;
  if ((events & kWritable) || has_pending()) flush();
  if (state_ != State::Closed) update_interest();
}

void StreamConnection::finish_connect() {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) {
    close("connect " + flow_.remote.to_string() + ": " + errno_text(err));
    return;
  }
  last_activity_ = loop_.now_ms();
  if (ssl_ != nullptr) {
    state_ = State::Handshaking;
    tls_advance();  // ClientHello
  } else {
    state_ = State::Open;
    loop_.timers().arm(timer_, idle_ms_, [this] { on_timer(); });
  }
  if (state_ != State::Closed) flush();
}

void StreamConnection::read_socket() {
  char buf[kReadChunk];
  for (int i = 0; i < kMaxReadsPerWakeup && state_ != State::Closed; ++i) {
    ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      last_activity_ = loop_.now_ms();
      if (ssl_ != nullptr) {
        BIO_write(SSL_get_rbio(ssl_), buf, static_cast<int>(n));
        tls_advance();
      } else {
        deliver(std::string_view(buf, static_cast<size_t>(n)));
      }
      if (static_cast<size_t>(n) < sizeof buf) return;
      continue;
    }
    if (n == 0) {
      close("connection closed by peer");
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) close("recv: " + errno_text(errno));
    return;
  }
}

void StreamConnection::tls_advance() {
  if (state_ == State::Handshaking) {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r != 1) {
      int e = SSL_get_error(ssl_, r);
      drain_tls_output();  // e.g. the alert telling the peer why
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        flush();
        return;
      }
      flush();
      close("TLS handshake: " + ssl_error_text());
      return;
    }
    state_ = State::Open;
    loop_.timers().arm(timer_, idle_ms_, [this] { on_timer(); });
    drain_tls_output();
    tls_encrypt_pending();
    if (state_ == State::Closed) return;
  }
  char buf[kReadChunk];
  while (state_ == State::Open) {
    ERR_clear_error();
    int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) {
      deliver(std::string_view(buf, static_cast<size_t>(n)));
      continue;
    }
    int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
    drain_tls_output();
    flush();
    close(e == SSL_ERROR_ZERO_RETURN ? "TLS closed by peer" : "TLS: " + ssl_error_text());
    return;
  }
  // SSL_read may have produced records (session tickets, key updates).
  drain_tls_output();
}

void StreamConnection::tls_encrypt_pending() {
  if (plain_pending_.empty() || state_ != State::Open) return;
  ERR_clear_error();
  size_t written = 0;
  // Memory BIOs grow as needed, so SSL_write takes everything at once.
  int r = SSL_write_ex(ssl_, plain_pending_.data(), plain_pending_.size(), &written);
  if (r != 1) {
    close("TLS write: " + ssl_error_text());
    return;
  }
  plain_pending_.erase(0, written);
  drain_tls_output();
}

void StreamConnection::drain_tls_output() {
  if (ssl_ == nullptr) return;
  BIO* w = SSL_get_wbio(ssl_);
  size_t pending = BIO_ctrl_pending(w);
  if (pending == 0) return;
  std::string out(pending, '\0');
  int n = BIO_read(w, out.data(), static_cast<int>(pending));
  if (n <= 0) return;
  out.resize(static_cast<size_t>(n));
  raw_bytes_ += out.size();
  raw_out_.push_back(std::move(out));
}

void StreamConnection::deliver(std::string_view plain) {
  framer_.append(plain);
  auto self = shared_from_this();
  while (state_ != State::Closed) {
    Message msg;
    ParseResult res;
    std::string bad;
    switch (framer_.next(msg, res, bad)) {
      case StreamFramer::Step::NeedMore:
        return;
      case StreamFramer::Step::Ping:
        send("\r\n");  // RFC 5626 §4.4.1 pong
        break;
      case StreamFramer::Step::Message:
        owner_.on_stream_message(*this, std::move(msg));
        break;
      case StreamFramer::Step::Invalid:
        // The owner may answer (400 …) on this connection first; after that
        // the stream has no usable message boundary, so it must go.
        owner_.on_stream_invalid(*this, std::move(bad), res);
        if (state_ != State::Closed) {
          flush();
          close(std::string("invalid message: ") + res.reason, true);
          owner_.on_stream_closed(*this, std::string("invalid message: ") + res.reason, false);
        }
        return;
    }
  }
}

void StreamConnection::flush() {
  if (state_ == State::Closed || state_ == State::Connecting) return;
  while (!raw_out_.empty()) {
    const std::string& front = raw_out_.front();
    ssize_t n = ::send(fd_, front.data() + raw_off_, front.size() - raw_off_, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      close("send: " + errno_text(errno));
      return;
    }
    last_activity_ = loop_.now_ms();
    raw_off_ += static_cast<size_t>(n);
    raw_bytes_ -= static_cast<size_t>(n);
    if (raw_off_ == front.size()) {
      raw_out_.pop_front();
      raw_off_ = 0;
    }
  }
}

void StreamConnection::update_interest() {
  if (state_ == State::Closed) return;
  uint32_t want = kReadable;
  if (state_ == State::Connecting) want = kWritable;
  else if (!raw_out_.empty()) want |= kWritable;
  if (want != interest_) {
    interest_ = want;
    loop_.modify_fd(fd_, want);
  }
}

}  // namespace edgesbc::sip
