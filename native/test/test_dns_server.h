// A tiny authoritative DNS server for the resolver tests ONLY: one UDP
// socket on 127.0.0.1 (on the test's EventLoop), answering A, AAAA, SRV and
// NAPTR from a table in hand-rolled wire format, counting the queries it
// gets. Unknown names get NXDOMAIN, known names without that type NODATA.
// Never used outside native/test; the tests never reach a real server.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "sip/loop/event_loop.h"

namespace dnstest {

class FakeDns {
 public:
  explicit FakeDns(edgesbc::sip::EventLoop& loop) : loop_(loop) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    loop_.add_fd(fd_, edgesbc::sip::kReadable, [this](uint32_t) { on_readable(); });
  }
  ~FakeDns() {
    loop_.remove_fd(fd_);
    close(fd_);
  }
  FakeDns(const FakeDns&) = delete;
  FakeDns& operator=(const FakeDns&) = delete;

  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }
  bool silent = false;  // drop every query (timeouts)

  void a(const std::string& name, const std::string& ip, uint32_t ttl = 300) {
    in_addr x{};
    inet_pton(AF_INET, ip.c_str(), &x);
    add(name, 1, ttl, std::string(reinterpret_cast<const char*>(&x), 4));
  }
  void aaaa(const std::string& name, const std::string& ip, uint32_t ttl = 300) {
    in6_addr x{};
    inet_pton(AF_INET6, ip.c_str(), &x);
    add(name, 28, ttl, std::string(reinterpret_cast<const char*>(&x), 16));
  }
  void srv(const std::string& name, uint16_t prio, uint16_t weight, uint16_t port, const std::string& target,
           uint32_t ttl = 300) {
    add(name, 33, ttl, u16(prio) + u16(weight) + u16(port) + encode_name(target));
  }
  void naptr(const std::string& name, uint16_t order, uint16_t pref, const std::string& flags,
             const std::string& service, const std::string& replacement, uint32_t ttl = 300) {
    add(name, 35, ttl,
        u16(order) + u16(pref) + char_string(flags) + char_string(service) + char_string("") + encode_name(replacement));
  }

  int count(const std::string& name, int type) const {
    auto it = counts_.find({lower(name), type});
    return it == counts_.end() ? 0 : it->second;
  }
  int total() const {
    int n = 0;
    for (auto& [k, v] : counts_) n += v;
    return n;
  }

 private:
  struct Rr {
    int type;
    uint32_t ttl;
    std::string rdata;
  };

  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  static std::string u16(uint16_t v) { return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }
  static std::string u32(uint32_t v) { return u16(static_cast<uint16_t>(v >> 16)) + u16(static_cast<uint16_t>(v)); }
  static std::string char_string(const std::string& s) { return static_cast<char>(s.size()) + s; }
  static std::string encode_name(const std::string& name) {
    std::string out;
    size_t start = 0;
    std::string n = lower(name);
    while (start < n.size()) {
      size_t dot = n.find('.', start);
      if (dot == std::string::npos) dot = n.size();
      out += static_cast<char>(dot - start);
      out += n.substr(start, dot - start);
      start = dot + 1;
    }
    out += '\0';
    return out;
  }
  void add(const std::string& name, int type, uint32_t ttl, std::string rdata) {
    zone_[lower(name)].push_back(Rr{type, ttl, std::move(rdata)});
  }

  void on_readable() {
    for (int i = 0; i < 64; ++i) {
      if (!answer_one()) return;
    }
  }

  // False when nothing was waiting.
  bool answer_one() {
    unsigned char q[1500];
    sockaddr_storage from{};
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(fd_, q, sizeof q, 0, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n < 0) return false;
    if (n < 17) return true;
    // Question: one name (no compression in queries), type, class.
    std::string name;
    size_t pos = 12;
    while (pos < static_cast<size_t>(n) && q[pos] != 0) {
      size_t l = q[pos];
      if (pos + 1 + l > static_cast<size_t>(n)) return true;
      if (!name.empty()) name += '.';
      name.append(reinterpret_cast<const char*>(q + pos + 1), l);
      pos += 1 + l;
    }
    pos += 1;
    if (pos + 4 > static_cast<size_t>(n)) return true;
    int type = (q[pos] << 8) | q[pos + 1];
    size_t qend = pos + 4;
    name = lower(name);
    counts_[{name, type}]++;
    if (silent) return true;
    auto it = zone_.find(name);
    std::vector<const Rr*> answers;
    if (it != zone_.end()) {
      for (const Rr& rr : it->second) {
        if (rr.type == type) answers.push_back(&rr);
      }
    }
    std::string r;
    r += static_cast<char>(q[0]);
    r += static_cast<char>(q[1]);
    r += static_cast<char>(0x84 | (q[2] & 0x01));     // QR, AA, RD copied
    r += static_cast<char>(it == zone_.end() ? 3 : 0);  // NXDOMAIN / NOERROR
    r += u16(1) + u16(static_cast<uint16_t>(answers.size())) + u16(0) + u16(0);
    r.append(reinterpret_cast<const char*>(q + 12), qend - 12);
    for (const Rr* rr : answers) {
      r += std::string{static_cast<char>(0xC0), 12};  // pointer to the question name
      r += u16(static_cast<uint16_t>(rr->type)) + u16(1) + u32(rr->ttl) + u16(static_cast<uint16_t>(rr->rdata.size()));
      r += rr->rdata;
    }
    sendto(fd_, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), flen);
    return true;
  }

  edgesbc::sip::EventLoop& loop_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::map<std::string, std::vector<Rr>> zone_;
  std::map<std::pair<std::string, int>, int> counts_;
};

}  // namespace dnstest
