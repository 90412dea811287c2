/* encap.h - VXLAN encapsulation towards a remote VTEP (RFC 7348) and the
 * underlay next hop.
 *
 * Order of work for a packet to a remote route (see port_tc.bpf.c):
 *   1. encap_outer_len(): the largest outer IPv4 packet this skb becomes
 *      (per segment for GSO);
 *   2. encap_underlay(): the kernel FIB for the outer destination: egress
 *      ifindex, MACs, and the path MTU check (so ECMP underlays, several
 *      uplinks and route MTUs all come from the kernel), remembered per
 *      (remote VTEP, port) in vtep_underlay for up to 100 ms;
 *   3. encap_vxlan(): push and fill the 50 bytes, then redirect, or
 *      return DROP(encap) (drop.h) when the kernel refuses the headroom.
 *
 * Frame after encap_vxlan():
 *   outer Ethernet (FIB MACs) | IPv4 vtep_ip -> route.vtep, TTL 64, DF as
 *   inner, checksum | UDP sport 49152 + hash % 16384, dport vxlan_port,
 *   checksum 0 (RFC 7348 s.5) | VXLAN I flag + VNI | inner Ethernet
 *   route.mac <- workload MAC | the original IPv4 packet, untouched.
 */
#ifndef VTEP_ENCAP_H
#define VTEP_ENCAP_H

#include "features.h"
#include "maps.bpf.h"
#include "parse.h"
#include "csum.h"
#include "stats.h"
#include "drop.h"
#include "tc.h"
#include "vxlan.h"
#include "ipv6.h"

/* The inner IPv4 header after the pushed headers (vxlan.h VXLAN_OFF_*). */
#define ENCAP_OFF_IIP   (VXLAN_OFF_INNER + ETH_HLEN)

enum encap_next {
	ENCAP_REDIRECT,       /* neighbour known: MACs filled, bpf_redirect */
	ENCAP_REDIRECT_NEIGH, /* next hop unresolved: bpf_redirect_neigh */
	ENCAP_FRAG_NEEDED,    /* the outer packet exceeds the path MTU */
	ENCAP_NO_FIB,         /* no usable underlay route */
};

struct underlay {
	__u32 ifindex;
	__u16 mtu;            /* ENCAP_FRAG_NEEDED: the path MTU */
	__u8 smac[ETH_ALEN];
	__u8 dmac[ETH_ALEN];
};

/* The outer UDP source port's flow hash (RFC 7348 s.5: "a hash of fields
 * from the inner packet"): addresses, protocol and, for TCP, UDP and SCTP
 * when the packet is not a fragment, both ports (every fragment of one
 * packet then hashes alike; ports are in the first fragment only). Computed
 * here from the header already parsed: bpf_get_hash_recalc() runs the
 * kernel's flow dissector for every skb that arrives without a hash (a VM's
 * tap, a forwarded frame), which measured ~80 ns per packet. The mix is
 * murmur3's 32-bit finalizer over a multiply-add of the fields. */
static __always_inline __u32 encap_flow_hash(const struct iphdr *ip, __u32 ip_len,
					     void *data_end)
{
	__u32 h, ports = 0;
	const __u32 *l4 = (const void *)ip + (ip_len & 0x3c);

	if ((ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP ||
	     ip->protocol == IPPROTO_SCTP) && !(ip->frag_off & bpf_htons(IP_MF | IP_OFFMASK)) &&
	    (const void *)(l4 + 1) <= data_end)
		ports = *l4;
	h = ip->saddr * 0x9e3779b1u + ip->daddr * 0x85ebca77u + ports * 0xc2b2ae3du +
	    ip->protocol;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The biggest outer IPv4 packet the encapsulated skb will put on the wire.
 * A GSO skb is cut into segments after encapsulation: a TCP one with its
 * MSS lowered by the 50 bytes (bpf_skb_adjust_room without FIXED_GSO), so
 * each outer segment is as long as an inner segment was; a UDP one
 * (UDP_SEGMENT, SKB_GSO_UDP_L4) keeps its segment size, as the kernel
 * requires (BPF_F_ADJ_ROOM_FIXED_GSO), so each segment grows by 50.
 * l4_len is the TCP header length (doff * 4) or 8 for UDP. */
static __always_inline __u32 encap_outer_len(struct __sk_buff *skb, __u32 ip_len, __u8 proto,
					     __u32 l4_len)
{
	__u32 gso = skb->gso_size;
	__u32 len;

	if (!gso)
		len = skb->len - ETH_HLEN + VTEP_ENCAP_LEN;
	else if (proto == IPPROTO_UDP)
		len = ip_len + l4_len + gso + VTEP_ENCAP_LEN;
	else
		len = ip_len + l4_len + gso;
	return len > 0xffff ? 0xffff : len;
}

/* One kernel FIB lookup for dst with an outer packet of tot_len bytes. The
 * lookup runs as for a packet received on the workload port (input mode,
 * iif = the port: BPF_FIB_LOOKUP_OUTPUT would pin the next hop to the port
 * itself), so the port needs IPv4 forwarding on. Passing tot_len makes the
 * kernel compare it with the route's MTU (ip_mtu_from_fib_result: a route
 * `mtu` metric or a PMTU exception, else the device MTU) and return
 * FRAG_NEEDED with mtu_result, before it looks for the neighbour. */
static __always_inline long encap_fib(struct __sk_buff *skb, struct bpf_fib_lookup *p,
				      __be32 src, __be32 dst, __u32 tot_len)
{
	__builtin_memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->l4_protocol = IPPROTO_UDP;
	p->tot_len = tot_len;
	p->ifindex = skb->ifindex;
	p->ipv4_src = src;
	p->ipv4_dst = dst;
	return bpf_fib_lookup(skb, p, sizeof(*p), 0);
}

/* A resolved answer goes into vtep_underlay with the route's MTU, which a
 * second lookup with the largest tot_len reads: SUCCESS does not report it,
 * FRAG_NEEDED does (mtu_result; the kernel returns it before it sets the
 * egress ifindex or looks for the neighbour). SUCCESS again means the MTU
 * is 65535 or more. Any other answer (the route changed in between) caches
 * nothing: the next packet asks again. */
static __always_inline void encap_underlay_save(struct __sk_buff *skb, __be32 src, __be32 dst,
						const struct underlay *u)
{
	struct vtep_underlay_key k = { .vtep = dst, .ifindex = skb->ifindex };
	struct vtep_underlay c = {};
	struct bpf_fib_lookup p;
	long rc = encap_fib(skb, &p, src, dst, 0xffff);

	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		c.mtu = p.mtu_result;
	else if (rc == BPF_FIB_LKUP_RET_SUCCESS && p.ifindex == u->ifindex)
		c.mtu = 0xffff;
	else
		return;
	c.expires_ns = vtep_now_ns() + VTEP_UNDERLAY_TTL_NS;
	c.ifindex = u->ifindex;
	mac_copy(c.smac, u->smac);
	mac_copy(c.dmac, u->dmac);
	bpf_map_update_elem(&vtep_underlay, &k, &c, BPF_ANY);
}

/* Underlay next hop for dst. The kernel's answer depends on the remote VTEP
 * and on the port (the lookup's input interface: ip rules may match it), so
 * vtep_underlay caches it per (VTEP, port); a cached answer serves while it
 * is fresh and the packet fits its MTU. Anything else (a miss, an expired
 * entry, a packet above the cached MTU, so FRAG_NEEDED is always the
 * kernel's own verdict) asks the kernel. Staleness is bounded by
 * VTEP_UNDERLAY_TTL_NS, and vtepd deletes entries on underlay changes.
 * ECMP: the lookup hashes only the outer addresses (no ports are passed),
 * so one (VTEP, port) always took one path; caching keeps that. */
static __always_inline int encap_underlay(struct __sk_buff *skb, __be32 src, __be32 dst,
					  __u32 outer_len, struct underlay *u)
{
	struct vtep_underlay_key k = { .vtep = dst, .ifindex = skb->ifindex };
	struct vtep_underlay *c = bpf_map_lookup_elem(&vtep_underlay, &k);
	struct bpf_fib_lookup p;
	long rc;

	if (c && outer_len <= c->mtu && vtep_now_ns() < c->expires_ns) {
		u->ifindex = c->ifindex;
		mac_copy(u->smac, c->smac);
		mac_copy(u->dmac, c->dmac);
		return ENCAP_REDIRECT;
	}
	rc = encap_fib(skb, &p, src, dst, outer_len);
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		u->ifindex = p.ifindex;
		mac_copy(u->smac, p.smac);
		mac_copy(u->dmac, p.dmac);
		encap_underlay_save(skb, src, dst, u);
		return ENCAP_REDIRECT;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		/* params->ifindex is set before the neighbour lookup. */
		u->ifindex = p.ifindex;
		return ENCAP_REDIRECT_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		u->mtu = p.mtu_result;
		return ENCAP_FRAG_NEEDED;
	default:
		return ENCAP_NO_FIB;
	}
}

/* Pushes the 50 bytes and fills every header; returns a final verdict.
 * From an inner IPv4 header the outer one copies DF (DESIGN.md), the TOS
 * byte (DSCP and ECN survive the tunnel, RFC 6040's normal mode) and the id
 * (outer ids keep varying should the underlay fragment a non-DF packet).
 * An inner IPv6 packet (inner_proto ETH_P_IPV6, a constant at every call,
 * so the IPv4 path compiles as before) gives its traffic class, and the
 * outer packet always has DF, id 0 (an atomic datagram, RFC 6864 s.4.1):
 * IPv6 is never fragmented in transit (RFC 8200 s.5), so neither is the
 * tunnel carrying it. The adjust_room flags are the same for both: they
 * describe the outer headers (IPv4, UDP) and say the inner frame starts
 * with Ethernet (BPF_F_ADJ_ROOM_ENCAP_L2_ETH: inner_protocol ETH_P_TEB, so
 * GSO segments the inner IPv6 TCP or UDP by its own Ethernet header); with
 * ENCAP_L3_IPV4 the kernel switches an IPv6 skb's protocol to ETH_P_IP
 * (bpf_skb_net_grow). hash is encap_flow_hash() or ip6_flow_hash() of the
 * inner packet. */
static __always_inline int encap_vxlan(struct __sk_buff *skb, const struct vtep_route *r,
				       __u32 vni, const struct vtep_port *port,
				       const struct vtep_global *g, const struct underlay *u,
				       int next, __u8 proto, __u32 hash, __u16 inner_proto)
{
	__u64 flags = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_UDP |
		      BPF_F_ADJ_ROOM_ENCAP_L2_ETH |
		      ((__u64)(ETH_HLEN & BPF_ADJ_ROOM_ENCAP_L2_MASK) << BPF_ADJ_ROOM_ENCAP_L2_SHIFT);
	struct ethhdr *outer_eth, *inner_eth;
	struct vxlan_hdr *vx;
	struct iphdr *oip, *inner;
	void *data, *data_end;
	struct udphdr *udp;
	__u32 len;

	if (skb->gso_size && proto == IPPROTO_UDP)
		flags |= BPF_F_ADJ_ROOM_FIXED_GSO;
	if (bpf_skb_adjust_room(skb, VTEP_ENCAP_LEN, BPF_ADJ_ROOM_MAC, flags))
		return DROP(encap);
	data = skb_data(skb);
	data_end = skb_data_end(skb);
	outer_eth = data;
	oip = data + VXLAN_OFF_IP;
	udp = data + VXLAN_OFF_UDP;
	vx = data + VXLAN_OFF_VX;
	inner_eth = data + VXLAN_OFF_INNER;
	inner = data + ENCAP_OFF_IIP;
	if ((void *)(inner + 1) > data_end)
		return DROP(encap);
	len = skb->len - ETH_HLEN;

	if (next == ENCAP_REDIRECT) {
		mac_copy(outer_eth->h_dest, u->dmac);
		mac_copy(outer_eth->h_source, u->smac);
	}
	/* For bpf_redirect_neigh the kernel fills the outer MACs. */
	outer_eth->h_proto = bpf_htons(ETH_P_IP);

	oip->version = 4;
	oip->ihl = 5;
	if (inner_proto == ETH_P_IPV6) {
		struct ipv6hdr *inner6 = (void *)inner;

		if ((void *)(inner6 + 1) > data_end)
			return DROP(encap);
		oip->tos = ip6_tclass(inner6);
		oip->id = 0;
		oip->frag_off = bpf_htons(IP_DF);
	} else {
		oip->tos = inner->tos;
		oip->id = inner->id;
		oip->frag_off = inner->frag_off & bpf_htons(IP_DF);
	}
	oip->tot_len = bpf_htons(len);
	oip->ttl = VTEP_OUTER_TTL;
	oip->protocol = IPPROTO_UDP;
	oip->check = 0;
	oip->saddr = g->vtep_ip;
	oip->daddr = r->vtep;
	oip->check = csum_ipv4_hdr(oip);

	udp->source = bpf_htons(VXLAN_SPORT_BASE + (hash & VXLAN_SPORT_MASK));
	udp->dest = g->vxlan_port ? g->vxlan_port : bpf_htons(VTEP_VXLAN_PORT);
	udp->len = bpf_htons(len - sizeof(struct iphdr));
	udp->check = 0;

	vxlan_hdr_write(vx, vni);

	mac_copy(inner_eth->h_dest, r->mac);
	mac_copy(inner_eth->h_source, port->mac);
	inner_eth->h_proto = bpf_htons(inner_proto);

	STAT_INC(fwd_encap);
	if (next == ENCAP_REDIRECT)
		return bpf_redirect(u->ifindex, 0);
	return bpf_redirect_neigh(u->ifindex, NULL, 0, 0);
}

#endif /* VTEP_ENCAP_H */
