// bench/rtp-relay/relay-naive: the simplest relay that works, as a yardstick for
// the generator (if the generator cannot drive this one, it is the bottleneck)
// and for the relays under test. Plain RTP only, no checks, no RTCP: call i's
// socket facing A (an even port from a-base up) forwards to
// 127.2.(i/250).(i%250+1):b-port from its socket facing B (from b-base up), and
// the other way to 127.1.(i/250).(i%250+1):a-port, the generator's addressing
// (gen.c). Prints one calls-file line per call ("<port facing A> <port facing B>"),
// then "ready". One epoll loop, level-triggered, recvmmsg
// then sendmmsg per readable socket.
//   relay-naive --calls N [--ip 127.0.0.1] [--a-base 30000] [--b-base 40000]
//               [--a-port 29000] [--b-port 29002] [--max-seconds 3600]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 16
#define PKT 2048

static volatile sig_atomic_t stop_now;
static void on_signal(int s) {
  (void)s;
  stop_now = 1;
}

int main(int argc, char **argv) {
  int calls = 0, a_base = 30000, b_base = 40000, a_port = 29000, b_port = 29002, max_s = 3600;
  const char *ip = "127.0.0.1";
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--calls")) calls = atoi(v);
    else if (!strcmp(k, "--ip")) ip = v;
    else if (!strcmp(k, "--a-base")) a_base = atoi(v);
    else if (!strcmp(k, "--b-base")) b_base = atoi(v);
    else if (!strcmp(k, "--a-port")) a_port = atoi(v);
    else if (!strcmp(k, "--b-port")) b_port = atoi(v);
    else if (!strcmp(k, "--max-seconds")) max_s = atoi(v);
    else {
      fprintf(stderr, "relay-naive: unknown option %s\n", k);
      return 2;
    }
  }
  if (calls <= 0 || calls > 5000 || a_base + 2 * calls > 65535 || b_base + 2 * calls > 65535 || max_s <= 0) {
    fprintf(stderr, "relay-naive: need --calls 1..5000 and ports that fit\n");
    return 2;
  }
  struct in_addr local;
  if (inet_pton(AF_INET, ip, &local) != 1) return 2;
  int n = 2 * calls;
  int *fd = calloc((size_t)n, sizeof *fd);
  struct sockaddr_in *peer = calloc((size_t)n, sizeof *peer);  // where what leaves socket j goes
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (!fd || !peer || ep < 0) return 2;
  int next_port[2] = {a_base, b_base}, ports[2] = {0, 0};
  for (int i = 0; i < calls; i++) {
    for (int side = 0; side < 2; side++) {
      int j = 2 * i + side;
      fd[j] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr = local};
      // Even ports upward from the side's base; a port someone else holds is skipped.
      for (;;) {
        if (next_port[side] > 65534) {
          fprintf(stderr, "relay-naive: out of ports\n");
          return 2;
        }
        a.sin_port = htons((uint16_t)next_port[side]);
        next_port[side] += 2;
        if (fd[j] >= 0 && bind(fd[j], (struct sockaddr *)&a, sizeof a) == 0) break;
        if (fd[j] < 0 || (errno != EADDRINUSE && errno != EACCES)) {
          fprintf(stderr, "relay-naive: bind %d: %s\n", ntohs(a.sin_port), strerror(errno));
          return 2;
        }
      }
      peer[j].sin_family = AF_INET;
      peer[j].sin_port = htons((uint16_t)(side ? b_port : a_port));
      peer[j].sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)(side + 1) << 16 | (uint32_t)(i / 250) << 8 | (uint32_t)(i % 250 + 1));
      struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)j};
      epoll_ctl(ep, EPOLL_CTL_ADD, fd[j], &ev);
      ports[side] = ntohs(a.sin_port);
    }
    // One calls-file line per call: the port facing A, the port facing B.
    printf("%d %d\n", ports[0], ports[1]);
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  printf("ready\n");
  fflush(stdout);
  static uint8_t buf[BATCH][PKT];
  struct iovec iov[BATCH];
  struct mmsghdr msg[BATCH];
  struct epoll_event evs[256];
  time_t end = time(NULL) + max_s;
  while (!stop_now && time(NULL) < end) {
    int ne = epoll_wait(ep, evs, 256, 200);
    for (int e = 0; e < ne; e++) {
      int j = (int)evs[e].data.u32, out = j ^ 1;  // a <-> b of the same call
      for (int i = 0; i < BATCH; i++) {
        iov[i] = (struct iovec){buf[i], PKT};
        memset(&msg[i], 0, sizeof msg[i]);
        msg[i].msg_hdr.msg_iov = &iov[i];
        msg[i].msg_hdr.msg_iovlen = 1;
      }
      int got = recvmmsg(fd[j], msg, BATCH, MSG_DONTWAIT, NULL);
      if (got <= 0) continue;
      for (int i = 0; i < got; i++) {
        iov[i].iov_len = msg[i].msg_len;
        msg[i].msg_hdr.msg_name = &peer[out];
        msg[i].msg_hdr.msg_namelen = sizeof peer[out];
      }
      sendmmsg(fd[out], msg, (unsigned)got, 0);
    }
  }
  return 0;
}
