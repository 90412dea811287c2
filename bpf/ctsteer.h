/* ctsteer.h - replies of flows the host NATed go through the host.
 *
 * A pod's connection to a Service ClusterIP is DNATed by kube-proxy's rules
 * in the host (iptables or nftables) to a backend pod. The backend's reply
 * is addressed to the client pod, and the datapath would deliver it
 * straight there: from a local backend by bpf_redirect_peer, from a remote
 * one at decapsulation. Either way it would skip the host's conntrack,
 * which must undo the DNAT (the reply's source must become the ClusterIP
 * again); the client would see a reply from the backend's address, which
 * no socket of it waits for, and TCP answers it with a reset.
 *
 * So before a local delivery or a decapsulated delivery in a VNI with
 * outside "host", the inner TCP or UDP 5-tuple is looked up in the host's
 * conntrack table (bpf_skb_ct_lookup, net/netfilter/nf_conntrack_bpf.c; the
 * lookup finds an entry by either direction's tuple). An entry with
 * IPS_SRC_NAT or IPS_DST_NAT is a flow the host NATed: its packet goes to
 * the host, where nf_nat undoes the translation and routes it on (to the
 * client pod through its /32 route). From a local port it is simply passed
 * up; after decapsulation it enters the host through the VNI's host link
 * (vtep_hostlinks), the interface the host's route to the backend's
 * subnet points at, so the reverse path filter and conntrack see the reply
 * arrive where the request left.
 *
 * Not steered: ICMP (kube-proxy's ClusterIPs answer no ping), fragments
 * after the first (no ports; a NATed flow's fragments are rare with
 * path MTU discovery on and 1450-byte pod MTUs), IPv6 (not yet). Without
 * the kfunc (vtep_have_ct_lookup = 0, agent/dp/probe.h) nothing is steered
 * and Services to backends on the same VNI do not work.
 *
 * The cost is one conntrack hash lookup per TCP/UDP packet delivered in a
 * VNI with outside "host" (docs/performance.md has the figure).
 */
#ifndef VTEP_CTSTEER_H
#define VTEP_CTSTEER_H

#include "maps.bpf.h"
#include "parse.h"
#include "stats.h"
#include "tc.h"
#include "features.h"

extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb, struct bpf_sock_tuple *tuple,
					 __u32 tuple_len, struct bpf_ct_opts *opts,
					 __u32 opts_len) __ksym __weak;
extern void bpf_ct_release(struct nf_conn *ct) __ksym __weak;

/* Whether the IPv4 packet at ip belongs to a flow the host's conntrack
 * holds with a NAT binding. */
static __always_inline int ct_is_nat(struct __sk_buff *skb, const struct iphdr *ip,
				     void *data_end)
{
	struct bpf_sock_tuple t;
	struct bpf_ct_opts o;
	struct nf_conn *ct;
	__be16 *ports;
	int nat;

	if (!vtep_have_ct_lookup)
		return 0;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return 0;
	if (ip->frag_off & bpf_htons(IP_OFFMASK))
		return 0;
	/* ihl is 5..15 words: the mask keeps the offset's bound visible. */
	ports = (void *)ip + ((ip->ihl * 4) & 0x3c);
	if ((void *)(ports + 2) > data_end)
		return 0;
	__builtin_memset(&t, 0, sizeof(t));
	__builtin_memset(&o, 0, sizeof(o));
	t.ipv4.saddr = ip->saddr;
	t.ipv4.daddr = ip->daddr;
	t.ipv4.sport = ports[0];
	t.ipv4.dport = ports[1];
	o.netns_id = BPF_F_CURRENT_NETNS; /* the namespace of skb->dev: the host's */
	o.l4proto = ip->protocol;
	ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	if (!ct)
		return 0;
	nat = !!(ct->status & (IPS_SRC_NAT | IPS_DST_NAT));
	bpf_ct_release(ct);
	return nat;
}

/* Local delivery in the port program: a NATed flow's packet is passed up
 * (the frame carries the gateway MAC: re-marked PACKET_HOST as in
 * route_to_host()). 0: deliver as usual. The host link's own packets came
 * from the host and are never sent back. */
static __always_inline int ct_local_to_host(struct __sk_buff *skb, const struct iphdr *ip,
					    void *data_end, const struct vtep_vni *v,
					    const struct vtep_port *from)
{
	if (!(v->flags & VTEP_VNI_F_OUTSIDE_HOST) || (from->flags & VTEP_PORT_F_HOSTLINK))
		return 0;
	if (!ct_is_nat(skb, ip, data_end))
		return 0;
	if (bpf_skb_change_type(skb, PACKET_HOST))
		return 0;
	STAT_INC(ct_nat_host);
	return 1;
}

/* Bytes a decapsulated frame needs in the linear area here: Ethernet, the
 * largest IPv4 header, the ports. */
#define CTSTEER_PULL_LEN (ETH_HLEN + 60 + 4)

/* After decapsulation, the inner frame at the start of skb, about to be
 * delivered to the port *ifindex of VNI vni: a NATed flow's frame goes to
 * the VNI's host link instead, addressed to its host end's MAC. Updates
 * *ifindex and *port_flags; returns 1 when it steered. */
static __always_inline int ct_decap_steer(struct __sk_buff *skb, __u32 vni, __u32 *ifindex,
					  __u8 *port_flags)
{
	struct vtep_hostlink *hl;
	struct vtep_port *hp;
	struct vtep_vni *v;
	struct ethhdr *eth;
	struct iphdr *ip;
	void *data, *data_end;
	__u32 hl_ifindex, linear;

	if (!vtep_have_ct_lookup)
		return 0;
	v = bpf_map_lookup_elem(&vtep_vnis, &vni);
	if (!v || !(v->flags & VTEP_VNI_F_OUTSIDE_HOST))
		return 0;
	hl = bpf_map_lookup_elem(&vtep_hostlinks, &vni);
	if (!hl || hl->ifindex == *ifindex)
		return 0;
	hl_ifindex = hl->ifindex;
	linear = skb_data_end(skb) - skb_data(skb);
	if (linear < CTSTEER_PULL_LEN && skb->len > linear)
		bpf_skb_pull_data(skb, skb->len < CTSTEER_PULL_LEN ? skb->len : CTSTEER_PULL_LEN);
	data = skb_data(skb);
	data_end = skb_data_end(skb);
	eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || !ct_is_nat(skb, ip, data_end))
		return 0;
	hp = bpf_map_lookup_elem(&vtep_ports, &hl_ifindex);
	if (!hp || hp->vni != vni || mac_is_zero(hp->mac))
		return 0;
	/* ct_is_nat() called a kfunc: the packet pointers are still valid
	 * (only helpers that change the packet invalidate them), but reload
	 * them for the write as the verifier wants a checked pointer. */
	data = skb_data(skb);
	data_end = skb_data_end(skb);
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return 0;
	mac_copy(eth->h_dest, hp->mac);
	*ifindex = hl_ifindex;
	*port_flags = hp->flags;
	STAT_INC(ct_nat_host);
	return 1;
}

#endif /* VTEP_CTSTEER_H */
