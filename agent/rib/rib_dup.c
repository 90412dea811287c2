/* rib_dup.c - duplicate addresses: one (VNI, IP) held by two workloads.
 *
 * An address is a duplicate while two or more different MACs hold it with a
 * best path at the same time at different locations: a local workload here
 * and a remote VTEP, or two remote VTEPs (two pods given the same IP by
 * overlapping IPAM ranges, two clusters sharing a VNI). Each such MAC is a
 * destination (VNI, MAC, IP) of its own, so best path selection and MAC
 * mobility (RFC 7432 15, rib_best.c) never compare them: the datapath keeps
 * one holder (rib_sync.c: a local workload first, then the highest
 * sequence, the lowest VTEP, the lowest MAC) and the other workload's
 * traffic goes to the wrong place. `bgp.dad` cannot see it either: it counts
 * moves of one (VNI, MAC, IP) destination. RFC 9161 3.6 (duplicate IP
 * detection of the ARP/ND proxy) and draft-ietf-bess-evpn-irb-extended-
 * mobility (an IP that moves to a new MAC) describe the same condition from
 * the address's side; vtepd reports it and changes nothing: which workload
 * is right is the operator's call, and the datapath already chose one.
 *
 * Not duplicates:
 *   - the same MAC at another place (a move): one destination, MAC mobility
 *     decides (RFC 7432 15.1);
 *   - two MACs at the same place (two interfaces of one host, a pod
 *     re-created on the same node with a new MAC);
 *   - a MAC with several IPs;
 *   - an address that moved to a new MAC at another place once the old
 *     MAC's route is gone (a pod deleted on one node, re-created on
 *     another: its IP moves with a new MAC).
 * The overlap of that last case: decisions are taken at the end of a flush
 * (rib_dup_flush: after a whole read burst of UPDATEs, or a port change,
 * was applied), not at each route. So a withdrawal and an announcement that
 * arrive in one burst, in either order, never report anything. A pod is
 * deleted before its successor is created (CNI DEL, then ADD elsewhere), so
 * the old node's withdrawal normally precedes the new route everywhere; only
 * when it comes later (another session, a peer in graceful restart whose
 * stale route waits for End-of-RIB) is the overlap reported, as a duplicate
 * that starts and ends within that delay (counted once in
 * vtepd_bgp_duplicate_addresses_total). No timer: a grace delay would need
 * one and would hide real duplicates for that long.
 *
 * Cost: rib_sync_changed() calls rib_dup_touch() for every change of a
 * MAC+IP destination's selection; it marks the (VNI, IP) only when its
 * group has a second destination or the address is a known duplicate (one
 * look at an index line rib_sync just read), so 1M routes with distinct
 * addresses cost nothing more than that look. The flush walks the marked
 * groups only: never the whole table. State is kept only for addresses
 * that are duplicates now (dups), so each is reported once when it starts
 * (a warning naming every holder and the one the datapath uses) and once
 * when it ends (info).
 *
 * IPv6 addresses are ids (rib_ip6.h): the dirty set and the duplicate table
 * hold a reference to each id they name, so the address is still known when
 * its last destination is gone (the "resolved" line names it).
 */
#include "rib_priv.h"

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "log.h"

/* A local port's name by (VNI, MAC): where a local holder is. */
struct dup_lkey {
	uint32_t vni;
	uint8_t  mac[6];
	uint8_t  pad[2];
};

#define DUP_SHOW 4   /* holders named in one log line; the rest are counted */

struct dup_holder {
	uint8_t  mac[6];
	bool     local;
	uint32_t vtep;
};

int rib_dup_init(struct rib *rib)
{
	int err;

	err = hashmap_init(&rib->dup_dirty, sizeof(struct rib_ipkey), 0, 0);
	err = err ?: hashmap_init(&rib->dups, sizeof(struct rib_ipkey), sizeof(struct rib_dup), 0);
	err = err ?: hashmap_init(&rib->port_names, sizeof(struct dup_lkey), RIB_IFNAME_LEN, 0);
	return err;
}

void rib_dup_free(struct rib *rib)
{
	/* The IPv6 references go with the id table (rib_ip6_free). */
	hashmap_free(&rib->dup_dirty);
	hashmap_free(&rib->dups);
	hashmap_free(&rib->port_names);
}

static void lkey(struct dup_lkey *lk, uint32_t vni, const uint8_t mac[6])
{
	memset(lk, 0, sizeof(*lk));
	lk->vni = vni;
	memcpy(lk->mac, mac, 6);
}

void rib_dup_port(struct rib *rib, const struct vtep_port *old, const struct vtep_port *cur)
{
	struct dup_lkey lk;
	char name[RIB_IFNAME_LEN];

	if (old) {
		lkey(&lk, old->vni, old->mac);
		hashmap_del(&rib->port_names, &lk);
	}
	if (cur && !addr_mac_is_zero(cur->mac)) {
		lkey(&lk, cur->vni, cur->mac);
		memset(name, 0, sizeof(name));
		memcpy(name, cur->ifname, sizeof(cur->ifname));   /* name[16] stays NUL */
		hashmap_put(&rib->port_names, &lk, name, NULL);  /* only for logs */
	}
}

/* An id's reference for a table that names it (IPv6 only): false when
 * there is none to take (out of memory), and then the table must not name
 * it, or its drop would take a reference someone else holds. */
static bool ip_hold(struct rib *rib, uint32_t ip)
{
	const uint8_t *a;

	if (!rib_ip_is6(ip))
		return true;
	a = rib_ip6_addr(rib, ip);
	return a && rib_ip6_intern(rib, a) == ip;   /* the same id, one more reference */
}

static void ip_drop(struct rib *rib, uint32_t ip)
{
	if (rib_ip_is6(ip))
		rib_ip6_put(rib, ip);
}

void rib_dup_touch(struct rib *rib, const struct rib_dkey *k)
{
	struct rib_ipkey ik = { .vni = k->vni, .ip = k->ip };
	struct rib_grp gc;
	bool created;

	if (k->type != EVPN_RT_MACIP || !k->plen)
		return;
	if (!hashmap_count(&rib->dups) || !hashmap_get(&rib->dups, &ik)) {
		/* Alone in its group (the usual address): nothing to decide. */
		if (rib_ipgrp_first(rib, &gc, k->vni, k->ip) == RIB_NIL ||
		    rib_grp_next(rib, &gc) == RIB_NIL)
			return;
	}
	if (!hashmap_put(&rib->dup_dirty, &ik, NULL, &created)) {
		log_err("rib: out of memory marking an address for duplicate detection");
		return;
	}
	if (created && !ip_hold(rib, ik.ip)) {
		hashmap_del(&rib->dup_dirty, &ik);
		log_err("rib: out of memory marking an address for duplicate detection");
	}
}

/* The holders of (vni, ip): destinations of its group with a best path.
 * Up to max in h; returns how many there are, *dup whether two of them are
 * at different places. */
static size_t holders(const struct rib *rib, const struct rib_ipkey *ik, struct dup_holder *h,
		      size_t max, bool *dup)
{
	struct dup_holder first = { .local = false };
	struct rib_grp gc;
	size_t n = 0;
	uint32_t g;

	*dup = false;
	for (g = rib_ipgrp_first(rib, &gc, ik->vni, ik->ip); g != RIB_NIL;
	     g = rib_grp_next(rib, &gc)) {
		const struct rib_dest *d = rib_dest_at(rib, g);
		struct dup_holder x;
		struct rib_sel s;

		rib_sel_get(rib, &d->k, d, &s);
		/* No best path: not held here (our local path lost to its
		 * MAC's higher sequence elsewhere: a move, RFC 7432 15.1). */
		if (!s.has)
			continue;
		memcpy(x.mac, d->k.mac, 6);
		x.local = s.local;
		x.vtep = s.local ? 0 : s.vtep;
		if (!n)
			first = x;
		else if (x.local != first.local || x.vtep != first.vtep)
			*dup = true;
		if (n < max)
			h[n] = x;
		n++;
	}
	return n;
}

/* "MAC at port NAME" / "MAC at VTEP A" appended to buf. */
static void fmt_holder(const struct rib *rib, uint32_t vni, const struct dup_holder *h,
		       char *buf, size_t len)
{
	char m[ADDR_MAC_STRLEN], a[ADDR_IP_STRLEN];
	size_t used = strlen(buf);
	struct dup_lkey lk;
	const char *name;

	if (used >= len)
		return;
	addr_fmt_mac(h->mac, m);
	if (!h->local) {
		snprintf(buf + used, len - used, "%s at VTEP %s", m, addr_fmt_ip(h->vtep, a));
		return;
	}
	lkey(&lk, vni, h->mac);
	name = hashmap_get(&rib->port_names, &lk);
	if (name && *name)
		snprintf(buf + used, len - used, "%s at port %s (this host)", m, name);
	else
		snprintf(buf + used, len - used, "%s at this host", m);
}

/* Which holder the datapath forwards the address to: rib_sync's answer
 * for the key (a remote holder), or the local workload (mapsync prefers a
 * local port to BGP). */
static void fmt_used(const struct rib *rib, const struct rib_ipkey *ik,
		     const struct dup_holder *h, size_t n, char *buf, size_t len)
{
	struct vtep_route v;
	struct dup_holder u;
	bool over = false;
	size_t i;

	buf[0] = 0;
	if (rib_sync_route_at(rib, ik->vni, ik->ip, &v, &over)) {
		memcpy(u.mac, v.mac, 6);
		u.local = false;
		u.vtep = v.vtep;
		fmt_holder(rib, ik->vni, &u, buf, len);
		return;
	}
	for (i = 0; i < n; i++)
		if (h[i].local) {
			fmt_holder(rib, ik->vni, &h[i], buf, len);
			return;
		}
	snprintf(buf, len, "none");
}

static void dup_start(struct rib *rib, const struct rib_ipkey *ik, const struct dup_holder *h,
		      size_t n)
{
	struct rib_dup *dp;
	char a[RIB_IP_STRLEN], list[DUP_SHOW * 64 + 32], used[96];
	bool created;
	size_t i;

	dp = hashmap_put(&rib->dups, ik, NULL, &created);
	if (!dp) {
		log_err("rib: out of memory recording a duplicate address");
		return;
	}
	if (!ip_hold(rib, ik->ip)) {
		hashmap_del(&rib->dups, ik);
		log_err("rib: out of memory recording a duplicate address");
		return;
	}
	dp->since_ns = rib_now(rib);
	rib_stat_add(&rib->st.dup_addrs, 1);
	rib_stat_add(&rib->st.dup_detected, 1);
	list[0] = 0;
	for (i = 0; i < n && i < DUP_SHOW; i++) {
		if (i)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		fmt_holder(rib, ik->vni, &h[i], list, sizeof(list));
	}
	if (n > DUP_SHOW)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), " and %zu more",
			 n - DUP_SHOW);
	fmt_used(rib, ik, h, n < DUP_SHOW ? n : DUP_SHOW, used, sizeof(used));
	log_warn("rib: vni %u %s: duplicate address: held by %zu MACs at different places: %s; "
		 "the datapath uses %s. Two workloads have this address: check the address "
		 "ranges (RFC 9161 3.6)", ik->vni,
		 rib_ip_fmt(rib, ik->ip, a), n, list, used);
}

static void dup_end(struct rib *rib, const struct rib_ipkey *ik, const struct rib_dup *dp,
		    const struct dup_holder *h, size_t n)
{
	char a[RIB_IP_STRLEN], now[96];
	uint64_t t = rib_now(rib);
	double s = t > dp->since_ns ? (double)(t - dp->since_ns) / 1e9 : 0;

	now[0] = 0;
	if (n)
		fmt_holder(rib, ik->vni, &h[0], now, sizeof(now));
	log_info("rib: vni %u %s: duplicate address resolved after %.1f s: %s%s", ik->vni,
		 rib_ip_fmt(rib, ik->ip, a), s, n ? "held by " : "no longer held",
		 n ? now : "");
	rib_stat_add(&rib->st.dup_addrs, -1);
}

/* Decides one marked address. */
static void evaluate(struct rib *rib, const struct rib_ipkey *ik)
{
	struct dup_holder h[DUP_SHOW];
	struct rib_dup *dp = hashmap_get(&rib->dups, ik);
	bool dup;
	size_t n = holders(rib, ik, h, DUP_SHOW, &dup);

	if (dup && !dp) {
		dup_start(rib, ik, h, n);
	} else if (!dup && dp) {
		dup_end(rib, ik, dp, h, n);
		hashmap_del(&rib->dups, ik);
		ip_drop(rib, ik->ip);
	}
	/* still a duplicate, or still none: reported already / nothing to say */
}

void rib_dup_flush(struct rib *rib)
{
	const struct rib_ipkey *ik;
	size_t pos = 0;

	if (!hashmap_count(&rib->dup_dirty))
		return;
	while ((ik = hashmap_next(&rib->dup_dirty, &pos, NULL)))
		evaluate(rib, ik);
	pos = 0;
	while ((ik = hashmap_next(&rib->dup_dirty, &pos, NULL)))
		ip_drop(rib, ik->ip);
	hashmap_clear(&rib->dup_dirty);
}

bool rib_dup_is(const struct rib *rib, const struct rib_dkey *k)
{
	struct rib_ipkey ik = { .vni = k->vni, .ip = k->ip };

	return k->type == EVPN_RT_MACIP && k->plen && hashmap_count(&rib->dups) &&
	       hashmap_get(&rib->dups, &ik);
}
