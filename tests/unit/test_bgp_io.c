/* test_bgp_io.c - agent/bgp/bgp_io: BGP's sockets and byte buffers.
 *  - the receive buffer: whole messages out of any split of the stream,
 *    two in one read, a partial one kept at the front, a bad header
 *    refused with its NOTIFICATION, end of stream and nothing-yet told
 *    apart;
 *  - the write queue: everything arrives in order when the socket takes it
 *    in pieces (1: wait for EPOLLOUT), the limit, a peer gone (-EPIPE, no
 *    SIGPIPE), reset, and a large queue's memory given back once drained;
 *  - connect and accept on loopback: in progress, connected, refused, the
 *    peer's address and port, nothing to accept;
 *  - GTSM (RFC 5082): TTL 255 sent and 254 the minimum accepted, on
 *    connected sockets and the listener's SYN-ACK;
 *  - TCP MD5 (RFC 2385): a connection with the listener's key completes, one
 *    with another key or none never does; a key too long is refused.
 * Each case runs in Check's forked child in a network namespace of its own
 * (unshare: nothing listens outside it, nothing outlives it). Needs root.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include "check_main.h"
#include "bgp_io.h"
#include "bgp_msg.h"
#include "nl_test_util.h"

#ifndef IP_MINTTL
#define IP_MINTTL 21
#endif

static uint32_t lo_addr;

static void setup(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	nt_sh("ip link set lo up");
	lo_addr = htonl(INADDR_LOOPBACK);
}

/* A whole KEEPALIVE (19 octets) or an UPDATE of n octets (n >= 23) with a
 * recognisable body, written into b. */
static size_t msg_of(uint8_t *b, size_t n, uint8_t fill)
{
	memset(b, 0xff, 16);
	b[16] = (uint8_t)(n >> 8);
	b[17] = (uint8_t)n;
	b[18] = n == BGP_HDR_LEN ? BGP_MSG_KEEPALIVE : BGP_MSG_UPDATE;
	if (n > BGP_HDR_LEN)
		memset(b + BGP_HDR_LEN, fill, n - BGP_HDR_LEN);
	return n;
}

static void pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
}

/* ---- the receive buffer ------------------------------------------------------------ */

/* Two messages written at once come out of one read, whole and in order. */
START_TEST(test_rx_two_in_one_read)
{
	static struct bgp_rx rx;
	uint8_t out[64];
	const uint8_t *m;
	struct bgp_err err;
	size_t len, n1, n2;
	int sv[2];

	pair(sv);
	n1 = msg_of(out, BGP_HDR_LEN, 0);
	n2 = msg_of(out + n1, 40, 0x5a);
	ck_assert_int_eq(write(sv[1], out, n1 + n2), (ssize_t)(n1 + n2));
	ck_assert_int_eq(bgp_rx_fill(&rx, sv[0]), (ssize_t)(n1 + n2));
	ck_assert_int_eq(bgp_rx_next(&rx, &m, &len, &err), 1);
	ck_assert_uint_eq(len, n1);
	ck_assert_mem_eq(m, out, n1);
	ck_assert_int_eq(bgp_rx_next(&rx, &m, &len, &err), 1);
	ck_assert_uint_eq(len, n2);
	ck_assert_mem_eq(m, out + n1, n2);
	ck_assert_int_eq(bgp_rx_next(&rx, &m, &len, &err), 0);
	/* Everything consumed: the buffer starts over. */
	ck_assert_uint_eq(rx.len, 0);
	ck_assert_uint_eq(rx.off, 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A stream of messages of every size, written in pieces that split
 * headers and bodies anywhere, comes out whole: the partial message moves
 * to the front, so the buffer (two maximal messages) never runs out. */
START_TEST(test_rx_any_split)
{
	static struct bgp_rx rx;
	static uint8_t stream[200 * BGP_MAX_LEN];
	size_t sizes[200], total = 0, sent = 0, got = 0, piece = 1;
	const uint8_t *m;
	struct bgp_err err;
	size_t len;
	int sv[2], i, msgs = 0;

	for (i = 0; i < 200; i++) {
		sizes[i] = i % 7 == 0 ? BGP_MAX_LEN : i % 3 == 0 ? BGP_HDR_LEN : 23 + (size_t)(i * 37) % 3000;
		total += msg_of(stream + total, sizes[i], (uint8_t)i);
	}
	pair(sv);
	while (got < total) {
		ssize_t r;

		if (sent < total) {
			size_t n = piece < total - sent ? piece : total - sent;

			ck_assert_int_eq(write(sv[1], stream + sent, n), (ssize_t)n);
			sent += n;
			piece = piece * 3 % 4999 + 1;   /* 1, 4, 13, 40, ... every size */
		}
		r = bgp_rx_fill(&rx, sv[0]);
		ck_assert_msg(r > 0 || r == -EAGAIN, "fill: %zd", r);
		while (bgp_rx_next(&rx, &m, &len, &err) == 1) {
			ck_assert_int_lt(msgs, 200);
			ck_assert_uint_eq(len, sizes[msgs]);
			ck_assert_msg(!memcmp(m, stream + got, len), "message %d differs", msgs);
			got += len;
			msgs++;
		}
	}
	ck_assert_int_eq(msgs, 200);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A bad header is the parser's verdict (RFC 4271 6.1): the NOTIFICATION
 * the session sends. End of stream and "nothing yet" differ. */
START_TEST(test_rx_bad_header_eof_eagain)
{
	static struct bgp_rx rx;
	uint8_t b[32];
	const uint8_t *m;
	struct bgp_err err;
	size_t len;
	int sv[2];

	pair(sv);
	ck_assert_int_eq(bgp_rx_fill(&rx, sv[0]), -EAGAIN);
	msg_of(b, BGP_HDR_LEN, 0);
	b[3] = 0;                               /* marker not all ones */
	ck_assert_int_eq(write(sv[1], b, BGP_HDR_LEN), BGP_HDR_LEN);
	ck_assert_int_eq(bgp_rx_fill(&rx, sv[0]), BGP_HDR_LEN);
	ck_assert_int_eq(bgp_rx_next(&rx, &m, &len, &err), -1);
	ck_assert_uint_eq(err.code, BGP_ERR_HEADER);
	ck_assert_uint_eq(err.subcode, 1);      /* Connection Not Synchronized */
	close(sv[1]);
	ck_assert_int_eq(bgp_rx_fill(&rx, sv[0]), 0);
	close(sv[0]);
}
END_TEST

/* ---- the write queue ----------------------------------------------------------------- */

/* 1 MiB queued into a socket that takes 4 KiB at a time: flush says 1
 * (wait for EPOLLOUT) until the last octet left, then 0; the reader gets
 * every octet in order. Once drained, a queue that grew past 1 MiB gives
 * its memory back. */
START_TEST(test_txq_drains_in_order)
{
	static uint8_t data[1 << 20], got[(1 << 20) + 1];
	struct bgp_txq q = { 0 };
	size_t rd = 0, i;
	int sv[2], buf = 4096, r, partial = 0;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	pair(sv);
	ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf)), 0);
	for (i = 0; i < sizeof(data); i += 4096)
		ck_assert_int_eq(bgp_txq_append(&q, data + i, 4096), 0);
	ck_assert(!bgp_txq_empty(&q));
	ck_assert_uint_eq(q.len, sizeof(data));
	ck_assert_int_eq(bgp_txq_append(&q, "x", 1), 0);   /* past 1 MiB: it grew */
	/* The reader takes what is there each time flush stops short. */
	while ((r = bgp_txq_flush(&q, sv[0])) == 1) {
		ssize_t n;

		partial++;
		while ((n = read(sv[1], got + rd, sizeof(got) - rd)) > 0)
			rd += (size_t)n;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_int_gt(partial, 10);
	while (rd < sizeof(got)) {
		ssize_t n = read(sv[1], got + rd, sizeof(got) - rd);

		ck_assert_int_gt(n, 0);
		rd += (size_t)n;
	}
	ck_assert(!memcmp(got, data, sizeof(data)));
	ck_assert_uint_eq(got[sizeof(data)], 'x');
	ck_assert(bgp_txq_empty(&q));
	ck_assert_ptr_null(q.buf);              /* memory of the big queue freed */
	ck_assert_uint_eq(q.cap, 0);
	bgp_txq_free(&q);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* The limit: an append past q->max is refused whole; reset drops what is
 * queued and keeps the memory; what was sent before the reset arrives. */
START_TEST(test_txq_limit_and_reset)
{
	struct bgp_txq q = { .max = 100 };
	uint8_t b[100], got[8];
	uint8_t *mem;
	int sv[2];

	memset(b, 'a', sizeof(b));
	ck_assert_int_eq(bgp_txq_append(&q, b, 60), 0);
	ck_assert_int_eq(bgp_txq_append(&q, b, 41), -ENOBUFS);
	ck_assert_uint_eq(q.len, 60);
	ck_assert_int_eq(bgp_txq_append(&q, b, 40), 0);
	ck_assert_uint_eq(q.len, 100);
	mem = q.buf;
	bgp_txq_reset(&q);
	ck_assert(bgp_txq_empty(&q));
	ck_assert_ptr_eq(q.buf, mem);
	ck_assert_int_eq(bgp_txq_append(&q, "BGP!", 4), 0);
	pair(sv);
	ck_assert_int_eq(bgp_txq_flush(&q, sv[0]), 0);
	ck_assert_int_eq(read(sv[1], got, sizeof(got)), 4);
	ck_assert_mem_eq(got, "BGP!", 4);
	bgp_txq_free(&q);
	ck_assert_ptr_null(q.buf);
	ck_assert_uint_eq(q.len, 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A peer that is gone costs -EPIPE, never a SIGPIPE (the default action
 * stays: a signal would end this case). */
START_TEST(test_txq_peer_gone)
{
	struct bgp_txq q = { 0 };
	int sv[2];

	signal(SIGPIPE, SIG_DFL);
	pair(sv);
	close(sv[1]);
	ck_assert_int_eq(bgp_txq_append(&q, "x", 1), 0);
	ck_assert_int_eq(bgp_txq_flush(&q, sv[0]), -EPIPE);
	bgp_txq_free(&q);
	close(sv[0]);
}
END_TEST

/* ---- connect and accept ------------------------------------------------------------ */

static uint16_t port_of(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	return ntohs(sin.sin_port);
}

/* Waits (up to ms) for fd to become writable. */
static int writable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, ms) == 1;
}

/* Waits (up to ms) for a connection on lfd and accepts it; -EAGAIN when
 * none came. */
static int accept_within(int lfd, int ms, int *fd, uint32_t *addr, uint16_t *port)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -EAGAIN;
	return bgp_io_accept(lfd, fd, addr, port);
}

START_TEST(test_connect_accept)
{
	int lfd, fd, afd;
	uint32_t addr;
	uint16_t lport, port;

	ck_assert_int_eq(bgp_io_listen(0, &lfd), 0);
	lport = port_of(lfd);
	ck_assert_int_eq(bgp_io_accept(lfd, &afd, &addr, &port), -EAGAIN);
	ck_assert_int_eq(bgp_io_connect(lo_addr, lport, NULL, &fd), 0);
	ck_assert(writable(fd, 2000));
	ck_assert_int_eq(bgp_io_connected(fd), 0);
	ck_assert_int_eq(accept_within(lfd, 2000, &afd, &addr, &port), 0);
	ck_assert_uint_eq(addr, lo_addr);
	ck_assert_uint_eq(port, port_of(fd));
	/* Both non-blocking: nothing to read is EAGAIN, not a wait. */
	ck_assert_int_eq(read(afd, &addr, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(afd);
	close(fd);
	close(lfd);
}
END_TEST

/* Nobody listens: the attempt starts (0), then the error comes back from
 * bgp_io_connected. */
START_TEST(test_connect_refused)
{
	int lfd, fd;
	uint16_t lport;

	ck_assert_int_eq(bgp_io_listen(0, &lfd), 0);
	lport = port_of(lfd);
	close(lfd);
	ck_assert_int_eq(bgp_io_connect(lo_addr, lport, NULL, &fd), 0);
	ck_assert(writable(fd, 2000));
	ck_assert_int_eq(bgp_io_connected(fd), -ECONNREFUSED);
	close(fd);
}
END_TEST

/* A next hop that never answers ARP: the SYN waits, the attempt is still
 * under way when the socket is asked. */
START_TEST(test_connect_in_progress)
{
	int fd;

	nt_sh("ip link add d0 type veth peer name d1 && ip addr add 198.51.100.1/24 dev d0 && "
	      "ip link set d0 up && ip link set d1 up");
	ck_assert_int_eq(bgp_io_connect(inet_addr("198.51.100.2"), 179, NULL, &fd), 0);
	ck_assert(!writable(fd, 200));
	ck_assert_int_eq(bgp_io_connected(fd), -EINPROGRESS);
	close(fd);
}
END_TEST

/* ---- GTSM --------------------------------------------------------------------------- */

static int ipopt(int fd, int opt)
{
	int v = -1;
	socklen_t l = sizeof(v);

	ck_assert_int_eq(getsockopt(fd, IPPROTO_IP, opt, &v, &l), 0);
	return v;
}

START_TEST(test_gtsm)
{
	struct bgp_io_sec on = { .ttl_security = true }, off = { 0 };
	int lfd, fd, fd2, dflt;

	ck_assert_int_eq(bgp_io_listen(0, &lfd), 0);
	dflt = ipopt(lfd, IP_TTL);
	ck_assert_int_ne(dflt, 255);
	/* connect: TTL 255 out, at least 254 in. */
	ck_assert_int_eq(bgp_io_connect(lo_addr, port_of(lfd), &on, &fd), 0);
	ck_assert_int_eq(ipopt(fd, IP_TTL), 255);
	ck_assert_int_eq(ipopt(fd, IP_MINTTL), 254);
	ck_assert_int_eq(bgp_io_connect(lo_addr, port_of(lfd), &off, &fd2), 0);
	ck_assert_int_eq(ipopt(fd2, IP_TTL), dflt);
	ck_assert_int_eq(ipopt(fd2, IP_MINTTL), 0);
	/* An accepted socket gets it from bgp_io_secure; without, nothing. */
	ck_assert_int_eq(bgp_io_secure(fd2, lo_addr, &off), 0);
	ck_assert_int_eq(ipopt(fd2, IP_MINTTL), 0);
	ck_assert_int_eq(bgp_io_secure(fd2, lo_addr, &on), 0);
	ck_assert_int_eq(ipopt(fd2, IP_TTL), 255);
	ck_assert_int_eq(ipopt(fd2, IP_MINTTL), 254);
	/* The listener: TTL 255 for the SYN-ACK while a GTSM peer is
	 * configured, the system's default again when none is; never a
	 * minimum (it also serves peers without GTSM). */
	ck_assert_int_eq(bgp_io_listener_ttl(lfd, true), 0);
	ck_assert_int_eq(ipopt(lfd, IP_TTL), 255);
	ck_assert_int_eq(ipopt(lfd, IP_MINTTL), 0);
	ck_assert_int_eq(bgp_io_listener_ttl(lfd, false), 0);
	ck_assert_int_eq(ipopt(lfd, IP_TTL), dflt);
	close(fd);
	close(fd2);
	close(lfd);
}
END_TEST

/* ---- TCP MD5 ------------------------------------------------------------------------ */

/* Connects with password (NULL: none) to the listener; 1 when the
 * connection was accepted within 500 ms. */
static int md5_connects(int lfd, const char *password)
{
	struct bgp_io_sec sec = { .password = password };
	uint32_t addr;
	uint16_t port;
	int fd, afd, ok;

	ck_assert_int_eq(bgp_io_connect(lo_addr, port_of(lfd), &sec, &fd), 0);
	ok = accept_within(lfd, 500, &afd, &addr, &port) == 0;
	if (ok) {
		ck_assert_int_eq(bgp_io_connected(fd), 0);
		close(afd);
	} else {
		ck_assert_int_eq(bgp_io_connected(fd), -EINPROGRESS);
	}
	close(fd);
	return ok;
}

START_TEST(test_md5)
{
	char longkey[82];
	int lfd, fd;

	ck_assert_int_eq(bgp_io_listen(0, &lfd), 0);
	/* Removing a key that was never set is fine. */
	ck_assert_int_eq(bgp_io_listener_md5(lfd, lo_addr, NULL), 0);
	ck_assert_int_eq(bgp_io_listener_md5(lfd, lo_addr, ""), 0);
	ck_assert(md5_connects(lfd, NULL));
	ck_assert_int_eq(bgp_io_listener_md5(lfd, lo_addr, "s3cret"), 0);
	ck_assert(md5_connects(lfd, "s3cret"));
	ck_assert(!md5_connects(lfd, "other"));
	ck_assert(!md5_connects(lfd, NULL));
	/* The key removed: unsigned connections work again. */
	ck_assert_int_eq(bgp_io_listener_md5(lfd, lo_addr, NULL), 0);
	ck_assert(md5_connects(lfd, NULL));
	/* RFC 2385 keys are at most 80 octets here (TCP_MD5SIG_MAXKEYLEN). */
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	ck_assert_int_eq(bgp_io_listener_md5(lfd, lo_addr, longkey), -EINVAL);
	ck_assert_int_eq(bgp_io_connect(lo_addr, port_of(lfd),
					&(struct bgp_io_sec){ .password = longkey }, &fd), -EINVAL);
	longkey[80] = '\0';
	ck_assert_int_eq(bgp_io_listener_md5(lfd, lo_addr, longkey), 0);
	ck_assert(md5_connects(lfd, longkey));
	close(lfd);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("bgp_io");
	TCase *rx = tcase_create("rx"), *tx = tcase_create("txq"), *so = tcase_create("sockets");

	tcase_add_test(rx, test_rx_two_in_one_read);
	tcase_add_test(rx, test_rx_any_split);
	tcase_add_test(rx, test_rx_bad_header_eof_eagain);
	tcase_add_test(tx, test_txq_drains_in_order);
	tcase_add_test(tx, test_txq_limit_and_reset);
	tcase_add_test(tx, test_txq_peer_gone);
	tcase_add_checked_fixture(so, setup, NULL);
	tcase_add_test(so, test_connect_accept);
	tcase_add_test(so, test_connect_refused);
	tcase_add_test(so, test_connect_in_progress);
	tcase_add_test(so, test_gtsm);
	tcase_add_test(so, test_md5);
	suite_add_tcase(s, rx);
	suite_add_tcase(s, tx);
	suite_add_tcase(s, so);
	return s;
}
