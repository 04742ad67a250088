// Receives datagrams with epoll + recvmmsg and answers each with a 40-byte datagram (sendmmsg): the C floor of
// bench/wakeup-floor. Usage: echo-recv PORT COUNT 1; prints CPU microseconds per datagram (user + system).
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <arpa/inet.h>
int main(int argc, char **argv) {
  int port = atoi(argv[1]); long total = atol(argv[2]); int reply = argc > 3 && atoi(argv[3]);
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) }; inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (bind(fd, (void*)&a, sizeof a)) { perror("bind"); return 1; }
  printf("{\"ready\": true}\n"); fflush(stdout);
  int ep = epoll_create1(0); struct epoll_event ev = { .events = EPOLLIN }; epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  struct mmsghdr m[32]; struct iovec io[32]; char buf[32][1500]; struct sockaddr_in from[32];
  long got = 0, wakes = 0; struct rusage r0, r1; int started = 0;
  while (got < total) {
    epoll_wait(ep, &ev, 1, -1); wakes++;
    for (;;) {
      for (int i = 0; i < 32; i++) { io[i].iov_base = buf[i]; io[i].iov_len = 1500; memset(&m[i].msg_hdr, 0, sizeof m[i].msg_hdr); m[i].msg_hdr.msg_iov = &io[i]; m[i].msg_hdr.msg_iovlen = 1; m[i].msg_hdr.msg_name = &from[i]; m[i].msg_hdr.msg_namelen = sizeof from[i]; }
      int n = recvmmsg(fd, m, 32, 0, NULL); if (n <= 0) break;
      if (!started) { getrusage(RUSAGE_SELF, &r0); started = 1; got = 0; wakes = 1; }
      if (reply) { for (int i = 0; i < n; i++) io[i].iov_len = 40; sendmmsg(fd, m, n, 0); }
      got += n;
    }
  }
  getrusage(RUSAGE_SELF, &r1);
  double us = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1e6 + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) + (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e6 + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
  printf("{\"usPerDatagram\": %.2f, \"wakeUpsPerDatagram\": %.3f}\n", us / got, (double)wakes / got);
  fflush(stdout);
  return 0;
}
