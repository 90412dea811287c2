// SPDX-License-Identifier: GPL-2.0
/* port_tc.bpf.c - TC ingress on every workload port (the host-side end of a
 * veth, or a tap): what leaves a workload enters the overlay here.
 *
 * The pipeline only; each stage lives in its own header and returns a final
 * verdict: a TC verdict it has counted (arp_reply, fwd_local, ...), or
 * DROP(reason) (drop.h), which only says why. Drops are counted in one
 * place, port_drop(), the program's single exit for them:
 *
 *   port lookup -> police.h (the port's egress limit, when it has one)
 *   -> parse Ethernet (no VLAN)
 *     ARP  -> [MAC learn] -> anti-spoof -> arp.h (proxy, GARP events)
 *     IPv4 -> [MAC learn] -> anti-spoof -> unicast only
 *          -> to the gateway IP: icmp.h echo reply, else drop
 *          -> route.h lookup: local port (redirect; a host-NATed flow's
 *             reply passes up, ctsteer.h) | remote VTEP (encap.h, or icmp.h
 *             fragmentation-needed) | host address (pass) | outside the
 *             VNI: outside.h (pass when the VNI says so) | drop
 *     IPv6 -> port6.h: the same rules, ND (nd_proxy.h) in ARP's place
 *             (no outside/host-link/conntrack steering yet: IPv4 only)
 *     else -> drop
 *
 * Verdicts: TC_ACT_SHOT for every drop, TC_ACT_REDIRECT for everything sent
 * somewhere by bpf_redirect*, TC_ACT_OK only for what the host stack
 * should see (ARP replies to the host, packets for host addresses).
 * Two TC_ACT_SHOT verdicts are not drops with a reason: a gratuitous ARP,
 * counted as arp_garp once it is reported (arp.h), and a bpf_redirect*()
 * the kernel refused (never with the flags used here).
 *
 * A new drop reason: append X(drop_<reason>, help) to VTEP_COUNTERS in
 * include/vtep_counters.h and return DROP(<reason>) where it is decided
 * (tests/bpf/test_port.c then wants a frame that hits it); a drop event or
 * trace goes into port_drop().
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "maps.bpf.h"
#include "parse.h"
#include "stats.h"
#include "drop.h"
#include "tc.h"
#include "events.h"
#include "route.h"
#include "arp.h"
#include "icmp.h"
#include "encap.h"
#include "outside.h"
#include "ctsteer.h"
#include "port6.h"
#include "police.h"

char LICENSE[] SEC("license") = "GPL";

/* Enough linear data for Ethernet + a 60-byte IPv4 header + a TCP header. */
#define PORT_PULL_LEN 128

static __always_inline __u32 min_u32(__u32 a, __u32 b)
{
	return a < b ? a : b;
}

/* The one exit for drops: counts the reason (drop.h) and drops. Every drop
 * of this program returns here through vtep_port_ingress(). */
static __always_inline int port_drop(struct __sk_buff *skb, int verdict)
{
	(void)skb; /* unused yet: what a drop event would report (skb->ifindex) */
	drop_count(verdict);
	return TC_ACT_SHOT;
}

/* A port in "mac: auto" mode before vtepd learned the workload's MAC: the
 * first frame sourced from the port's IP names the MAC (a VTEP_EV_MAC_LEARN
 * event, counted as mac_learn); nothing passes until vtepd writes it into
 * vtep_ports. */
static __always_inline int port_unlearned(struct __sk_buff *skb, const struct vtep_port *port,
					  const __u8 *src_mac, __be32 sender_ip)
{
	if (sender_ip == port->ip && !mac_is_zero(src_mac) && !mac_is_multicast(src_mac)) {
		event_emit(VTEP_EV_MAC_LEARN, skb->ifindex, port->vni, port->ip, src_mac);
		STAT_INC(mac_learn);
	}
	return DROP(mac_unknown);
}

static __always_inline int port_arp(struct __sk_buff *skb, struct cursor *c, struct ethhdr *eth,
				    const struct vtep_port *port)
{
	struct arp_eth_ipv4 *arp = parse_arp(c);
	struct vtep_vni *v;
	__u32 vni = port->vni;

	if (!arp)
		return DROP(malformed);
	if (mac_is_zero(port->mac))
		return port_unlearned(skb, port, eth->h_source, arp->spa);
	if (!mac_eq(eth->h_source, port->mac) || !mac_eq(arp->sha, port->mac))
		return DROP(spoof_mac);
	/* 0.0.0.0 is an RFC 5227 probe. */
	if (arp->spa != port->ip && arp->spa != 0)
		return DROP(spoof_ip);
	/* A port whose VNI is gone is no port (yet) for the datapath. */
	v = bpf_map_lookup_elem(&vtep_vnis, &vni);
	if (!v)
		return DROP(no_port);
	return arp_handle(skb, eth, arp, port, v);
}

/* Packets for the gateway IP itself: only ping is answered. */
static __always_inline int port_to_gateway(struct __sk_buff *skb, struct ethhdr *eth,
					   struct iphdr *ip, void *data_end,
					   const struct vtep_vni *v)
{
	if (ip->ihl != 5)
		return DROP(ip_options);
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return DROP(frag);
	if (ip->protocol != IPPROTO_ICMP)
		return DROP(no_route);
	return icmp_echo_reply(skb, eth, ip, data_end, v);
}

/* To a remote VTEP: MTU first (so the reply can still quote the original
 * packet), then the 50 bytes. */
static __always_inline int port_encap(struct __sk_buff *skb, struct iphdr *ip, void *data_end,
				      const struct vtep_route *r, const struct vtep_port *port,
				      const struct vtep_vni *v)
{
	__u32 zero = 0, ip_len = ip->ihl * 4, l4_len = 8;
	__u8 proto = ip->protocol;
	int df = !!(ip->frag_off & bpf_htons(IP_DF));
	struct vtep_global *g = bpf_map_lookup_elem(&vtep_global, &zero);
	struct underlay u = {};
	int next;

	/* No VTEP IP configured (yet): nothing to encapsulate from. */
	if (!g || !g->vtep_ip)
		return DROP(encap);
	if (skb->gso_size && proto == IPPROTO_TCP) {
		struct tcphdr *th = (void *)ip + ip_len;

		if ((void *)(th + 1) > data_end)
			return DROP(malformed);
		l4_len = th->doff * 4;
	}
	next = encap_underlay(skb, g->vtep_ip, r->vtep,
			      encap_outer_len(skb, ip_len, proto, l4_len), &u);
	if (next == ENCAP_NO_FIB)
		return DROP(fib);
	if (next == ENCAP_FRAG_NEEDED) {
		if (df)
			return icmp_frag_needed(skb, port, v, ip_len, proto, u.mtu);
		return DROP(mtu);
	}
	return encap_vxlan(skb, r, port->vni, port, g, &u, next, proto,
			   encap_flow_hash(ip, ip_len, data_end), ETH_P_IP);
}

static __always_inline int port_ipv4(struct __sk_buff *skb, struct cursor *c, struct ethhdr *eth,
				     const struct vtep_port *port)
{
	struct iphdr *ip = parse_ipv4(c);
	void *data_end = c->end;
	struct vtep_route *r, rbuf;
	struct vtep_vni *v;
	__u32 vni = port->vni;
	__u32 ip_len;
	int is_prefix;

	if (!ip)
		return DROP(malformed);
	ip_len = ip->ihl * 4;
	/* The whole header (options too) must be here, and the packet as
	 * long as it says. */
	if ((void *)ip + ip_len > data_end || bpf_ntohs(ip->tot_len) < ip_len ||
	    bpf_ntohs(ip->tot_len) > skb->len - ETH_HLEN)
		return DROP(malformed);
	if (mac_is_zero(port->mac))
		return port_unlearned(skb, port, eth->h_source, ip->saddr);
	if (!mac_eq(eth->h_source, port->mac))
		return DROP(spoof_mac);
	/* A host link sends what the host forwards: checked below. */
	if (ip->saddr != port->ip && !(port->flags & VTEP_PORT_F_HOSTLINK))
		return DROP(spoof_ip);
	/* Nothing is flooded: broadcast and multicast IPv4 (DHCP, mDNS) have
	 * nowhere to go. */
	if (mac_is_multicast(eth->h_dest))
		return DROP(bcast);
	v = bpf_map_lookup_elem(&vtep_vnis, &vni);
	if (!v)
		return DROP(no_port);
	if ((port->flags & VTEP_PORT_F_HOSTLINK) && !hostlink_src_ok(port, v, ip->saddr))
		return DROP(hostlink_src);
	if (ip->daddr == v->gateway_ip)
		return port_to_gateway(skb, eth, ip, data_end, v);

	r = route_lookup(vni, ip->daddr, &is_prefix, &rbuf);
	if (r) {
		if (!r->vtep) {
			if (ct_local_to_host(skb, ip, data_end, v, port))
				return TC_ACT_OK;
			return route_deliver_local(skb, eth, r);
		}
		return port_encap(skb, ip, data_end, r, port, v);
	}
	if (route_is_host(ip->daddr))
		return route_to_host(skb);
	/* No route, no pass (docs/design.md), unless the VNI hands what is
	 * outside it to the host (outside.h). */
	return outside_to_host(skb, ip, v, port);
}

static __always_inline int port_judge(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	struct vtep_port *port;
	struct ethhdr *eth;
	struct cursor c;
	__u32 linear;

	int verdict;

	port = bpf_map_lookup_elem(&vtep_ports, &ifindex);
	if (!port)
		return DROP(no_port);
	/* Everything the workload sends counts against its limit, ARP and
	 * what the port answers itself included, as the bandwidth plugin's
	 * ifb would count it. */
	if ((port->flags & VTEP_PORT_F_POLICED) && (verdict = police_port(skb, ifindex)))
		return verdict;
	linear = skb_data_end(skb) - skb_data(skb);
	if (linear < PORT_PULL_LEN && skb->len > linear)
		bpf_skb_pull_data(skb, min_u32(skb->len, PORT_PULL_LEN));

	cursor_init(&c, skb_data(skb), skb_data_end(skb));
	eth = parse_eth(&c);
	if (!eth)
		return DROP(malformed);
	/* The stack takes 802.1Q tags off into skb->vlan_tci before the tc
	 * hook; BPF_PROG_TEST_RUN and some paths leave them in the frame. */
	if (skb->vlan_present || eth->h_proto == bpf_htons(ETH_P_8021Q) ||
	    eth->h_proto == bpf_htons(ETH_P_8021AD))
		return DROP(vlan);
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return port_arp(skb, &c, eth, port);
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return port_ipv4(skb, &c, eth, port);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return port_ipv6(skb, &c, eth, port);
	return DROP(ethertype);
}

SEC("tc")
int vtep_port_ingress(struct __sk_buff *skb)
{
	int verdict;

	STAT_INC(port_rx);
	verdict = port_judge(skb);
	if (verdict_is_drop(verdict))
		return port_drop(skb, verdict);
	return verdict;
}
