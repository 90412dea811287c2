/* bgp_info.c - what the speaker tells the rest of vtepd about its peers
 * (see bgp.h): a snapshot per peer taken on the loop thread at every state
 * change, read under the speaker's lock by control and the metrics thread.
 */
#include "bgp.h"

#include <errno.h>
#include <pthread.h>

#include "bgp_priv.h"
#include "bgp_session.h"
#include "rib.h"

void bgp_snapshot(struct bgp_peer *p, uint64_t now)
{
	struct bgp_peer_info i;

	bgp_session_info(p->s, now, &i);
	i.prefixes_received = p->b->rib ? rib_peer_routes(p->b->rib, i.id) : 0;
	pthread_mutex_lock(&p->b->lock);
	p->info = i;
	p->up_since = bgp_session_up_since(p->s);
	pthread_mutex_unlock(&p->b->lock);
}

/* The rejected counters of *out (a copy of p->info): the RIB's refusals
 * are counted here, treat-as-withdraw by the session. */
static void rejected_set(struct bgp_peer_info *out, const struct bgp_peer *p)
{
	out->routes_rejected_import = __atomic_load_n(&p->rejected, __ATOMIC_RELAXED);
	out->routes_rejected = out->routes_rejected_import + out->routes_treat_as_withdraw;
}

size_t bgp_peers_info(struct bgp *b, struct bgp_peer_info *out, size_t max)
{
	uint64_t now = bgp_now_ms();
	size_t i, n;

	pthread_mutex_lock(&b->lock);
	for (i = n = 0; i < b->n_peers; i++) {
		const struct bgp_peer *p = b->peers[i];

		if (!p)
			continue;    /* being removed by a reload */
		if (n < max) {
			out[n] = p->info;
			/* The snapshot is taken at changes; uptime runs on. */
			if (p->info.state == BGP_ST_ESTABLISHED && now >= p->up_since)
				out[n].uptime_s = (now - p->up_since) / 1000;
			rejected_set(&out[n], p);
		}
		n++;
	}
	pthread_mutex_unlock(&b->lock);
	return n;
}

int bgp_peer_info(struct bgp *b, bgp_peer_id id, struct bgp_peer_info *out)
{
	int ret = -ENOENT;
	size_t i;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->n_peers; i++) {
		if (b->peers[i] && b->peers[i]->info.id == id) {
			*out = b->peers[i]->info;
			rejected_set(out, b->peers[i]);
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}
