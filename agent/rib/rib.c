/* rib.c - see rib.h; the layout of the tables is in rib_priv.h.
 *
 * Every entry point of rib.h is here: those of the BGP speaker (updates,
 * withdrawals, peers going down, restarting, End-of-RIB), flushing, the
 * datapath's gratuitous ARP, life cycle, then the readers. The hooks mapsync
 * calls (a port changed, a flush ended) are registered here too. Our own
 * paths are rib_local.c's, the decision rib_best.c's, the map entries
 * rib_sync.c's and the tables rib_store.c's (rib_priv.h: who calls whom).
 *
 * Every change to a destination follows one pattern: take its selection
 * (rib_sel_get), change its paths, then rib_best_run() with the old
 * selection, which decides and propagates what changed (maps, export).
 */
#include "rib_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "addr6.h"
#include "evpn_export.h"
#include "evpn_import.h"
#include "log.h"
#include "mapsync.h"

#define RIB_DEFAULT_LOCAL_PREF 100  /* RFC 4271 5.1.5 leaves it local; the usual default */

/* Prometheus "le" bounds of the UPDATE-to-map latency histogram. */
const double rib_lat_bounds_s[RIB_LAT_BUCKETS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};

static uint64_t clock_mono_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- from the BGP speaker ----------------------------------------------------- */

/* The destination key of a route, without the VNI: 1, or 0 for what vtepd
 * does not use (other types, an IPv6 originator, an address that is no
 * host's), or -1 for a withdrawal of an IPv6 address the RIB does not hold
 * (nothing to withdraw). An IPv6 address becomes its id (rib_ip6.h): with
 * hold, one the caller drops with rib_ip6_put(k->ip); without, none (a
 * withdrawal finds an address already held). 0/8 IPv4 addresses are the
 * ids' space and no host's anyway (RFC 1122 3.2.1.3), so they are refused
 * for types 2 and 5 (but for 0.0.0.0/N prefixes). */
static int route_dkey(struct rib *rib, const struct evpn_route *rt, struct rib_dkey *k, bool hold)
{
	uint8_t a[16];

	memset(k, 0, sizeof(*k));
	k->type = rt->type;
	switch (rt->type) {
	case EVPN_RT_MACIP:
		memcpy(k->mac, rt->mac, 6);
		if (rt->ip.len == 4) {
			if (!rib_ip_is6(rt->ip.v4) && rt->ip.v4 != 0) {
				k->ip = rt->ip.v4;
				k->plen = 32;
				return 1;
			}
			return 0;
		}
		if (rt->ip.len == 16) {
			/* RFC 4291: only a unicast address a host can hold
			 * (link-local ones name a link, not a host of the
			 * VNI, RFC 4291 2.5.6) */
			if (!addr6_is_host(rt->ip.v6))
				return 0;
			k->ip = hold ? rib_ip6_intern(rib, rt->ip.v6) : rib_ip6_find(rib, rt->ip.v6);
			if (!k->ip)
				return hold ? 0 : -1;
			k->plen = 128;
		}
		return rt->ip.len == 0 || rt->ip.len == 16;
	case EVPN_RT_IMET:
		if (rt->ip.len != 4)
			return 0;
		k->ip = rt->ip.v4;
		return 1;
	case EVPN_RT_PREFIX:
		if (rt->ip.len == 4 && rt->prefix_len <= 32) {
			k->plen = rt->prefix_len;
			k->ip = rt->ip.v4 & addr_mask(rt->prefix_len);
			return !rib_ip_is6(k->ip);
		}
		if (rt->ip.len == 16 && rt->prefix_len <= 128) {
			/* RFC 9136 3.1: the prefix, its length */
			addr6_mask(a, rt->ip.v6, rt->prefix_len);
			if (addr6_is_multicast(a) ||
			    (rt->prefix_len >= 10 && addr6_is_link_local(a)))
				return 0;
			k->plen = rt->prefix_len;
			k->ip = hold ? rib_ip6_intern(rib, a) : rib_ip6_find(rib, a);
			if (!k->ip)
				return hold ? 0 : -1;
			return 1;
		}
		return 0;
	}
	return 0;
}

static void arm_stamp(struct rib *rib)
{
	if (!rib->stamp_armed)
		return;
	rib->stamp_armed = false;
	if (rib->n_stamps < RIB_MAX_STAMPS) {
		rib->stamp_gen[rib->n_stamps] = 0;
		rib->stamps[rib->n_stamps++] = rib->pending_stamp;
	}
}

void rib_mark_arrival(struct rib *rib, uint64_t t_ns)
{
	rib->pending_stamp = t_ns;
	rib->stamp_armed = true;
}

static void ignore(struct rib *rib, const struct evpn_route *rt, const char *why)
{
	char b[EVPN_ROUTE_STRLEN];

	rib_stat_add(&rib->st.ignored, 1);
	if (log_level >= LOG_LVL_DEBUG)
		log_debug("rib: %s ignored: %s", evpn_route_fmt(rt, b), why);
}

/* Builds the interned form of a route's attributes. */
static void attr_build(const struct evpn_route *rt, const struct bgp_attrs *a,
		       struct rib_attr *ra)
{
	uint16_t i;

	memset(ra, 0, sizeof(*ra));
	ra->local_pref = BGP_ATTR_HAS(a, BGP_ATTR_LOCAL_PREF) ? a->local_pref
							     : RIB_DEFAULT_LOCAL_PREF;
	ra->med = BGP_ATTR_HAS(a, BGP_ATTR_MED) ? a->med : 0;
	if (rt->n_labels)
		ra->label = evpn_label_vni(rt->label[0]);
	else if (BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL))
		ra->label = a->pmsi.label & 0xffffff;
	if (BGP_ATTR_HAS(a, BGP_ATTR_AS_PATH)) {
		unsigned h = bgp_aspath_hops(&a->aspath);

		ra->hops = h > 0xffff ? 0xffff : (uint16_t)h;
	}
	ra->origin = a->origin;
	if (a->evpn.has_router_mac) {
		ra->flags |= RIB_A_HAS_RMAC;
		memcpy(ra->router_mac, a->evpn.router_mac, 6);
	}
	if (a->evpn.default_gw)
		ra->flags |= RIB_A_DEF_GW;
	/* RFC 9047: the IPv6 address is a router's (the ND proxy answers with
	 * R set); meaningless for IPv4, not kept there */
	if (a->evpn.has_nd && (a->evpn.nd_flags & BGP_EXT_ND_ROUTER) && rt->type == EVPN_RT_MACIP &&
	    rt->ip.len == 16)
		ra->flags |= RIB_A_ROUTER;
	for (i = 0; i < a->n_ext && ra->n_rt < RIB_MAX_RT; i++) {
		const uint8_t *e = a->ext + (size_t)i * 8;
		uint32_t g, l;

		if (bgp_ext_rt_parse(e, &g, &l) >= 0)
			memcpy(ra->rt[ra->n_rt++], e, 8);
	}
}

void rib_prefetch(const struct rib *rib, uint32_t peer, const struct evpn_route *rt, bool deep)
{
	struct rib_dkey kpart;

	/* Not for IPv6 addresses: their key is the id table's answer, which
	 * is a lookup of its own (rib_ip6.c). For the rest route_dkey reads
	 * only the route, never the RIB. */
	if (rt && rt->ip.len != 16 && route_dkey((struct rib *)rib, rt, &kpart, false) > 0)
		rib_store_prefetch(rib, peer, rt, &kpart, deep);
}

static int withdraw_route(struct rib *rib, uint32_t peer, const struct evpn_route *rt,
			  const struct rib_dkey *kpart)
{
	struct rib_dkey k;
	uint32_t idx, prev;

	if (!rib_route_find(rib, peer, rt, kpart, &k, &idx, &prev))
		return 0;
	rib_path_remove(rib, &k, idx, prev);
	rib_stat_add(&rib->st.updates, 1);
	return 0;
}

static int update(struct rib *rib, uint32_t peer, const struct evpn_route *rt,
		  const struct bgp_attrs *a, const struct rib_dkey *kp);

int rib_update(struct rib *rib, uint32_t peer, const struct evpn_route *rt,
	       const struct bgp_attrs *a)
{
	struct rib_dkey kpart;
	bool hold;
	int ret;

	if (!rt || peer == RIB_PEER_LOCAL)
		return -EINVAL;
	hold = !rt->withdraw && a;
	ret = route_dkey(rib, rt, &kpart, hold);
	if (ret < 0)
		return 0;   /* a withdrawal of an IPv6 address the RIB does not hold */
	if (!ret) {
		ignore(rib, rt, "route type or address family not used");
		return rt->withdraw ? 0 : RIB_UPDATE_IGNORED;
	}
	ret = update(rib, peer, rt, a, &kpart);
	/* the id route_dkey held for the call (rib_ip6.h) */
	if (hold && rt->type != EVPN_RT_IMET && rib_ip_is6(kpart.ip))
		rib_ip6_put(rib, kpart.ip);
	return ret;
}

static int update(struct rib *rib, uint32_t peer, const struct evpn_route *rt,
		  const struct bgp_attrs *a, const struct rib_dkey *kp)
{
	struct rib_dkey kpart = *kp, k, ok;
	struct rib_rdkey sk;
	struct rib_path np;
	struct rib_attr ra;
	uint32_t vni, label, vtep = 0, idx, prev;
	const char *why = NULL;
	bool found;
	int err;

	arm_stamp(rib);
	if (rt->withdraw || !a)
		return withdraw_route(rib, peer, rt, &kpart);

	/* Usable? Otherwise the route replaces what the peer had sent
	 * before under this key: an implicit withdrawal (RFC 4271 3.1). */
	if (a->mp_reach.nh_len != 4)
		why = "next hop is not IPv4";
	else
		memcpy(&vtep, a->mp_reach.nh, 4);
	if (!why && rt->type == EVPN_RT_IMET && BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL) &&
	    a->pmsi.id_len == 4)
		memcpy(&vtep, a->pmsi.id, 4);  /* RFC 7432 11.2: the tunnel endpoint */
	if (!why && (vtep == 0 || vtep == rib->vtep_ip))
		why = "next hop is ours or zero";
	if (!why && BGP_ATTR_HAS(a, BGP_ATTR_ORIGINATOR_ID) && rib->router_id &&
	    a->originator_id == rib->router_id)
		why = "our own route reflected back (RFC 4456 8)";
	if (!why && a->evpn.encap_types && !(a->evpn.encap_types & (1u << BGP_TUNNEL_VXLAN)))
		why = "encapsulation is not VXLAN (RFC 8365 5.1.3)";
	if (!why && rt->type == EVPN_RT_IMET && BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL) &&
	    a->pmsi.tunnel_type != BGP_PMSI_INGRESS_REPL)
		why = "PMSI tunnel is not ingress replication";
	label = rt->n_labels ? evpn_label_vni(rt->label[0])
			     : (BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL) ? a->pmsi.label & 0xffffff : 0);
	vni = why ? 0 : evpn_import_vni(rib->imp, a->ext, a->n_ext, label);
	if (!why && !vni)
		why = "no VNI imports its route targets";

	found = rib_route_find(rib, peer, rt, &kpart, &ok, &idx, &prev);
	if (why) {
		if (found) {
			rib_path_remove(rib, &ok, idx, prev);
			rib_stat_add(&rib->st.updates, 1);
		}
		ignore(rib, rt, why);
		return RIB_UPDATE_IGNORED;
	}
	k = kpart;
	k.vni = vni;
	if (found && ok.vni != vni) {
		rib_path_remove(rib, &ok, idx, prev);  /* its route targets changed */
		found = false;
	}

	attr_build(rt, a, &ra);
	memset(&np, 0, sizeof(np));
	np.vtep = vtep;
	if (rt->type == EVPN_RT_MACIP && a->evpn.mac_mobility) {
		np.seq = a->evpn.mm_seq;
		if (a->evpn.mm_sticky)
			np.flags |= RIB_P_STICKY;
	}
	np.attr = rib_attr_intern(rib, &ra);
	if (np.attr == RIB_NIL)
		return -ENOMEM;

	if (found) {
		struct rib_path *p = &rib->paths[idx];
		struct rib_dest *d;
		struct rib_sel before;

		if (p->vtep == np.vtep && p->seq == np.seq && p->attr == np.attr &&
		    (p->flags & RIB_P_STICKY) == (np.flags & RIB_P_STICKY)) {
			/* The same route again (a refresh, or the peer came
			 * back from a graceful restart): no longer stale. */
			p->flags &= ~RIB_P_STALE;
			rib_attr_unref(rib, np.attr);
			return 0;
		}
		d = rib_dest_get(rib, &k);
		rib_sel_get(rib, &k, d, &before);
		rib_attr_unref(rib, p->attr);
		p->vtep = np.vtep;
		p->seq = np.seq;
		p->attr = np.attr;
		p->flags = (p->flags & RIB_P_BEST) | np.flags;
		rib_best_run(rib, &k, d, &before);
		rib_stat_add(&rib->st.updates, 1);
		return 0;
	}
	rib_rdkey_make(&sk, peer, rt->rd, rt->etag, k.type);
	err = rib_path_insert(rib, &k, &np, &sk);
	if (err) {
		rib_attr_unref(rib, np.attr);
		log_err("rib: out of memory: route from peer %u dropped", peer);
		return err;
	}
	rib_stat_add(&rib->st.updates, 1);
	return 0;
}

/* Removes every path of peer (only the stale ones when only_stale; every
 * path of removed VNIs when peer is UINT32_MAX and vni_gone is set). */
struct rib_match {
	uint32_t peer;          /* UINT32_MAX = any */
	bool only_stale;
	const struct evpn_import *keep_vnis; /* non-NULL: remove dests of VNIs it lacks */
};

static bool path_matches(const struct rib *rib, const struct rib_match *m,
			 const struct rib_dkey *k, const struct rib_path *p)
{
	if (m->keep_vnis)
		return !evpn_import_has_vni(m->keep_vnis, k->vni);
	if (rib_path_peer(rib, p) != m->peer)
		return false;
	return !m->only_stale || (p->flags & RIB_P_STALE);
}

static void remove_matching(struct rib *rib, const struct rib_match *m)
{
	struct rib_dkey *keys = NULL;
	size_t n = 0, cap = 0, i;
	uint32_t di;

	/* Collect, then change: a removal re-decides other destinations of
	 * its groups (rib_best_run), which a walk should not meet half done. */
	for (di = rib_dest_next(rib, RIB_NIL); di != RIB_NIL; di = rib_dest_next(rib, di)) {
		const struct rib_dest *d = rib_dest_at(rib, di);
		uint32_t j;

		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next)
			if (path_matches(rib, m, &d->k, &rib->paths[j]))
				break;
		if (j == RIB_NIL)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct rib_dkey *nk = realloc(keys, nc * sizeof(*nk));

			if (!nk) {
				log_err("rib: out of memory while removing routes");
				break;
			}
			keys = nk;
			cap = nc;
		}
		keys[n++] = d->k;
	}
	for (i = 0; i < n; i++) {
		struct rib_dest *d = rib_dest_get(rib, &keys[i]);
		uint32_t j, prev = RIB_NIL;

		/* One removal at a time (each runs the decision): simple,
		 * and a destination rarely has more than two paths. */
		while (d && d->head != RIB_NIL) {
			for (j = d->head, prev = RIB_NIL; j != RIB_NIL;
			     prev = j, j = rib->paths[j].next)
				if (path_matches(rib, m, &keys[i], &rib->paths[j]))
					break;
			if (j == RIB_NIL)
				break;
			rib_path_remove(rib, &keys[i], j, prev);
			rib_stat_add(&rib->st.updates, 1);
			d = rib_dest_get(rib, &keys[i]);
		}
	}
	free(keys);
}

void rib_peer_down(struct rib *rib, uint32_t peer)
{
	struct rib_match m = { .peer = peer };
	struct rib_peer *pr = hashmap_get(&rib->peers, &peer);

	if (peer == RIB_PEER_LOCAL)
		return;
	remove_matching(rib, &m);
	if (pr) {
		pr->stale = false;
		pr->routes = 0;
	}
	rib_flush(rib);
}

void rib_peer_stale(struct rib *rib, uint32_t peer)
{
	struct rib_peer *pr = hashmap_get(&rib->peers, &peer);
	uint32_t di;

	if (peer == RIB_PEER_LOCAL || !pr)
		return;
	/* RFC 4724 4.2: keep forwarding on the peer's routes, marked stale. */
	for (di = rib_dest_next(rib, RIB_NIL); di != RIB_NIL; di = rib_dest_next(rib, di)) {
		const struct rib_dest *d = rib_dest_at(rib, di);
		uint32_t j;

		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next)
			if (rib_path_peer(rib, &rib->paths[j]) == peer)
				rib->paths[j].flags |= RIB_P_STALE;
	}
	pr->stale = true;
	log_info("rib: peer %u: %llu routes kept as stale (graceful restart)", peer,
		 (unsigned long long)pr->routes);
	rib_flush(rib);
}

void rib_peer_eor(struct rib *rib, uint32_t peer)
{
	struct rib_match m = { .peer = peer, .only_stale = true };
	struct rib_peer *pr = hashmap_get(&rib->peers, &peer);

	if (peer == RIB_PEER_LOCAL || !pr)
		return;
	if (pr->stale) {
		uint64_t before = pr->routes;

		remove_matching(rib, &m);
		pr = hashmap_get(&rib->peers, &peer);
		if (pr) {
			pr->stale = false;
			log_info("rib: peer %u: %llu stale routes swept", peer,
				 (unsigned long long)(before - pr->routes));
		}
	}
	rib_flush(rib);
}

int rib_peer_set(struct rib *rib, uint32_t peer, uint32_t address, uint32_t router_id)
{
	struct rib_peer *pr;

	if (peer == RIB_PEER_LOCAL)
		return -EINVAL;
	pr = rib_peer_make(rib, peer);
	if (!pr)
		return -ENOMEM;
	pr->address = address;
	pr->router_id = router_id;
	return 0;
}

void rib_peer_forget(struct rib *rib, uint32_t peer)
{
	const struct rib_peer *pr = rib_peer_get(rib, peer);

	if (pr && !pr->routes)
		hashmap_del(&rib->peers, &peer);
}

size_t rib_peer_routes(const struct rib *rib, uint32_t peer)
{
	const struct rib_peer *pr = rib_peer_get(rib, peer);

	return pr ? (size_t)pr->routes : 0;
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

/* The UPDATEs whose routes are in the maps now (their job is done, or
 * all when all is set): into the latency histogram. */
static void stamps_observe(struct rib *rib, bool all)
{
	uint64_t now = 0;
	uint32_t i, o = 0;

	for (i = 0; i < rib->n_stamps; i++) {
		if (all || (rib->stamp_gen[i] && rib->stamp_gen[i] <= rib->gen_done)) {
			if (!now)
				now = rib_now(rib);
			lat_observe(rib, now > rib->stamps[i] ? now - rib->stamps[i] : 0);
			continue;
		}
		rib->stamps[o] = rib->stamps[i];
		rib->stamp_gen[o++] = rib->stamp_gen[i];
	}
	rib->n_stamps = o;
}

/* The end of every mapsync flush (mapsync's flushed hook, registered by
 * rib_new): the UPDATEs read so far go with job gen (0: a later one), then
 * our changed advertisements go to the export's notify callback. */
static void on_flushed(void *ctx, uint64_t gen)
{
	struct rib *rib = ctx;
	uint32_t i;

	if (gen)
		for (i = 0; i < rib->n_stamps; i++)
			if (!rib->stamp_gen[i])
				rib->stamp_gen[i] = gen;
	stamps_observe(rib, false);
	rib_dup_flush(rib);   /* a whole burst applied: decide its addresses */
	if (rib->exp)
		evpn_export_flush(rib->exp);
}

/* mapsync's written hook: every job up to gen is in the maps. */
static void on_written(void *ctx, uint64_t gen)
{
	struct rib *rib = ctx;

	rib->gen_done = gen;
	stamps_observe(rib, false);
}

int rib_flush(struct rib *rib)
{
	if (rib->ms)
		return mapsync_flush(rib->ms); /* calls on_flushed() at its end */
	stamps_observe(rib, true);
	rib_dup_flush(rib);
	if (rib->exp)
		evpn_export_flush(rib->exp);
	return 0;
}

int rib_flush_async(struct rib *rib)
{
	if (rib->ms)
		return mapsync_flush_async(rib->ms);
	return rib_flush(rib);
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

/* ---- from the datapath ------------------------------------------------------------ */

/* RFC 7432 15.1: the sequence belongs to the MAC. The workload announced
 * one address here; every other address of its MAC that lost here to the
 * remote sequence (its IPv4 and its IPv6 address: one workload, one MAC)
 * is advertised with the same new sequence. k is the announced one. */
static void local_bump_mac(struct rib *rib, const struct rib_dkey *k, uint32_t seq)
{
	struct rib_dkey keys[16];
	struct rib_grp gc;
	size_t n = 0, i;
	uint32_t g;

	for (g = rib_macgrp_first(rib, &gc, k->vni, k->mac); g != RIB_NIL && n < 16;
	     g = rib_grp_next(rib, &gc))
		if (memcmp(&rib_dest_at(rib, g)->k, k, sizeof(*k)))
			keys[n++] = rib_dest_at(rib, g)->k;
	for (i = 0; i < n; i++) {
		struct rib_dest *d = rib_dest_get(rib, &keys[i]);
		struct rib_path *lp = NULL;
		struct rib_sel before;
		uint32_t j;

		if (!d || (d->flags & RIB_D_FROZEN))
			continue;
		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next)
			if (rib_path_peer(rib, &rib->paths[j]) == RIB_PEER_LOCAL)
				lp = &rib->paths[j];
		if (!lp || (lp->flags & RIB_P_BEST) || lp->seq >= seq)
			continue;
		rib_sel_get(rib, &keys[i], d, &before);
		lp->seq = seq;
		rib_best_run(rib, &keys[i], d, &before);
	}
}

void rib_local_garp(struct rib *rib, const struct vtep_event *ev)
{
	struct rib_dkey k;
	struct rib_dest *d;
	struct rib_sel before;
	struct rib_path *lp = NULL;
	uint32_t i, rseq, ip;
	char m[ADDR_MAC_STRLEN], a[RIB_IP_STRLEN];

	if (ev->type != VTEP_EV_GARP)
		return;
	/* an unsolicited NA for the port's IPv6 address (RFC 4861 7.2.6)
	 * names the destination of its id; one the RIB does not hold is no
	 * port of ours */
	ip = ev->family == 6 ? rib_ip6_find(rib, ev->ip6) : ev->ip;
	if (!ip || (ev->family != 6 && rib_ip_is6(ip)))
		return;
	rib_dkey_macip(&k, ev->vni, ev->mac, ip, true);
	d = rib_dest_get(rib, &k);
	if (!d)
		return;  /* not a port of ours with that MAC and IP */
	for (i = d->head; i != RIB_NIL; i = rib->paths[i].next)
		if (rib->paths[i].src == RIB_NIL)
			lp = &rib->paths[i];
	if (!lp || (lp->flags & RIB_P_BEST))
		return;  /* unknown, or already ours */
	if (d->flags & RIB_D_FROZEN) {
		log_warn("rib: vni %u %s %s: gratuitous ARP or NA here ignored: frozen by "
			 "duplicate address detection", ev->vni, addr_fmt_mac(ev->mac, m),
			 rib_ip_fmt(rib, ip, a));
		return;
	}
	if (!rib_mac_remote_seq(rib, ev->vni, ev->mac, &rseq) || lp->seq > rseq)
		return;
	rib_sel_get(rib, &k, d, &before);
	lp->seq = rseq + 1;
	log_info("rib: vni %u %s %s moved here (gratuitous ARP or NA); advertised with "
		 "sequence %u", ev->vni, addr_fmt_mac(ev->mac, m), rib_ip_fmt(rib, ip, a), lp->seq);
	rib_best_run(rib, &k, d, &before);
	local_bump_mac(rib, &k, rseq + 1);
}

/* mapsync's port hook (registered by rib_new): an attached port changed. */
static void on_port(void *ctx, uint32_t ifindex, const struct vtep_port *old,
		    const struct vtep_port *cur)
{
	(void)ifindex;
	rib_local_port(ctx, old, cur);
}

/* ---- life cycle --------------------------------------------------------------- */

static int load_config(struct rib *rib, const struct vtep_config *cfg)
{
	size_t i;

	rib->vtep_ip = cfg->vtep_ip;
	rib->router_id = cfg->bgp.enabled ? cfg->bgp.router_id : 0;
	rib->dad_moves = cfg->bgp.enabled ? cfg->bgp.dad_moves : 0;
	rib->dad_window_s = cfg->bgp.dad_window_s;
	hashmap_clear(&rib->vni_rd);
	for (i = 0; i < cfg->n_vnis; i++) {
		uint8_t rd[8] = { 0 };

		config_vni_rd(cfg, &cfg->vnis[i], rd);
		if (!hashmap_put(&rib->vni_rd, &cfg->vnis[i].vni, rd, NULL))
			return -ENOMEM;
	}
	return 0;
}

int rib_new(const struct rib_env *env, struct rib **out)
{
	struct rib *rib;
	int err;

	/* The RIB's tables are the daemon's big allocations, and each one's
	 * array is freed whenever it doubles, as are mapsync's per-flush
	 * buffers. glibc raises its mmap threshold to the size of every
	 * mmap()ed block freed (up to 32 MiB), after which such arrays come
	 * from the heap and their holes stay in the RSS: measured +40 bytes
	 * per route at 300k routes. A fixed threshold (which also turns the
	 * dynamic one off, mallopt(3)) hands them back to the kernel. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
	rib = calloc(1, sizeof(*rib));
	if (!rib)
		return -ENOMEM;
	rib->ms = env->ms;
	rib->exp = env->exp;
	rib->now_ns = env->now_ns ? env->now_ns : clock_mono_ns;
	rib->now_ctx = env->now_ctx;
	err = rib_store_init(rib);
	err = err ?: hashmap_init(&rib->remotes, sizeof(uint32_t), sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&rib->vni_rd, sizeof(uint32_t), 8, 0);
	err = err ?: rib_ip6_init(rib);
	err = err ?: rib_dup_init(rib);
	err = err ?: load_config(rib, env->cfg);
	err = err ?: evpn_import_new(env->cfg, &rib->imp);
	err = err ?: rib_sync_attach(rib, on_port, on_flushed, on_written);
	if (err) {
		rib_free(rib);
		return err;
	}
	*out = rib;
	return 0;
}

void rib_free(struct rib *rib)
{
	if (!rib)
		return;
	rib_sync_detach(rib);
	evpn_import_free(rib->imp);
	rib_store_free(rib);
	rib_dup_free(rib);
	hashmap_free(&rib->remotes);
	hashmap_free(&rib->vni_rd);
	rib_ip6_free(rib);
	free(rib);
}

int rib_reload(struct rib *rib, const struct vtep_config *cfg)
{
	struct evpn_import *imp;
	uint32_t old_vtep = rib->vtep_ip;
	bool changed;
	int err;

	err = evpn_import_new(cfg, &imp);
	if (err)
		return err;
	changed = !evpn_import_equal(rib->imp, imp);
	if (changed) {
		/* Routes of VNIs that are gone leave the maps now. */
		struct rib_match m = { .peer = UINT32_MAX, .keep_vnis = imp };

		remove_matching(rib, &m);
	}
	evpn_import_free(rib->imp);
	rib->imp = imp;
	if ((err = load_config(rib, cfg)))
		return err;
	if (old_vtep != rib->vtep_ip)
		rib_local_vtep_changed(rib);
	if (rib->exp && (err = evpn_export_reload(rib->exp, cfg)))
		return err;
	return changed ? 1 : 0;
}

/* ---- readers -------------------------------------------------------------------- */

/* Is the map entry destination k's best (remote) path feeds waiting for
 * room in a full map? */
static bool best_pending(const struct rib *rib, const struct rib_dkey *k)
{
	if (!rib->ms)
		return false;
	if (rib_ip6_addr(rib, k->ip) && (k->type == EVPN_RT_MACIP || k->type == EVPN_RT_PREFIX))
		return rib_sync6_pending(rib, k);
	if (k->type == EVPN_RT_MACIP && k->plen) {
		struct vtep_route_key rk = { .vni = k->vni, .ip = k->ip };

		return mapsync_pending_route(rib->ms, &rk);
	}
	if (k->type == EVPN_RT_MACIP) {
		struct vtep_fdb_key fk;

		memset(&fk, 0, sizeof(fk));
		fk.vni = k->vni;
		memcpy(fk.mac, k->mac, 6);
		return mapsync_pending_fdb(rib->ms, &fk);
	}
	if (k->type == EVPN_RT_PREFIX) {
		struct vtep_prefix_key pk = { .prefixlen = 32u + k->plen, .vni = htonl(k->vni),
					      .ip = k->ip };

		return mapsync_pending_prefix(rib->ms, &pk);
	}
	return false;
}

int rib_walk(const struct rib *rib, uint32_t vni, uint32_t peer, rib_walk_fn fn, void *ctx)
{
	struct rib_route_info ri;
	uint32_t di;

	for (di = rib_dest_next(rib, RIB_NIL); di != RIB_NIL; di = rib_dest_next(rib, di)) {
		const struct rib_dest *d = rib_dest_at(rib, di);
		const struct rib_dkey *k = &d->k;
		uint32_t j;

		if (vni && k->vni != vni)
			continue;
		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next) {
			const struct rib_path *p = &rib->paths[j];
			const struct rib_attr *at = rib_attr_at(rib, p->attr);
			const struct rib_rdkey *src = rib_path_src(rib, p);
			int ret;

			if (peer != UINT32_MAX && rib_path_peer(rib, p) != peer)
				continue;
			memset(&ri, 0, sizeof(ri));
			ri.peer = rib_path_peer(rib, p);
			ri.vni = k->vni;
			ri.route.type = k->type;
			if (src) {
				memcpy(ri.route.rd, src->rd, 8);
				ri.route.etag = src->etag;
			} else {
				const uint8_t *rd = hashmap_get(&rib->vni_rd, &k->vni);

				if (rd)
					memcpy(ri.route.rd, rd, 8);
			}
			memcpy(ri.route.mac, k->mac, 6);
			rib_ip_to_evpn(rib, k, &ri.route.ip);
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
			ri.duplicate = rib_dup_is(rib, k);
			ri.pending = ri.best && p->src != RIB_NIL && best_pending(rib, k);
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
