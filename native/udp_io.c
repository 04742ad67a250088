/*
 * garou_udp: one nonblocking UDP socket with batched I/O for transport/native-udp-io.ts.
 *
 * Why: node:dgram costs a system call, a Buffer, an rinfo object and an EventEmitter emit per datagram, and its
 * send path ~5.6 us per datagram. Here datagrams queued during one JavaScript turn leave with one sendmmsg(2),
 * and readable events read up to RECV_BATCH datagrams with one recvmmsg(2) and call into JavaScript once.
 *
 * Exports (h is the handle `open` returns):
 *   open(family, host, port, rcvbuf, sndbuf, meta: Int32Array, onBatch) -> h   throws Error with .code (errno)
 *   localAddress(h) -> [host, port]
 *   send(h, buffer, offset, length, host, port)   queues one datagram (copied)
 *   flush(h)                                       sends what is queued; what the kernel refuses (EAGAIN) waits
 *                                                  for the socket to be writable
 *   stats(h) -> [sent, sendCalls, sendDrops, received, recvCalls, writableWaits]
 *   close(h)
 * onBatch(count, data: Buffer, hosts: string[]): data holds the `count` datagrams back to back; meta[3i] is the
 * length of datagram i, meta[3i+1] its source port, meta[3i+2] the index of its source address in `hosts`.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

/* As libuv: at most this many datagrams per readable event (transport/endpoint.ts READ_BATCH relies on it). */
#define RECV_BATCH 32
/* Any UDP payload fits: a datagram is never truncated. */
#define RECV_SLOT 65536
/* Datagrams and bytes queued before a flush is forced. */
#define SEND_SLOTS 1024
#define SEND_BYTES (4 * 1024 * 1024)
/*
 * A batch this large leaves at once, not at the end of the turn: a flush that sends hundreds of packets does
 * not hold the first ones back for all of its work (latency), and 64 per call already saves nearly all the
 * per-datagram cost.
 */
#define SEND_EARLY 64
#define HOST_MAX 64

typedef struct {
  int fd;
  int family;
  int closed;
  int polling_events;
  napi_env env;
  uv_poll_t *poll;
  napi_ref on_batch;
  napi_ref meta_ref;
  napi_async_context async;
  int32_t *meta;
  /* receive */
  struct mmsghdr rmsg[RECV_BATCH];
  struct iovec riov[RECV_BATCH];
  struct sockaddr_storage raddr[RECV_BATCH];
  uint8_t *rbuf;
  /* send queue: msgs [shead, scount) wait; their bytes live in sbuf */
  struct mmsghdr smsg[SEND_SLOTS];
  struct iovec siov[SEND_SLOTS];
  struct sockaddr_storage saddr[SEND_SLOTS];
  uint8_t *sbuf;
  size_t sused;
  int shead;
  int scount;
  /* last destination parsed, so a run of sends to one host parses it once */
  char last_host[HOST_MAX];
  struct sockaddr_storage last_addr;
  socklen_t last_len;
  /* counters */
  double sent, send_calls, send_drops, received, recv_calls, writable_waits;
} udp_t;

/*
 * The receive slots (2 MiB) and the send queue's bytes (4 MiB) come straight from mmap, on normal pages, and only
 * what is touched is resident: a readable event writes the first page of each 64 KiB slot, a flush the first pages
 * of the queue. From malloc they came with transparent huge pages (the load workers run with
 * glibc.malloc.hugetlb=1, harness/runner/malloc-huge-pages.ts), and the first touch of a slot made a whole 2 MiB
 * page resident: ~6 MiB per socket, ~2 KB per client with one socket per 3,125 clients.
 */
static uint8_t *map_buffer(size_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  /* Also where huge pages are the system's default (transparent_hugepage=always). */
  madvise(p, size, MADV_NOHUGEPAGE);
  return p;
}

static void unmap_buffer(uint8_t *p, size_t size) {
  if (p != NULL) munmap(p, size);
}

static void throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  napi_value code, text, error;
  const char *name = uv_err_name(uv_translate_sys_error(err));
  snprintf(msg, sizeof msg, "%s %s (%s)", what, name, strerror(err));
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_throw(env, error);
}

/* Parses an IP literal into a sockaddr of the socket's family (IPv4 on an IPv6 socket: v4-mapped). */
static int parse_addr(udp_t *u, const char *host, int port, struct sockaddr_storage *out, socklen_t *len) {
  memset(out, 0, sizeof *out);
  if (u->family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)out;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return -1;
    *len = sizeof *a;
    return 0;
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
  a->sin6_family = AF_INET6;
  a->sin6_port = htons((uint16_t)port);
  if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) {
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) != 1) return -1;
    a->sin6_addr.s6_addr[10] = 0xff;
    a->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&a->sin6_addr.s6_addr[12], &v4, 4);
  }
  *len = sizeof *a;
  return 0;
}

/* The IP address bytes (4 or 16, in *iplen) and the port of an IPv4 or IPv6 sockaddr. */
static const void *addr_ip_port(const struct sockaddr_storage *sa, size_t *iplen, int *port) {
  if (sa->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
    *iplen = 16;
    *port = ntohs(a->sin6_port);
    return &a->sin6_addr;
  }
  const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
  *iplen = 4;
  *port = ntohs(a->sin_port);
  return &a->sin_addr;
}

static void set_poll_events(udp_t *u, int events);

/* Sends the queue; stops at EAGAIN (then waits for writable) and skips a datagram the kernel rejects. */
static void flush_queue(udp_t *u) {
  while (u->shead < u->scount) {
    int n = sendmmsg(u->fd, u->smsg + u->shead, (unsigned)(u->scount - u->shead), 0);
    u->send_calls++;
    if (n > 0) {
      u->shead += n;
      u->sent += n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      u->writable_waits++;
      set_poll_events(u, UV_READABLE | UV_WRITABLE);
      return;
    }
    /* e.g. EINVAL or EHOSTUNREACH: this datagram cannot leave; as with dgram, loss recovery deals with it. */
    u->shead++;
    u->send_drops++;
  }
  u->shead = u->scount = 0;
  u->sused = 0;
  if (u->polling_events & UV_WRITABLE) set_poll_events(u, UV_READABLE);
}

static void on_readable(udp_t *u) {
  for (int i = 0; i < RECV_BATCH; i++) {
    u->riov[i].iov_base = u->rbuf + (size_t)i * RECV_SLOT;
    u->riov[i].iov_len = RECV_SLOT;
    memset(&u->rmsg[i].msg_hdr, 0, sizeof u->rmsg[i].msg_hdr);
    u->rmsg[i].msg_hdr.msg_iov = &u->riov[i];
    u->rmsg[i].msg_hdr.msg_iovlen = 1;
    u->rmsg[i].msg_hdr.msg_name = &u->raddr[i];
    u->rmsg[i].msg_hdr.msg_namelen = sizeof u->raddr[i];
  }
  int n;
  do {
    n = recvmmsg(u->fd, u->rmsg, RECV_BATCH, 0, NULL);
  } while (n < 0 && errno == EINTR);
  u->recv_calls++;
  if (n <= 0) return;
  u->received += n;

  napi_env env = u->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  size_t total = 0;
  for (int i = 0; i < n; i++) total += u->rmsg[i].msg_len;
  void *data;
  napi_value buffer, hosts, argv[3], fn, recv, result;
  napi_create_buffer(env, total ? total : 1, &data, &buffer);
  napi_create_array(env, &hosts);
  /* Distinct source addresses of this batch (usually one: every peer on one host). */
  int distinct = 0;
  int first_of[RECV_BATCH];
  size_t at = 0;
  for (int i = 0; i < n; i++) {
    uint32_t len = u->rmsg[i].msg_len;
    memcpy((uint8_t *)data + at, u->riov[i].iov_base, len);
    at += len;
    struct sockaddr_storage *sa = &u->raddr[i];
    size_t iplen, other_len;
    int port, other_port;
    const void *ip = addr_ip_port(sa, &iplen, &port);
    int index = -1;
    for (int d = 0; d < distinct; d++) {
      struct sockaddr_storage *other = &u->raddr[first_of[d]];
      const void *oip = addr_ip_port(other, &other_len, &other_port);
      if (other->ss_family == sa->ss_family && memcmp(oip, ip, iplen) == 0) {
        index = d;
        break;
      }
    }
    if (index < 0) {
      char text[INET6_ADDRSTRLEN];
      inet_ntop(sa->ss_family, ip, text, sizeof text);
      napi_value host;
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &host);
      index = distinct;
      first_of[distinct++] = i;
      napi_set_element(env, hosts, (uint32_t)index, host);
    }
    u->meta[3 * i] = (int32_t)len;
    u->meta[3 * i + 1] = port;
    u->meta[3 * i + 2] = index;
  }
  napi_create_int32(env, n, &argv[0]);
  argv[1] = buffer;
  argv[2] = hosts;
  napi_get_reference_value(env, u->on_batch, &fn);
  napi_get_global(env, &recv);
  napi_status status = napi_make_callback(env, u->async, recv, fn, 3, argv, &result);
  if (status == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  udp_t *u = handle->data;
  if (u->closed) return;
  if (status < 0) {
    /* A socket error (e.g. a queued ICMP error): reading clears it. */
    events = UV_READABLE;
  }
  if (events & UV_WRITABLE) flush_queue(u);
  if (!u->closed && (events & UV_READABLE)) on_readable(u);
}

static void set_poll_events(udp_t *u, int events) {
  if (u->closed || u->polling_events == events) return;
  u->polling_events = events;
  uv_poll_start(u->poll, events, on_poll);
}

static void free_poll(uv_handle_t *handle) { free(handle); }

static void release(udp_t *u) {
  if (u->closed) return;
  u->closed = 1;
  uv_poll_stop(u->poll);
  uv_close((uv_handle_t *)u->poll, free_poll);
  u->poll = NULL;
  close(u->fd);
  u->fd = -1;
  unmap_buffer(u->rbuf, (size_t)RECV_BATCH * RECV_SLOT);
  unmap_buffer(u->sbuf, SEND_BYTES);
  u->rbuf = u->sbuf = NULL;
}

static void cleanup_hook(void *arg) { release(arg); }

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  udp_t *u = data;
  napi_remove_env_cleanup_hook(env, cleanup_hook, u);
  release(u);
  free(u);
}

static udp_t *get_handle(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "garou_udp: not a socket handle");
    return NULL;
  }
  return data;
}

/* The call's first `count` arguments into argv; the first must be a socket handle, returned (NULL: thrown). */
static udp_t *handle_and_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv) {
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < count) {
    napi_throw_type_error(env, NULL, "garou_udp: too few arguments");
    return NULL;
  }
  return get_handle(env, argv[0]);
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t family, port, rcvbuf, sndbuf;
  char host[HOST_MAX];
  size_t hostlen;
  napi_typedarray_type type;
  size_t meta_len;
  void *meta;
  if (argc < 7 || napi_get_value_int32(env, argv[0], &family) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], host, sizeof host, &hostlen) != napi_ok ||
      napi_get_value_int32(env, argv[2], &port) != napi_ok || napi_get_value_int32(env, argv[3], &rcvbuf) != napi_ok ||
      napi_get_value_int32(env, argv[4], &sndbuf) != napi_ok ||
      napi_get_typedarray_info(env, argv[5], &type, &meta_len, &meta, NULL, NULL) != napi_ok ||
      type != napi_int32_array || meta_len < 3 * RECV_BATCH) {
    napi_throw_type_error(env, NULL, "garou_udp.open: bad arguments");
    return NULL;
  }
  udp_t *u = calloc(1, sizeof *u);
  u->family = family == 6 ? AF_INET6 : AF_INET;
  u->env = env;
  u->meta = meta;
  struct sockaddr_storage addr;
  socklen_t addrlen;
  if (parse_addr(u, host, port, &addr, &addrlen) != 0) {
    free(u);
    napi_throw_type_error(env, NULL, "garou_udp.open: host is not an IP literal of the family");
    return NULL;
  }
  int fd = socket(u->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    free(u);
    throw_errno(env, "socket", errno);
    return NULL;
  }
  /* As node:dgram: an IPv6 socket is dual-stack. */
  int off = 0;
  if (u->family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  if (bind(fd, (struct sockaddr *)&addr, addrlen) != 0) {
    int err = errno;
    close(fd);
    free(u);
    throw_errno(env, "bind", err);
    return NULL;
  }
  u->rbuf = map_buffer((size_t)RECV_BATCH * RECV_SLOT);
  u->sbuf = map_buffer(SEND_BYTES);
  if (u->rbuf == NULL || u->sbuf == NULL) {
    int err = errno;
    unmap_buffer(u->rbuf, (size_t)RECV_BATCH * RECV_SLOT);
    unmap_buffer(u->sbuf, SEND_BYTES);
    close(fd);
    free(u);
    throw_errno(env, "mmap", err);
    return NULL;
  }
  u->fd = fd;
  u->poll = malloc(sizeof *u->poll);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init_socket(loop, u->poll, fd);
  u->poll->data = u;
  napi_create_reference(env, argv[6], 1, &u->on_batch);
  napi_create_reference(env, argv[5], 1, &u->meta_ref);
  napi_value name;
  napi_create_string_utf8(env, "garou_udp", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &u->async);
  set_poll_events(u, UV_READABLE);
  napi_add_env_cleanup_hook(env, cleanup_hook, u);
  napi_value handle;
  napi_create_external(env, u, finalize, NULL, &handle);
  return handle;
}

static napi_value js_local_address(napi_env env, napi_callback_info info) {
  napi_value argv[1], out, host, port;
  udp_t *u = handle_and_args(env, info, 1, argv);
  if (u == NULL) return NULL;
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  if (u->closed || getsockname(u->fd, (struct sockaddr *)&addr, &len) != 0) {
    throw_errno(env, "getsockname", u->closed ? EBADF : errno);
    return NULL;
  }
  char text[INET6_ADDRSTRLEN];
  size_t iplen;
  int number;
  inet_ntop(addr.ss_family, addr_ip_port(&addr, &iplen, &number), text, sizeof text);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &host);
  napi_create_int32(env, number, &port);
  napi_create_array_with_length(env, 2, &out);
  napi_set_element(env, out, 0, host);
  napi_set_element(env, out, 1, port);
  return out;
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  udp_t *u = handle_and_args(env, info, 6, argv);
  if (u == NULL || u->closed) return NULL;
  void *data;
  size_t size;
  uint32_t offset, length;
  int32_t port;
  char host[HOST_MAX];
  size_t hostlen;
  if (napi_get_buffer_info(env, argv[1], &data, &size) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &offset) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &length) != napi_ok ||
      napi_get_value_string_utf8(env, argv[4], host, sizeof host, &hostlen) != napi_ok ||
      napi_get_value_int32(env, argv[5], &port) != napi_ok || (size_t)offset + length > size || length > RECV_SLOT) {
    napi_throw_type_error(env, NULL, "garou_udp.send: bad arguments");
    return NULL;
  }
  if (u->scount == SEND_SLOTS || u->sused + length > SEND_BYTES) {
    flush_queue(u);
    if (u->scount == SEND_SLOTS || u->sused + length > SEND_BYTES) {
      /* The kernel has not taken the last SEND_BYTES yet: this one is lost (counted; QUIC retransmits). */
      u->send_drops++;
      return NULL;
    }
  }
  int i = u->scount;
  if (strcmp(host, u->last_host) != 0 || u->last_len == 0) {
    if (parse_addr(u, host, 0, &u->last_addr, &u->last_len) != 0) {
      u->last_len = 0;
      u->last_host[0] = 0;
      u->send_drops++;
      return NULL;
    }
    memcpy(u->last_host, host, hostlen + 1);
  }
  memcpy(&u->saddr[i], &u->last_addr, u->last_len);
  if (u->family == AF_INET6) ((struct sockaddr_in6 *)&u->saddr[i])->sin6_port = htons((uint16_t)port);
  else ((struct sockaddr_in *)&u->saddr[i])->sin_port = htons((uint16_t)port);
  memcpy(u->sbuf + u->sused, (uint8_t *)data + offset, length);
  u->siov[i].iov_base = u->sbuf + u->sused;
  u->siov[i].iov_len = length;
  u->sused += length;
  memset(&u->smsg[i].msg_hdr, 0, sizeof u->smsg[i].msg_hdr);
  u->smsg[i].msg_hdr.msg_name = &u->saddr[i];
  u->smsg[i].msg_hdr.msg_namelen = u->last_len;
  u->smsg[i].msg_hdr.msg_iov = &u->siov[i];
  u->smsg[i].msg_hdr.msg_iovlen = 1;
  u->scount++;
  if (u->scount - u->shead >= SEND_EARLY && !(u->polling_events & UV_WRITABLE)) flush_queue(u);
  return NULL;
}

static napi_value js_flush(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  udp_t *u = handle_and_args(env, info, 1, argv);
  if (u != NULL && !u->closed && !(u->polling_events & UV_WRITABLE)) flush_queue(u);
  return NULL;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1], out, v;
  udp_t *u = handle_and_args(env, info, 1, argv);
  if (u == NULL) return NULL;
  double values[6] = {u->sent, u->send_calls, u->send_drops, u->received, u->recv_calls, u->writable_waits};
  napi_create_array_with_length(env, 6, &out);
  for (uint32_t i = 0; i < 6; i++) {
    napi_create_double(env, values[i], &v);
    napi_set_element(env, out, i, v);
  }
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  udp_t *u = handle_and_args(env, info, 1, argv);
  if (u == NULL || u->closed) return NULL;
  if (u->shead < u->scount) flush_queue(u);
  /* What the kernel still refused (a full send buffer) is lost with the socket: counted. */
  u->send_drops += u->scount - u->shead;
  release(u);
  napi_delete_reference(env, u->on_batch);
  napi_delete_reference(env, u->meta_ref);
  napi_async_destroy(env, u->async);
  u->on_batch = u->meta_ref = NULL;
  u->async = NULL;
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"localAddress", NULL, js_local_address, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"flush", NULL, js_flush, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
