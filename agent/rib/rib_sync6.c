/* rib_sync6.c - the IPv6 half of rib_sync.c: best paths whose destination
 * key holds an IPv6 address's id (rib_ip6.h) as BGP-sourced entries of
 * vtep_routes6 and vtep_prefixes6.
 *
 *   type 2 with IPv6  vtep_routes6{vni, ip6} -> {vtep, mac, seq, BGP,
 *                     sticky, router (RFC 9047 R flag of the holder's
 *                     ARP/ND community: the ND proxy answers with R)}
 *   type 5, IPv6      vtep_prefixes6{32 + len, htonl(vni), prefix} -> {vtep,
 *   with a router's   mac = the router's MAC (inner destination MAC,
 *   MAC               RFC 9135 8.1), BGP}
 *
 * The answer at a key is rib_sync.c's (rib_sync_route_at, the IP group of
 * the id: which MAC holds the address, a local workload first, MAC
 * mobility, RFC 7432 15), asked with the id in place of an IPv4 address;
 * this file only turns map keys into ids and back. vtep_fdb and
 * vtep_remotes need nothing of their own: a MAC's entry and a VTEP's
 * count do not depend on the family.
 */
#include "rib_priv.h"

#include <string.h>

#include "mapsync.h"

/* The map key of IPv6 destination k (a MAC+IPv6 route's /128 or an IPv6
 * prefix): 1 route, 2 prefix, 0 none. */
static int key6_of(const struct rib *rib, const struct rib_dkey *k,
		   struct vtep_route6_key *rk, struct vtep_prefix6_key *pk)
{
	const uint8_t *a = rib_ip6_addr(rib, k->ip);

	if (!a)
		return 0;
	if (k->type == EVPN_RT_MACIP) {
		memset(rk, 0, sizeof(*rk));
		rk->vni = k->vni;
		memcpy(rk->ip, a, 16);
		return 1;
	}
	if (k->type == EVPN_RT_PREFIX) {
		memset(pk, 0, sizeof(*pk));
		pk->prefixlen = 32u + k->plen;
		pk->vni = htonl(k->vni);
		memcpy(pk->ip, a, 16);
		return 2;
	}
	return 0;
}

bool rib_sync6_pending(const struct rib *rib, const struct rib_dkey *k)
{
	struct vtep_route6_key rk;
	struct vtep_prefix6_key pk;

	switch (rib->ms ? key6_of(rib, k, &rk, &pk) : 0) {
	case 1:
		return mapsync_pending_route6(rib->ms, &rk);
	case 2:
		return mapsync_pending_prefix6(rib->ms, &pk);
	default:
		return false;
	}
}

int rib_sync6_changed(struct rib *rib, const struct rib_dkey *k)
{
	struct vtep_route6_key rk;
	struct vtep_prefix6_key pk;
	struct vtep_route v;
	bool over = false;

	switch (rib->ms ? key6_of(rib, k, &rk, &pk) : 0) {
	case 1:
		if (rib_sync_route_at(rib, k->vni, k->ip, &v, &over))
			return mapsync_bgp_set_route6(rib->ms, &rk, &v, over);
		return mapsync_bgp_set_route6(rib->ms, &rk, NULL, false);
	case 2:
		return mapsync_bgp_set_prefix6(rib->ms, &pk,
					       rib_sync_prefix_at(rib, k, &v) ? &v : NULL);
	default:
		return 0;
	}
}

bool rib_sync6_route(void *ctx, const struct vtep_route6_key *k, struct vtep_route *out,
		     bool *over_local)
{
	const struct rib *rib = ctx;
	uint32_t id = rib_ip6_find(rib, k->ip);

	*over_local = false;
	return id && rib_sync_route_at(rib, k->vni, id, out, over_local);
}

bool rib_sync6_prefix(void *ctx, const struct vtep_prefix6_key *pk, struct vtep_route *out)
{
	const struct rib *rib = ctx;
	struct rib_dkey k;

	if (pk->prefixlen < 32 || pk->prefixlen > 32 + 128)
		return false;
	memset(&k, 0, sizeof(k));
	k.vni = ntohl(pk->vni);
	k.ip = rib_ip6_find(rib, pk->ip);
	k.type = EVPN_RT_PREFIX;
	k.plen = (uint8_t)(pk->prefixlen - 32);
	return k.ip && rib_sync_prefix_at(rib, &k, out);
}
