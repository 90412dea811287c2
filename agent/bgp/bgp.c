/* bgp.c - the speaker (see bgp.h): its life cycle and reload, the peer
 * table built from config.bgp.neighbors, and the listener (RFC 4271 8.2.1.1
 * passive peers, and every peer's incoming connections, matched by
 * address). Session callbacks, our advertisements and the timers are in
 * bgp_ops.c; peer snapshots for control and metrics in bgp_info.c.
 */
#include "bgp.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>

#include "addr.h"
#include "bgp_io.h"
#include "bgp_priv.h"
#include "bgp_session.h"
#include "evpn_export.h"
#include "log.h"
#include "loop.h"
#include "rib.h"

/* Without graceful restart the RIB still waits this long after a restart
 * for every peer's End-of-RIB before deleting what an earlier vtepd left. */
#define BGP_SYNC_DEFAULT_S 120

uint64_t bgp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* peers[i] holds a running session. A reload leaves holes (NULL) in
 * peers[] while it works, and a peer between two sessions has none. */
bool bgp_live(const struct bgp *b, size_t i)
{
	return b->peers[i] && b->peers[i]->s;
}

/* ---- the listener ----------------------------------------------------------------- */

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
static void listener_sync(struct bgp *b)
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

/* ---- peers ----------------------------------------------------------------------- */

static void session_cfg(const struct bgp *b, const struct bgp_peer *p, bgp_peer_id id,
			struct bgp_session_cfg *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->id = id;
	sc->address = p->n.address;
	sc->port = p->n.port;
	sc->remote_as = p->n.asn;
	sc->local_as = b->local_as;
	sc->router_id = b->router_id;
	sc->next_hop = b->vtep_ip;
	snprintf(sc->password, sizeof(sc->password), "%s", p->pw);
	sc->ttl_security = p->n.ttl_security;
	sc->max_prefixes = p->n.max_prefixes;
	sc->passive = p->n.passive;
	sc->hold_time = p->n.hold_time_s;
	sc->keepalive = p->n.keepalive_s;
	sc->gr_time = b->gr_time;
	sc->gr_restarted = b->restarted;
}

static void peer_copy_cfg(struct bgp_peer *p, const struct cfg_neighbor *n)
{
	p->n = *n;
	snprintf(p->pw, sizeof(p->pw), "%s", n->password ? n->password : "");
	p->n.password = p->pw;
}

/* A session for p (new, or replacing one after a settings change) under
 * the peer's id, started. */
static int peer_session(struct bgp *b, struct bgp_peer *p, bgp_peer_id id)
{
	struct bgp_session_cfg sc;
	int ret;

	session_cfg(b, p, id, &sc);
	ret = bgp_session_new(&sc, &bgp_peer_ops, p, &p->s);
	if (ret)
		return ret;
	bgp_session_start(p->s, bgp_now_ms());
	return 0;
}

static int peer_new(struct bgp *b, const struct cfg_neighbor *n, struct bgp_peer **out)
{
	struct bgp_peer *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	p->b = b;
	peer_copy_cfg(p, n);
	ret = peer_session(b, p, ++b->next_id);
	if (ret) {
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

/* Stops (NOTIFICATION Cease subcode), deletes its routes, frees. */
static void peer_free(struct bgp *b, struct bgp_peer *p, uint8_t subcode)
{
	bgp_peer_id id = bgp_session_cfg(p->s)->id;

	bgp_session_stop(p->s, bgp_now_ms(), subcode, NULL);
	if (b->rib) {
		rib_peer_down(b->rib, id);
		rib_peer_forget(b->rib, id);
	}
	bgp_session_free(p->s);
	free(p);
}

static bool session_settings_same(const struct cfg_neighbor *a, const struct cfg_neighbor *b)
{
	return a->asn == b->asn && a->port == b->port && a->ttl_security == b->ttl_security &&
	       a->passive == b->passive && a->hold_time_s == b->hold_time_s &&
	       a->keepalive_s == b->keepalive_s &&
	       !strcmp(a->password ? a->password : "", b->password ? b->password : "");
}

/* ---- bgp.h --------------------------------------------------------------------------- */

int bgp_new(const struct vtep_config *cfg, const struct bgp_env *env, struct bgp **out)
{
	struct bgp *b = calloc(1, sizeof(*b));
	uint64_t now = bgp_now_ms();
	size_t i;
	int ret;

	if (!b)
		return -ENOMEM;
	pthread_mutex_init(&b->lock, NULL);
	b->loop = env->loop;
	b->rib = env->rib;
	b->exp = env->exp;
	b->restarted = env->restarted;
	b->local_as = cfg->bgp.asn;
	b->router_id = cfg->bgp.router_id;
	b->vtep_ip = cfg->vtep_ip;
	b->gr_time = (uint16_t)(cfg->bgp.graceful_restart_s > 0x0fff ? 0x0fff
								     : cfg->bgp.graceful_restart_s);
	b->lfd = b->tfd = -1;
	b->listen_port = env->listen_port;
	b->sync_pending = true;
	b->sync_at = now + (uint64_t)(b->gr_time ? b->gr_time : BGP_SYNC_DEFAULT_S) * 1000;

	b->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (b->tfd < 0) {
		ret = -errno;
		goto fail;
	}
	if ((ret = loop_add(b->loop, b->tfd, bgp_on_timer, b)))
		goto fail;
	if (b->listen_port) {
		ret = bgp_io_listen(b->listen_port, &b->lfd);
		if (ret) {
			/* Active peers still work; passive ones cannot. */
			log_warn("bgp: cannot listen on port %u: %s%s; only outgoing connections",
				 b->listen_port, strerror(-ret),
				 ret == -EACCES ? " (CAP_NET_BIND_SERVICE is needed)" : "");
			b->lfd = -1;
		} else if ((ret = loop_add(b->loop, b->lfd, on_listen, b))) {
			goto fail;
		}
	}
	if (b->exp)
		evpn_export_set_notify(b->exp, bgp_on_export, b);
	b->peers = calloc(cfg->bgp.n_neighbors + 1, sizeof(*b->peers));
	if (!b->peers) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < cfg->bgp.n_neighbors; i++) {
		struct bgp_peer *p;

		if ((ret = peer_new(b, &cfg->bgp.neighbors[i], &p)))
			goto fail;
		pthread_mutex_lock(&b->lock);
		b->peers[b->n_peers++] = p;
		pthread_mutex_unlock(&b->lock);
		bgp_snapshot(p, now);
	}
	listener_sync(b);
	b->ready = true;
	log_info("bgp: AS %u, %zu neighbors, %s, graceful restart %u s%s", b->local_as, b->n_peers,
		 b->lfd >= 0 ? "listening" : "not listening", b->gr_time,
		 b->restarted ? " (restarting: forwarding state kept)" : "");
	bgp_check_sync(b, now);
	bgp_rearm(b);
	*out = b;
	return 0;
fail:
	log_err("bgp: cannot start: %s", strerror(-ret));
	bgp_free(b);
	return ret;
}

void bgp_free(struct bgp *b)
{
	size_t i;

	if (!b)
		return;
	if (b->exp)
		evpn_export_set_notify(b->exp, NULL, NULL);
	/* No NOTIFICATION (RFC 4724 4.2): peers keep our routes, stale, while
	 * vtepd restarts; the datapath forwards meanwhile. */
	for (i = 0; i < b->n_peers; i++) {
		bgp_session_free(b->peers[i]->s);
		free(b->peers[i]);
	}
	free(b->peers);
	if (b->lfd >= 0) {
		loop_del(b->loop, b->lfd);
		close(b->lfd);
	}
	if (b->tfd >= 0) {
		loop_del(b->loop, b->tfd);
		close(b->tfd);
	}
	free(b->pend);
	free(b->pend_wd);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

int bgp_reload(struct bgp *b, const struct vtep_config *nc)
{
	struct bgp_peer **next;
	bool reset_all;
	uint16_t gr = (uint16_t)(nc->bgp.graceful_restart_s > 0x0fff ? 0x0fff
								    : nc->bgp.graceful_restart_s);
	size_t i, j, nn = 0;
	char a[ADDR_IP_STRLEN];
	int ret = 0;

	next = calloc(nc->bgp.n_neighbors + 1, sizeof(*next));
	if (!next)
		return -ENOMEM;
	reset_all = nc->bgp.asn != b->local_as || nc->bgp.router_id != b->router_id ||
		    gr != b->gr_time || nc->vtep_ip != b->vtep_ip;
	if (reset_all)
		log_info("bgp: reload: our AS, router id, restart time or VTEP address changed: "
			 "every session restarts");
	b->local_as = nc->bgp.asn;
	b->router_id = nc->bgp.router_id;
	b->gr_time = gr;
	b->vtep_ip = nc->vtep_ip;
	/* Neighbors gone from the file. */
	for (i = 0; i < b->n_peers; i++) {
		struct bgp_peer *p = b->peers[i];
		bool kept = false;

		for (j = 0; j < nc->bgp.n_neighbors && !kept; j++)
			kept = nc->bgp.neighbors[j].address == p->n.address;
		if (kept)
			continue;
		log_info("bgp peer %s: removed from the configuration", addr_fmt_ip(p->n.address, a));
		pthread_mutex_lock(&b->lock);
		b->peers[i] = NULL;
		pthread_mutex_unlock(&b->lock);
		if (b->lfd >= 0)
			bgp_io_listener_md5(b->lfd, p->n.address, NULL);
		peer_free(b, p, BGP_CEASE_PEER_DECONFIGURED);
	}
	/* Kept, changed and new ones, in the file's order. */
	for (j = 0; j < nc->bgp.n_neighbors; j++) {
		const struct cfg_neighbor *n = &nc->bgp.neighbors[j];
		struct bgp_peer *p = NULL;

		for (i = 0; i < b->n_peers && !p; i++)
			if (b->peers[i] && b->peers[i]->n.address == n->address)
				p = b->peers[i];
		if (!p) {
			log_info("bgp peer %s: added", addr_fmt_ip(n->address, a));
			if ((ret = peer_new(b, n, &p))) {
				log_err("bgp peer %s: cannot start: %s", addr_fmt_ip(n->address, a),
					strerror(-ret));
				continue;
			}
		} else if (reset_all || !session_settings_same(&p->n, n)) {
			bgp_peer_id id = bgp_session_cfg(p->s)->id;

			if (!reset_all)
				log_info("bgp peer %s: settings changed: restarting the session",
					 addr_fmt_ip(n->address, a));
			bgp_session_stop(p->s, bgp_now_ms(), BGP_CEASE_CONFIG_CHANGE, NULL);
			bgp_session_free(p->s);
			p->s = NULL;
			peer_copy_cfg(p, n);
			if ((ret = peer_session(b, p, id))) {
				log_err("bgp peer %s: cannot restart: %s", addr_fmt_ip(n->address, a),
					strerror(-ret));
				pthread_mutex_lock(&b->lock);
				for (i = 0; i < b->n_peers; i++)
					if (b->peers[i] == p)
						b->peers[i] = NULL;
				pthread_mutex_unlock(&b->lock);
				if (b->rib)
					rib_peer_forget(b->rib, id);
				free(p);
				continue;
			}
		} else if (p->n.max_prefixes != n->max_prefixes) {
			p->n.max_prefixes = n->max_prefixes;
			bgp_session_set_max_prefixes(p->s, n->max_prefixes, bgp_now_ms());
		}
		next[nn++] = p;
	}
	pthread_mutex_lock(&b->lock);
	free(b->peers);
	b->peers = next;
	b->n_peers = nn;
	pthread_mutex_unlock(&b->lock);
	for (i = 0; i < b->n_peers; i++)
		bgp_snapshot(b->peers[i], bgp_now_ms());
	listener_sync(b);
	bgp_rearm(b);
	return ret;
}
