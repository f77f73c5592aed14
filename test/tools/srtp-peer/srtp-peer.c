// srtp-peer: a scripted RTP/SRTP endpoint for EdgeSBC's media tests, built on
// libsrtp2 so that SRTP checks never grade our own SRTP code with itself.
//
// It binds one UDP socket, sends `count` PCMU-sized RTP packets (12-byte
// header + 160-byte payload) to `remote` every `interval` ms, and meanwhile
// receives on the same socket (symmetric RTP), unprotecting with the receive
// key when one is given. Optionally it injects one tampered copy of a packet
// (must fail SRTP authentication) and one verbatim replay (must fail the
// replay check). When the time is up it prints one JSON object on stdout.
//
// Payload of the packet with sequence number s from a sender with seed k:
// byte i = (k * 31 + s * 7 + i * 13) mod 256, so a receiver that knows the
// sender's seed checks every payload byte for byte (test/integration/harness/
// rtp-pattern.ts computes the same).
//
// Usage: srtp-peer --bind IP:PORT --remote IP:PORT [options]   (see usage()).
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <srtp2/srtp.h>

enum { PAYLOAD_LEN = 160, HEADER_LEN = 12, MAX_PACKET = 2048, MAX_SOURCES = 16, MAX_SEQS = 4000 };

typedef struct {
  const char *suite;  // NULL = plain RTP
  const char *key_b64;
} KeySpec;

typedef struct {
  struct sockaddr_storage bind_addr, remote_addr;
  socklen_t bind_len, remote_len;
  int have_remote;
  long count, interval_ms, linger_ms, duration_ms;
  uint32_t ssrc;
  uint16_t seq0;
  uint32_t ts0;
  int pt;
  int seed;
  int expect_seed;  // -1 = do not check payloads
  long tamper_at, replay_at;  // packet index, -1 = off
  KeySpec send_key, recv_key;
} Options;

typedef struct {
  char ip[INET6_ADDRSTRLEN];
  unsigned port;
  long packets;
} Source;

typedef struct {
  long sent, sent_tampered, sent_replayed, send_errors;
  long received, rtcp, malformed, decrypted_ok, auth_failures, replay_failures, other_failures;
  long pattern_ok, pattern_bad, gaps, duplicates, reordered;
  int have_seq;
  uint16_t first_seq, last_seq;
  uint64_t digest;
  uint32_t ssrcs[8];
  int nssrcs;
  Source sources[MAX_SOURCES];
  int nsources;
  uint16_t seqs[MAX_SEQS];
  long nseqs;
} Report;

static void usage(FILE *out) {
  fputs(
      "usage: srtp-peer --bind IP:PORT [--remote IP:PORT] [options]\n"
      "  --count N            RTP packets to send (default 50; 0 = receive only)\n"
      "  --interval-ms N      gap between packets (default 20)\n"
      "  --linger-ms N        keep receiving this long after the last send (default 500)\n"
      "  --duration-ms N      total run time instead of count*interval+linger\n"
      "  --ssrc N --seq N --ts N --pt N   header fields of the first packet\n"
      "  --seed N             payload pattern seed of what we send (default 1)\n"
      "  --expect-seed N      check every received payload against this seed\n"
      "  --send-suite S --send-key B64    protect what we send (S: AES_CM_128_HMAC_SHA1_80|_32)\n"
      "  --recv-suite S --recv-key B64    unprotect what we receive\n"
      "  --tamper-at I        before packet I, send a copy of it with one payload bit flipped\n"
      "  --replay-at I        after packet I, send packet I again verbatim\n",
      out);
}

static int parse_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len) {
  char host[INET6_ADDRSTRLEN + 2];
  const char *colon = strrchr(text, ':');
  if (!colon || (size_t)(colon - text) >= sizeof host) return -1;
  memcpy(host, text, (size_t)(colon - text));
  host[colon - text] = '\0';
  char *end = NULL;
  long port = strtol(colon + 1, &end, 10);
  if (*end != '\0' || port < 0 || port > 65535) return -1;
  memset(ss, 0, sizeof *ss);
  // "[::1]:5000" as well as "127.0.0.1:5000".
  char *h = host;
  size_t hl = strlen(h);
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h[hl - 1] = '\0';
    h++;
  }
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, h, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *len = sizeof *v4;
    return 0;
  }
  if (inet_pton(AF_INET6, h, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *len = sizeof *v6;
    return 0;
  }
  return -1;
}

static int b64_value(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Decodes standard base64 (padding optional); returns the length or -1.
static int b64_decode(const char *in, uint8_t *out, int cap) {
  int n = 0, bits = 0;
  uint32_t acc = 0;
  for (const char *p = in; *p && *p != '='; p++) {
    int v = b64_value((unsigned char)*p);
    if (v < 0) return -1;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= cap) return -1;
      out[n++] = (uint8_t)(acc >> bits);
    }
  }
  return n;
}

// A libsrtp2 session for one direction, or NULL for plain RTP. Exits on bad input.
static srtp_t make_session(const KeySpec *k, int inbound) {
  if (!k->suite && !k->key_b64) return NULL;
  if (!k->suite || !k->key_b64) {
    fprintf(stderr, "srtp-peer: a suite needs a key and a key needs a suite\n");
    exit(2);
  }
  srtp_policy_t policy;
  memset(&policy, 0, sizeof policy);
  if (strcmp(k->suite, "AES_CM_128_HMAC_SHA1_80") == 0) {
    srtp_crypto_policy_set_rtp_default(&policy.rtp);
  } else if (strcmp(k->suite, "AES_CM_128_HMAC_SHA1_32") == 0) {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
  } else {
    fprintf(stderr, "srtp-peer: unsupported suite %s\n", k->suite);
    exit(2);
  }
  srtp_crypto_policy_set_rtcp_default(&policy.rtcp);  // SRTCP stays 80-bit (RFC 4568 6.2)
  static uint8_t keys[2][64];
  uint8_t *key = keys[inbound ? 1 : 0];
  int n = b64_decode(k->key_b64, key, 64);
  if (n != 30) {
    fprintf(stderr, "srtp-peer: key must be base64 of 30 bytes (16 key + 14 salt), got %d bytes\n", n);
    exit(2);
  }
  policy.key = key;
  policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.window_size = 128;
  policy.allow_repeat_tx = 0;
  policy.next = NULL;
  srtp_t session = NULL;
  srtp_err_status_t st = srtp_create(&session, &policy);
  if (st != srtp_err_status_ok) {
    fprintf(stderr, "srtp-peer: srtp_create failed (%d)\n", (int)st);
    exit(1);
  }
  return session;
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint8_t pattern_byte(int seed, uint16_t seq, int i) {
  return (uint8_t)((unsigned)seed * 31u + (unsigned)seq * 7u + (unsigned)i * 13u);
}

static void build_packet(const Options *o, long index, uint8_t *pkt) {
  uint16_t seq = (uint16_t)(o->seq0 + index);
  uint32_t ts = o->ts0 + (uint32_t)index * PAYLOAD_LEN;
  pkt[0] = 0x80;
  pkt[1] = (uint8_t)((index == 0 ? 0x80 : 0x00) | (o->pt & 0x7f));
  pkt[2] = (uint8_t)(seq >> 8);
  pkt[3] = (uint8_t)seq;
  pkt[4] = (uint8_t)(ts >> 24);
  pkt[5] = (uint8_t)(ts >> 16);
  pkt[6] = (uint8_t)(ts >> 8);
  pkt[7] = (uint8_t)ts;
  pkt[8] = (uint8_t)(o->ssrc >> 24);
  pkt[9] = (uint8_t)(o->ssrc >> 16);
  pkt[10] = (uint8_t)(o->ssrc >> 8);
  pkt[11] = (uint8_t)o->ssrc;
  for (int i = 0; i < PAYLOAD_LEN; i++) pkt[HEADER_LEN + i] = pattern_byte(o->seed, seq, i);
}

static void note_source(Report *r, const struct sockaddr_storage *from) {
  char ip[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (from->ss_family == AF_INET) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)from;
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
    port = ntohs(a->sin_port);
  } else if (from->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)from;
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
    port = ntohs(a->sin6_port);
  }
  for (int i = 0; i < r->nsources; i++) {
    if (r->sources[i].port == port && strcmp(r->sources[i].ip, ip) == 0) {
      r->sources[i].packets++;
      return;
    }
  }
  if (r->nsources == MAX_SOURCES) return;
  Source *s = &r->sources[r->nsources++];
  snprintf(s->ip, sizeof s->ip, "%s", ip);
  s->port = port;
  s->packets = 1;
}

// An accepted (plain or unprotected) RTP packet: sequence, SSRC, payload checks.
static void account_rtp(const Options *o, Report *r, const uint8_t *pkt, int len) {
  int cc = pkt[0] & 0x0f;
  int hdr = HEADER_LEN + 4 * cc;
  if ((pkt[0] & 0x10) && len >= hdr + 4) hdr += 4 + 4 * ((pkt[hdr + 2] << 8) | pkt[hdr + 3]);
  if (hdr > len) {
    r->malformed++;
    return;
  }
  int plen = len - hdr;
  if ((pkt[0] & 0x20) && plen > 0) plen -= pkt[len - 1];  // padding
  if (plen < 0) plen = 0;
  const uint8_t *payload = pkt + hdr;
  uint16_t seq = (uint16_t)((pkt[2] << 8) | pkt[3]);
  uint32_t ssrc = ((uint32_t)pkt[8] << 24) | ((uint32_t)pkt[9] << 16) | ((uint32_t)pkt[10] << 8) | pkt[11];

  int known = 0;
  for (int i = 0; i < r->nssrcs; i++) known |= r->ssrcs[i] == ssrc;
  if (!known && r->nssrcs < 8) r->ssrcs[r->nssrcs++] = ssrc;

  if (r->nseqs < MAX_SEQS) r->seqs[r->nseqs++] = seq;
  if (!r->have_seq) {
    r->have_seq = 1;
    r->first_seq = r->last_seq = seq;
  } else {
    uint16_t ahead = (uint16_t)(seq - r->last_seq);
    if (ahead == 0) {
      r->duplicates++;
    } else if (ahead < 0x8000) {
      r->gaps += ahead - 1;
      r->last_seq = seq;
    } else {
      r->reordered++;  // older than the newest seen: late or repeated
    }
  }

  for (int i = 0; i < plen; i++) {
    r->digest ^= payload[i];
    r->digest *= 0x100000001b3ULL;  // FNV-1a 64
  }
  if (o->expect_seed >= 0) {
    int ok = plen == PAYLOAD_LEN;
    for (int i = 0; ok && i < plen; i++) ok = payload[i] == pattern_byte(o->expect_seed, seq, i);
    if (ok)
      r->pattern_ok++;
    else
      r->pattern_bad++;
  }
}

static void receive_one(int fd, const Options *o, srtp_t in, Report *r) {
  uint8_t buf[MAX_PACKET];
  struct sockaddr_storage from;
  socklen_t flen = sizeof from;
  ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
  if (n < 0) return;  // EAGAIN, or an ICMP error reported on the socket
  r->received++;
  note_source(r, &from);
  if (n < HEADER_LEN || (buf[0] & 0xc0) != 0x80) {
    r->malformed++;
    return;
  }
  if (buf[1] >= 192 && buf[1] <= 223) {  // RTCP (RFC 5761 4): not part of the audio checks
    r->rtcp++;
    return;
  }
  int len = (int)n;
  if (in) {
    srtp_err_status_t st = srtp_unprotect(in, buf, &len);
    if (st == srtp_err_status_auth_fail) {
      r->auth_failures++;
      return;
    }
    if (st == srtp_err_status_replay_fail || st == srtp_err_status_replay_old) {
      r->replay_failures++;
      return;
    }
    if (st != srtp_err_status_ok) {
      r->other_failures++;
      return;
    }
  }
  r->decrypted_ok++;
  account_rtp(o, r, buf, len);
}

static void send_bytes(int fd, const Options *o, const uint8_t *pkt, int len, Report *r) {
  if (sendto(fd, pkt, (size_t)len, 0, (const struct sockaddr *)&o->remote_addr, o->remote_len) < 0) r->send_errors++;
}

static void print_report(const Report *r) {
  printf("{\"sent\":%ld,\"sentTampered\":%ld,\"sentReplayed\":%ld,\"sendErrors\":%ld,", r->sent, r->sent_tampered,
         r->sent_replayed, r->send_errors);
  printf("\"received\":%ld,\"rtcp\":%ld,\"malformed\":%ld,\"decryptedOk\":%ld,\"authFailures\":%ld,", r->received, r->rtcp,
         r->malformed, r->decrypted_ok, r->auth_failures);
  printf("\"replayFailures\":%ld,\"otherFailures\":%ld,\"patternOk\":%ld,\"patternBad\":%ld,", r->replay_failures,
         r->other_failures, r->pattern_ok, r->pattern_bad);
  printf("\"digest\":\"%016llx\",\"gaps\":%ld,\"duplicates\":%ld,\"reordered\":%ld,", (unsigned long long)r->digest, r->gaps,
         r->duplicates, r->reordered);
  if (r->have_seq)
    printf("\"firstSeq\":%u,\"lastSeq\":%u,", r->first_seq, r->last_seq);
  else
    printf("\"firstSeq\":null,\"lastSeq\":null,");
  printf("\"ssrcs\":[");
  for (int i = 0; i < r->nssrcs; i++) printf("%s%u", i ? "," : "", r->ssrcs[i]);
  printf("],\"sources\":[");
  for (int i = 0; i < r->nsources; i++)
    printf("%s{\"ip\":\"%s\",\"port\":%u,\"packets\":%ld}", i ? "," : "", r->sources[i].ip, r->sources[i].port,
           r->sources[i].packets);
  printf("],\"seqs\":[");
  for (long i = 0; i < r->nseqs; i++) printf("%s%u", i ? "," : "", r->seqs[i]);
  printf("]}\n");
}

static long num_arg(const char *name, const char *v, long min, long max) {
  char *end = NULL;
  errno = 0;
  long x = strtol(v, &end, 0);
  if (errno || *end != '\0' || x < min || x > max) {
    fprintf(stderr, "srtp-peer: --%s wants a number in %ld..%ld, got \"%s\"\n", name, min, max, v);
    exit(2);
  }
  return x;
}

int main(int argc, char **argv) {
  Options o;
  memset(&o, 0, sizeof o);
  o.count = 50;
  o.interval_ms = 20;
  o.linger_ms = 500;
  o.duration_ms = -1;
  o.ssrc = 0x5eed0001;
  o.seq0 = 1000;
  o.ts0 = 160000;
  o.pt = 0;
  o.seed = 1;
  o.expect_seed = -1;
  o.tamper_at = -1;
  o.replay_at = -1;
  int have_bind = 0;

  static const struct option longopts[] = {
      {"bind", required_argument, 0, 'b'},        {"remote", required_argument, 0, 'r'},
      {"count", required_argument, 0, 'n'},       {"interval-ms", required_argument, 0, 'i'},
      {"linger-ms", required_argument, 0, 'l'},   {"duration-ms", required_argument, 0, 'd'},
      {"ssrc", required_argument, 0, 's'},        {"seq", required_argument, 0, 'q'},
      {"ts", required_argument, 0, 't'},          {"pt", required_argument, 0, 'p'},
      {"seed", required_argument, 0, 'k'},        {"expect-seed", required_argument, 0, 'e'},
      {"send-suite", required_argument, 0, 'S'},  {"send-key", required_argument, 0, 'K'},
      {"recv-suite", required_argument, 0, 'R'},  {"recv-key", required_argument, 0, 'Q'},
      {"tamper-at", required_argument, 0, 'T'},   {"replay-at", required_argument, 0, 'P'},
      {"help", no_argument, 0, 'h'},              {0, 0, 0, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (c) {
      case 'b':
        if (parse_addr(optarg, &o.bind_addr, &o.bind_len) != 0) {
          fprintf(stderr, "srtp-peer: bad --bind %s\n", optarg);
          return 2;
        }
        have_bind = 1;
        break;
      case 'r':
        if (parse_addr(optarg, &o.remote_addr, &o.remote_len) != 0) {
          fprintf(stderr, "srtp-peer: bad --remote %s\n", optarg);
          return 2;
        }
        o.have_remote = 1;
        break;
      case 'n': o.count = num_arg("count", optarg, 0, 100000); break;
      case 'i': o.interval_ms = num_arg("interval-ms", optarg, 1, 10000); break;
      case 'l': o.linger_ms = num_arg("linger-ms", optarg, 0, 120000); break;
      case 'd': o.duration_ms = num_arg("duration-ms", optarg, 0, 600000); break;
      case 's': o.ssrc = (uint32_t)num_arg("ssrc", optarg, 0, 0xffffffffL); break;
      case 'q': o.seq0 = (uint16_t)num_arg("seq", optarg, 0, 65535); break;
      case 't': o.ts0 = (uint32_t)num_arg("ts", optarg, 0, 0xffffffffL); break;
      case 'p': o.pt = (int)num_arg("pt", optarg, 0, 127); break;
      case 'k': o.seed = (int)num_arg("seed", optarg, 0, 255); break;
      case 'e': o.expect_seed = (int)num_arg("expect-seed", optarg, 0, 255); break;
      case 'S': o.send_key.suite = optarg; break;
      case 'K': o.send_key.key_b64 = optarg; break;
      case 'R': o.recv_key.suite = optarg; break;
      case 'Q': o.recv_key.key_b64 = optarg; break;
      case 'T': o.tamper_at = num_arg("tamper-at", optarg, 0, 100000); break;
      case 'P': o.replay_at = num_arg("replay-at", optarg, 0, 100000); break;
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (!have_bind || (o.count > 0 && !o.have_remote) || optind != argc) {
    usage(stderr);
    return 2;
  }
  if (o.have_remote && o.remote_addr.ss_family != o.bind_addr.ss_family) {
    fprintf(stderr, "srtp-peer: --bind and --remote are of different address families\n");
    return 2;
  }

  if (srtp_init() != srtp_err_status_ok) {
    fprintf(stderr, "srtp-peer: srtp_init failed\n");
    return 1;
  }
  srtp_t out = make_session(&o.send_key, 0);
  srtp_t in = make_session(&o.recv_key, 1);

  int fd = socket(o.bind_addr.ss_family, SOCK_DGRAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&o.bind_addr, o.bind_len) != 0) {
    fprintf(stderr, "srtp-peer: cannot bind: %s\n", strerror(errno));
    return 1;
  }
  // The harness waits for this line before it lets the other end send.
  fprintf(stderr, "ready\n");
  fflush(stderr);

  Report r;
  memset(&r, 0, sizeof r);
  r.digest = 0xcbf29ce484222325ULL;

  const long start = now_ms();
  const long end = start + (o.duration_ms >= 0 ? o.duration_ms : o.count * o.interval_ms + o.linger_ms);
  long next_index = 0;
  uint8_t pkt[MAX_PACKET];
  for (;;) {
    long t = now_ms();
    while (next_index < o.count && t >= start + next_index * o.interval_ms) {
      build_packet(&o, next_index, pkt);
      int len = HEADER_LEN + PAYLOAD_LEN;
      if (out) {
        srtp_err_status_t st = srtp_protect(out, pkt, &len);
        if (st != srtp_err_status_ok) {
          fprintf(stderr, "srtp-peer: srtp_protect failed (%d)\n", (int)st);
          return 1;
        }
      }
      if (next_index == o.tamper_at) {
        uint8_t bad[MAX_PACKET];
        memcpy(bad, pkt, (size_t)len);
        bad[HEADER_LEN + 20] ^= 0x01;
        send_bytes(fd, &o, bad, len, &r);
        r.sent_tampered++;
      }
      send_bytes(fd, &o, pkt, len, &r);
      r.sent++;
      if (next_index == o.replay_at) {
        send_bytes(fd, &o, pkt, len, &r);
        r.sent_replayed++;
      }
      next_index++;
    }
    if (t >= end) break;
    long wake = end;
    if (next_index < o.count && start + next_index * o.interval_ms < wake) wake = start + next_index * o.interval_ms;
    struct pollfd p = {fd, POLLIN, 0};
    int timeout = (int)(wake - t);
    if (poll(&p, 1, timeout < 0 ? 0 : timeout) > 0 && (p.revents & (POLLIN | POLLERR))) {
      // Drain what is there (bounded: the loop comes back for the clock).
      for (int i = 0; i < 64; i++) {
        long before = r.received;
        receive_one(fd, &o, in, &r);
        if (r.received == before) break;
      }
    }
  }
  print_report(&r);
  close(fd);
  if (out) srtp_dealloc(out);
  if (in) srtp_dealloc(in);
  srtp_shutdown();
  return 0;
}
