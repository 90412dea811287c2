/* route.h - the overlay's IP forwarding table and what to do with a hit.
 *
 * A destination inside a VNI is looked up as a /32 host route first
 * (vtep_routes: local ports with vtep == 0, EVPN type-2 and static routes),
 * then as the longest prefix (vtep_prefixes, type-5). A local hit is
 * delivered straight into the target port; a remote one is for encap.h.
 * Destinations that are none of those may be the host's own addresses
 * (route_is_host); everything else is dropped ("no route, no pass").
 *
 * Functions ending in a verdict return a TC_ACT_* value and count it.
 */
#ifndef VTEP_ROUTE_H
#define VTEP_ROUTE_H

#include "maps.bpf.h"
#include "parse.h"
#include "stats.h"
#include "tc.h"

/* Exact /32 first, then the longest prefix; *is_prefix tells which hit. */
static __always_inline struct vtep_route *route_lookup(__u32 vni, __be32 ip, int *is_prefix)
{
	struct vtep_route_key hk = { .vni = vni, .ip = ip };
	struct vtep_prefix_key pk = {
		.prefixlen = 32 + 32,
		.vni = bpf_htonl(vni),
		.ip = ip,
	};
	struct vtep_route *r;

	*is_prefix = 0;
	r = bpf_map_lookup_elem(&vtep_routes, &hk);
	if (r)
		return r;
	*is_prefix = 1;
	return bpf_map_lookup_elem(&vtep_prefixes, &pk);
}

/* Local delivery: the VNI is one virtual segment, so the frame keeps the
 * sender's source MAC and TTL; only the destination MAC becomes the
 * target's real one. A veth is entered through its peer
 * (bpf_redirect_peer: straight into the workload's namespace, no second
 * pass through the host's backlog); a tap is transmitted into
 * (bpf_redirect egress = to the VM). */
static __always_inline int route_deliver_local(struct __sk_buff *skb, struct ethhdr *eth,
					       const struct vtep_route *r)
{
	__u32 ifindex = r->ifindex;
	struct vtep_port *dst = bpf_map_lookup_elem(&vtep_ports, &ifindex);
	const __u8 *mac = r->mac;

	if (!dst) {
		/* A stale local route: its port is gone. */
		STAT_INC(drop_no_route);
		return TC_ACT_SHOT;
	}
	if (mac_is_zero(mac))
		mac = dst->mac; /* route installed before the MAC was learned */
	if (mac_is_zero(mac)) {
		STAT_INC(drop_no_route);
		return TC_ACT_SHOT;
	}
	mac_copy(eth->h_dest, mac);
	STAT_INC(fwd_local);
	if (dst->flags & VTEP_PORT_F_TAP)
		return bpf_redirect(ifindex, 0);
	return bpf_redirect_peer(ifindex, 0);
}

/* Is daddr one of the host's own addresses? Asks the kernel's FIB the way
 * the stack would for a packet received on the port: a local (or broadcast)
 * route answers BPF_FIB_LKUP_RET_NOT_FWDED (bpf_ipv4_fib_lookup returns it
 * for every res.type other than RTN_UNICAST). The kernel gives the same
 * answer when it has no route at all (-ENETUNREACH is mapped to NOT_FWDED
 * too), so a host without a default route passes unroutable packets to its
 * stack, which drops them itself; `ip route add unreachable default metric
 * 4294967295` makes that case exact. A forwardable route (SUCCESS,
 * NO_NEIGH, FRAG_NEEDED) means "elsewhere": not ours to route.
 * The lookup needs IPv4 forwarding enabled on the port
 * (net.ipv4.conf.<port>.forwarding), else FWD_DISABLED = not the host. */
static __always_inline int route_is_host(struct __sk_buff *skb, __be32 saddr, __be32 daddr)
{
	struct bpf_fib_lookup p = {};

	p.family = AF_INET;
	p.ifindex = skb->ifindex;
	p.ipv4_src = saddr;
	p.ipv4_dst = daddr;
	return bpf_fib_lookup(skb, &p, sizeof(p), 0) == BPF_FIB_LKUP_RET_NOT_FWDED;
}

/* Hand the packet to the host stack. The frame is addressed to the gateway
 * MAC, which is not the host-side interface's own, so eth_type_trans()
 * marked it PACKET_OTHERHOST and ip_rcv() would drop it; re-marking the skb
 * is what counts (rewriting the MAC in the frame would not change
 * skb->pkt_type, which was decided before this hook ran). */
static __always_inline int route_to_host(struct __sk_buff *skb)
{
	if (bpf_skb_change_type(skb, PACKET_HOST)) {
		STAT_INC(drop_no_route);
		return TC_ACT_SHOT;
	}
	STAT_INC(fwd_host);
	return TC_ACT_OK;
}

#endif /* VTEP_ROUTE_H */
