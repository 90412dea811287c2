/* bgp_io.c - see bgp_io.h. */
#include "bgp_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#ifndef IP_MINTTL
#define IP_MINTTL 21
#endif

/* RFC 5082 3: send with TTL 255 and accept only TTL >= 254, i.e. a peer
 * at most one routed hop away (a leaf reaching our VTEP address on lo
 * through the uplink), what FRR calls "ttl-security hops 2". */
#define GTSM_SEND_TTL 255
#define GTSM_MIN_TTL  254

static int md5_set(int fd, uint32_t addr, const char *password)
{
	struct tcp_md5sig md5;
	struct sockaddr_in *sin = (struct sockaddr_in *)&md5.tcpm_addr;
	size_t n = password ? strlen(password) : 0;

	/* The key is the whole password, RFC 2385 2; the kernel limits it
	 * to 80 octets (config.c refuses longer ones). */
	if (n > TCP_MD5SIG_MAXKEYLEN)
		return -EINVAL;
	memset(&md5, 0, sizeof(md5));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = addr;
	md5.tcpm_keylen = (uint16_t)n;
	if (n)
		memcpy(md5.tcpm_key, password, n);
	if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5))) {
		/* Removing a key that was never set is not an error. */
		if (!n && errno == ENOENT)
			return 0;
		return -errno;
	}
	return 0;
}

static int gtsm_set(int fd)
{
	int ttl = GTSM_SEND_TTL, min = GTSM_MIN_TTL;

	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof(min)))
		return -errno;
	return 0;
}

int bgp_io_secure(int fd, uint32_t addr, const struct bgp_io_sec *sec)
{
	(void)addr;
	return sec && sec->ttl_security ? gtsm_set(fd) : 0;
}

int bgp_io_connect(uint32_t addr, uint16_t port, const struct bgp_io_sec *sec, int *fdp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = addr };
	int fd, one = 1, ret;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* BGP messages are small and each one matters now (KEEPALIVEs
	 * against the peer's hold timer): no Nagle delay. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* MD5 must be in place before the SYN: every segment is signed. */
	if (sec && sec->password && sec->password[0] && (ret = md5_set(fd, addr, sec->password)))
		goto fail;
	if ((ret = bgp_io_secure(fd, addr, sec)))
		goto fail;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) && errno != EINPROGRESS) {
		ret = -errno;
		goto fail;
	}
	*fdp = fd;
	return 0;
fail:
	close(fd);
	return ret;
}

int bgp_io_connected(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl))
		return -errno;
	if (err)
		return -err;
	/* SO_ERROR is 0 both when connected and while still connecting. */
	sl = sizeof(sin);
	if (getpeername(fd, (struct sockaddr *)&sin, &sl))
		return errno == ENOTCONN ? -EINPROGRESS : -errno;
	return 0;
}

int bgp_io_listen(uint16_t port, int *fdp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_ANY) };
	int fd, one = 1, ret;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 16)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*fdp = fd;
	return 0;
}

int bgp_io_accept(int lfd, int *fdp, uint32_t *addr, uint16_t *port)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd, one = 1;

	fd = accept4(lfd, (struct sockaddr *)&sin, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (sin.sin_family != AF_INET) {
		close(fd);
		return -EAFNOSUPPORT;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*fdp = fd;
	*addr = sin.sin_addr.s_addr;
	*port = ntohs(sin.sin_port);
	return 0;
}

int bgp_io_listener_md5(int lfd, uint32_t addr, const char *password)
{
	return md5_set(lfd, addr, password);
}

int bgp_io_listener_ttl(int lfd, bool ttl255)
{
	/* The SYN-ACK leaves with the listener's TTL, before the accepted
	 * socket exists: a GTSM peer checks it too (RFC 5082 3). IP_MINTTL
	 * cannot go on the listener, which also serves peers without GTSM;
	 * bgp_io_secure() puts it on each accepted socket. */
	int ttl = ttl255 ? GTSM_SEND_TTL : -1;   /* -1: the system default */

	return setsockopt(lfd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ? -errno : 0;
}

/* ---- receive buffer ----------------------------------------------------------- */

ssize_t bgp_rx_fill(struct bgp_rx *rx, int fd)
{
	ssize_t n;

	if (rx->off) {
		memmove(rx->buf, rx->buf + rx->off, rx->len - rx->off);
		rx->len -= rx->off;
		rx->off = 0;
	}
	if (rx->len == sizeof(rx->buf))
		return -ENOBUFS;   /* cannot happen: a framed message is <= 4096 */
	do
		n = read(fd, rx->buf + rx->len, sizeof(rx->buf) - rx->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	rx->len += (size_t)n;
	return n;
}

int bgp_rx_next(struct bgp_rx *rx, const uint8_t **msg, size_t *len, struct bgp_err *err)
{
	int n = bgp_msg_frame(rx->buf + rx->off, rx->len - rx->off, err);

	if (n <= 0)
		return n;
	*msg = rx->buf + rx->off;
	*len = (size_t)n;
	rx->off += (size_t)n;
	if (rx->off == rx->len)
		rx->off = rx->len = 0;
	return 1;
}

/* ---- write queue ------------------------------------------------------------------ */

#define TXQ_DEFAULT_MAX (16u << 20)

int bgp_txq_append(struct bgp_txq *q, const void *p, size_t n)
{
	size_t max = q->max ? q->max : TXQ_DEFAULT_MAX;

	if (q->len + n > max)
		return -ENOBUFS;
	if (q->head + q->len + n > q->cap) {
		/* Slide what is unsent to the front before growing. */
		if (q->head) {
			memmove(q->buf, q->buf + q->head, q->len);
			q->head = 0;
		}
		if (q->len + n > q->cap) {
			size_t cap = q->cap ? q->cap : 8192;
			uint8_t *nb;

			while (cap < q->len + n)
				cap *= 2;
			nb = realloc(q->buf, cap);
			if (!nb)
				return -ENOMEM;
			q->buf = nb;
			q->cap = cap;
		}
	}
	memcpy(q->buf + q->head + q->len, p, n);
	q->len += n;
	return 0;
}

int bgp_txq_flush(struct bgp_txq *q, int fd)
{
	while (q->len) {
		/* MSG_NOSIGNAL: a peer that reset the connection must cost an
		 * EPIPE here, not a SIGPIPE (vtepd also ignores SIGPIPE). */
		ssize_t n = send(fd, q->buf + q->head, q->len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -errno;
		}
		q->head += (size_t)n;
		q->len -= (size_t)n;
	}
	q->head = 0;
	/* A big initial table dump should not pin its memory forever. */
	if (q->cap > (1u << 20)) {
		free(q->buf);
		q->buf = NULL;
		q->cap = 0;
	}
	return 0;
}

void bgp_txq_reset(struct bgp_txq *q)
{
	q->head = q->len = 0;
}

void bgp_txq_free(struct bgp_txq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->head = q->len = q->cap = 0;
}
