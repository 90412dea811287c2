/* bgp_listen.c - the speaker's listener (RFC 4271 8.2.1.1): passive peers,
 * and every peer's incoming connections, matched by address, with the TCP
 * MD5 keys and the GTSM TTL of the configured neighbors.
 */
#include "bgp_priv.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "bgp_io.h"
#include "log.h"
#include "loop.h"

static struct bgp_peer *peer_by_addr(struct bgp *b, uint32_t addr)
{
	size_t i;

	for (i = 0; i < b->n_peers; i++)
		if (bgp_live(b, i) && b->peers[i]->n.address == addr)
			return b->peers[i];
	return NULL;
}

static void on_listen(void *ctx)
{
	struct bgp *b = ctx;
	char a[ADDR_IP_STRLEN];
	int i;

	for (i = 0; i < 16; i++) {
		struct bgp_peer *p;
		struct bgp_io_sec sec;
		uint32_t addr;
		uint16_t port;
		int fd, ret;

		ret = bgp_io_accept(b->lfd, &fd, &addr, &port);
		if (ret == -EAGAIN)
			return;
		if (ret) {
			log_warn("bgp: accept: %s", strerror(-ret));
			return;
		}
		p = peer_by_addr(b, addr);
		if (!p) {
			log_info("bgp: connection from %s:%u refused: not a configured neighbor",
				 addr_fmt_ip(addr, a), port);
			close(fd);
			continue;
		}
		sec = (struct bgp_io_sec){ .password = p->pw, .ttl_security = p->n.ttl_security };
		if ((ret = bgp_io_secure(fd, addr, &sec))) {
			log_warn("bgp peer %s: cannot set GTSM: %s", addr_fmt_ip(addr, a),
				 strerror(-ret));
			close(fd);
			continue;
		}
		log_debug("bgp peer %s: incoming connection from port %u", addr_fmt_ip(addr, a),
			  port);
		bgp_session_accept(p->s, fd, bgp_now_ms());
	}
}

/* The listener's MD5 keys and TTL follow the neighbors (an empty password
 * removes the key of that address). */
void bgp_listen_sync(struct bgp *b)
{
	char a[ADDR_IP_STRLEN];
	bool ttl = false;
	size_t i;
	int ret;

	if (b->lfd < 0)
		return;
	for (i = 0; i < b->n_peers; i++) {
		const struct bgp_peer *p = b->peers[i];

		if (!bgp_live(b, i))
			continue;
		ret = bgp_io_listener_md5(b->lfd, p->n.address, p->pw);
		if (ret)
			log_err("bgp peer %s: cannot set the TCP MD5 key on the listener: %s",
				addr_fmt_ip(p->n.address, a), strerror(-ret));
		ttl |= p->n.ttl_security;
	}
	if ((ret = bgp_io_listener_ttl(b->lfd, ttl)))
		log_warn("bgp: listener TTL: %s", strerror(-ret));
}

/* Listens on b->listen_port (0: not at all). A port we cannot bind is not
 * fatal: active peers still work, passive ones cannot. */
int bgp_listen_open(struct bgp *b)
{
	int ret;

	if (!b->listen_port)
		return 0;
	ret = bgp_io_listen(b->listen_port, &b->lfd);
	if (ret) {
		log_warn("bgp: cannot listen on port %u: %s%s; only outgoing connections",
			 b->listen_port, strerror(-ret),
			 ret == -EACCES ? " (CAP_NET_BIND_SERVICE is needed)" : "");
		b->lfd = -1;
		return 0;
	}
	return loop_add(b->loop, b->lfd, on_listen, b);
}

void bgp_listen_close(struct bgp *b)
{
	if (b->lfd < 0)
		return;
	loop_del(b->loop, b->lfd);
	close(b->lfd);
	b->lfd = -1;
}
