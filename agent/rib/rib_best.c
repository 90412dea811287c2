/* rib_best.c - best path selection with MAC mobility, and duplicate address
 * detection.
 *
 * The decision, in order (rib_path_cmp):
 *   1. a sticky (static) MAC wins: it never moves (RFC 7432 15.2);
 *   2. the higher MAC mobility sequence wins (RFC 7432 15.1); a route
 *      without the community has sequence 0;
 *   3. our own path against a remote one with the same sequence: the lower
 *      VTEP address wins (RFC 7432 15.1: "it will compare its own IP address
 *      with the IP address of the remote PE and will select the lowest IP");
 *   then between remote paths the usual BGP steps (RFC 4271 9.1.2.2):
 *   4. higher LOCAL_PREF; 5. shorter AS_PATH; 6. lower ORIGIN; 7. lower MED;
 *   8. a path not held stale for a restarting peer (RFC 4724);
 *   9. the lower VTEP (RFC 7432 15.1 for equal sequences from different
 *      PEs); 10. lower peer BGP identifier, 11. lower peer address, 12.
 *      lower peer id.
 * Two paths to the same VTEP (a host dual-homed to two leaves) are
 * interchangeable for the datapath: losing either changes no map entry.
 * The sequence belongs to the MAC (RFC 7432 15.1), not to one (MAC, IP)
 * destination: our local path is not a candidate while a remote path of
 * another destination of its (VNI, MAC) group - typically a MAC-only route
 * from a leaf that learned the moved MAC before its IP - has a higher
 * sequence or is sticky (local_outranked). Its destination then has no
 * best path (or a remote one), our route is withdrawn, and rib_sync sends
 * the MAC and its IPs to that remote VTEP; a change in the group re-decides
 * the group's local paths (rerun_mac_group).
 *
 * Duplicate address detection (`bgp.dad`): a move is a change of the best
 * path's location (here, or a VTEP) to one with a higher sequence. `moves`
 * moves within `window_s` seconds freeze the destination where it is now,
 * and the freeze is logged: for `window_s` seconds its location no longer
 * follows higher sequences (a GARP here does not take it back either); it
 * is re-decided on the first change after that.
 */
#include "rib_priv.h"

#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "evpn_export.h"
#include "log.h"

static bool sel_equal(const struct rib_sel *a, const struct rib_sel *b)
{
	return a->has == b->has && a->local == b->local && a->has_local == b->has_local &&
	       a->flags == b->flags && a->vtep == b->vtep && a->seq == b->seq &&
	       a->has_rmac == b->has_rmac && !memcmp(a->mac, b->mac, 6) && a->router == b->router;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

int rib_path_cmp(const struct rib *rib, const struct rib_path *a, const struct rib_path *b)
{
	const struct rib_attr *aa, *ba;
	const struct rib_peer *ap, *bp;
	const struct rib_rdkey *as, *bs;
	bool al = a->src == RIB_NIL, bl = b->src == RIB_NIL;
	int c;

	if ((a->flags & RIB_P_STICKY) != (b->flags & RIB_P_STICKY))
		return (a->flags & RIB_P_STICKY) ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq > b->seq ? -1 : 1;
	if (al != bl) {
		c = cmp_u32(ntohl(a->vtep), ntohl(b->vtep));
		return c ? c : (al ? -1 : 1);
	}
	aa = rib_attr_at(rib, a->attr);
	ba = rib_attr_at(rib, b->attr);
	if (aa && ba) {
		if (aa->local_pref != ba->local_pref)
			return aa->local_pref > ba->local_pref ? -1 : 1;
		if ((c = cmp_u32(aa->hops, ba->hops)) || (c = cmp_u32(aa->origin, ba->origin)) ||
		    (c = cmp_u32(aa->med, ba->med)))
			return c;
	}
	if ((a->flags & RIB_P_STALE) != (b->flags & RIB_P_STALE))
		return (a->flags & RIB_P_STALE) ? 1 : -1;
	if ((c = cmp_u32(ntohl(a->vtep), ntohl(b->vtep))))
		return c;
	as = rib_path_src(rib, a);
	bs = rib_path_src(rib, b);
	if (!as || !bs)
		return (int)bl - (int)al; /* our own against a remote path: decided above */
	ap = rib_peer_get(rib, as->peer);
	bp = rib_peer_get(rib, bs->peer);
	if (ap && bp) {
		if ((c = cmp_u32(ntohl(ap->router_id), ntohl(bp->router_id))) ||
		    (c = cmp_u32(ntohl(ap->address), ntohl(bp->address))))
			return c;
	}
	if ((c = cmp_u32(as->peer, bs->peer)))
		return c;
	if ((c = memcmp(as->rd, bs->rd, 8)))
		return c;
	return cmp_u32(as->etag, bs->etag);
}

bool rib_mac_remote_seq(const struct rib *rib, uint32_t vni, const uint8_t mac[6],
			uint32_t *seq)
{
	bool found = false;
	struct rib_grp gc;
	uint32_t g;

	*seq = 0;
	for (g = rib_macgrp_first(rib, &gc, vni, mac); g != RIB_NIL; g = rib_grp_next(rib, &gc)) {
		const struct rib_dest *d = rib_dest_at(rib, g);
		uint32_t i;

		for (i = d->head; i != RIB_NIL; i = rib->paths[i].next) {
			const struct rib_path *p = &rib->paths[i];

			if (p->src == RIB_NIL)
				continue;
			if (!found || p->seq > *seq)
				*seq = p->seq;
			found = true;
		}
	}
	return found;
}

/* RFC 7432 15.1: the MAC mobility sequence belongs to the MAC, not to one
 * (MAC, IP) route: "a PE receiving a MAC/IP Advertisement route for a MAC
 * address with a higher sequence number than the one it advertised
 * (MAC-only or MAC+IP) ... withdraws its own". Has our local path p lost
 * to a remote path of another destination of its (VNI, MAC) group (a
 * higher sequence, or a sticky MAC)? Within one destination the normal
 * comparison decides. */
static bool local_outranked(const struct rib *rib, const struct rib_dkey *k,
			    const struct rib_path *p)
{
	struct rib_grp gc;
	uint32_t g;

	if (k->type != EVPN_RT_MACIP || p->src != RIB_NIL || (p->flags & RIB_P_STICKY))
		return false;
	for (g = rib_macgrp_first(rib, &gc, k->vni, k->mac); g != RIB_NIL;
	     g = rib_grp_next(rib, &gc)) {
		const struct rib_dest *d = rib_dest_at(rib, g);
		uint32_t i;

		if (!memcmp(&d->k, k, sizeof(*k)))
			continue;
		for (i = d->head; i != RIB_NIL; i = rib->paths[i].next) {
			const struct rib_path *q = &rib->paths[i];

			if (q->src != RIB_NIL &&
			    ((q->flags & RIB_P_STICKY) || q->seq > p->seq))
				return true;
		}
	}
	return false;
}

/* Re-decides the other destinations of k's (VNI, MAC) group that hold a
 * local path: a change of a remote sequence there may make our route win
 * or lose (local_outranked). No destination is created or deleted. */
static void rerun_mac_group(struct rib *rib, const struct rib_dkey *k)
{
	struct rib_grp gc;
	uint32_t g;

	if (rib->mac_rerun || k->type != EVPN_RT_MACIP)
		return;
	rib->mac_rerun = true;
	for (g = rib_macgrp_first(rib, &gc, k->vni, k->mac); g != RIB_NIL;
	     g = rib_grp_next(rib, &gc)) {
		struct rib_dest *d = rib_dest_at(rib, g);
		struct rib_dkey gk = d->k;
		struct rib_sel before;

		if (!memcmp(&gk, k, sizeof(gk)))
			continue;
		rib_sel_get(rib, &gk, d, &before);
		if (before.has_local)
			rib_best_run(rib, &gk, d, &before);
	}
	rib->mac_rerun = false;
}

/* Is d frozen now? Clears an expired freeze. */
static bool frozen_now(struct rib *rib, const struct rib_dkey *k, struct rib_dest *d)
{
	const struct rib_dad *dd;

	if (!(d->flags & RIB_D_FROZEN))
		return false;
	dd = hashmap_get(&rib->dad, k);
	if (dd && rib_now(rib) < dd->frozen_until_ns)
		return true;
	d->flags &= ~RIB_D_FROZEN;
	hashmap_del(&rib->dad, k);
	return false;
}

static const char *where(const struct rib_sel *s, char buf[ADDR_IP_STRLEN + 8])
{
	if (s->local)
		return "this host";
	return addr_fmt_ip(s->vtep, buf);
}

/* Counts a move of d; freezes it at the moves-th move within the window. */
static void dad_note(struct rib *rib, const struct rib_dkey *k, struct rib_dest *d,
		     const struct rib_sel *after)
{
	uint64_t now, window;
	struct rib_dad *dd;
	bool created;
	char m[ADDR_MAC_STRLEN], a[RIB_IP_STRLEN], w[ADDR_IP_STRLEN + 8];

	rib_stat_add(&rib->st.moves, 1);
	if (!rib->dad_moves || !rib->dad_window_s)
		return;
	now = rib_now(rib);
	window = (uint64_t)rib->dad_window_s * 1000000000ull;
	dd = hashmap_put(&rib->dad, k, NULL, &created);
	if (!dd)
		return;
	if (created || now - dd->window_start_ns > window) {
		dd->window_start_ns = now;
		dd->moves = 0;
	}
	if (++dd->moves < rib->dad_moves)
		return;
	dd->frozen_until_ns = now + window;
	d->flags |= RIB_D_FROZEN;
	rib_stat_add(&rib->st.dad_frozen, 1);
	log_warn("rib: vni %u %s %s: duplicate address detected (%u moves in %u s); frozen "
		 "at %s for %u s", k->vni, addr_fmt_mac(k->mac, m),
		 k->plen ? rib_ip_fmt(rib, k->ip, a) : "(MAC only)", dd->moves, rib->dad_window_s,
		 where(after, w), rib->dad_window_s);
}

/* Is path p where the selection s is? */
static bool same_place(const struct rib_path *p, const struct rib_sel *s)
{
	if (s->local)
		return p->src == RIB_NIL;
	return p->src != RIB_NIL && p->vtep == s->vtep;
}

void rib_best_run(struct rib *rib, const struct rib_dkey *k, struct rib_dest *d,
		  const struct rib_sel *before)
{
	uint32_t i, best = RIB_NIL;
	struct rib_sel after;
	bool frozen = frozen_now(rib, k, d);

	/* While frozen, stay where we are if a path there remains. */
	if (frozen && before->has)
		for (i = d->head; i != RIB_NIL; i = rib->paths[i].next)
			if (same_place(&rib->paths[i], before) &&
			    (best == RIB_NIL ||
			     rib_path_cmp(rib, &rib->paths[i], &rib->paths[best]) < 0))
				best = i;
	if (best == RIB_NIL)
		for (i = d->head; i != RIB_NIL; i = rib->paths[i].next)
			if (!local_outranked(rib, k, &rib->paths[i]) &&
			    (best == RIB_NIL ||
			     rib_path_cmp(rib, &rib->paths[i], &rib->paths[best]) < 0))
				best = i;
	for (i = d->head; i != RIB_NIL; i = rib->paths[i].next)
		rib->paths[i].flags = (rib->paths[i].flags & ~RIB_P_BEST) |
				      (i == best ? RIB_P_BEST : 0);
	rib_sel_get(rib, k, d, &after);

	if (k->type == EVPN_RT_MACIP && before->has && after.has && after.seq > before->seq &&
	    (before->local != after.local || (!after.local && before->vtep != after.vtep))) {
		char m[ADDR_MAC_STRLEN], w1[ADDR_IP_STRLEN + 8], w2[ADDR_IP_STRLEN + 8];

		log_info("rib: vni %u %s moved from %s to %s (sequence %u -> %u)", k->vni,
			 addr_fmt_mac(k->mac, m), where(before, w1), where(&after, w2),
			 before->seq, after.seq);
		dad_note(rib, k, d, &after);
	}
	if (k->type == EVPN_RT_MACIP && before->local && after.has && !after.local) {
		char m[ADDR_MAC_STRLEN], w[ADDR_IP_STRLEN + 8];

		/* RFC 7432 15.2: a local MAC advertised as static elsewhere
		 * is an error for the operator to see. */
		if (after.flags & RIB_P_STICKY)
			log_warn("rib: vni %u %s is local here but %s advertises it as static "
				 "(sticky): our route is withdrawn", k->vni,
				 addr_fmt_mac(k->mac, m), where(&after, w));
		else if (after.seq == before->seq)
			log_warn("rib: vni %u %s is also at %s with the same sequence %u: the "
				 "lower VTEP address wins (RFC 7432 15.1)", k->vni,
				 addr_fmt_mac(k->mac, m), where(&after, w), after.seq);
	}
	if (sel_equal(before, &after))
		return;
	rib_sync_changed(rib, k, before, &after);
	/* Our own route is advertised exactly while it is the best. */
	if (rib->exp && k->type == EVPN_RT_MACIP && k->plen) {
		if (after.has && after.local)
			rib_ip_export_set(rib, k, after.seq);   /* either family */
		else if (before->local || before->has_local || after.has_local)
			rib_ip_export_del(rib, k);
	}
	/* Last, so that the keys the group shares (fdb) end with the answer
	 * after every local path of the MAC was re-decided. */
	rerun_mac_group(rib, k);
}

/* ---- changes to a destination's paths -------------------------------------------- */

int rib_path_insert(struct rib *rib, const struct rib_dkey *k, const struct rib_path *np,
		    const struct rib_rdkey *sk)
{
	struct rib_sel before;
	struct rib_dest *d;
	int err;

	err = rib_path_link(rib, k, np, sk, &d, &before);
	if (err)
		return err;
	rib_best_run(rib, k, d, &before);
	return 0;
}

void rib_path_remove(struct rib *rib, const struct rib_dkey *k, uint32_t idx, uint32_t prev)
{
	struct rib_sel before;
	struct rib_dest *d = rib_path_unlink(rib, k, idx, prev, &before);

	if (!d)
		return;
	rib_best_run(rib, k, d, &before);
	if (d->head == RIB_NIL)
		rib_dest_delete(rib, k);
}
