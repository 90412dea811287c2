/* bgp_io.h - BGP's sockets and byte buffers: non-blocking connect and
 * accept, TCP MD5 (RFC 2385) and GTSM (RFC 5082) on both, a receive buffer
 * framed with bgp_msg_frame(), and a write queue that drains when the
 * socket is writable. No BGP state lives here (that is bgp_session.c).
 *
 * Every call returns 0 (or a count) on success and -errno on failure;
 * nothing here blocks.
 */
#ifndef VTEP_BGP_IO_H
#define VTEP_BGP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bgp_err.h"
#include "bgp_msg.h"

/* Security settings of one neighbor, applied to every socket that talks
 * to it (and, for MD5, to the listener). */
struct bgp_io_sec {
	const char *password;   /* TCP MD5 key (RFC 2385), NULL or "" = none */
	bool ttl_security;      /* GTSM (RFC 5082): send TTL 255, accept >= 254 */
};

/* A non-blocking IPv4 socket connecting to addr:port (network order addr,
 * host order port). *fd is set when the attempt is under way (0 returned
 * even when connect() said EINPROGRESS): wait for EPOLLOUT, then
 * bgp_io_connected(). */
int bgp_io_connect(uint32_t addr, uint16_t port, const struct bgp_io_sec *sec, int *fd);
/* After EPOLLOUT on a connecting socket: 0 when connected, -EINPROGRESS
 * when not yet, else the connect error (SO_ERROR). */
int bgp_io_connected(int fd);

/* A non-blocking listener on 0.0.0.0:port (SO_REUSEADDR). */
int bgp_io_listen(uint16_t port, int *fd);
/* Accepts one connection (non-blocking, close-on-exec); -EAGAIN when none.
 * addr/port of the remote end, network/host order. */
int bgp_io_accept(int lfd, int *fd, uint32_t *addr, uint16_t *port);
/* The MD5 key the listener expects from addr (password NULL/"" removes it:
 * RFC 2385 segments from addr are then accepted without a signature). */
int bgp_io_listener_md5(int lfd, uint32_t addr, const char *password);
/* Applies sec to a connected or accepted socket (GTSM; MD5 is inherited
 * from the listener on accept and set before connect). */
int bgp_io_secure(int fd, uint32_t addr, const struct bgp_io_sec *sec);
/* Whether any listener-side option needs the send TTL 255 (GTSM peers). */
int bgp_io_listener_ttl(int lfd, bool ttl255);

/* Receive buffer: room for two maximal messages, so one read can finish a
 * message and start the next. */
#define BGP_RX_SIZE (2 * BGP_MAX_LEN)
struct bgp_rx {
	uint8_t buf[BGP_RX_SIZE];
	size_t len;             /* octets held */
	size_t off;             /* start of the next unconsumed message */
};

/* Reads what the socket has (up to the free space). Returns the octets
 * read (> 0), 0 at end of stream, -EAGAIN when nothing waits, or -errno. */
ssize_t bgp_rx_fill(struct bgp_rx *rx, int fd);
/* The next whole message: 1 with *msg and *len set, 0 when it is incomplete (the
 * partial message is moved to the front for the next fill), -1 on a bad
 * header (err holds the NOTIFICATION, RFC 4271 6.1). */
int bgp_rx_next(struct bgp_rx *rx, const uint8_t **msg, size_t *len, struct bgp_err *err);

/* Write queue: whole messages appended, written as the socket takes them. */
struct bgp_txq {
	uint8_t *buf;
	size_t head, len, cap;  /* unsent octets are buf[head .. head + len) */
	size_t max;             /* refuse appends beyond this (0 = 16 MiB) */
};

int bgp_txq_append(struct bgp_txq *q, const void *p, size_t n);
/* Writes as much as the socket takes: 0 when the queue is empty, 1 when
 * octets remain (wait for EPOLLOUT), -errno on a socket error. */
int bgp_txq_flush(struct bgp_txq *q, int fd);
static inline bool bgp_txq_empty(const struct bgp_txq *q)
{
	return q->len == 0;
}
void bgp_txq_reset(struct bgp_txq *q);   /* drops the contents, keeps memory */
void bgp_txq_free(struct bgp_txq *q);

#endif /* VTEP_BGP_IO_H */
