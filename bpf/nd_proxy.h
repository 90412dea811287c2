/* nd_proxy.h - Neighbor Discovery on a workload port: the ND proxy (RFC
 * 4861, as an EVPN PE's proxy ND, RFC 9161), router advertisements, and the
 * announcements vtepd learns from (docs/design.md "IPv6 from a workload").
 *
 * Every host answers its workloads' ND itself; nothing is flooded. The
 * caller (port6.h) has parsed the frame, checked that the source MAC is the
 * port's and that the IPv6 source is one of the port's own addresses or the
 * unspecified address, and found an ICMPv6 message of an ND type. nd_handle()
 * pulls the whole message into the linear area, validates it (nd.h:
 * malformed -> drop_nd_malformed, hop limit -> drop_nd_hoplimit), checks
 * every link-layer address option against the port's MAC (drop_spoof_mac),
 * and:
 *   - NS for the VNI's gateway (global, gateway_ip6, or link-local, the
 *     EUI-64 of gateway_mac: the address RAs come from, so the one hosts
 *     resolve for their default router), for another local workload, or for
 *     a remote host or prefix known in the VNI: answered with an NA, written
 *     over the NS and sent back out of the port. The NA's link-layer address
 *     is the gateway MAC (arp_reply "gateway", the default) or the target's
 *     real MAC from its host route (arp_reply "real"; the gateway MAC when
 *     the route has no MAC or the match is a prefix). Flags (s.4.4):
 *       R  for the gateway, and for a route flagged VTEP_RT_F_ROUTER (RFC
 *          9047's R flag, carried in the route);
 *       S  unless the NS came from the unspecified address (s.7.2.4);
 *       O  when the answer is the target's own MAC: the gateway's (we are
 *          it), or a host route's real MAC, for which RFC 9161 (s.3.2) and
 *          RFC 9047 have the PE answer as the owner would, with O set, so
 *          a cache holding a MAC that moved or changed is overwritten.
 *          Clear when the gateway MAC stands in for another address: that
 *          is proxy service (s.7.2.4, s.7.2.8: "the Override flag SHOULD be
 *          set to zero"), which must not override what a cache learned
 *          elsewhere.
 *   - duplicate address detection (NS from ::, RFC 4862 s.5.4.2): answered,
 *     to all-nodes (s.7.2.4), only when the target belongs to someone else
 *     (the gateway, another workload, a known remote host); for the
 *     asker's own address it is never answered (drop_nd_self), so its DAD
 *     succeeds; an unknown target is free: drop_nd_unknown, no answer;
 *   - NS for the asker's own address (not DAD): drop_nd_self;
 *   - NS for an unknown target: drop_nd_unknown, never flooded;
 *   - RS: answered with an RA from the gateway's link-local address (s.6.2.6:
 *     unicast to the asker, or to all-nodes when it asked from ::), with a
 *     router lifetime, the gateway MAC as source link-layer address, the port
 *     device's MTU (when the loader says the kernel has bpf_check_mtu,
 *     features.h), and a
 *     Prefix Information option with the VNI's subnet6, L and A set, only
 *     when the VNI has VTEP_VNI_F_SLAAC (RFC 4862);
 *   - unsolicited NA (S clear) for one of the port's own addresses: a
 *     VTEP_EV_GARP event (family 6) for vtepd, MAC mobility as for a
 *     gratuitous ARP, then dropped (nd_announce);
 *   - solicited NA to one of the host's addresses (vtep_hostaddrs6) or to a
 *     link-local address: the host's own NS for the workload (sent through
 *     the port's /128 route from the host-side address); passed up
 *     (nd_pass). Nobody else can have asked through this port.
 *   - anything else (RA: a workload is no router here, RFC 6105's guard;
 *     Redirect; other NAs): drop_nd_other.
 *
 * Replies keep the frame's skb: resized to the reply's exact length
 * (bpf_skb_change_tail), every byte written, sent with bpf_redirect() to
 * the port's own ifindex (egress towards the workload), like arp.h. A
 * resize the kernel refuses is drop_encap (the kernel refused the room).
 */
#ifndef VTEP_ND_PROXY_H
#define VTEP_ND_PROXY_H

#include "maps.bpf.h"
#include "features.h"
#include "parse.h"
#include "stats.h"
#include "drop.h"
#include "tc.h"
#include "ipv6.h"
#include "nd.h"
#include "route6.h"

/* RA contents (RFC 4861 s.6.2.1 defaults): the hop limit hosts should use,
 * a router lifetime of 3 x MaxRtrAdvInterval (600 s), and the prefix
 * lifetimes AdvValidLifetime and AdvPreferredLifetime. */
#define RA_CUR_HOP_LIMIT     64
#define RA_ROUTER_LIFETIME   1800
#define RA_VALID_LIFETIME    2592000
#define RA_PREFERRED_LIFETIME 604800

/* The frames the proxy sends, from the Ethernet header on. */
#define ND_NA_FRAME_LEN      (ETH_HLEN + ND_NA_LEN)
#define ND_RA_FRAME_MAX      (ETH_HLEN + IPV6_HLEN + sizeof(struct nd_ra) + 8 + 8 + \
			      sizeof(struct nd_opt_prefix))

/* a is one of the port's own addresses (global or link-local). */
static __always_inline int port6_is_own(const struct vtep_port *port, const void *a)
{
	if (!ip6_is_zero(port->ip6) && ip6_eq(a, port->ip6))
		return 1;
	if (!ip6_is_zero(port->ip6_ll))
		return ip6_eq(a, port->ip6_ll);
	return ip6_is_ll_of_mac(a, port->mac);
}

/* a is the VNI's gateway: its global address or its link-local one. */
static __always_inline int vni6_is_gateway(const struct vtep_vni *v, const void *a)
{
	if (!ip6_is_zero(v->gateway_ip6) && ip6_eq(a, v->gateway_ip6))
		return 1;
	return ip6_is_ll_of_mac(a, v->gateway_mac);
}

struct nd_answer {
	__u8  mac[ETH_ALEN];
	__u32 flags; /* ND_NA_F_ROUTER, ND_NA_F_OVERRIDE */
};

/* Who answers for target in this VNI, with which MAC and flags; -1 when
 * the target is unknown. */
static __always_inline int nd_target(__u32 vni, const struct vtep_vni *v, const void *target,
				     struct nd_answer *a)
{
	struct vtep_route *r;
	int is_prefix;

	if (vni6_is_gateway(v, target)) {
		mac_copy(a->mac, v->gateway_mac);
		a->flags = ND_NA_F_ROUTER | ND_NA_F_OVERRIDE;
		return 0;
	}
	r = route6_lookup(vni, target, &is_prefix);
	if (!r)
		return -1;
	a->flags = (r->flags & VTEP_RT_F_ROUTER) ? ND_NA_F_ROUTER : 0;
	if (v->arp_reply == VTEP_ARP_REPLY_REAL && !is_prefix && !mac_is_zero(r->mac)) {
		mac_copy(a->mac, r->mac);
		a->flags |= ND_NA_F_OVERRIDE;
	} else {
		mac_copy(a->mac, v->gateway_mac);
	}
	return 0;
}

/* Resizes the frame to len and returns its start with len bytes checked,
 * or NULL. */
static __always_inline void *nd_frame(struct __sk_buff *skb, __u32 len)
{
	void *data, *data_end;

	if (skb->len != len && bpf_skb_change_tail(skb, len, 0))
		return NULL;
	if (skb_data_end(skb) - skb_data(skb) < len && bpf_skb_pull_data(skb, len))
		return NULL;
	data = skb_data(skb);
	data_end = skb_data_end(skb);
	if (data + len > data_end)
		return NULL;
	return data;
}

/* The answer's destination, in place of the asker's address and MAC
 * (copies out of the frame, which the answer overwrites): the asker, or
 * all-nodes when it asked from :: (RFC 4861 s.6.2.6, s.7.2.4). Returns
 * whether it was ::. */
static __always_inline int nd_answer_dst(__u8 *mac, __u8 *ip)
{
	if (!ip6_is_zero(ip))
		return 0;
	ip6_all_nodes(ip);
	ip6_mcast_mac(mac, ip);
	return 1;
}

/* NS -> NA (RFC 4861 s.7.2.4), over the solicitation. asker_mac and
 * asker_ip (stack copies) become the answer's destination. */
static __always_inline int nd_answer_ns(struct __sk_buff *skb, const struct vtep_port *port,
					const struct vtep_vni *v, __u8 *asker_mac,
					__u8 *asker_ip, const __u8 *target)
{
	struct nd_answer a;
	struct ethhdr *eth;
	void *data;

	if (port6_is_own(port, target))
		return DROP(nd_self);
	if (nd_target(port->vni, v, target, &a))
		return DROP(nd_unknown);
	if (!nd_answer_dst(asker_mac, asker_ip))
		a.flags |= ND_NA_F_SOLICITED;
	data = nd_frame(skb, ND_NA_FRAME_LEN);
	if (!data)
		return DROP(encap);
	eth = data;
	mac_copy(eth->h_dest, asker_mac);
	mac_copy(eth->h_source, a.mac);
	eth->h_proto = bpf_htons(ETH_P_IPV6);
	if (nd_na_write(data + ETH_HLEN, data + ND_NA_FRAME_LEN, target, asker_ip, a.mac,
			a.flags))
		return DROP(encap);
	STAT_INC(nd_reply);
	return bpf_redirect(skb->ifindex, 0);
}

/* Writes the RA (RFC 4861 s.4.2, s.6.2.3) from the IPv6 header on: with_mtu
 * and with_pio are constants at each call, so every layout has constant
 * offsets and length. */
static __always_inline int nd_ra_write(void *ip6p, void *data_end, const struct vtep_vni *v,
				       const __u8 *src, const __u8 *dst, __u32 mtu,
				       const int with_mtu, const int with_pio)
{
	const __u32 len = sizeof(struct nd_ra) + sizeof(struct nd_opt_lla) +
			  (with_mtu ? sizeof(struct nd_opt_mtu) : 0) +
			  (with_pio ? sizeof(struct nd_opt_prefix) : 0);
	struct ipv6hdr *ip6 = ip6p;
	struct nd_ra *ra = ip6p + IPV6_HLEN;
	struct nd_opt_lla *sl = (void *)(ra + 1);
	void *next = sl + 1;
	int csum;

	if (ip6p + IPV6_HLEN + len > data_end)
		return -1;
	*(__be32 *)ip6 = bpf_htonl(0x60000000);
	ip6->payload_len = bpf_htons(len);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = ND_HOP_LIMIT;
	ip6_copy(&ip6->saddr, src);
	ip6_copy(&ip6->daddr, dst);
	ra->type = ND_ROUTER_ADVERT;
	ra->code = 0;
	ra->check = 0;
	ra->cur_hop_limit = RA_CUR_HOP_LIMIT;
	ra->flags = 0; /* no DHCPv6: neither M nor O */
	ra->router_lifetime = bpf_htons(RA_ROUTER_LIFETIME);
	ra->reachable_time = 0; /* unspecified: the host's own */
	ra->retrans_timer = 0;
	sl->type = ND_OPT_SLLA;
	sl->len = 1;
	mac_copy(sl->mac, v->gateway_mac);
	if (with_mtu) {
		struct nd_opt_mtu *mo = next;

		mo->type = ND_OPT_MTU;
		mo->len = 1;
		mo->reserved = 0;
		mo->mtu = bpf_htonl(mtu);
		next = mo + 1;
	}
	if (with_pio) {
		struct nd_opt_prefix *pi = next;

		pi->type = ND_OPT_PREFIX;
		pi->len = 4;
		pi->prefix_len = v->prefixlen6;
		pi->flags = ND_PI_F_ONLINK | ND_PI_F_AUTO;
		pi->valid_lifetime = bpf_htonl(RA_VALID_LIFETIME);
		pi->preferred_lifetime = bpf_htonl(RA_PREFERRED_LIFETIME);
		pi->reserved2 = 0;
		ip6_copy(pi->prefix, v->subnet6);
	}
	csum = icmp6_csum(ip6, ra, len);
	if (csum < 0)
		return -1;
	ra->check = (__sum16)csum;
	return 0;
}

/* The frame's length for an RA of that layout. */
#define ND_RA_FRAME_LEN(with_mtu, with_pio)                                             \
	(ETH_HLEN + IPV6_HLEN + sizeof(struct nd_ra) + sizeof(struct nd_opt_lla) +     \
	 ((with_mtu) ? sizeof(struct nd_opt_mtu) : 0) + ((with_pio) ? sizeof(struct nd_opt_prefix) : 0))

static __always_inline int nd_ra_frame(struct __sk_buff *skb, const struct vtep_vni *v,
				       const __u8 *emac, const __u8 *src, const __u8 *dst,
				       __u32 mtu, const int with_mtu, const int with_pio)
{
	const __u32 flen = ND_RA_FRAME_LEN(with_mtu, with_pio);
	struct ethhdr *eth;
	void *data = nd_frame(skb, flen);

	if (!data)
		return -1;
	eth = data;
	mac_copy(eth->h_dest, emac);
	mac_copy(eth->h_source, v->gateway_mac);
	eth->h_proto = bpf_htons(ETH_P_IPV6);
	return nd_ra_write(data + ETH_HLEN, data + flen, v, src, dst, mtu, with_mtu, with_pio);
}

/* RS -> RA (RFC 4861 s.6.2.6), over the solicitation. asker_mac and
 * asker_ip (stack copies) become the answer's destination. */
static __always_inline int nd_answer_rs(struct __sk_buff *skb, const struct vtep_vni *v,
					__u8 *asker_mac, __u8 *asker_ip)
{
	int pio = (v->flags & VTEP_VNI_F_SLAAC) != 0;
	__u8 src[16];
	__u32 mtu = 0;
	int err;

	ip6_ll_from_mac(src, v->gateway_mac);
	nd_answer_dst(asker_mac, asker_ip);
	/* The port device's MTU: bpf_check_mtu() reports it whatever it
	 * answers about this skb. */
	if (vtep_have_check_mtu)
		bpf_check_mtu(skb, 0, &mtu, 0, 0);
	if (mtu && pio)
		err = nd_ra_frame(skb, v, asker_mac, src, asker_ip, mtu, 1, 1);
	else if (mtu)
		err = nd_ra_frame(skb, v, asker_mac, src, asker_ip, mtu, 1, 0);
	else if (pio)
		err = nd_ra_frame(skb, v, asker_mac, src, asker_ip, 0, 0, 1);
	else
		err = nd_ra_frame(skb, v, asker_mac, src, asker_ip, 0, 0, 0);
	if (err)
		return DROP(encap);
	STAT_INC(ra_reply);
	return bpf_redirect(skb->ifindex, 0);
}

/* A VTEP_EV_GARP or VTEP_EV_MAC_LEARN event for an IPv6 address (events.h
 * for IPv4; the same record with family 6). */
static __always_inline void event_emit6(__u32 type, __u32 ifindex, __u32 vni, const void *ip6,
					const __u8 *mac)
{
	struct vtep_event *e = bpf_ringbuf_reserve(&vtep_events, sizeof(*e), 0);

	if (!e) {
		STAT_INC(events_lost);
		return;
	}
	e->type = type;
	e->ifindex = ifindex;
	e->vni = vni;
	e->ip = 0;
	mac_copy(e->mac, mac);
	e->family = 6;
	e->pad = 0;
	ip6_copy(e->ip6, ip6);
	bpf_ringbuf_submit(e, 0);
}

/* A NA from the workload (RFC 4861 s.7.2.6 unsolicited, or an answer). */
static __always_inline int nd_na(struct __sk_buff *skb, const struct vtep_port *port,
				 const struct ipv6hdr *ip6, const struct nd_neigh *n)
{
	if (!(n->flags & bpf_htonl(ND_NA_F_SOLICITED))) {
		if (!port6_is_own(port, n->target))
			return DROP(nd_other);
		event_emit6(VTEP_EV_GARP, skb->ifindex, port->vni, n->target, port->mac);
		STAT_INC(nd_announce);
		return TC_ACT_SHOT;
	}
	if (ip6_is_multicast(&ip6->daddr) ||
	    (!route6_is_host(&ip6->daddr) && !ip6_is_linklocal(&ip6->daddr)))
		return DROP(nd_other);
	STAT_INC(nd_pass);
	return TC_ACT_OK;
}

/* The ND message of the given type at IPv6 payload offset; len is the
 * payload length (bounded by the caller to the frame). */
static __always_inline int nd_handle(struct __sk_buff *skb, const struct vtep_port *port,
				     const struct vtep_vni *v, __u8 type, __u32 len)
{
	__u8 asker_mac[ETH_ALEN], asker_ip[16], target[16];
	const __u32 off = ETH_HLEN + IPV6_HLEN;
	struct nd_info ni = { .type = type };
	struct ipv6hdr *ip6;
	struct ethhdr *eth;
	void *data, *data_end, *msg;
	int rc;

	/* A router is not a workload's to be (RFC 6105), nor are redirects. */
	if (type != ND_NEIGHBOR_SOLICIT && type != ND_NEIGHBOR_ADVERT &&
	    type != ND_ROUTER_SOLICIT)
		return DROP(nd_other);
	if (len > ND_MAX_LEN)
		return DROP(nd_malformed);
	if (skb_data_end(skb) - skb_data(skb) < off + len)
		bpf_skb_pull_data(skb, off + len);
	data = skb_data(skb);
	data_end = skb_data_end(skb);
	eth = data;
	ip6 = data + ETH_HLEN;
	msg = data + off;
	if (msg > data_end)
		return DROP(malformed);
	rc = nd_check(ip6, msg, len, ND_MAX_LEN, data_end, port->mac, &ni);
	if (rc == ND_HOPLIMIT)
		return DROP(nd_hoplimit);
	if (rc == ND_SPOOF)
		return DROP(spoof_mac);
	if (rc != ND_OK)
		return DROP(nd_malformed);
	if (type == ND_NEIGHBOR_ADVERT)
		return nd_na(skb, port, ip6, msg);
	mac_copy(asker_mac, eth->h_source);
	ip6_copy(asker_ip, &ip6->saddr);
	if (type == ND_ROUTER_SOLICIT)
		return nd_answer_rs(skb, v, asker_mac, asker_ip);
	ip6_copy(target, ((struct nd_neigh *)msg)->target);
	return nd_answer_ns(skb, port, v, asker_mac, asker_ip, target);
}

#endif /* VTEP_ND_PROXY_H */
