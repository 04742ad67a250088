// Sends COUNT 100-byte datagrams to 127.0.0.1:PORT, PER at a time every GAP_US microseconds (absolute clock).
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
int main(int argc, char **argv) {
  int port = atoi(argv[1]); long count = atol(argv[2]); long gap = atol(argv[3]); int per = atoi(argv[4]);
  int fd = socket(AF_INET, SOCK_DGRAM, 0); struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) }; inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  char buf[100] = {0}; struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
  for (long i = 0; i < count; i += per) {
    for (int j = 0; j < per; j++) sendto(fd, buf, sizeof buf, 0, (void*)&a, sizeof a);
    t.tv_nsec += gap * 1000; while (t.tv_nsec >= 1000000000) { t.tv_nsec -= 1000000000; t.tv_sec++; }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
  }
  return 0;
}
