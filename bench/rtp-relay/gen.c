// bench/rtp-relay/gen: RTP load generator and sink for one relay under test.
//
// N calls, each two streams (A -> relay -> B and B -> relay -> A) of 172-byte
// PCMU RTP at one packet per ptime (20 ms: 50 packets/s per direction). Every
// packet carries its stream, its index and the time it was sent in its payload;
// the sink counts what came back per stream (received, lost, duplicated,
// reordered, misrouted) and the relay's latency from those send times to the
// kernel's receive timestamps, as percentiles. Single-threaded, for one core;
// sendmmsg/recvmmsg in small batches; bounded in time. JSON summary on stdout.
//
// Addressing: call i's A endpoint is 127.1.(i / 250).(i % 250 + 1):<a-port> and
// its B endpoint 127.2.(i / 250).(i % 250 + 1):<b-port>. One socket per side
// holds all of them (bound to the port on any address, restricted to the
// loopback device; the source address of each packet is set with IP_PKTINFO),
// so sending and receiving batch across calls while the relay still sees one
// distinct peer address per leg, as it would in production.
//
// Calls file, one line per call (index = line number, '#' lines skipped):
//   <relay port facing A> <relay port facing B> [<a-tx> <a-rx> <b-tx> <b-rx>]
// The four optional keys are SRTP master key+salt in hex (60 digits,
// AES_CM_128_HMAC_SHA1_80), or '-' for plain RTP: x-tx = what endpoint x sends
// the relay is SRTP with this key; x-rx = what the relay sends x is.
//
//   gen --calls-file F [--calls N] [--relay-ip 127.0.0.1] [--a-port 29000] [--b-port 29002]
//       [--seconds 10] [--ptime-ms 20] [--index-start 0] [--warmup-ms 1000] [--drain-ms 1000]
//       [--batch 8] [--tick-us 100] [--one-way 1] [--any-payload 1]
//
// For transcoding relays (bench/transcode): --one-way 1 sends A -> B only;
// --any-payload 1 counts every RTP packet the relay sends B for its call,
// whatever its codec and size (the relay makes its own stream: no index or
// send time inside, so no latency, duplicate or order figures).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "srtp-lite.h"

#define RTP_LEN 172            // 12-byte header + 160 bytes of PCMU (20 ms at 8 kHz)
#define PKT_CAP 256
#define MAGIC 0x45534243u      // "ESBC"
#define MAX_CALLS 60000
#define MAX_BATCH 64
#define RX_BATCH 64
#define HIST_US 200000         // latency histogram: 1 µs buckets up to 200 ms
#define SSRC_BASE 0x5e000000u

static void die(const char *fmt, const char *arg) {
  fprintf(stderr, "gen: ");
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(2);
}

static uint64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint64_t real_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static void put64(uint8_t *p, uint64_t v) {
  put32(p, (uint32_t)(v >> 32));
  put32(p + 4, (uint32_t)v);
}
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }

// One direction of one call. dir 0: A sends, B receives; dir 1: B sends, A receives.
struct stream {
  uint64_t sent, received, dup, reordered;
  uint64_t top;     // highest index received + 1 (0 = none yet)
  uint64_t window;  // bit i: index top-1-i was received
};

struct call {
  struct sockaddr_in relay[2];  // [0] the port facing A, [1] the port facing B
  struct in_addr ep[2];         // A and B endpoint addresses
  struct sl_stream *tx[2], *rx[2];  // per side: SRTP we send / SRTP we receive (NULL = plain)
  struct stream st[2];
};

static struct {
  const char *calls_file, *relay_ip;
  int calls, a_port, b_port, batch, seconds, ptime_ms, warmup_ms, drain_ms, tick_us;
  uint64_t index_start;
  int one_way, any_payload;
} opt = {NULL, "127.0.0.1", -1, 29000, 29002, 8, 10, 20, 1000, 1000, 100, 0, 0, 0};

static struct call *calls;
static int ncalls;
static uint32_t hist[HIST_US + 1];
static uint64_t lat_count, lat_max_ns, lat_sum_ns;
static uint64_t misrouted, malformed, srtp_auth_fail, srtp_replay, rtcp_rx, foreign, no_timestamp;
static volatile sig_atomic_t stop_now;

static void on_signal(int sig) {
  (void)sig;
  stop_now = 1;
}

static struct in_addr endpoint(int side, int i) {
  struct in_addr a;
  a.s_addr = htonl(0x7f000000u | (uint32_t)(side + 1) << 16 | (uint32_t)(i / 250) << 8 | (uint32_t)(i % 250 + 1));
  return a;
}

// Call index of an endpoint address on `side`, or -1.
static int call_of(int side, struct in_addr a) {
  uint32_t h = ntohl(a.s_addr);
  if ((h >> 24) != 0x7f || ((h >> 16) & 0xff) != (uint32_t)(side + 1)) return -1;
  uint32_t lo = h & 0xff;
  if (lo == 0 || lo > 250) return -1;
  int i = (int)(((h >> 8) & 0xff) * 250 + lo - 1);
  return i < ncalls ? i : -1;
}

static struct sl_stream *parse_key(const char *hex, const char *what) {
  if (strcmp(hex, "-") == 0) return NULL;
  if (strlen(hex) != 2 * SRTP_MASTER_LEN) die("bad SRTP key for %s (want 60 hex digits or -)", what);
  uint8_t key[SRTP_MASTER_LEN];
  for (int i = 0; i < SRTP_MASTER_LEN; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) die("bad SRTP key for %s", what);
    key[i] = (uint8_t)v;
  }
  struct sl_stream *s = calloc(1, sizeof *s);
  if (!s || sl_stream_init(s, key) != SRTP_OK) die("SRTP init failed for %s", what);
  memset(key, 0, sizeof key);
  return s;
}

static void load_calls(void) {
  FILE *f = fopen(opt.calls_file, "r");
  if (!f) die("cannot open %s", opt.calls_file);
  calls = calloc(MAX_CALLS, sizeof *calls);
  if (!calls) die("%s", "out of memory");
  char line[512];
  struct in_addr relay;
  if (inet_pton(AF_INET, opt.relay_ip, &relay) != 1) die("bad --relay-ip %s", opt.relay_ip);
  while (fgets(line, sizeof line, f) && ncalls < MAX_CALLS && (opt.calls < 0 || ncalls < opt.calls)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    int pa, pb;
    char k[4][80];
    int n = sscanf(line, "%d %d %79s %79s %79s %79s", &pa, &pb, k[0], k[1], k[2], k[3]);
    if (n != 2 && n != 6) die("bad calls-file line: %s", line);
    if (pa <= 0 || pa > 65535 || pb <= 0 || pb > 65535) die("bad port in calls-file line: %s", line);
    struct call *c = &calls[ncalls];
    for (int s = 0; s < 2; s++) {
      c->relay[s].sin_family = AF_INET;
      c->relay[s].sin_addr = relay;
      c->relay[s].sin_port = htons((uint16_t)(s == 0 ? pa : pb));
      c->ep[s] = endpoint(s, ncalls);
    }
    if (n == 6) {
      c->tx[0] = parse_key(k[0], "a-tx");
      c->rx[0] = parse_key(k[1], "a-rx");
      c->tx[1] = parse_key(k[2], "b-tx");
      c->rx[1] = parse_key(k[3], "b-rx");
      for (int s = 0; s < 2; s++)
        if (c->rx[s]) sl_stream_expect(c->rx[s], opt.index_start);
    }
    ncalls++;
  }
  fclose(f);
  if (opt.calls >= 0 && ncalls < opt.calls) die("calls file %s has fewer calls than --calls", opt.calls_file);
  if (ncalls == 0) die("no calls in %s", opt.calls_file);
}

static int open_socket(int port, int big) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket: %s", strerror(errno));
  int one = 1;
  // Loopback only: the socket listens on every 127.x address, never on another interface.
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) != 0)
    die("SO_BINDTODEVICE lo: %s (run as root)", strerror(errno));
  setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
  // DF set: the kernel then leaves the IP ID at 0 instead of hashing one per packet (3 % of
  // the generator's time); RTP packets are never fragmented anyway.
  int pmtu = IP_PMTUDISC_DO;
  setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  if (big) {
    // Room for a relay's bursts: 64 MiB each way (FORCE needs root; else the sysctl cap applies).
    int sz = 64 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) != 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) != 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  }
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = {htonl(INADDR_ANY)}};
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    fprintf(stderr, "gen: bind port %s: %s\n", p, strerror(errno));
    exit(2);
  }
  return fd;
}

// ---------- sending ----------

struct txbatch {
  int n;
  uint8_t pkt[MAX_BATCH][PKT_CAP];
  struct iovec iov[MAX_BATCH];
  struct mmsghdr msg[MAX_BATCH];
  union {
    char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct cmsghdr align;
  } ctl[MAX_BATCH];
};
static struct txbatch txb[2];
static uint64_t send_errors, sent_total;

static void flush(int fd, struct txbatch *b) {
  int off = 0;
  while (off < b->n) {
    int r = sendmmsg(fd, b->msg + off, (unsigned)(b->n - off), 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      // ENOBUFS/EAGAIN: the packet is counted as sent and will show as lost.
      send_errors += (uint64_t)(b->n - off);
      break;
    }
    off += r;
  }
  b->n = 0;
}

// Builds packet `n` of stream (call, dir) into side `dir`'s batch.
static void queue_packet(int fds[2], int ci, int dir) {
  struct call *c = &calls[ci];
  struct txbatch *b = &txb[dir];
  if (b->n == opt.batch) flush(fds[dir], b);
  struct stream *st = &c->st[dir];
  uint64_t index = opt.index_start + st->sent;
  uint32_t k = (uint32_t)ci * 2 + (uint32_t)dir;
  uint8_t *p = b->pkt[b->n];
  p[0] = 0x80;
  p[1] = st->sent == 0 && opt.index_start == 0 ? 0x80 : 0x00;  // marker on the first packet, PT 0 (PCMU)
  p[2] = (uint8_t)(index >> 8);
  p[3] = (uint8_t)index;
  put32(p + 4, (uint32_t)(index * 160u));
  put32(p + 8, SSRC_BASE + k);
  put32(p + 12, MAGIC);
  put32(p + 16, k);
  put64(p + 20, index);
  put64(p + 28, real_ns());
  memset(p + 36, 0xff, RTP_LEN - 36);  // PCMU silence
  size_t len = RTP_LEN;
  if (c->tx[dir]) {
    int r = sl_protect(c->tx[dir], p, len, PKT_CAP, index);
    if (r < 0) die("%s", "SRTP protect failed");
    len = (size_t)r;
  }
  b->iov[b->n] = (struct iovec){p, len};
  struct msghdr *m = &b->msg[b->n].msg_hdr;
  memset(m, 0, sizeof *m);
  m->msg_name = &c->relay[dir];
  m->msg_namelen = sizeof c->relay[dir];
  m->msg_iov = &b->iov[b->n];
  m->msg_iovlen = 1;
  m->msg_control = b->ctl[b->n].buf;
  m->msg_controllen = sizeof b->ctl[b->n].buf;
  struct cmsghdr *cm = CMSG_FIRSTHDR(m);
  cm->cmsg_level = IPPROTO_IP;
  cm->cmsg_type = IP_PKTINFO;
  cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
  struct in_pktinfo pi = {0};
  pi.ipi_spec_dst = c->ep[dir];
  memcpy(CMSG_DATA(cm), &pi, sizeof pi);
  b->n++;
  st->sent++;
  sent_total++;
}

// ---------- receiving ----------

struct rxbatch {
  uint8_t pkt[RX_BATCH][PKT_CAP];
  struct iovec iov[RX_BATCH];
  struct mmsghdr msg[RX_BATCH];
  struct sockaddr_in from[RX_BATCH];
  union {
    char buf[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(struct timespec)) + 64];
    struct cmsghdr align;
  } ctl[RX_BATCH];
};
static struct rxbatch rxb;
static uint64_t recv_total;
static uint64_t warmup_end_real;
static struct in_addr relay_addr;

static void account(struct stream *st, uint64_t index) {
  if (st->top == 0 || index >= st->top) {
    uint64_t shift = st->top == 0 ? 64 : index + 1 - st->top;
    st->window = shift >= 64 ? 1 : (st->window << shift) | 1;
    st->top = index + 1;
    st->received++;
    return;
  }
  uint64_t back = st->top - 1 - index;
  if (back >= 64) {  // too old to tell: count it as late, not as a duplicate
    st->reordered++;
    st->received++;
    return;
  }
  if ((st->window >> back) & 1) {
    st->dup++;
    return;
  }
  st->window |= 1ull << back;
  st->reordered++;
  st->received++;
}

static void handle(int side, uint8_t *p, size_t len, struct in_addr dst, const struct sockaddr_in *from, uint64_t rx_real) {
  if (from->sin_addr.s_addr != relay_addr.s_addr) {
    foreign++;
    return;
  }
  int ci = call_of(side, dst);
  if (ci < 0) {
    misrouted++;
    return;
  }
  struct call *c = &calls[ci];
  if (opt.any_payload) {
    // A transcoded stream toward B: counted per call, capped at what A sent.
    struct stream *st = &c->st[1 - side];
    if (len >= 12 && (p[0] >> 6) == 2 && st->received < st->sent) st->received++;
    else if (len < 12 || (p[0] >> 6) != 2) malformed++;
    return;
  }
  if (c->rx[side]) {
    int r = sl_unprotect(c->rx[side], p, len);
    if (r == SRTP_ERR_AUTH || r == SRTP_ERR_MALFORMED) {
      srtp_auth_fail++;
      return;
    }
    if (r == SRTP_ERR_REPLAY) {
      srtp_replay++;
      return;
    }
    if (r < 0) die("%s", "SRTP unprotect failed");
    len = (size_t)r;
  }
  if (len != RTP_LEN || (p[0] >> 6) != 2 || get32(p + 12) != MAGIC) {
    malformed++;
    return;
  }
  // What arrives at side A was sent by B (dir 1) and the other way.
  int dir = 1 - side;
  uint32_t k = get32(p + 16);
  if (k != (uint32_t)ci * 2 + (uint32_t)dir) {
    misrouted++;
    return;
  }
  uint64_t index = get64(p + 20);
  if (index < opt.index_start || index >= opt.index_start + c->st[dir].sent) {
    malformed++;
    return;
  }
  account(&c->st[dir], index - opt.index_start);
  uint64_t tx = get64(p + 28);
  if (tx >= warmup_end_real) {
    uint64_t d = rx_real > tx ? rx_real - tx : 0;
    uint64_t us = d / 1000;
    hist[us < HIST_US ? us : HIST_US]++;
    lat_count++;
    lat_sum_ns += d;
    if (d > lat_max_ns) lat_max_ns = d;
  }
}

// Reads what is queued on `fd` (side 0 = A, 1 = B), at most `rounds` batches.
static int drain(int fd, int side, int rounds) {
  int got = 0;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < RX_BATCH; i++) {
      rxb.iov[i] = (struct iovec){rxb.pkt[i], PKT_CAP};
      struct msghdr *m = &rxb.msg[i].msg_hdr;
      m->msg_name = &rxb.from[i];
      m->msg_namelen = sizeof rxb.from[i];
      m->msg_iov = &rxb.iov[i];
      m->msg_iovlen = 1;
      m->msg_control = rxb.ctl[i].buf;
      m->msg_controllen = sizeof rxb.ctl[i].buf;
      m->msg_flags = 0;
    }
    int n = recvmmsg(fd, rxb.msg, RX_BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) break;
    uint64_t now_real = real_ns();
    for (int i = 0; i < n; i++) {
      struct msghdr *m = &rxb.msg[i].msg_hdr;
      struct in_addr dst = {0};
      uint64_t ts = 0;
      for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm)) {
        if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
          struct in_pktinfo pi;
          memcpy(&pi, CMSG_DATA(cm), sizeof pi);
          dst = pi.ipi_addr;
        } else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
          struct timespec t;
          memcpy(&t, CMSG_DATA(cm), sizeof t);
          ts = (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
        }
      }
      if (!ts) {
        no_timestamp++;
        ts = now_real;
      }
      recv_total++;
      handle(side, rxb.pkt[i], rxb.msg[i].msg_len, dst, &rxb.from[i], ts);
    }
    got += n;
    if (n < RX_BATCH) break;
  }
  return got;
}

// RTCP from the relay (its own reports, if it sends any): counted, not checked.
static void drain_rtcp(int fd) {
  uint8_t buf[2048];
  for (int i = 0; i < 256; i++) {
    if (recv(fd, buf, sizeof buf, MSG_DONTWAIT) < 0) break;
    rtcp_rx++;
  }
}

// ---------- report ----------

static double pct_us(double q) {
  if (!lat_count) return -1;
  uint64_t want = (uint64_t)(q * (double)lat_count);
  if (want >= lat_count) want = lat_count - 1;
  uint64_t acc = 0;
  for (int i = 0; i <= HIST_US; i++) {
    acc += hist[i];
    if (acc > want) return i;
  }
  return HIST_US;
}

static double cpu_s(struct timeval a, struct timeval b) {
  return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_usec - a.tv_usec) / 1e6;
}

static void usage(void) {
  fprintf(stderr,
          "usage: gen --calls-file F [--calls N] [--relay-ip IP] [--a-port P] [--b-port P] [--seconds S]\n"
          "           [--ptime-ms 20] [--index-start N] [--warmup-ms 1000] [--drain-ms 1000] [--batch 8] [--tick-us 100]\n"
          "           [--one-way 1] [--any-payload 1]\n");
  exit(2);
}

static long num_arg(const char *v, long lo, long hi, const char *name) {
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || *end || x < lo || x > hi) die("bad value for %s", name);
  return x;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) usage();
    if (!strcmp(a, "--calls-file")) opt.calls_file = v;
    else if (!strcmp(a, "--calls")) opt.calls = (int)num_arg(v, 1, MAX_CALLS, a);
    else if (!strcmp(a, "--relay-ip")) opt.relay_ip = v;
    else if (!strcmp(a, "--a-port")) opt.a_port = (int)num_arg(v, 1, 65534, a);
    else if (!strcmp(a, "--b-port")) opt.b_port = (int)num_arg(v, 1, 65534, a);
    else if (!strcmp(a, "--seconds")) opt.seconds = (int)num_arg(v, 1, 3600, a);
    else if (!strcmp(a, "--ptime-ms")) opt.ptime_ms = (int)num_arg(v, 5, 1000, a);
    else if (!strcmp(a, "--index-start")) opt.index_start = (uint64_t)num_arg(v, 0, (1L << 46), a);
    else if (!strcmp(a, "--warmup-ms")) opt.warmup_ms = (int)num_arg(v, 0, 600000, a);
    else if (!strcmp(a, "--drain-ms")) opt.drain_ms = (int)num_arg(v, 0, 60000, a);
    else if (!strcmp(a, "--batch")) opt.batch = (int)num_arg(v, 1, MAX_BATCH, a);
    else if (!strcmp(a, "--tick-us")) opt.tick_us = (int)num_arg(v, 10, 100000, a);
    else if (!strcmp(a, "--one-way")) opt.one_way = (int)num_arg(v, 0, 1, a);
    else if (!strcmp(a, "--any-payload")) opt.any_payload = (int)num_arg(v, 0, 1, a);
    else usage();
    i++;
  }
  if (!opt.calls_file) usage();
  inet_pton(AF_INET, opt.relay_ip, &relay_addr);
  load_calls();
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // wake on time: pacing and latency depend on it

  int fds[2] = {open_socket(opt.a_port, 1), open_socket(opt.b_port, 1)};
  int rtcp_fds[2] = {open_socket(opt.a_port + 1, 0), open_socket(opt.b_port + 1, 0)};

  const uint64_t dirs = opt.one_way ? 1 : 2;
  const uint64_t streams = dirs * (uint64_t)ncalls;
  const uint64_t ptime_ns = (uint64_t)opt.ptime_ms * 1000000ull;
  const uint64_t per_stream = (uint64_t)opt.seconds * 1000ull / (uint64_t)opt.ptime_ms;
  const uint64_t total = per_stream * streams;
  const uint64_t tick_ns = (uint64_t)opt.tick_us * 1000ull;
  // Packet g (stream g % streams, its packet g / streams) is due at t0 + g * ptime / streams:
  // each stream every ptime, the streams spread evenly over it.
  const double gap_ns = (double)ptime_ns / (double)streams;

  struct rusage ru0, ru1;
  getrusage(RUSAGE_SELF, &ru0);
  const uint64_t t0 = mono_ns() + 20000000ull;  // start in 20 ms
  warmup_end_real = real_ns() + 20000000ull + (uint64_t)opt.warmup_ms * 1000000ull;
  const uint64_t hard_end = t0 + (uint64_t)opt.seconds * 1000000000ull + (uint64_t)opt.drain_ms * 1000000ull + 5000000000ull;
  uint64_t g = 0, late_max_ns = 0, late_1ms = 0, send_end_mono = 0, drain_end = 0, stopped_early = 0;
  // The loop never waits on the sockets: it wakes on a timer every tick, sends what is
  // due and reads what came back (the kernel's receive timestamps make latency
  // independent of when it reads). A relay's send then never has to wake the
  // generator, as a relay's send to a real network would not.
  uint64_t next_rtcp = t0;
  for (uint64_t now = mono_ns();; now = mono_ns()) {
    if (stop_now || now > hard_end) {
      stopped_early = stop_now || g < total;
      break;
    }
    // Send what is due (bounded per round, so a late generator still reads in between).
    for (int budget = 4096; g < total && budget > 0; budget--) {
      uint64_t due = t0 + (uint64_t)((double)g * gap_ns);
      if (due > now) break;
      if (now - due > late_max_ns) late_max_ns = now - due;
      if (now - due > 1000000ull) late_1ms++;
      uint64_t k = g % streams;
      queue_packet(fds, (int)(k / dirs), (int)(k % dirs));
      g++;
    }
    for (int s = 0; s < 2; s++)
      if (txb[s].n) flush(fds[s], &txb[s]);
    if (g == total && !send_end_mono) {
      send_end_mono = mono_ns();
      drain_end = send_end_mono + (uint64_t)opt.drain_ms * 1000000ull;
    }
    drain(fds[0], 0, 64);
    drain(fds[1], 1, 64);
    if (now >= next_rtcp) {
      drain_rtcp(rtcp_fds[0]);
      drain_rtcp(rtcp_fds[1]);
      next_rtcp = now + 10000000ull;
    }
    // A transcoding relay may send a few packets more or fewer than it got: drain by time.
    if (send_end_mono && ((!opt.any_payload && recv_total >= sent_total) || mono_ns() >= drain_end)) break;
    // Sleep until the next packet is due, at least one tick (while draining: one tick).
    now = mono_ns();
    uint64_t wake = g < total ? t0 + (uint64_t)((double)g * gap_ns) : now + tick_ns;
    if (wake < now + tick_ns) wake = now + tick_ns;
    struct timespec ts = {(time_t)(wake / 1000000000ull), (long)(wake % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop_now) {
    }
  }
  getrusage(RUSAGE_SELF, &ru1);
  uint64_t end = mono_ns();

  uint64_t received = 0, lost = 0, dup = 0, reordered = 0, streams_lossy = 0;
  for (int i = 0; i < ncalls; i++)
    for (int d = 0; d < (int)dirs; d++) {
      struct stream *st = &calls[i].st[d];
      received += st->received;
      dup += st->dup;
      reordered += st->reordered;
      uint64_t l = st->sent > st->received ? st->sent - st->received : 0;
      lost += l;
      if (l) streams_lossy++;
    }
  int srtp_sides = 0;
  for (int s = 0; s < 2; s++) srtp_sides += calls[0].tx[s] || calls[0].rx[s] ? 1 << s : 0;
  double send_s = (double)((send_end_mono ? send_end_mono : end) - t0) / 1e9;
  double cpu_user = cpu_s(ru0.ru_utime, ru1.ru_utime), cpu_sys = cpu_s(ru0.ru_stime, ru1.ru_stime);
  double wall = (double)(end - t0) / 1e9;
  printf("{\"calls\":%d,\"streams\":%" PRIu64 ",\"seconds\":%d,\"ptimeMs\":%d,\"packetBytes\":%d,\"srtpSides\":\"%s\",\n",
         ncalls, streams, opt.seconds, opt.ptime_ms, RTP_LEN, srtp_sides == 0 ? "none" : srtp_sides == 1 ? "a" : srtp_sides == 2 ? "b" : "ab");
  printf(" \"sent\":%" PRIu64 ",\"received\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"lossPct\":%.6f,\"streamsWithLoss\":%" PRIu64
         ",\"duplicates\":%" PRIu64 ",\"reordered\":%" PRIu64 ",\"sendErrors\":%" PRIu64 ",\n",
         sent_total, received, lost, sent_total ? 100.0 * (double)lost / (double)sent_total : 0.0, streams_lossy, dup, reordered, send_errors);
  printf(" \"misrouted\":%" PRIu64 ",\"malformed\":%" PRIu64 ",\"srtpAuthFailures\":%" PRIu64 ",\"srtpReplays\":%" PRIu64
         ",\"foreign\":%" PRIu64 ",\"rtcpReceived\":%" PRIu64 ",\"noKernelTimestamp\":%" PRIu64 ",\n",
         misrouted, malformed, srtp_auth_fail, srtp_replay, foreign, rtcp_rx, no_timestamp);
  printf(" \"offeredPps\":%.1f,\"sentPps\":%.1f,\"receivedPps\":%.1f,\n", (double)streams * 1000.0 / opt.ptime_ms,
         send_s > 0 ? (double)sent_total / send_s : 0.0, send_s > 0 ? (double)received / send_s : 0.0);
  printf(" \"latencyUs\":{\"samples\":%" PRIu64 ",\"mean\":%.1f,\"p50\":%.0f,\"p90\":%.0f,\"p99\":%.0f,\"p999\":%.0f,\"max\":%.1f},\n", lat_count,
         lat_count ? (double)lat_sum_ns / (double)lat_count / 1000.0 : -1.0, pct_us(0.5), pct_us(0.9), pct_us(0.99), pct_us(0.999),
         (double)lat_max_ns / 1000.0);
  printf(" \"gen\":{\"cpuUser\":%.3f,\"cpuSys\":%.3f,\"corePct\":%.1f,\"lateMaxUs\":%.0f,\"lateOver1ms\":%" PRIu64
         ",\"wallSeconds\":%.3f,\"stoppedEarly\":%s,\"index0\":%" PRIu64 ",\"indexNext\":%" PRIu64 "}}\n",
         cpu_user, cpu_sys, wall > 0 ? 100.0 * (cpu_user + cpu_sys) / wall : 0.0, (double)late_max_ns / 1000.0, late_1ms, wall,
         stopped_early ? "true" : "false", opt.index_start, opt.index_start + per_stream);
  for (int i = 0; i < ncalls; i++)
    for (int s = 0; s < 2; s++) {
      if (calls[i].tx[s]) sl_stream_free(calls[i].tx[s]), free(calls[i].tx[s]);
      if (calls[i].rx[s]) sl_stream_free(calls[i].rx[s]), free(calls[i].rx[s]);
    }
  free(calls);
  return stopped_early ? 3 : 0;
}
