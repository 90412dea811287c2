/* decap.h - judging a frame that arrives on the uplink (DESIGN.md "VXLAN
 * arriving on the uplink"), shared by the XDP and the TC uplink programs.
 *
 * decap_classify() works on plain [data, data_end) pointers and the maps; it
 * never touches the packet or a context, so XDP (uplink_xdp.bpf.c) and TC
 * (uplink_tc.bpf.c) run the very same rules. It returns a verdict:
 *   DECAP_PASS         not VXLAN for us to judge (BGP, SSH, ARP, IPv6, other
 *                      UDP, non-first fragments): the host stack gets it;
 *   DECAP_DELIVER      VXLAN for our VTEP whose inner frame goes to the local
 *                      port res->ifindex (after stripping res->outer_len bytes
 *                      and, when res->set_dst, writing res->dst_mac as the
 *                      inner destination MAC; res->inner_arp says the inner
 *                      frame is ARP);
 *   DECAP_ARP_REPLY    an inner ARP request for a local workload's IP: the
 *                      program answers it itself, back to the asking VTEP
 *                      (decap_arp.h builds the reply from res->arp and
 *                      res->dst_mac, the workload's MAC);
 *   DECAP_ND_REPLY     an inner Neighbor Solicitation for a local workload's
 *                      IPv6 address: answered the same way (decap_nd.h);
 *   DECAP_DROP_*       VXLAN that is dropped: DROP(vx_*) (drop.h), so each
 *                      reason is its own counter by construction.
 * decap_count() bumps the counters a verdict says about the packet
 * (uplink_pass, vxlan_rx); the drop reason is counted at the program's one
 * exit with every other drop, and the delivery once it has really happened.
 *
 * Outer IPv4 rules (RFC 7348 s.5 says little; these follow the kernel's own
 * vxlan receive path where it matters):
 *   - options are skipped (ihl), as ip_rcv does;
 *   - a first fragment (MF set, offset 0) of VXLAN for our VTEP is dropped as
 *     drop_vx_malformed: we never reassemble, and VTEPs must not fragment
 *     (the underlay MTU is sized for the 50 bytes of encapsulation). A
 *     non-first fragment carries no UDP header, so nothing says it is VXLAN:
 *     it passes, and the host's reassembly discards it when its first
 *     fragment never comes (ipfrag_time);
 *   - a packet whose UDP header is cut off cannot be recognised as VXLAN and
 *     passes (the host stack drops it as truncated); from the VXLAN header on,
 *     truncation is drop_vx_malformed, as is an IPv4 total length or UDP
 *     length that does not fit the frame;
 *   - trailing bytes after the UDP payload (Ethernet padding) are not part of
 *     the inner frame: res->inner_len excludes them and the programs trim;
 *   - the outer UDP checksum is not verified (RFC 7348 s.5: a receiver MAY
 *     verify it; senders SHOULD send zero), nor the outer IPv4 header
 *     checksum: the Ethernet FCS covers the wire.
 */
#ifndef VTEP_DECAP_H
#define VTEP_DECAP_H

#include "maps.bpf.h"
#include "parse.h"
#include "stats.h"
#include "drop.h"
#include "vxlan.h"
#include "ipv6.h"
#include "nd.h"

/* The longest inner NS the uplink answers: the NS, a source link-layer
 * address and a nonce (RFC 7527), what any VTEP's workload sends. */
#define DECAP_ND_MAX    (sizeof(struct nd_neigh) + 16)

/* Bytes the classifier reads: outer Ethernet, IPv4 with the largest options,
 * UDP, VXLAN, inner Ethernet and the largest inner part it reads: an IPv6
 * header and an NS (DECAP_ND_MAX; an inner ARP is shorter). TC pulls this
 * much into the linear area first. */
#define DECAP_PULL_LEN  (ETH_HLEN + 60 + 8 + VXLAN_HLEN + ETH_HLEN + IPV6_HLEN + DECAP_ND_MAX)

enum decap_verdict {
	DECAP_PASS = 0,
	DECAP_DELIVER,
	DECAP_ARP_REPLY,
	DECAP_ND_REPLY,
	DECAP_DROP_MALFORMED = DROP(vx_malformed),
	DECAP_DROP_DST       = DROP(vx_dst),
	DECAP_DROP_VTEP      = DROP(vx_vtep),
	DECAP_DROP_VNI       = DROP(vx_vni),
	DECAP_DROP_NO_DEST   = DROP(vx_no_dest),
	DECAP_DROP_INNER     = DROP(vx_inner),
};

/* DECAP_ARP_REPLY: what the reply needs from the request, saved before the
 * programs cut the frame down to the reply's size. */
struct decap_arp {
	__u8   outer_src[ETH_ALEN]; /* the request's outer MACs */
	__u8   outer_dst[ETH_ALEN];
	__be32 remote;              /* outer source IP: the asking VTEP */
	__be32 local;               /* outer destination IP: our VTEP */
	__be16 sport;               /* the request's UDP source port */
	__be16 dport;               /* the VXLAN port */
	__u8   asker_mac[ETH_ALEN]; /* inner Ethernet source */
	union {
		struct {            /* DECAP_ARP_REPLY */
			__u8   asker_sha[ETH_ALEN];
			__be32 asker_ip;  /* spa (0.0.0.0 for an RFC 5227 probe) */
			__be32 target_ip; /* tpa: the local workload's IP */
		};
		struct {            /* DECAP_ND_REPLY */
			__u8 asker_ip6[16];  /* the NS's source (:: for DAD) */
			__u8 target_ip6[16]; /* the local workload's address */
			__u8 router;         /* the route has VTEP_RT_F_ROUTER */
		};
	};
};

struct decap_result {
	__u32 ifindex;    /* the local port to deliver to */
	__u32 vni;
	__u32 outer_len;  /* bytes before the inner Ethernet header */
	__u32 inner_len;  /* the inner frame's length (from the UDP length) */
	__u8  port_flags; /* VTEP_PORT_F_* of the destination port */
	__u8  set_dst;    /* write dst_mac as the inner destination MAC */
	__u8  dst_mac[ETH_ALEN];
	__u8  inner_arp;  /* the inner frame is ARP */
	__u8  inner_ip6;  /* the inner frame is IPv6 */
	__u8  pad[2];
	struct decap_arp arp; /* DECAP_ARP_REPLY only */
};

static __always_inline int decap_is_delivery(int verdict)
{
	return verdict == DECAP_DELIVER;
}

/* The destination must be a port of the packet's own VNI: VNIs are isolated
 * (DESIGN.md), so a stale or wrong route/fdb entry never leaks a frame into
 * another VNI. */
static __always_inline int decap_to_port(struct decap_result *res)
{
	struct vtep_port *port;
	__u32 ifindex = res->ifindex;

	port = bpf_map_lookup_elem(&vtep_ports, &ifindex);
	if (!port || port->vni != res->vni)
		return DECAP_DROP_NO_DEST;
	res->port_flags = port->flags;
	if (res->set_dst && mac_is_zero(res->dst_mac)) {
		/* The route carries no MAC yet: the port's (learned) one. */
		if (mac_is_zero(port->mac))
			return DECAP_DROP_NO_DEST;
		mac_copy(res->dst_mac, port->mac);
	}
	return DECAP_DELIVER;
}

/* A local host route (vtep == 0) for the inner destination IP. */
static __always_inline int decap_by_ip(__u32 ip, struct decap_result *res)
{
	struct vtep_route_key key = { .vni = res->vni, .ip = ip };
	struct vtep_route *rt;

	rt = bpf_map_lookup_elem(&vtep_routes, &key);
	if (!rt || rt->vtep)
		return DECAP_DROP_NO_DEST;
	res->ifindex = rt->ifindex;
	return decap_to_port(res);
}

/* A local fdb entry (vtep == 0) for the inner destination MAC. */
static __always_inline int decap_by_mac(const __u8 *mac, struct decap_result *res)
{
	struct vtep_fdb_key key = { .vni = res->vni };
	struct vtep_fdb *f;

	mac_copy(key.mac, mac);
	f = bpf_map_lookup_elem(&vtep_fdb, &key);
	if (!f || f->vtep)
		return DECAP_DROP_NO_DEST;
	res->ifindex = f->ifindex;
	return decap_to_port(res);
}

/* An inner ARP request for a local workload's IP is answered here, with the
 * workload's real MAC, back in VXLAN to the VTEP that asked (DESIGN.md:
 * "answer it ... or deliver it to that workload alone; never flood it").
 * Delivering it instead would not do: the workload's reply enters its port,
 * where a reply has nowhere to go but the host (arp.h). Not answered: a
 * target that is no local workload of this VNI (drop_vx_no_dest, as any
 * frame without a local destination), a request from a multicast or zero
 * MAC (the reply would be flooded at the other end) and an announcement
 * (spa == tpa: the asker claims the address itself, nothing to answer; the
 * RFC 5227 rule the port applies too): drop_vx_inner. */
static __always_inline int decap_arp_request(const struct ethhdr *eth,
					     const struct arp_eth_ipv4 *arp,
					     struct decap_result *res)
{
	struct decap_arp *a = &res->arp;
	int v;

	/* set_dst: decap_to_port() fills dst_mac with the port's MAC. */
	res->set_dst = 1;
	v = decap_by_ip(arp->tpa, res);
	if (v != DECAP_DELIVER)
		return v;
	if (mac_is_multicast(eth->h_source) || mac_is_zero(eth->h_source) ||
	    mac_is_multicast(arp->sha) || arp->spa == arp->tpa)
		return DECAP_DROP_INNER;
	mac_copy(a->asker_mac, eth->h_source);
	mac_copy(a->asker_sha, arp->sha);
	a->asker_ip = arp->spa;
	a->target_ip = arp->tpa;
	return DECAP_ARP_REPLY;
}

/* Inner ARP: a request is answered (above); anything else is an ordinary
 * unicast frame. */
static __always_inline int decap_inner_arp(struct cursor *c, const struct ethhdr *eth,
					   struct decap_result *res)
{
	struct arp_eth_ipv4 *arp;

	if (res->inner_len < ETH_HLEN + sizeof(*arp))
		return DECAP_DROP_MALFORMED;
	arp = cursor_pull(c, sizeof(*arp));
	if (!arp)
		return DECAP_DROP_MALFORMED;
	if (!arp_is_eth_ipv4(arp))
		return DECAP_DROP_INNER;
	if (arp->op == bpf_htons(ARPOP_REQUEST))
		return decap_arp_request(eth, arp, res);
	res->inner_arp = 1;
	if (mac_is_multicast(eth->h_dest))
		return DECAP_DROP_NO_DEST;
	return decap_by_mac(eth->h_dest, res);
}

/* A local IPv6 host route (vtep == 0) for the inner destination. */
static __always_inline int decap_by_ip6(const void *ip6, struct decap_result *res)
{
	struct vtep_route6_key key = { .vni = res->vni };
	struct vtep_route *rt;

	ip6_copy(key.ip, ip6);
	rt = bpf_map_lookup_elem(&vtep_routes6, &key);
	if (!rt || rt->vtep)
		return DECAP_DROP_NO_DEST;
	res->ifindex = rt->ifindex;
	res->arp.router = (rt->flags & VTEP_RT_F_ROUTER) != 0;
	return decap_to_port(res);
}

/* An inner NS for a local workload's IPv6 address is answered here, back
 * in VXLAN to the VTEP that asked, exactly as an inner ARP request is
 * (docs/design.md "VXLAN arriving on the uplink": answered, never
 * flooded). Delivering it to the workload would not do, for the same
 * reason: its NA enters its port, where an NA to a remote address has
 * nowhere to go (nd_proxy.h: drop_nd_other), and a multicast NS has no
 * single port to go to. The answer is the workload's own, as RFC 9161's
 * PE gives: its real MAC, S set (clear for DAD, sent to all-nodes, RFC 4861
 * s.7.2.4), O set, R from the route. The NS is judged by nd.h's rules
 * (hop limit, checksum, options; at most DECAP_ND_MAX octets, which is all
 * the linear area holds): a broken one is drop_vx_malformed. Not answered:
 * a target that is no local workload of this VNI (drop_vx_no_dest), a
 * request from a multicast or zero MAC, and a target that is the asker's
 * own source (drop_vx_inner). */
static __always_inline int decap_nd_request(const struct ethhdr *eth, const struct ipv6hdr *ip6,
					    void *data_end, struct decap_result *res)
{
	struct nd_info ni = { .type = ND_NEIGHBOR_SOLICIT };
	const struct nd_neigh *ns = (const void *)(ip6 + 1);
	struct decap_arp *a = &res->arp;
	__u32 len = bpf_ntohs(ip6->payload_len);
	int v;

	if (len > DECAP_ND_MAX || res->inner_len < ETH_HLEN + IPV6_HLEN + len)
		return DECAP_DROP_MALFORMED;
	if (nd_check(ip6, ns, len, DECAP_ND_MAX, data_end, NULL, &ni) != ND_OK)
		return DECAP_DROP_MALFORMED;
	res->set_dst = 1;
	v = decap_by_ip6(ns->target, res);
	if (v != DECAP_DELIVER)
		return v;
	if (mac_is_multicast(eth->h_source) || mac_is_zero(eth->h_source) ||
	    ip6_eq(&ip6->saddr, ns->target))
		return DECAP_DROP_INNER;
	mac_copy(a->asker_mac, eth->h_source);
	ip6_copy(a->asker_ip6, &ip6->saddr);
	ip6_copy(a->target_ip6, ns->target);
	return DECAP_ND_REPLY;
}

/* Inner IPv6: an NS is answered (above); anything else goes as IPv4 does,
 * by IPv6 destination to the gateway MAC, else by destination MAC. */
static __always_inline int decap_inner_ipv6(struct cursor *c, const struct ethhdr *eth,
					    const struct vtep_vni *vni, struct decap_result *res)
{
	struct ipv6hdr *ip6;
	__u8 *type;

	if (res->inner_len < ETH_HLEN + IPV6_HLEN)
		return DECAP_DROP_MALFORMED;
	ip6 = parse_ipv6(c);
	if (!ip6)
		return DECAP_DROP_MALFORMED;
	res->inner_ip6 = 1;
	type = (void *)(ip6 + 1);
	if (ip6->nexthdr == IPPROTO_ICMPV6 && (void *)(type + 1) <= c->end &&
	    *type == ND_NEIGHBOR_SOLICIT)
		return decap_nd_request(eth, ip6, c->end, res);
	if (mac_is_multicast(eth->h_dest))
		return DECAP_DROP_NO_DEST;
	if (!mac_eq(eth->h_dest, vni->gateway_mac))
		return decap_by_mac(eth->h_dest, res);
	res->set_dst = 1;
	return decap_by_ip6(&ip6->daddr, res);
}

/* The inner frame: to the VNI's gateway MAC it is routed by its IPv4 or
 * IPv6 destination (and gets the workload's real MAC, as local delivery
 * does); otherwise it is switched by its destination MAC. */
static __always_inline int decap_inner(struct cursor *c, const struct vtep_vni *vni,
				       struct decap_result *res)
{
	struct ethhdr *eth;
	struct iphdr *ip;

	eth = cursor_pull(c, ETH_HLEN);
	if (!eth)
		return DECAP_DROP_MALFORMED;
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return decap_inner_arp(c, eth, res);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return decap_inner_ipv6(c, eth, vni, res);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return DECAP_DROP_INNER;
	if (mac_is_multicast(eth->h_dest))
		return DECAP_DROP_NO_DEST;
	if (!mac_eq(eth->h_dest, vni->gateway_mac))
		return decap_by_mac(eth->h_dest, res);

	if (res->inner_len < ETH_HLEN + sizeof(*ip))
		return DECAP_DROP_MALFORMED;
	ip = cursor_pull(c, sizeof(*ip));
	if (!ip)
		return DECAP_DROP_MALFORMED;
	res->set_dst = 1;
	return decap_by_ip(ip->daddr, res);
}

/* pkt_len: the whole frame's length (XDP: data_end - data; TC: skb->len,
 * whose linear part [data, data_end) must hold DECAP_PULL_LEN bytes or all). */
static __always_inline int decap_classify(void *data, void *data_end, __u32 pkt_len,
					  struct decap_result *res)
{
	const struct vtep_global *g;
	struct vxlan_hdr *vx;
	struct vtep_vni *vni;
	struct udphdr *udp;
	struct iphdr *ip;
	struct ethhdr *eth;
	struct cursor c;
	__u32 zero = 0, hlen, tot_len, udp_len, saddr, vni_id;
	int v;

	g = bpf_map_lookup_elem(&vtep_global, &zero);
	if (!g || !g->vxlan_port || !g->vtep_ip)
		return DECAP_PASS;

	cursor_init(&c, data, data_end);
	eth = parse_eth(&c);
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return DECAP_PASS;
	ip = parse_ipv4(&c);
	if (!ip || ip->protocol != IPPROTO_UDP)
		return DECAP_PASS;
	hlen = ip->ihl * 4;
	if (hlen > sizeof(*ip) && !cursor_pull(&c, (hlen - sizeof(*ip)) & 0x3f))
		return DECAP_PASS;
	if (ip->frag_off & bpf_htons(IP_OFFMASK))
		return DECAP_PASS;
	udp = cursor_pull(&c, sizeof(*udp));
	if (!udp || udp->dest != g->vxlan_port)
		return DECAP_PASS;
	if (ip->daddr != g->vtep_ip)
		return DECAP_DROP_DST;

	/* VXLAN for our VTEP from here on. */
	if (ip->frag_off & bpf_htons(IP_MF))
		return DECAP_DROP_MALFORMED;
	tot_len = bpf_ntohs(ip->tot_len);
	udp_len = bpf_ntohs(udp->len);
	if (tot_len > pkt_len - ETH_HLEN || hlen + udp_len > tot_len ||
	    udp_len < sizeof(*udp) + VXLAN_HLEN + ETH_HLEN)
		return DECAP_DROP_MALFORMED;
	vx = cursor_pull(&c, sizeof(*vx));
	if (!vx || !(vx->flags & VXLAN_F_I))
		return DECAP_DROP_MALFORMED;

	saddr = ip->saddr;
	if (!bpf_map_lookup_elem(&vtep_remotes, &saddr))
		return DECAP_DROP_VTEP;
	vni_id = vxlan_vni(vx);
	vni = bpf_map_lookup_elem(&vtep_vnis, &vni_id);
	if (!vni)
		return DECAP_DROP_VNI;

	res->vni = vni_id;
	res->outer_len = ETH_HLEN + hlen + sizeof(*udp) + VXLAN_HLEN;
	res->inner_len = udp_len - sizeof(*udp) - VXLAN_HLEN;
	v = decap_inner(&c, vni, res);
	if (v == DECAP_ARP_REPLY || v == DECAP_ND_REPLY) {
		/* The outer half of what the reply needs (decap_arp_request
		 * saved the inner half). */
		mac_copy(res->arp.outer_src, eth->h_source);
		mac_copy(res->arp.outer_dst, eth->h_dest);
		res->arp.remote = ip->saddr;
		res->arp.local = ip->daddr;
		res->arp.sport = udp->source;
		res->arp.dport = udp->dest;
	}
	return v;
}

/* Counts what a verdict says about the packet: uplink_pass for PASS, and
 * vxlan_rx for everything addressed to our VTEP (all but PASS and
 * DROP_DST). A drop's reason is counted by the program's exit (drop.h),
 * a delivery by the program once it happened. */
static __always_inline void decap_count(int verdict)
{
	if (verdict == DECAP_PASS)
		STAT_INC(uplink_pass);
	else if (verdict != DECAP_DROP_DST)
		STAT_INC(vxlan_rx);
}

#endif /* VTEP_DECAP_H */
