// RFC 3263 on c-ares, driven by the SIP loop: c-ares tells us (sock state
// callback) which sockets to watch, we call ares_process_fd when they are
// ready, and a loop timer covers c-ares' own retransmit/timeout schedule.
// Every lookup goes through one (name, type) cache honouring TTLs.
#include "resolver.h"

#include <ares.h>
#include <ares_dns.h>
#include <arpa/inet.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <unordered_map>

#include "dns_cache.h"
#include "dns_wire.h"
#include "srv_order.h"

namespace edgesbc::sip {

namespace {

constexpr int kTypeA = 1;
constexpr int kTypeAAAA = 28;
constexpr int kTypeSRV = 33;
constexpr int kTypeNAPTR = 35;
constexpr int kQueryTimeoutMs = 1500;
constexpr int kQueryTries = 2;

using Targets = std::vector<ResolvedTarget>;
using TargetsCb = std::function<void(Targets, std::string)>;
using AnswerCb = std::function<void(const DnsAnswer&)>;

uint16_t default_port(Proto p) { return p == Proto::TLS ? 5061 : 5060; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string srv_name(Proto p, const std::string& host) {
  switch (p) {
    case Proto::UDP: return "_sip._udp." + host;
    case Proto::TCP: return "_sip._tcp." + host;
    case Proto::TLS: return "_sips._tcp." + host;
  }
  return host;
}

// Runs n asynchronous steps and concatenates their targets in step order
// (so SRV/NAPTR preference survives parallel lookups). The error is the
// first step's error, reported only when no step found anything.
void join_all(size_t n, const std::function<void(size_t, TargetsCb)>& start, TargetsCb done) {
  if (n == 0) {
    done({}, "");
    return;
  }
  struct State {
    std::vector<Targets> parts;
    std::vector<std::string> errs;
    size_t left;
    TargetsCb done;
  };
  auto st = std::make_shared<State>();
  st->parts.resize(n);
  st->errs.resize(n);
  st->left = n;
  st->done = std::move(done);
  for (size_t i = 0; i < n; ++i) {
    start(i, [st, i](Targets t, std::string e) {
      st->parts[i] = std::move(t);
      st->errs[i] = std::move(e);
      if (--st->left != 0) return;
      Targets all;
      for (auto& p : st->parts) all.insert(all.end(), p.begin(), p.end());
      std::string err;
      if (all.empty()) {
        for (auto& e2 : st->errs) {
          if (!e2.empty()) {
            err = e2;
            break;
          }
        }
      }
      st->done(std::move(all), std::move(err));
    });
  }
}

}  // namespace

struct Resolver::Impl {
  EventLoop& loop;
  ares_channel ch = nullptr;
  std::string init_error;
  std::unordered_map<int, bool> fds;  // sockets c-ares asked us to watch
  Timer tick;
  size_t in_flight = 0;
  DnsCache cache;
  std::mt19937 rng{std::random_device{}()};
  bool destroying = false;

  explicit Impl(EventLoop& l) : loop(l) {
    static std::once_flag once;
    std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
    ares_options opts{};
    opts.sock_state_cb = &Impl::sock_state;
    opts.sock_state_cb_data = this;
    opts.timeout = kQueryTimeoutMs;
    opts.tries = kQueryTries;
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    int r = ares_init_options(&ch, &opts, mask);
    if (r != ARES_SUCCESS) {
      init_error = std::string("c-ares init: ") + ares_strerror(r);
      ch = nullptr;
    }
  }

  ~Impl() {
    destroying = true;
    tick.cancel();
    // Runs every pending query callback with ARES_EDESTRUCTION (they drop
    // their continuations) and closes the sockets through sock_state.
    if (ch != nullptr) ares_destroy(ch);
    for (auto& [fd, _] : fds) loop.remove_fd(fd);
  }

  static void sock_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* im = static_cast<Impl*>(data);
    if (!readable && !writable) {
      im->loop.remove_fd(fd);
      im->fds.erase(fd);
      return;
    }
    uint32_t ev = (readable ? uint32_t{kReadable} : 0u) | (writable ? uint32_t{kWritable} : 0u);
    if (im->fds.count(fd)) {
      im->loop.modify_fd(fd, ev);
      return;
    }
    im->fds[fd] = true;
    im->loop.add_fd(fd, ev, [im, fd](uint32_t got) {
      ares_socket_t r = (got & (kReadable | kError)) ? fd : ARES_SOCKET_BAD;
      ares_socket_t w = (got & (kWritable | kError)) ? fd : ARES_SOCKET_BAD;
      ares_process_fd(im->ch, r, w);
      im->schedule();
    });
  }

  // Keeps one loop timer at c-ares' next deadline while queries are out.
  void schedule() {
    if (destroying || ch == nullptr) return;
    if (in_flight == 0) {
      tick.cancel();
      return;
    }
    timeval max{1, 0}, tv{};
    timeval* t = ares_timeout(ch, &max, &tv);
    uint64_t ms = static_cast<uint64_t>(t->tv_sec) * 1000 + static_cast<uint64_t>(t->tv_usec) / 1000;
    loop.timers().arm(tick, std::max<uint64_t>(ms, 10), [this] {
      ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      schedule();
    });
  }

  struct Query {
    Impl* im;
    std::string name;
    int type;
    std::string key;
  };
  // Callbacks waiting for a query already on the wire, by cache key: a burst
  // of calls to one trunk host sends each question once.
  std::unordered_map<std::string, std::vector<AnswerCb>> waiting;

  void lookup(const std::string& name, int type, AnswerCb cb) {
    if (const DnsAnswer* hit = cache.get(name, type, monotonic_ms())) {
      DnsAnswer copy = *hit;  // the callback may change the cache
      cb(copy);
      return;
    }
    if (ch == nullptr) {
      DnsAnswer a;
      a.status = ARES_ENOTINITIALIZED;
      cb(a);
      return;
    }
    std::string key = DnsCache::key(name, type);
    auto [it, fresh] = waiting.try_emplace(key);
    it->second.push_back(std::move(cb));
    if (!fresh) return;
    auto* q = new Query{this, name, type, key};  // owned by on_answer
    ++in_flight;
    ares_query(ch, name.c_str(), 1 /* IN */, type, &Impl::on_answer, q);
    schedule();
  }

  static void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    std::unique_ptr<Query> q(static_cast<Query*>(arg));
    Impl* im = q->im;
    --im->in_flight;
    if (status == ARES_EDESTRUCTION || im->destroying) return;
    DnsAnswer a;
    a.status = status;
    uint32_t ttl = kDnsNegativeTtlSec;
    if (status == ARES_SUCCESS) parse(q->type, abuf, alen, a, ttl);
    im->cache.put(q->name, q->type, a, ttl, monotonic_ms());
    std::vector<AnswerCb> cbs;
    if (auto it = im->waiting.find(q->key); it != im->waiting.end()) {
      cbs = std::move(it->second);
      im->waiting.erase(it);
    }
    for (auto& cb : cbs) cb(a);
  }

  static void parse(int type, const unsigned char* abuf, int alen, DnsAnswer& a, uint32_t& ttl) {
    ttl = answer_min_ttl(abuf, alen, kDnsNegativeTtlSec);
    int r = ARES_SUCCESS;
    if (type == kTypeA) {
      ares_addrttl at[32];
      int n = 32;
      hostent* he = nullptr;
      r = ares_parse_a_reply(abuf, alen, &he, at, &n);
      if (he) ares_free_hostent(he);
      for (int i = 0; r == ARES_SUCCESS && i < n; ++i) {
        SockAddr s;
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &at[i].ipaddr, ip, sizeof ip);
        if (SockAddr::from_ip_port(ip, 0, s)) a.addrs.push_back(s);
      }
    } else if (type == kTypeAAAA) {
      ares_addr6ttl at[32];
      int n = 32;
      hostent* he = nullptr;
      r = ares_parse_aaaa_reply(abuf, alen, &he, at, &n);
      if (he) ares_free_hostent(he);
      for (int i = 0; r == ARES_SUCCESS && i < n; ++i) {
        SockAddr s;
        char ip[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &at[i].ip6addr, ip, sizeof ip);
        if (SockAddr::from_ip_port(ip, 0, s)) a.addrs.push_back(s);
      }
    } else if (type == kTypeSRV) {
      ares_srv_reply* srv = nullptr;
      r = ares_parse_srv_reply(abuf, alen, &srv);
      for (ares_srv_reply* p = srv; r == ARES_SUCCESS && p; p = p->next) {
        a.srv.push_back(SrvRecord{p->priority, p->weight, p->port, p->host ? p->host : ""});
      }
      if (srv) ares_free_data(srv);
    } else if (type == kTypeNAPTR) {
      ares_naptr_reply* np = nullptr;
      r = ares_parse_naptr_reply(abuf, alen, &np);
      for (ares_naptr_reply* p = np; r == ARES_SUCCESS && p; p = p->next) {
        NaptrRecord rec;
        rec.order = p->order;
        rec.preference = p->preference;
        rec.flags = p->flags ? reinterpret_cast<const char*>(p->flags) : "";
        rec.service = p->service ? reinterpret_cast<const char*>(p->service) : "";
        rec.replacement = p->replacement ? p->replacement : "";
        a.naptr.push_back(std::move(rec));
      }
      if (np) ares_free_data(np);
    }
    if (r != ARES_SUCCESS) a.status = r;  // ENODATA when the answer had none of that type
    else if (a.addrs.empty() && a.srv.empty() && a.naptr.empty()) a.status = ARES_ENODATA;
  }

  // A and AAAA for one host, IPv4 first.
  void resolve_addrs(const std::string& host, uint16_t port, Proto proto, uint16_t prio, uint16_t weight,
                     TargetsCb done) {
    SockAddr lit;
    if (SockAddr::from_ip_port(host, port, lit)) {
      done({ResolvedTarget{proto, lit, prio, weight}}, "");
      return;
    }
    join_all(
        2,
        [this, host, port, proto, prio, weight](size_t i, TargetsCb cb) {
          lookup(host, i == 0 ? kTypeA : kTypeAAAA, [=](const DnsAnswer& a) {
            Targets t;
            for (SockAddr s : a.addrs) {
              SockAddr withport;
              SockAddr::from_ip_port(s.ip(), port, withport);
              t.push_back(ResolvedTarget{proto, withport, prio, weight});
            }
            cb(std::move(t), a.status == ARES_SUCCESS ? "" : host + ": " + ares_strerror(a.status));
          });
        },
        std::move(done));
  }

  // SRV for one transport, then the targets' addresses in RFC 2782 order.
  void resolve_srv(const std::string& name, Proto proto, TargetsCb done) {
    lookup(name, kTypeSRV, [this, name, proto, done = std::move(done)](const DnsAnswer& a) {
      if (a.status != ARES_SUCCESS) {
        done({}, name + ": " + ares_strerror(a.status));
        return;
      }
      auto ordered = std::make_shared<std::vector<SrvRecord>>(order_srv(a.srv, rng));
      join_all(
          ordered->size(),
          [this, ordered, proto](size_t i, TargetsCb cb) {
            const SrvRecord& r = (*ordered)[i];
            resolve_addrs(r.target, r.port, proto, r.priority, r.weight, std::move(cb));
          },
          done);
    });
  }

  // No NAPTR: try SRV for every transport we could use (RFC 3263 §4.1).
  void resolve_srv_all(const std::string& host, bool sips, TargetsCb done) {
    auto protos = std::make_shared<std::vector<Proto>>();
    if (sips) protos->push_back(Proto::TLS);
    else *protos = {Proto::UDP, Proto::TCP, Proto::TLS};
    join_all(
        protos->size(),
        [this, host, protos](size_t i, TargetsCb cb) { resolve_srv(srv_name((*protos)[i], host), (*protos)[i], std::move(cb)); },
        [this, host, sips, done = std::move(done)](Targets t, std::string err) {
          if (!t.empty()) {
            done(std::move(t), "");
            return;
          }
          (void)err;
          Proto p = sips ? Proto::TLS : Proto::UDP;
          resolve_addrs(host, default_port(p), p, 0, 0, done);
        });
  }

  void resolve_naptr(const std::string& host, bool sips, TargetsCb done) {
    lookup(host, kTypeNAPTR, [this, host, sips, done = std::move(done)](const DnsAnswer& a) {
      struct Choice {
        Proto proto;
        std::string replacement;
        uint16_t order, pref;
      };
      auto choices = std::make_shared<std::vector<Choice>>();
      if (a.status == ARES_SUCCESS) {
        for (const auto& r : a.naptr) {
          if (!iequals(r.flags, "s") || r.replacement.empty() || r.replacement == ".") continue;
          Proto p;
          if (iequals(r.service, "SIPS+D2T")) p = Proto::TLS;
          else if (sips) continue;  // a sips URI must stay on TLS
          else if (iequals(r.service, "SIP+D2U")) p = Proto::UDP;
          else if (iequals(r.service, "SIP+D2T")) p = Proto::TCP;
          else continue;
          choices->push_back(Choice{p, r.replacement, r.order, r.preference});
        }
        std::stable_sort(choices->begin(), choices->end(), [](const Choice& x, const Choice& y) {
          return x.order != y.order ? x.order < y.order : x.pref < y.pref;
        });
      }
      if (a.status == ARES_ENOTFOUND) {
        done({}, host + ": " + ares_strerror(a.status));  // NXDOMAIN: nothing else can exist
        return;
      }
      if (choices->empty()) {
        resolve_srv_all(host, sips, done);
        return;
      }
      join_all(
          choices->size(),
          [this, choices](size_t i, TargetsCb cb) {
            resolve_srv((*choices)[i].replacement, (*choices)[i].proto, std::move(cb));
          },
          [this, host, sips, done](Targets t, std::string err) {
            if (t.empty()) {
              // NAPTR pointed at nothing usable: fall back as if it were absent.
              (void)err;
              resolve_srv_all(host, sips, done);
              return;
            }
            done(std::move(t), "");
          });
    });
  }
};

Resolver::Resolver(EventLoop& loop) : impl_(std::make_unique<Impl>(loop)) {}

Resolver::~Resolver() = default;

void Resolver::resolve(const std::string& host_in, uint16_t port, const std::string& transport, bool sips,
                       Done done) {
  Impl& im = *impl_;
  std::string host = host_in;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  bool forced = false;
  Proto proto = sips ? Proto::TLS : Proto::UDP;
  if (!transport.empty()) {
    Proto p;
    if (!parse_proto(transport, p)) {
      done({}, "unsupported transport " + transport);
      return;
    }
    forced = true;
    if (!sips) proto = p;  // sips means TLS whatever ;transport says
  }
  TargetsCb finish = [done = std::move(done)](Targets t, std::string err) {
    if (!t.empty()) err.clear();
    else if (err.empty()) err = "no usable DNS records";
    done(std::move(t), std::move(err));
  };
  SockAddr lit;
  if (SockAddr::from_ip_port(host, port ? port : default_port(proto), lit)) {
    finish({ResolvedTarget{proto, lit, 0, 0}}, "");
    return;
  }
  if (host.empty()) {
    finish({}, "empty host");
    return;
  }
  if (port != 0) {
    im.resolve_addrs(host, port, proto, 0, 0, std::move(finish));
    return;
  }
  if (forced) {
    im.resolve_srv(srv_name(proto, host), proto, [&im, host, proto, finish](Targets t, std::string) {
      if (!t.empty()) {
        finish(std::move(t), "");
        return;
      }
      im.resolve_addrs(host, default_port(proto), proto, 0, 0, finish);
    });
    return;
  }
  im.resolve_naptr(host, sips, std::move(finish));
}

bool Resolver::set_servers(const std::string& csv, std::string& error) {
  if (impl_->ch == nullptr) {
    error = impl_->init_error;
    return false;
  }
  int r = ares_set_servers_ports_csv(impl_->ch, csv.c_str());
  if (r != ARES_SUCCESS) {
    error = std::string("DNS servers \"") + csv + "\": " + ares_strerror(r);
    return false;
  }
  return true;
}

size_t Resolver::cache_size() const { return impl_->cache.size(); }

}  // namespace edgesbc::sip
