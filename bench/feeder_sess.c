/* feeder_sess.c - see feeder_sess.h. */
#include "feeder_sess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "bgp_msg.h"
#include "evpn_nlri.h"

/* Cease subcode Administrative Shutdown (RFC 4486 4). */
#define FSESS_CEASE        6
#define FSESS_CEASE_SHUT   2

double fsess_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double fsess_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(struct fsess *s, int err, const char *fmt, const char *arg)
{
	snprintf(s->why, sizeof(s->why), fmt, arg);
	return err;
}

static int wait_fd(int fd, short ev, double deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int ms = (int)((deadline - fsess_now()) * 1000);
	int r;

	if (ms < 0)
		return -ETIMEDOUT;
	r = poll(&p, 1, ms);
	if (r < 0)
		return -errno;
	return r ? 0 : -ETIMEDOUT;
}

static int sock_open(struct fsess *s, const struct fsess_cfg *c)
{
	double deadline = fsess_now() + c->timeout_s;
	int fd = -1, lfd = -1, one = 1, err;
	socklen_t len = sizeof(err);

	if (c->passive) {
		lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (lfd < 0)
			return fail(s, -errno, "socket: %s", strerror(errno));
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(lfd, (const struct sockaddr *)&c->addr, sizeof(c->addr)) ||
		    listen(lfd, 1)) {
			err = -errno;
			close(lfd);
			return fail(s, err, "listen: %s", strerror(-err));
		}
		err = wait_fd(lfd, POLLIN, deadline);
		fd = err ? -1 : accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (!err && fd < 0)
			err = -errno;
		close(lfd);
		if (err)
			return fail(s, err, "no connection from the peer: %s", strerror(-err));
	} else {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return fail(s, -errno, "socket: %s", strerror(errno));
		if (c->bind.sin_addr.s_addr &&
		    bind(fd, (const struct sockaddr *)&c->bind, sizeof(c->bind))) {
			err = -errno;
			close(fd);
			return fail(s, err, "bind: %s", strerror(-err));
		}
		if (connect(fd, (const struct sockaddr *)&c->addr, sizeof(c->addr)) &&
		    errno != EINPROGRESS) {
			err = -errno;
			close(fd);
			return fail(s, err, "connect: %s", strerror(-err));
		}
		err = wait_fd(fd, POLLOUT, deadline);
		if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0)
			err = -err;
		if (err) {
			close(fd);
			return fail(s, err, "connect: %s", strerror(-err));
		}
	}
	/* Blocking from here (fsess_send polls first); no Nagle delay on a
	 * mobility UPDATE. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->fd = fd;
	return 0;
}

static int write_all(struct fsess *s, const uint8_t *p, size_t len);

static int send_keepalive(struct fsess *s)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	if (bgp_msg_build_keepalive(&w))
		return -EMSGSIZE;
	s->next_keepalive = s->hold_time ? fsess_now() + s->hold_time / 3.0 : 0;
	return write_all(s, buf, w.len);
}

/* One whole message from the peer. During the OPEN exchange *open gets the
 * peer's OPEN. */
static int handle(struct fsess *s, const uint8_t *m, size_t len, struct bgp_open *open)
{
	static struct bgp_msg msg;   /* ~30 KB of decoded routes: not on the stack */
	struct bgp_err err;

	s->msgs_in++;
	switch (m[18]) {
	case BGP_MSG_KEEPALIVE:
		return 0;
	case BGP_MSG_UPDATE:
		s->updates_in++;
		return 0;
	case BGP_MSG_OPEN:
		if (!open)
			return fail(s, -EPROTO, "%s", "a second OPEN from the peer");
		if (bgp_msg_parse(m, len, &s->ctx, &msg, &err) < 0)
			return fail(s, -EPROTO, "bad OPEN: %s", err.msg);
		*open = msg.open;
		return 0;
	case BGP_MSG_NOTIFICATION:
		if (bgp_msg_parse(m, len, &s->ctx, &msg, &err) == 0)
			snprintf(s->why, sizeof(s->why), "NOTIFICATION from the peer: code %u subcode %u%s%s",
				 msg.notification.code, msg.notification.subcode,
				 msg.notification.has_reason ? ": " : "",
				 msg.notification.has_reason ? msg.notification.reason : "");
		else
			snprintf(s->why, sizeof(s->why), "NOTIFICATION from the peer (unparsed)");
		return -ECONNRESET;
	default:
		return 0;
	}
}

/* Reads what the socket has and handles every whole message. */
static int drain(struct fsess *s, struct bgp_open *open)
{
	struct bgp_err err;
	ssize_t n;
	size_t off = 0;
	int r, ret = 0;

	n = read(s->fd, s->rx + s->rx_len, sizeof(s->rx) - s->rx_len);
	if (n == 0)
		return fail(s, -ECONNRESET, "%s", "the peer closed the connection");
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 :
			fail(s, -errno, "read: %s", strerror(errno));
	s->rx_len += (size_t)n;
	while (!ret && (r = bgp_msg_frame(s->rx + off, s->rx_len - off, &err)) != 0) {
		if (r < 0)
			return fail(s, -EPROTO, "bad message header: %s", err.msg);
		ret = handle(s, s->rx + off, (size_t)r, open);
		off += (size_t)r;
	}
	memmove(s->rx, s->rx + off, s->rx_len - off);
	s->rx_len -= off;
	return ret;
}

static int write_all(struct fsess *s, const uint8_t *p, size_t len)
{
	struct pollfd pf = { .fd = s->fd, .events = POLLIN | POLLOUT };
	int ret;

	while (len) {
		ssize_t n = write(s->fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return fail(s, -errno, "write: %s", strerror(errno));
		/* Full: read the peer meanwhile (it may be blocked on us). */
		if (poll(&pf, 1, 1000) < 0 && errno != EINTR)
			return fail(s, -errno, "poll: %s", strerror(errno));
		if ((pf.revents & (POLLIN | POLLHUP | POLLERR)) && (ret = drain(s, NULL)))
			return ret;
	}
	return 0;
}

int fsess_send(struct fsess *s, const void *buf, size_t len)
{
	int ret;

	if (s->next_keepalive && fsess_now() >= s->next_keepalive && (ret = send_keepalive(s)))
		return ret;
	return write_all(s, buf, len);
}

int fsess_service(struct fsess *s, int timeout_ms)
{
	struct pollfd pf = { .fd = s->fd, .events = POLLIN };
	int ms = timeout_ms, ret;

	if (s->next_keepalive) {
		int due = (int)((s->next_keepalive - fsess_now()) * 1000);

		if (due < ms)
			ms = due < 0 ? 0 : due;
	}
	ret = poll(&pf, 1, ms);
	if (ret < 0)
		return errno == EINTR ? 0 : fail(s, -errno, "poll: %s", strerror(errno));
	if (ret && (ret = drain(s, NULL)))
		return ret;
	if (s->next_keepalive && fsess_now() >= s->next_keepalive)
		return send_keepalive(s);
	return 0;
}

static int send_open(struct fsess *s, const struct fsess_cfg *c)
{
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_open o;
	struct wbuf w;

	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.asn = c->local_as;
	o.hold_time = c->hold_time;
	o.bgp_id = c->router_id;
	o.n_mp = 1;
	o.mp[0] = (struct bgp_afisafi){ EVPN_AFI, EVPN_SAFI };   /* RFC 4760 8 */
	o.cap_as4 = true;                                        /* RFC 6793 */
	o.cap_route_refresh = true;                              /* RFC 2918 */
	wbuf_init(&w, buf, sizeof(buf));
	if (bgp_msg_build_open(&w, &o))
		return fail(s, -EMSGSIZE, "%s", "cannot build the OPEN");
	return write_all(s, buf, w.len);
}

/* RFC 4271 8.2.2 from OpenSent: the peer's OPEN, our KEEPALIVE, then its
 * KEEPALIVE (any message after the OPEN will do). */
static int handshake(struct fsess *s, const struct fsess_cfg *c)
{
	double deadline = fsess_now() + c->timeout_s;
	struct bgp_open peer = { 0 };
	bool evpn = false;
	int ret;

	if ((ret = send_open(s, c)))
		return ret;
	while (!peer.version) {
		if ((ret = wait_fd(s->fd, POLLIN, deadline)) ||
		    (ret = drain(s, &peer)))
			return ret == -ETIMEDOUT ? fail(s, ret, "%s", "no OPEN from the peer") : ret;
	}
	for (unsigned i = 0; i < peer.n_mp && i < BGP_OPEN_MAX_AF; i++)
		evpn |= peer.mp[i].afi == EVPN_AFI && peer.mp[i].safi == EVPN_SAFI;
	if (!evpn)
		return fail(s, -EPROTO, "%s", "the peer's OPEN has no L2VPN/EVPN capability");
	if (c->peer_as && peer.asn != c->peer_as) {
		snprintf(s->why, sizeof(s->why), "the peer is AS %u, expected %u", peer.asn,
			 c->peer_as);
		return -EPROTO;
	}
	s->peer_as = peer.asn;
	s->peer_id = peer.bgp_id;
	s->hold_time = peer.hold_time < c->hold_time ? peer.hold_time : c->hold_time;
	s->ctx.as4 = peer.cap_as4;
	s->ctx.ibgp = peer.asn == c->local_as;
	if ((ret = send_keepalive(s)))
		return ret;
	while (s->msgs_in < 2) {
		if ((ret = wait_fd(s->fd, POLLIN, deadline)) || (ret = drain(s, NULL)))
			return ret == -ETIMEDOUT ? fail(s, ret, "%s", "no KEEPALIVE from the peer") : ret;
	}
	return 0;
}

int fsess_open(struct fsess *s, const struct fsess_cfg *c)
{
	double deadline = fsess_now() + c->timeout_s;
	int ret;

	for (;;) {
		memset(s, 0, sizeof(*s));
		s->fd = -1;
		ret = sock_open(s, c);
		if (!ret && (ret = handshake(s, c)))
			fsess_close(s, false);
		/* A peer that has just closed a session may refuse or reset
		 * new ones for a while (GoBGP's idle hold time): retry, as a
		 * speaker's connect-retry timer would (RFC 4271 8.2.2). */
		if (c->passive || (ret != -ECONNREFUSED && ret != -ECONNRESET) ||
		    fsess_now() + 0.5 > deadline)
			return ret;
		usleep(500000);
	}
}

void fsess_close(struct fsess *s, bool notify)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf w;

	if (s->fd < 0)
		return;
	if (notify) {
		wbuf_init(&w, buf, sizeof(buf));
		if (!bgp_msg_build_cease(&w, FSESS_CEASE_SHUT, "bench feeder done"))
			(void)!write(s->fd, buf, w.len);
	}
	close(s->fd);
	s->fd = -1;
}
