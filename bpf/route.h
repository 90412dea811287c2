/* route.h - the overlay's IP forwarding table and what to do with a hit.
 *
 * A destination inside a VNI is looked up as a /32 host route first
 * (vtep_routes: local ports with vtep == 0, EVPN type-2 and static routes),
 * then as the longest prefix (vtep_prefixes, type-5). A local hit is
 * delivered straight into the target port; a remote one is for encap.h.
 * Destinations that are none of those may be the host's own addresses
 * (route_is_host); everything else is dropped ("no route, no pass").
 *
 * Functions ending in a verdict return a TC_ACT_* value they have counted,
 * or DROP(reason) (drop.h).
 */
#ifndef VTEP_ROUTE_H
#define VTEP_ROUTE_H

#include "features.h"
#include "maps.bpf.h"
#include "parse.h"
#include "stats.h"
#include "drop.h"
#include "tc.h"
#include "rcache.h"
#include "rtab.h"

/* Exact /32 first (this CPU's route cache, rcache.h; then the flat route
 * table, rtab.h, or vtep_routes itself when that has no answer), then the
 * longest prefix; *is_prefix tells which hit. A copy from the cache or the
 * table goes into *buf, which the answer then points to. */
static __always_inline struct vtep_route *route_lookup(__u32 vni, __be32 ip, int *is_prefix,
						       struct vtep_route *buf)
{
	struct vtep_route_key hk = { .vni = vni, .ip = ip };
	struct vtep_prefix_key pk = {
		.prefixlen = 32 + 32,
		.vni = bpf_htonl(vni),
		.ip = ip,
	};
	struct rcache_ref c;
	struct vtep_route *r;

	*is_prefix = 0;
	if (rcache_open(&c, vni, ip, buf))
		return buf;
	switch (rtab_lookup(vni, ip, buf)) {
	case RTAB_HIT:
		r = buf;
		break;
	case RTAB_ABSENT:
		r = NULL;
		break;
	default:
		r = bpf_map_lookup_elem(&vtep_routes, &hk);
	}
	if (r) {
		rcache_fill(&c, vni, ip, r);
		return r;
	}
	rcache_close(&c);
	*is_prefix = 1;
	return bpf_map_lookup_elem(&vtep_prefixes, &pk);
}

/* Local delivery: the VNI is one virtual segment, so the frame keeps the
 * sender's source MAC and TTL; only the destination MAC becomes the
 * target's real one. A veth is entered through its peer
 * (bpf_redirect_peer: straight into the workload's namespace, no second
 * pass through the host's backlog); a tap is transmitted into
 * (bpf_redirect egress = to the VM), and so is a veth with a root qdisc of
 * someone's (VTEP_PORT_F_SHAPED), whose limit the peer redirect would skip. */
static __always_inline int route_deliver_local(struct __sk_buff *skb, struct ethhdr *eth,
					       const struct vtep_route *r)
{
	__u32 ifindex = r->ifindex;
	struct vtep_port *dst = bpf_map_lookup_elem(&vtep_ports, &ifindex);
	const __u8 *mac = r->mac;

	/* A stale local route: its port is gone. */
	if (!dst)
		return DROP(no_route);
	if (mac_is_zero(mac))
		mac = dst->mac; /* route installed before the MAC was learned */
	if (mac_is_zero(mac))
		return DROP(no_route);
	mac_copy(eth->h_dest, mac);
	STAT_INC(fwd_local);
	return vtep_redirect_port(ifindex, dst->flags & VTEP_PORT_F_EGRESS);
}

/* Is daddr one of the host's own addresses? vtep_hostaddrs holds every
 * IPv4 address of the host's namespace (but 127/8), kept by vtepd from
 * netlink address events. The kernel's FIB cannot answer this question:
 * bpf_fib_lookup() returns BPF_FIB_LKUP_RET_NOT_FWDED for a local route, and
 * the same code when there is no route at all (net/core/filter.c maps every
 * fib_lookup() error but -EINVAL, -EHOSTUNREACH and -EACCES to NOT_FWDED), so
 * on a host without a default route every unroutable packet would reach the
 * stack instead of being dropped ("no route, no pass"). */
static __always_inline int route_is_host(__be32 daddr)
{
	return bpf_map_lookup_elem(&vtep_hostaddrs, &daddr) != NULL;
}

/* Hand the packet to the host stack. The frame is addressed to the gateway
 * MAC, which is not the host-side interface's own, so eth_type_trans()
 * marked it PACKET_OTHERHOST and ip_rcv() would drop it; re-marking the skb
 * is what counts (rewriting the MAC in the frame would not change
 * skb->pkt_type, which was decided before this hook ran). */
static __always_inline int route_to_host(struct __sk_buff *skb)
{
	if (bpf_skb_change_type(skb, PACKET_HOST))
		return DROP(no_route);
	STAT_INC(fwd_host);
	return TC_ACT_OK;
}

#endif /* VTEP_ROUTE_H */
