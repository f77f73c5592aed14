// TCP: framing (two messages in one write, one message split across writes,
// a body), keepalive ping/pong, garbage closing the connection after
// on_invalid, connection reuse between two managers, connect failure,
// peer reset, idle timeout, IPv6.
#include <sys/socket.h>

#include <set>

#include "check.h"
#include "sip/transport/stream_connection.h"
#include "test_transport_fixture.h"

using namespace edgesbc::sip;

TEST(transport_tcp_framing_two_in_one_write_and_split) {
  tt::LoopThread lt;
  tt::Manager m(lt);
  CHECK(m.start({tt::spec("t", Proto::TCP, "127.0.0.1")}));
  int fd = tt::tcp_connect("127.0.0.1", m.port("t"));
  CHECK(fd >= 0);
  if (fd < 0) return;
  std::string two = tt::options("one", "TCP") + tt::options("two", "TCP", "hello body");
  CHECK_EQ(send(fd, two.data(), two.size(), 0), static_cast<ssize_t>(two.size()));
  CHECK(m.col.wait_msgs(2));
  std::string split = tt::options("three", "TCP", "0123456789");
  size_t cut = split.find("Call-ID") + 3;  // mid-header
  CHECK_EQ(send(fd, split.data(), cut, 0), static_cast<ssize_t>(cut));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  CHECK_EQ(m.col.n_msgs(), 2u);  // nothing yet: incomplete
  size_t cut2 = split.size() - 4;    // mid-body
  CHECK_EQ(send(fd, split.data() + cut, cut2 - cut, 0), static_cast<ssize_t>(cut2 - cut));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  CHECK_EQ(m.col.n_msgs(), 2u);
  CHECK_EQ(send(fd, split.data() + cut2, split.size() - cut2, 0), static_cast<ssize_t>(split.size() - cut2));
  CHECK(m.col.wait_msgs(3));
  CHECK_EQ(m.col.call_id(0), std::string("one"));
  CHECK_EQ(m.col.call_id(1), std::string("two"));
  CHECK_EQ(m.col.call_id(2), std::string("three"));
  Flow back;
  {
    std::lock_guard<std::mutex> lk(m.col.mu);
    if (m.col.msgs.size() == 3) {
      CHECK_EQ(std::string(m.col.msgs[1].msg.view(m.col.msgs[1].msg.body)), std::string("hello body"));
      CHECK_EQ(m.col.msgs[2].msg.buf, split);
      CHECK(m.col.msgs[0].flow.conn_id != 0);
      CHECK_EQ(m.col.msgs[0].flow.conn_id, m.col.msgs[2].flow.conn_id);
      CHECK(m.col.msgs[0].flow.proto == Proto::TCP);
      back = m.col.msgs[0].flow;
    }
    CHECK(m.col.invalid.empty());
  }
  CHECK_EQ(m.connections(), 1u);
  // The response goes back on the same connection.
  std::string resp = tt::ok_for("one", "TCP");
  CHECK(m.send(back, resp));
  CHECK_EQ(tt::read_some(fd, resp.size()), resp);
  close(fd);
  CHECK(tt::eventually([&] { return m.connections() == 0; }));
}

TEST(transport_tcp_keepalive_ping_pong) {
  tt::LoopThread lt;
  tt::Manager m(lt);
  CHECK(m.start({tt::spec("t", Proto::TCP, "127.0.0.1")}));
  int fd = tt::tcp_connect("127.0.0.1", m.port("t"));
  CHECK(fd >= 0);
  if (fd < 0) return;
  // Ping before a message and a lone CRLF (pong) between messages.
  std::string bytes = "\r\n\r\n" + tt::options("ka1", "TCP") + "\r\n" + tt::options("ka2", "TCP");
  CHECK_EQ(send(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  CHECK_EQ(tt::read_some(fd, 2), std::string("\r\n"));
  CHECK(m.col.wait_msgs(2));
  CHECK_EQ(m.col.call_id(1), std::string("ka2"));
  CHECK(m.col.n_invalid() == 0);
  close(fd);
}

TEST(transport_tcp_garbage_calls_on_invalid_then_closes) {
  tt::LoopThread lt;
  tt::Manager m(lt);
  CHECK(m.start({tt::spec("t", Proto::TCP, "127.0.0.1")}));
  int fd = tt::tcp_connect("127.0.0.1", m.port("t"));
  CHECK(fd >= 0);
  if (fd < 0) return;
  std::string junk = "HELLO THERE\x01\x02\xff\r\nnot: sip\r\n\r\n";
  CHECK_EQ(send(fd, junk.data(), junk.size(), 0), static_cast<ssize_t>(junk.size()));
  CHECK(tt::peer_closed(fd));
  CHECK(m.col.wait([&] { return m.col.invalid.size() == 1; }));
  CHECK(m.col.n_msgs() == 0);
  CHECK(tt::eventually([&] { return m.connections() == 0; }));
  close(fd);
  // A message without Content-Length on a stream has no boundary either.
  fd = tt::tcp_connect("127.0.0.1", m.port("t"));
  std::string nocl = tt::options("nocl", "TCP");
  nocl.erase(nocl.find("Content-Length"));
  nocl += "\r\n";
  CHECK_EQ(send(fd, nocl.data(), nocl.size(), 0), static_cast<ssize_t>(nocl.size()));
  CHECK(tt::peer_closed(fd));
  CHECK(m.col.wait([&] { return m.col.invalid.size() == 2; }));
  close(fd);
  // An endless header block: refused once past the size limit.
  fd = tt::tcp_connect("127.0.0.1", m.port("t"));
  std::string big = "OPTIONS sip:x@y SIP/2.0\r\nX-Pad: " + std::string(70000, 'a');
  send(fd, big.data(), big.size(), MSG_NOSIGNAL);
  CHECK(tt::peer_closed(fd));
  CHECK(m.col.wait([&] { return m.col.invalid.size() == 3; }));
  close(fd);
  // Still serving.
  fd = tt::tcp_connect("127.0.0.1", m.port("t"));
  std::string ok = tt::options("fine", "TCP");
  CHECK_EQ(send(fd, ok.data(), ok.size(), 0), static_cast<ssize_t>(ok.size()));
  CHECK(m.col.wait_msgs(1));
  close(fd);
}

TEST(transport_tcp_reuse_between_managers) {
  tt::LoopThread lt;
  tt::Manager a(lt), b(lt);
  CHECK(a.start({tt::spec("at", Proto::TCP, "127.0.0.1")}));
  CHECK(b.start({tt::spec("bt", Proto::TCP, "127.0.0.1")}));
  Flow to_b = tt::flow_to("at", Proto::TCP, "127.0.0.1", b.port("bt"));
  CHECK(a.send(to_b, tt::options("r1", "TCP")));
  CHECK(b.col.wait_msgs(1));
  Flow reply;
  {
    std::lock_guard<std::mutex> lk(b.col.mu);
    if (!b.col.msgs.empty()) reply = b.col.msgs[0].flow;
  }
  CHECK(reply.conn_id != 0);
  CHECK(b.send(reply, tt::ok_for("r1", "TCP")));
  CHECK(a.col.wait_msgs(1));
  uint64_t a_conn = 0;
  {
    std::lock_guard<std::mutex> lk(a.col.mu);
    if (!a.col.msgs.empty()) {
      a_conn = a.col.msgs[0].flow.conn_id;
      CHECK(a.col.msgs[0].flow.remote == to_b.remote);  // came back on our connection
    }
  }
  CHECK(a_conn != 0);
  // A second request to the same remote reuses the connection.
  CHECK(a.send(to_b, tt::options("r2", "TCP")));
  CHECK(b.col.wait_msgs(2));
  CHECK_EQ(a.connections(), 1u);
  CHECK_EQ(b.connections(), 1u);
  {
    std::lock_guard<std::mutex> lk(b.col.mu);
    if (b.col.msgs.size() == 2) CHECK_EQ(b.col.msgs[1].flow.conn_id, reply.conn_id);
  }
  // b replies by remote only (conn_id unknown): still the same connection.
  Flow by_remote = reply;
  by_remote.conn_id = 0;
  CHECK(b.send(by_remote, tt::ok_for("r2", "TCP")));
  CHECK(a.col.wait_msgs(2));
  CHECK_EQ(b.connections(), 1u);
  CHECK_EQ(a.col.n_msgs(), 2u);
}

TEST(transport_tcp_connect_refused_reports_send_error) {
  tt::LoopThread lt;
  tt::Manager a(lt);
  CHECK(a.start({tt::spec("at", Proto::TCP, "127.0.0.1")}));
  // A port nobody listens on: bind one, remember it, close it.
  int tmp = socket(AF_INET, SOCK_STREAM, 0);
  SockAddr any;
  SockAddr::from_ip_port("127.0.0.1", 0, any);
  bind(tmp, reinterpret_cast<sockaddr*>(&any.ss), any.len);
  SockAddr bound;
  bound.len = sizeof bound.ss;
  getsockname(tmp, reinterpret_cast<sockaddr*>(&bound.ss), &bound.len);
  close(tmp);
  Flow f = tt::flow_to("at", Proto::TCP, "127.0.0.1", bound.port());
  CHECK(a.send(f, tt::options("refused", "TCP")));
  CHECK(a.col.wait([&] { return a.col.errors.size() == 1; }));
  {
    std::lock_guard<std::mutex> lk(a.col.mu);
    if (!a.col.errors.empty()) {
      CHECK(a.col.errors[0].first.remote == f.remote);
      CHECK(a.col.errors[0].second.find("refused") != std::string::npos);
    }
  }
  CHECK(tt::eventually([&] { return a.connections() == 0; }));
  // No TCP listener of that id: cannot even try.
  CHECK(!a.send(tt::flow_to("nope", Proto::TCP, "127.0.0.1", bound.port()), "x"));
}

TEST(transport_tcp_peer_reset_and_half_close) {
  tt::LoopThread lt;
  tt::Manager m(lt);
  CHECK(m.start({tt::spec("t", Proto::TCP, "127.0.0.1")}));
  for (int round = 0; round < 2; ++round) {
    int fd = tt::tcp_connect("127.0.0.1", m.port("t"));
    std::string part = tt::options("partial", "TCP").substr(0, 40);
    send(fd, part.data(), part.size(), 0);
    if (round == 0) {
      linger lg{1, 0};  // RST instead of FIN
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      close(fd);
    } else {
      shutdown(fd, SHUT_WR);
      CHECK(tt::peer_closed(fd));
      close(fd);
    }
    CHECK(tt::eventually([&] { return m.connections() == 0; }));
  }
  CHECK(m.col.n_msgs() == 0);
}

TEST(transport_tcp_idle_timeout_closes) {
  auto saved = connection_idle_ms().load();
  connection_idle_ms() = 150;
  {
    tt::LoopThread lt;
    tt::Manager m(lt);
    CHECK(m.start({tt::spec("t", Proto::TCP, "127.0.0.1")}));
    int fd = tt::tcp_connect("127.0.0.1", m.port("t"));
    CHECK(tt::eventually([&] { return m.connections() == 1; }));
    uint64_t t0 = monotonic_ms();
    CHECK(tt::peer_closed(fd));
    uint64_t waited = monotonic_ms() - t0;
    CHECK(waited >= 100);
    CHECK(waited < 1000);
    CHECK(tt::eventually([&] { return m.connections() == 0; }));
    close(fd);
  }
  connection_idle_ms() = saved;
}

TEST(transport_tcp_ipv6) {
  tt::LoopThread lt;
  tt::Manager a(lt), b(lt);
  CHECK(a.start({tt::spec("a6", Proto::TCP, "::1")}));
  CHECK(b.start({tt::spec("b6", Proto::TCP, "::1")}));
  CHECK(a.send(tt::flow_to("a6", Proto::TCP, "::1", b.port("b6")), tt::options("v6", "TCP")));
  CHECK(b.col.wait_msgs(1));
  CHECK_EQ(b.col.call_id(0), std::string("v6"));
  // An IPv4 target from an IPv6 listener: cannot even try.
  CHECK(!a.send(tt::flow_to("a6", Proto::TCP, "127.0.0.1", 5060), "x"));
}

// 200 clients at once (bounded): every message arrives once, on its own
// connection, and every connection is forgotten when its client leaves.
TEST(transport_tcp_many_clients) {
  tt::LoopThread lt;
  tt::Manager m(lt);
  CHECK(m.start({tt::spec("t", Proto::TCP, "127.0.0.1")}));
  const int kClients = 200;
  std::vector<int> fds;
  for (int i = 0; i < kClients; ++i) {
    int fd = tt::tcp_connect("127.0.0.1", m.port("t"));
    if (fd < 0) break;
    std::string msg = tt::options("many-" + std::to_string(i), "TCP");
    send(fd, msg.data(), msg.size(), 0);
    fds.push_back(fd);
  }
  CHECK_EQ(fds.size(), static_cast<size_t>(kClients));
  CHECK(m.col.wait_msgs(kClients, 3000));
  {
    std::lock_guard<std::mutex> lk(m.col.mu);
    std::set<uint64_t> conns;
    std::set<std::string> ids;
    for (auto& in : m.col.msgs) {
      conns.insert(in.flow.conn_id);
      ids.insert(std::string(in.msg.call_id_sv()));
    }
    CHECK_EQ(conns.size(), static_cast<size_t>(kClients));
    CHECK_EQ(ids.size(), static_cast<size_t>(kClients));
  }
  CHECK_EQ(m.connections(), static_cast<size_t>(kClients));
  for (int fd : fds) close(fd);
  CHECK(tt::eventually([&] { return m.connections() == 0; }));
}
