/* route6.h - the overlay's IPv6 forwarding table: route.h's rules for
 * IPv6 (docs/design.md "IPv6 from a workload").
 *
 * A destination inside a VNI is looked up as a /128 host route first
 * (vtep_routes6: local ports with vtep == 0, EVPN type-2 and static
 * routes), then as the longest prefix (vtep_prefixes6, type-5). What a hit
 * leads to is IPv4's: route.h's route_deliver_local() for a local port,
 * encap.h for a remote VTEP. Destinations that are none of those may be the
 * host's own addresses (vtep_hostaddrs6, route6_is_host); everything else
 * is dropped ("no route, no pass").
 */
#ifndef VTEP_ROUTE6_H
#define VTEP_ROUTE6_H

#include "maps.bpf.h"
#include "ipv6.h"

/* Both keys in one buffer: the host route key lies exactly over the
 * prefix key's vni and address (offsets 4 and 8), so the address is copied
 * once and the stack holds 24 bytes, not 44 (the port program's stack is
 * near the verifier's 512). */
union route6_keys {
	struct vtep_prefix6_key pk;
	struct {
		__u32 pad;
		struct vtep_route6_key hk;
	} h;
};
_Static_assert(__builtin_offsetof(union route6_keys, h.hk.ip) ==
	       __builtin_offsetof(struct vtep_prefix6_key, ip), "route6_keys overlay");

/* Exact /128 first, then the longest prefix; *is_prefix tells which hit. */
static __always_inline struct vtep_route *route6_lookup(__u32 vni, const void *ip,
							 int *is_prefix)
{
	union route6_keys k;
	struct vtep_route *r;

	k.h.hk.vni = vni;
	ip6_copy(k.h.hk.ip, ip);
	*is_prefix = 0;
	r = bpf_map_lookup_elem(&vtep_routes6, &k.h.hk);
	if (r)
		return r;
	k.pk.prefixlen = 32 + 128;
	k.pk.vni = bpf_htonl(vni);
	*is_prefix = 1;
	return bpf_map_lookup_elem(&vtep_prefixes6, &k.pk);
}

/* A local host route (vtep == 0) for ip in vni, or NULL. */
static __always_inline struct vtep_route *route6_local(__u32 vni, const void *ip)
{
	struct vtep_route6_key hk = { .vni = vni };
	struct vtep_route *r;

	ip6_copy(hk.ip, ip);
	r = bpf_map_lookup_elem(&vtep_routes6, &hk);
	return r && !r->vtep ? r : NULL;
}

/* Is daddr one of the host's own IPv6 addresses (vtep_hostaddrs6, kept by
 * vtepd)? For the same reason as route_is_host(): bpf_fib_lookup() cannot
 * tell a local route from no route. */
static __always_inline int route6_is_host(const void *daddr)
{
	__u8 key[16];

	ip6_copy(key, daddr);
	return bpf_map_lookup_elem(&vtep_hostaddrs6, key) != NULL;
}

#endif /* VTEP_ROUTE6_H */
