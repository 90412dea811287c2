/* bgp_info.c - what the speaker tells the rest of vtepd about its peers
 * (see bgp.h): a snapshot per peer taken on the loop thread at every state
 * change, which bgp_peers_info() / bgp_peer_info() (bgp.c) copy under the
 * speaker's lock for control and the metrics thread.
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
 * are counted by the speaker (bgp.c, op_rib_route), treat-as-withdraw by
 * the session. */
void bgp_info_rejected(struct bgp_peer_info *out, const struct bgp_peer *p)
{
	out->routes_rejected_import = __atomic_load_n(&p->rejected, __ATOMIC_RELAXED);
	out->routes_rejected = out->routes_rejected_import + out->routes_treat_as_withdraw;
}

