/* rib_stats.c - the end of a flush (UPDATE-to-map latency, the export
 * pushed), the flush and initial-sync entry points, and the readers: route
 * walk, latency histogram and counters, read by the metrics thread through
 * atomics.
 */
#include "rib_priv.h"

#include <string.h>

#include "evpn_export.h"
#include "log.h"
#include "mapsync.h"

/* Prometheus "le" bounds of the UPDATE-to-map latency histogram. */
const double rib_lat_bounds_s[RIB_LAT_BUCKETS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};

void rib_stat_add(uint64_t *ctr, int64_t delta)
{
	__atomic_fetch_add(ctr, (uint64_t)delta, __ATOMIC_RELAXED);
}

/* ---- flushing ----------------------------------------------------------------- */

static void lat_observe(struct rib *rib, uint64_t ns)
{
	double s = (double)ns / 1e9;
	size_t i;

	for (i = 0; i < RIB_LAT_BUCKETS && s > rib_lat_bounds_s[i]; i++)
		;
	rib_stat_add(&rib->lat.counts[i], 1);
	rib_stat_add(&rib->lat.sum_ns, (int64_t)ns);
	rib_stat_add(&rib->lat.count, 1);
}

void rib_flushed(struct rib *rib)
{
	uint64_t now;
	uint32_t i;

	if (rib->n_stamps) {
		now = rib_now(rib);
		for (i = 0; i < rib->n_stamps; i++)
			lat_observe(rib, now > rib->stamps[i] ? now - rib->stamps[i] : 0);
		rib->n_stamps = 0;
	}
	if (rib->exp)
		evpn_export_flush(rib->exp);
}

int rib_flush(struct rib *rib)
{
	if (rib->ms)
		return mapsync_flush(rib->ms); /* calls rib_flushed() at its end */
	rib_flushed(rib);
	return 0;
}

int rib_initial_sync_done(struct rib *rib)
{
	int err;

	if (!rib->ms)
		return 0;
	err = mapsync_bgp_adopt(rib->ms);
	log_info("rib: initial BGP sync done; stale BGP entries of an earlier run removed%s",
		 err ? " (with errors, see above)" : "");
	return err;
}

/* ---- readers -------------------------------------------------------------------- */

int rib_walk(const struct rib *rib, uint32_t vni, uint32_t peer, rib_walk_fn fn, void *ctx)
{
	struct rib_route_info ri;
	size_t pos = 0;
	const void *kp;
	void *vp;

	while ((kp = hashmap_next(&rib->dests, &pos, &vp))) {
		const struct rib_dkey *k = kp;
		const struct rib_dest *d = vp;
		uint32_t j;

		if (vni && k->vni != vni)
			continue;
		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next) {
			const struct rib_path *p = &rib->paths[j];
			const struct rib_attr *at = rib_attr_at(rib, p->attr);
			int ret;

			if (peer != UINT32_MAX && p->peer != peer)
				continue;
			memset(&ri, 0, sizeof(ri));
			ri.peer = p->peer;
			ri.vni = k->vni;
			ri.route.type = k->type;
			memcpy(ri.route.rd, p->rd, 8);
			ri.route.etag = p->etag;
			memcpy(ri.route.mac, k->mac, 6);
			if (k->type != EVPN_RT_MACIP || k->plen) {
				ri.route.ip.len = 4;
				ri.route.ip.v4 = k->ip;
			}
			if (k->type == EVPN_RT_PREFIX)
				ri.route.prefix_len = k->plen;
			if (k->type != EVPN_RT_IMET) {
				ri.route.n_labels = 1;
				ri.route.label[0] = at ? at->label : k->vni;
			}
			ri.vtep = p->vtep;
			ri.seq = p->seq;
			ri.sticky = p->flags & RIB_P_STICKY;
			ri.stale = p->flags & RIB_P_STALE;
			ri.best = p->flags & RIB_P_BEST;
			ri.frozen = d->flags & RIB_D_FROZEN;
			if (at) {
				ri.has_router_mac = at->flags & RIB_A_HAS_RMAC;
				memcpy(ri.router_mac, at->router_mac, 6);
				ri.local_pref = at->local_pref;
				ri.n_rt = at->n_rt;
				memcpy(ri.rt, at->rt, sizeof(ri.rt));
			}
			ret = fn(ctx, &ri);
			if (ret)
				return ret;
		}
	}
	return 0;
}

void rib_latency_get(const struct rib *rib, struct rib_latency *out)
{
	size_t i;

	for (i = 0; i <= RIB_LAT_BUCKETS; i++)
		out->counts[i] = __atomic_load_n(&rib->lat.counts[i], __ATOMIC_RELAXED);
	out->count = __atomic_load_n(&rib->lat.count, __ATOMIC_RELAXED);
	out->sum_ns = __atomic_load_n(&rib->lat.sum_ns, __ATOMIC_RELAXED);
}

void rib_get_stats(const struct rib *rib, struct rib_stats *out)
{
	const uint64_t *src = (const uint64_t *)&rib->st;
	uint64_t *dst = (uint64_t *)out;
	size_t i;

	for (i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}
