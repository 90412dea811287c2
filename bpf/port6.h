/* port6.h - IPv6 from a workload: the port program's branch for ethertype
 * 0x86dd (port_tc.bpf.c hands the frame over after its VLAN check, so the
 * IPv4 path does not change). The rules are IPv4's (docs/design.md "IPv6
 * from a workload"):
 *
 *   parse the fixed header (drop_malformed) -> [MAC learn: the first frame
 *   from the port's IPv6 address names an auto port's MAC] -> source MAC
 *   is the port's (drop_spoof_mac) -> the VNI has an IPv6 subnet
 *   (prefixlen6; else drop_ethertype, as every IPv6 frame was before) ->
 *   source is one of the port's own addresses: ip6, its link-local ip6_ll
 *   (the EUI-64 of its MAC when vtepd left it zero), or :: for an NS (DAD)
 *   or RS (drop_spoof_ip6)
 *     ND (ICMPv6 133..137 right behind the IPv6 header) -> nd_proxy.h
 *     multicast destination -> drop_bcast (nothing is flooded: MLD, mDNS)
 *     the gateway (global or link-local) -> icmp6.h echo reply, else drop
 *     vtep_routes6 / vtep_prefixes6 -> local port (route.h's delivery) |
 *       remote VTEP (encap.h; too big: icmp6.h Packet Too Big) ->
 *     a host address (vtep_hostaddrs6) -> the host stack -> drop_no_route
 *
 * Extension headers are forwarded as they are; only the gateway and ND
 * look behind the fixed header, and only at a next header of 58.
 */
#ifndef VTEP_PORT6_H
#define VTEP_PORT6_H

#include "maps.bpf.h"
#include "parse.h"
#include "stats.h"
#include "drop.h"
#include "tc.h"
#include "route.h"
#include "encap.h"
#include "ipv6.h"
#include "route6.h"
#include "nd.h"
#include "nd_proxy.h"
#include "icmp6.h"

/* An auto-MAC port before vtepd learned its MAC: the first frame from the
 * port's own IPv6 address names it (a VTEP_EV_MAC_LEARN event, family 6),
 * as port_unlearned() does for IPv4. */
static __always_inline int port6_unlearned(struct __sk_buff *skb, const struct vtep_port *port,
					   const __u8 *src_mac, const void *saddr)
{
	if (!ip6_is_zero(port->ip6) && ip6_eq(saddr, port->ip6) && !mac_is_zero(src_mac) &&
	    !mac_is_multicast(src_mac)) {
		event_emit6(VTEP_EV_MAC_LEARN, skb->ifindex, port->vni, port->ip6, src_mac);
		STAT_INC(mac_learn);
	}
	return DROP(mac_unknown);
}

/* To a remote VTEP: the MTU first (the Packet Too Big quotes the packet),
 * then the 50 bytes (encap.h, with an IPv6 inner). */
static __always_inline int port6_encap(struct __sk_buff *skb, struct ipv6hdr *ip6,
				       void *data_end, const struct vtep_route *r,
				       const struct vtep_port *port, const struct vtep_vni *v)
{
	__u32 zero = 0, l4_len = 8;
	__u8 proto = ip6->nexthdr;
	struct vtep_global *g = bpf_map_lookup_elem(&vtep_global, &zero);
	struct underlay u = {};
	int next;

	if (!g || !g->vtep_ip)
		return DROP(encap);
	if (skb->gso_size && proto == IPPROTO_TCP) {
		struct tcphdr *th = (void *)(ip6 + 1);

		if ((void *)(th + 1) > data_end)
			return DROP(malformed);
		l4_len = th->doff * 4;
	}
	next = encap_underlay(skb, g->vtep_ip, r->vtep,
			      encap_outer_len(skb, IPV6_HLEN, proto, l4_len), &u);
	if (next == ENCAP_NO_FIB)
		return DROP(fib);
	/* IPv6 has no DF to clear: a packet too big is always answered
	 * (RFC 8200 s.5, RFC 8201). */
	if (next == ENCAP_FRAG_NEEDED)
		return icmp6_too_big(skb, port, v, proto, u.mtu);
	return encap_vxlan(skb, r, port->vni, port, g, &u, next, proto,
			   ip6_flow_hash(ip6, data_end), ETH_P_IPV6);
}

/* The source is one of the port's addresses; :: only for what may come
 * from it (RFC 4861 s.4.1, s.4.3: an RS or an NS of DAD). */
static __always_inline int port6_src_ok(const struct vtep_port *port, const void *saddr,
					int nd_type)
{
	if (ip6_is_zero(saddr))
		return nd_type == ND_NEIGHBOR_SOLICIT || nd_type == ND_ROUTER_SOLICIT;
	return port6_is_own(port, saddr);
}

static __always_inline int port_ipv6(struct __sk_buff *skb, struct cursor *c, struct ethhdr *eth,
				     const struct vtep_port *port)
{
	struct ipv6hdr *ip6 = parse_ipv6(c);
	void *data_end = c->end;
	struct vtep_route *r;
	struct vtep_vni *v;
	__u32 vni = port->vni, plen;
	int is_prefix, nd_type = 0;

	if (!ip6)
		return DROP(malformed);
	/* The packet is as long as its header says (Ethernet padding may
	 * follow). */
	plen = bpf_ntohs(ip6->payload_len);
	if (plen > skb->len - ETH_HLEN - IPV6_HLEN)
		return DROP(malformed);
	if (mac_is_zero(port->mac))
		return port6_unlearned(skb, port, eth->h_source, &ip6->saddr);
	if (!mac_eq(eth->h_source, port->mac))
		return DROP(spoof_mac);
	v = bpf_map_lookup_elem(&vtep_vnis, &vni);
	if (!v)
		return DROP(no_port);
	/* A VNI without an IPv6 subnet has no IPv6. */
	if (!v->prefixlen6)
		return DROP(ethertype);
	if (ip6->nexthdr == IPPROTO_ICMPV6) {
		__u8 *type = (void *)(ip6 + 1);

		if ((void *)(type + 1) <= data_end && *type >= ND_ROUTER_SOLICIT &&
		    *type <= ND_REDIRECT)
			nd_type = *type;
	}
	if (!port6_src_ok(port, &ip6->saddr, nd_type))
		return DROP(spoof_ip6);
	if (nd_type)
		return nd_handle(skb, port, v, nd_type, plen);
	/* Nothing is flooded: multicast (MLD, mDNS, ...) has nowhere to go. */
	if (mac_is_multicast(eth->h_dest) || ip6_is_multicast(&ip6->daddr))
		return DROP(bcast);
	if (vni6_is_gateway(v, &ip6->daddr))
		return icmp6_echo_reply(skb, eth, ip6, data_end, v);

	r = route6_lookup(vni, &ip6->daddr, &is_prefix);
	if (r) {
		if (!r->vtep)
			return route_deliver_local(skb, eth, r);
		return port6_encap(skb, ip6, data_end, r, port, v);
	}
	if (route6_is_host(&ip6->daddr))
		return route_to_host(skb);
	/* No route, no pass (docs/design.md). */
	return DROP(no_route);
}

#endif /* VTEP_PORT6_H */
