/* rib_sync.c - the RIB's best paths as BGP-sourced map entries.
 *
 * The RIB does not write maps itself: rib_sync plugs into mapsync as its BGP
 * side (struct mapsync_bgp), so one resolver applies the precedence for
 * every key (local port > static route > BGP, except a local workload that
 * lost by MAC mobility) and one writer batches every change
 * (bpf_map_update_batch / bpf_map_delete_batch). When a destination's
 * selection changes, rib_sync marks the keys it feeds; the flush asks
 * rib_sync for the value at each key, so a withdrawal deletes exactly the
 * entries the route had put there and nothing else.
 *
 * What a best path puts in the maps (when it is remote; a local best leaves
 * the local port's own entries in place):
 *   type 2 with IP   vtep_routes{vni, ip} -> {vtep, mac, seq, BGP, sticky}
 *                    (the ARP proxy answers from this entry's MAC)
 *   type 2 MAC-only  vtep_fdb{vni, mac}   -> {vtep, seq, BGP, sticky}
 *                    (also for a MAC+IP route whose MAC is a local
 *                    workload's that moved away, so decapsulation by MAC
 *                    no longer delivers here: RFC 7432 15)
 *   type 5 with a router's MAC (RFC 9135 8.1)
 *                    vtep_prefixes{32 + len, htonl(vni), prefix} -> {vtep,
 *                    mac = the router's MAC (inner destination MAC), BGP}
 *   types 2, 3, 5    vtep_remotes[vtep] refs += best paths naming it, so the
 *                    uplink accepts VXLAN from every VTEP we have routes to.
 * and for IPv6 (rib_sync6.c; the destination's key holds an IPv6 id,
 * rib_ip6.h): type 2 with an IPv6 address into vtep_routes6 (flag ROUTER
 * from RFC 9047's ARP/ND community), type 5 into vtep_prefixes6.
 * Several destinations can feed one key: an IP claimed by two MACs (the
 * newest workload keeps the address: highest sequence, then lowest VTEP,
 * then lowest MAC; a local workload before any; rib_dup.c reports such an
 * address as a duplicate when the MACs are at different places) and a MAC with several IPs or a MAC-only route
 * (vtep_fdb follows the highest sequence, then the lowest VTEP).
 *
 * Two halves: rib_sync_changed() turns a destination's new selection into
 * the map keys to re-resolve (and the vtep_remotes reference counts); the
 * mapsync_bgp callbacks answer, at flush time, what BGP wants at one key by
 * looking at the destinations that feed it. Resolving lazily means a burst of
 * changes to one key costs one write, and no value is ever stored twice.
 */
#include "rib_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "log.h"
#include "mapsync.h"

/* The remote selection that holds the (VNI, MAC) group's MAC once our local
 * path lost to it (RFC 7432 15.1: the sequence is per MAC, so a MAC-only
 * route can beat our MAC+IP route): highest sequence, then lowest VTEP.
 * false when no destination of the group has a remote best path. */
static bool mac_remote_best(const struct rib *rib, uint32_t vni, const uint8_t mac[6],
			    struct rib_sel *out)
{
	bool found = false;
	struct rib_grp gc;
	uint32_t g;

	for (g = rib_macgrp_first(rib, &gc, vni, mac); g != RIB_NIL; g = rib_grp_next(rib, &gc)) {
		const struct rib_dest *d = rib_dest_at(rib, g);
		struct rib_sel s;

		rib_sel_get(rib, &d->k, d, &s);
		if (!s.has || s.local)
			continue;
		if (!found || s.seq > out->seq ||
		    (s.seq == out->seq && ntohl(s.vtep) < ntohl(out->vtep))) {
			*out = s;
			found = true;
		}
	}
	return found;
}

/* ---- from selections to keys ---------------------------------------------------- */

/* Does this selection name a remote VTEP the uplink must accept? */
static bool counts_remote(const struct rib_dkey *k, const struct rib_sel *s)
{
	if (!s->has || s->local || !s->vtep)
		return false;
	return k->type != EVPN_RT_PREFIX || s->has_rmac;
}

static void remote_ref(struct rib *rib, uint32_t vtep, int delta)
{
	uint32_t *refs;
	bool created;
	int err = 0;

	if (delta > 0) {
		refs = hashmap_put(&rib->remotes, &vtep, NULL, &created);
		if (!refs) {
			log_err("rib: out of memory counting remote VTEPs");
			return;
		}
		(*refs)++;
	} else {
		refs = hashmap_get(&rib->remotes, &vtep);
		if (!refs)
			return;
		if (--(*refs) == 0)
			hashmap_del(&rib->remotes, &vtep);
	}
	/* Every change, not only 0 <-> 1: the value shows the count (vtepctl).
	 * The dirty set holds a VTEP once however many routes name it. */
	if (rib->ms)
		err = mapsync_bgp_touch_remote(rib->ms, vtep);
	if (err)
		log_err("rib: out of memory marking a map change");
}

static void installed(struct rib *rib, const struct rib_dkey *k, const struct rib_sel *s,
		      int delta)
{
	if (!s->has || s->local)
		return;
	if (k->type == EVPN_RT_MACIP) {
		if (k->plen)
			rib_stat_add(&rib->st.installed_routes, delta);
		else
			rib_stat_add(&rib->st.installed_fdb, delta);
	} else if (k->type == EVPN_RT_PREFIX && s->has_rmac) {
		rib_stat_add(&rib->st.installed_prefixes, delta);
	}
}

/* Does the (VNI, MAC) group hold a MAC-only destination with a path? Only
 * those need a vtep_fdb entry: a MAC+IP route's MAC is in its host route,
 * and one map entry per such route is what keeps 1M routes cheap
 * (vtep_maps.h). A destination whose last path just left (it is deleted
 * right after its selection is synced) no longer counts, or the MAC's
 * entry would outlive its MAC-only route. */
static bool macgrp_has_mac_only(const struct rib *rib, uint32_t vni, const uint8_t mac[6])
{
	struct rib_grp gc;
	uint32_t g;

	for (g = rib_macgrp_first(rib, &gc, vni, mac); g != RIB_NIL; g = rib_grp_next(rib, &gc)) {
		const struct rib_dest *d = rib_dest_at(rib, g);

		if (!d->k.plen && d->head != RIB_NIL)
			return true;
	}
	return false;
}

/* ---- what BGP wants at one key (mapsync_bgp) ------------------------------------- */

/* Is remote selection a (of a destination with MAC ma) a better holder of a
 * shared key than b (MAC mb)? Highest sequence, lowest VTEP, lowest MAC. */
static bool better_holder(const struct rib_sel *a, const uint8_t *ma, const struct rib_sel *b,
			  const uint8_t *mb)
{
	if (a->seq != b->seq)
		return a->seq > b->seq;
	if (a->vtep != b->vtep)
		return ntohl(a->vtep) < ntohl(b->vtep);
	return memcmp(ma, mb, 6) < 0;
}

/* Walks a group (its first member g, then the cursor gc) for the selection
 * that feeds a shared key. Returns 1 with *out (and its destination's MAC)
 * filled, 0 for nothing, or -1 for "a local workload here wins" (mapsync
 * uses the port). *over: the chosen remote beat a local workload. */
static int pick_holder(const struct rib *rib, uint32_t g, struct rib_grp *gc,
		       struct rib_sel *out, uint8_t mac[6], bool *over)
{
	bool found = false;

	*over = false;
	for (; g != RIB_NIL; g = rib_grp_next(rib, gc)) {
		const struct rib_dest *d = rib_dest_at(rib, g);
		const struct rib_dkey *k = &d->k;
		struct rib_sel s;

		rib_sel_get(rib, k, d, &s);
		if (s.has_local) {
			/* The workload's own destination decides. With no best
			 * path there, our local path lost to a remote route of
			 * its MAC with a higher sequence (RFC 7432 15.1, e.g. a
			 * MAC-only route): that route's VTEP holds the MAC and
			 * the IPs bound to it here. */
			if (s.local)
				return -1;
			if (!s.has && !mac_remote_best(rib, k->vni, k->mac, &s))
				return -1;
			*out = s;
			memcpy(mac, k->mac, 6);
			*over = true;
			return 1;
		}
		if (!s.has)
			continue;
		if (!found || better_holder(&s, k->mac, out, mac)) {
			*out = s;
			memcpy(mac, k->mac, 6);
			found = true;
		}
	}
	return found;
}

bool rib_sync_route_at(const struct rib *rib, uint32_t vni, uint32_t ip, struct vtep_route *out,
		       bool *over_local)
{
	struct rib_grp gc;
	struct rib_sel s;
	uint8_t mac[6];

	if (pick_holder(rib, rib_ipgrp_first(rib, &gc, vni, ip), &gc, &s, mac,
			over_local) <= 0)
		return false;
	memset(out, 0, sizeof(*out));
	out->vtep = s.vtep;
	out->seq = s.seq;
	memcpy(out->mac, mac, 6);
	out->source = VTEP_SRC_BGP;
	out->flags = (s.flags & RIB_P_STICKY) ? VTEP_RT_F_STICKY : 0;
	/* RFC 9047: the holder's ARP/ND community said "router" (IPv6) */
	if (rib_ip_is6(ip) && s.router)
		out->flags |= VTEP_RT_F_ROUTER;
	return true;
}

static bool sync_route(void *ctx, const struct vtep_route_key *rk, struct vtep_route *out,
		       bool *over_local)
{
	return rib_sync_route_at(ctx, rk->vni, rk->ip, out, over_local);
}

static bool sync_fdb(void *ctx, const struct vtep_fdb_key *fk, struct vtep_fdb *out,
		     bool *over_local)
{
	const struct rib *rib = ctx;
	struct rib_grp gc;
	struct rib_sel s;
	uint8_t mac[6];

	if (pick_holder(rib, rib_macgrp_first(rib, &gc, fk->vni, fk->mac), &gc, &s, mac,
			over_local) <= 0)
		return false;
	if (!*over_local && !macgrp_has_mac_only(rib, fk->vni, fk->mac))
		return false;
	memset(out, 0, sizeof(*out));
	out->vtep = s.vtep;
	out->seq = s.seq;
	out->source = VTEP_SRC_BGP;
	out->flags = (s.flags & RIB_P_STICKY) ? VTEP_RT_F_STICKY : 0;
	return true;
}

bool rib_sync_prefix_at(const struct rib *rib, const struct rib_dkey *k, struct vtep_route *out)
{
	struct rib_sel s;

	rib_sel_get(rib, k, rib_dest_get(rib, k), &s);
	if (!s.has || s.local || !s.has_rmac)
		return false;
	memset(out, 0, sizeof(*out));
	out->vtep = s.vtep;
	memcpy(out->mac, s.mac, 6);  /* RFC 9135 8.1: inner destination MAC */
	out->source = VTEP_SRC_BGP;
	return true;
}

static bool sync_prefix(void *ctx, const struct vtep_prefix_key *pk, struct vtep_route *out)
{
	struct rib_dkey k;

	if (pk->prefixlen < 32 || pk->prefixlen > 64)
		return false;
	memset(&k, 0, sizeof(k));
	k.vni = ntohl(pk->vni);
	k.ip = pk->ip;
	k.type = EVPN_RT_PREFIX;
	k.plen = (uint8_t)(pk->prefixlen - 32);
	return rib_sync_prefix_at(ctx, &k, out);
}

/* ---- from selections to keys (continued) --------------------------------------- */

/* A type-2 destination k of a (VNI, MAC) group changed its selection. The
 * other destinations of the group that hold a local workload and no best
 * path (our path lost to a higher sequence on another route of its MAC,
 * MAC-only or MAC+IP with another IP: RFC 7432 15.1) get their /32 from the
 * MAC's remote best (pick_holder, mac_remote_best), so their answer changes
 * with k's selection although their own did not: each such /32 is resolved
 * again. Without this the /32 kept the first winner's VTEP, sequence and
 * sticky flag when the MAC moved on (found by tests/fuzz/fuzz_bgp.c;
 * tests/fuzz/regress/bgp/mac_only_move_stale_local_ip). Also tells whether
 * the group holds a local workload or a MAC-only destination, the two
 * reasons for the MAC to have an fdb entry. One walk of the group, which for
 * most MACs is k alone. */
static int resync_group(struct rib *rib, const struct rib_dkey *k, bool *has_local,
			bool *has_mac_only)
{
	struct rib_grp gc;
	uint32_t g;
	int err = 0;

	*has_local = *has_mac_only = false;
	for (g = rib_macgrp_first(rib, &gc, k->vni, k->mac); g != RIB_NIL && !err;
	     g = rib_grp_next(rib, &gc)) {
		const struct rib_dest *d = rib_dest_at(rib, g);
		struct vtep_route_key rk = { .vni = d->k.vni, .ip = d->k.ip };
		struct vtep_route rv;
		struct rib_sel s;
		bool over;

		if (!d->k.plen && d->head != RIB_NIL)
			*has_mac_only = true;
		if (!memcmp(&d->k, k, sizeof(*k)))
			continue;
		rib_sel_get(rib, &d->k, d, &s);
		if (!s.has_local)
			continue;   /* a remote IP's holder is chosen by its own group */
		*has_local = true;
		if (!d->k.plen || s.has)
			continue;   /* its own selection answers: synced when it changes */
		if (rib_ip_is6(d->k.ip)) {
			err = rib_sync6_changed(rib, &d->k);   /* vtep_routes6 */
			continue;
		}
		if (sync_route(rib, &rk, &rv, &over))
			err = mapsync_bgp_set_route(rib->ms, &rk, &rv, over);
		else
			err = mapsync_bgp_set_route(rib->ms, &rk, NULL, false);
	}
	return err;
}

void rib_sync_changed(struct rib *rib, const struct rib_dkey *k, const struct rib_sel *before,
		      const struct rib_sel *after)
{
	bool was = counts_remote(k, before), is = counts_remote(k, after), over;
	int err = 0;

	installed(rib, k, before, -1);
	installed(rib, k, after, 1);
	if (is && (!was || before->vtep != after->vtep))
		remote_ref(rib, after->vtep, 1);   /* accept the VTEP before routes use it */
	if (was && (!is || before->vtep != after->vtep))
		remote_ref(rib, before->vtep, -1);
	/* Its address may now be held by two MACs at different places, or no
	 * longer: decided at the end of the flush (rib_dup.c). */
	rib_dup_touch(rib, k);
	if (!rib->ms)
		return;
	/* The answers for the keys this destination feeds, computed now while
	 * its group is in the cache; the flush writes them without asking. */
	switch (k->type) {
	case EVPN_RT_MACIP: {
		struct vtep_fdb_key fk;
		struct vtep_fdb fv;
		bool group_local, group_mac_only;

		err = resync_group(rib, k, &group_local, &group_mac_only);
		if (!err && k->plen && rib_ip_is6(k->ip)) {
			err = rib_sync6_changed(rib, k);   /* vtep_routes6 */
		} else if (!err && k->plen) {
			struct vtep_route_key rk = { .vni = k->vni, .ip = k->ip };
			struct vtep_route rv;

			if (sync_route(rib, &rk, &rv, &over))
				err = mapsync_bgp_set_route(rib->ms, &rk, &rv, over);
			else
				err = mapsync_bgp_set_route(rib->ms, &rk, NULL, false);
		}
		/* The MAC's fdb entry, when it may have one: a MAC-only route,
		 * or a local workload's MAC (mobility). Not marking the rest
		 * keeps a million MAC+IP routes from costing a million fdb
		 * lookups and deletions at the flush. */
		if (k->plen && !before->has_local && !after->has_local && !group_local &&
		    !group_mac_only)
			break;
		memset(&fk, 0, sizeof(fk));
		fk.vni = k->vni;
		memcpy(fk.mac, k->mac, 6);
		if (!err && sync_fdb(rib, &fk, &fv, &over))
			err = mapsync_bgp_set_fdb(rib->ms, &fk, &fv, over);
		else if (!err)
			err = mapsync_bgp_set_fdb(rib->ms, &fk, NULL, false);
		break;
	}
	case EVPN_RT_PREFIX: {
		struct vtep_prefix_key pk = { .prefixlen = 32u + k->plen, .vni = htonl(k->vni),
					      .ip = k->ip };
		struct vtep_route pv;

		if (rib_ip_is6(k->ip))
			err = rib_sync6_changed(rib, k);   /* vtep_prefixes6 */
		else
			err = mapsync_bgp_set_prefix(rib->ms, &pk,
						     sync_prefix(rib, &pk, &pv) ? &pv : NULL);
		break;
	}
	default:
		break; /* type 3: only vtep_remotes */
	}
	if (err)
		log_err("rib: out of memory marking a map change");
}

static uint32_t sync_remote_refs(void *ctx, uint32_t vtep)
{
	const struct rib *rib = ctx;
	const uint32_t *refs = hashmap_get(&rib->remotes, &vtep);

	return refs ? *refs : 0;
}

int rib_sync_attach(struct rib *rib,
		    void (*port)(void *ctx, uint32_t ifindex, const struct vtep_port *old,
				 const struct vtep_port *cur),
		    void (*flushed)(void *ctx, uint64_t gen),
		    void (*written)(void *ctx, uint64_t gen))
{
	struct mapsync_bgp b = {
		.ctx = rib,
		.route = sync_route,
		.prefix = sync_prefix,
		.route6 = rib_sync6_route,
		.prefix6 = rib_sync6_prefix,
		.fdb = sync_fdb,
		.remote_refs = sync_remote_refs,
		.port = port,
		.flushed = flushed,
		.written = written,
	};

	if (rib->ms)
		mapsync_set_bgp(rib->ms, &b);
	return 0;
}

void rib_sync_detach(struct rib *rib)
{
	if (rib->ms)
		mapsync_set_bgp(rib->ms, NULL);
}
