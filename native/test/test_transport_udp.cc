// UDP listeners over 127.0.0.1 and ::1: a plain socket talks to a manager,
// and two managers talk to each other; keepalives and garbage.
#include <arpa/inet.h>

#include <fstream>
#include <iterator>

#include "check.h"
#include "test_transport_fixture.h"

using namespace edgesbc::sip;

namespace {

int udp_socket(const std::string& ip, SockAddr& bound) {
  SockAddr a;
  SockAddr::from_ip_port(ip, 0, a);
  int fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  bind(fd, reinterpret_cast<sockaddr*>(&a.ss), a.len);
  bound.len = sizeof bound.ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound.ss), &bound.len);
  tt::set_timeout(fd, 1500);
  return fd;
}

void roundtrip_with_plain_socket(const std::string& ip) {
  tt::LoopThread lt;
  tt::Manager m(lt);
  CHECK(m.start({tt::spec("u", Proto::UDP, ip)}));
  uint16_t port = m.port("u");
  CHECK(port != 0);
  SockAddr peer;
  int fd = udp_socket(ip, peer);
  SockAddr dst;
  SockAddr::from_ip_port(ip, port, dst);
  // A CRLF keepalive and a STUN-looking byte are not messages nor errors.
  CHECK(sendto(fd, "\r\n\r\n", 4, 0, reinterpret_cast<sockaddr*>(&dst.ss), dst.len) == 4);
  std::string req = tt::options("udp-" + ip);
  CHECK(sendto(fd, req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&dst.ss), dst.len) ==
        static_cast<ssize_t>(req.size()));
  CHECK(m.col.wait_msgs(1));
  Flow back;
  {
    std::lock_guard<std::mutex> lk(m.col.mu);
    CHECK_EQ(m.col.msgs.size(), 1u);
    CHECK(m.col.invalid.empty());
    if (m.col.msgs.empty()) return;
    const auto& in = m.col.msgs[0];
    CHECK_EQ(std::string(in.msg.call_id_sv()), "udp-" + ip);
    CHECK_EQ(in.msg.buf, req);
    CHECK_EQ(in.flow.listener_id, std::string("u"));
    CHECK(in.flow.proto == Proto::UDP);
    CHECK(in.flow.remote == peer);
    CHECK_EQ(in.flow.conn_id, 0u);
    back = in.flow;
  }
  std::string resp = tt::ok_for("udp-" + ip);
  CHECK(m.send(back, resp));
  char buf[2048];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  CHECK_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), resp);
  close(fd);
}

}  // namespace

TEST(transport_udp_ipv4_roundtrip) { roundtrip_with_plain_socket("127.0.0.1"); }

TEST(transport_udp_ipv6_roundtrip) { roundtrip_with_plain_socket("::1"); }

TEST(transport_udp_between_managers_and_garbage) {
  tt::LoopThread lt;
  tt::Manager a(lt), b(lt);
  CHECK(a.start({tt::spec("a4", Proto::UDP, "127.0.0.1"), tt::spec("a6", Proto::UDP, "::1")}));
  CHECK(b.start({tt::spec("b4", Proto::UDP, "127.0.0.1"), tt::spec("b6", Proto::UDP, "::1")}));
  CHECK(a.send(tt::flow_to("a4", Proto::UDP, "127.0.0.1", b.port("b4")), tt::options("m4")));
  CHECK(a.send(tt::flow_to("a6", Proto::UDP, "::1", b.port("b6")), tt::options("m6")));
  CHECK(b.col.wait_msgs(2));
  {
    std::lock_guard<std::mutex> lk(b.col.mu);
    CHECK_EQ(b.col.msgs.size(), 2u);
    for (auto& in : b.col.msgs) {
      bool v6 = in.msg.call_id_sv() == "m6";
      CHECK_EQ(in.flow.listener_id, std::string(v6 ? "b6" : "b4"));
      CHECK_EQ(in.flow.remote.port(), a.port(v6 ? "a6" : "a4"));
    }
  }
  // Family mismatch and unknown listener: cannot even try.
  CHECK(!a.send(tt::flow_to("a4", Proto::UDP, "::1", b.port("b6")), "x"));
  CHECK(!a.send(tt::flow_to("nope", Proto::UDP, "127.0.0.1", b.port("b4")), "x"));
  // Garbage reaches on_invalid with the bytes and the flow; nothing breaks.
  CHECK(a.send(tt::flow_to("a4", Proto::UDP, "127.0.0.1", b.port("b4")), "\x7f garbage \xff\r\n\r\n"));
  CHECK(b.col.wait([&] { return b.col.invalid.size() == 1; }));
  {
    std::lock_guard<std::mutex> lk(b.col.mu);
    if (!b.col.invalid.empty()) {
      CHECK(b.col.invalid[0].res.status == ParseStatus::Invalid);
      CHECK_EQ(b.col.invalid[0].flow.listener_id, std::string("b4"));
      CHECK_EQ(b.col.invalid[0].bytes, std::string("\x7f garbage \xff\r\n\r\n"));
    }
  }
  CHECK(a.send(tt::flow_to("a4", Proto::UDP, "127.0.0.1", b.port("b4")), tt::options("after")));
  CHECK(b.col.wait_msgs(3));
  CHECK_EQ(b.col.call_id(2), std::string("after"));
}

TEST(transport_listener_errors_and_pick) {
  tt::LoopThread lt;
  tt::Manager a(lt), b(lt);
  CHECK(a.start({tt::spec("lan-u", Proto::UDP, "127.0.0.1"), tt::spec("wan-u6", Proto::UDP, "::1", "wan"),
                 tt::spec("wan-u4", Proto::UDP, "127.0.0.1", "wan"), tt::spec("wan-t", Proto::TCP, "127.0.0.1", "wan")}));
  // Same port again: bind fails with a readable error.
  ListenerSpec dup = tt::spec("x", Proto::UDP, "127.0.0.1");
  dup.port = a.port("lan-u");
  std::string err;
  bool ok = lt.call([&] { return b.tm->start({dup}, {}, err); });
  CHECK(!ok);
  CHECK(err.find("bind 127.0.0.1:" + std::to_string(dup.port) + "/udp") == 0);
  CHECK(err.find("in use") != std::string::npos);
  // TLS listener without a certificate refuses to start.
  ok = lt.call([&] { return b.tm->start({tt::spec("t", Proto::TLS, "127.0.0.1")}, {}, err); });
  CHECK(!ok);
  lt.call([&] {
    SockAddr v6, v4;
    SockAddr::from_ip_port("::1", 5060, v6);
    SockAddr::from_ip_port("10.0.0.1", 5060, v4);
    auto* p = a.tm->pick("wan", Proto::UDP);
    CHECK(p && p->id == "wan-u6");
    p = a.tm->pick("wan", Proto::UDP, &v4);
    CHECK(p && p->id == "wan-u4");
    p = a.tm->pick("wan", Proto::UDP, &v6);
    CHECK(p && p->id == "wan-u6");
    CHECK(a.tm->pick("lan", Proto::TCP) == nullptr);
    CHECK(a.tm->listener("wan-t") != nullptr);
    CHECK_EQ(a.tm->listener("wan-t")->advertised_ip, std::string("127.0.0.1"));
  });
}

// Every RFC 4475 torture message sent as a datagram ends up in exactly one
// of on_msg / on_invalid (nothing silently lost in the transport, nothing
// crashes); read in place from the shared test data.
TEST(transport_udp_rfc4475_each_message_accounted_for) {
  // The test runner starts in the repository root (make -C native/test run).
  std::string dir = "../shared/testdata/rfc4475/";
  if (!std::ifstream(dir + "MANIFEST.tsv")) dir = "/work/shared/testdata/rfc4475/";
  std::ifstream manifest(dir + "MANIFEST.tsv");
  std::vector<std::string> names;
  std::string line;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    names.push_back(line.substr(0, line.find('\t')));
  }
  CHECK(names.size() >= 40);
  tt::LoopThread lt;
  tt::Manager m(lt);
  CHECK(m.start({tt::spec("u", Proto::UDP, "127.0.0.1")}));
  SockAddr peer;
  int fd = udp_socket("127.0.0.1", peer);
  SockAddr dst;
  SockAddr::from_ip_port("127.0.0.1", m.port("u"), dst);
  size_t sent = 0;
  for (const auto& n : names) {
    std::ifstream f(dir + n + ".dat", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.empty()) continue;
    size_t before;
    {
      std::lock_guard<std::mutex> lk(m.col.mu);
      before = m.col.msgs.size() + m.col.invalid.size();
    }
    sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&dst.ss), dst.len);
    ++sent;
    bool got = m.col.wait([&] { return m.col.msgs.size() + m.col.invalid.size() == before + 1; }, 1000);
    if (!got) std::fprintf(stderr, "  %s: neither on_msg nor on_invalid\n", n.c_str());
    CHECK(got);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::lock_guard<std::mutex> lk(m.col.mu);
  CHECK_EQ(m.col.msgs.size() + m.col.invalid.size(), sent);
  close(fd);
}
