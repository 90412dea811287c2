/* outside.h - destinations outside a VNI, and what the host may send into
 * one (vnis[].outside, docs/kubernetes.md "Traffic a node needs").
 *
 * A VNI with outside "drop" (the default; VM tenants) keeps the rule "no
 * route, no pass". With outside "host" (VTEP_VNI_F_OUTSIDE_HOST; pods) a
 * destination that is outside the VNI's subnet, not a host address and no
 * known route or prefix is handed to the host stack: kube-proxy's Service
 * rules, the node's routing table and its masquerade decide from there.
 *
 * The host path must not join two VNIs the operator did not join. The host
 * holds a /32 route to every local port of every VNI (agent/host/hostroute.h)
 * and a subnet route to every VNI with a host link, so "pass it up and let
 * the host route it" would forward a pod of VNI A into VNI B. Two checks
 * close both ways in:
 *   - outside_to_host() asks the host's FIB (bpf_fib_lookup, input mode
 *     from the port, as the stack will route it) where the packet would go,
 *     and drops it (drop_outside_vni) when the egress is a vtepd port (a
 *     local workload of another VNI) or the host end of a host link (the
 *     pods of another VNI on other nodes; vtep_hostlinks' VTEP_HOSTLINK_IF
 *     keys). This runs before the host's NAT: a masquerade rule such as
 *     "-s PODS ! -d PODS -j MASQUERADE" would otherwise give the packet
 *     the other host link's host_ip as source, which passes the check
 *     below;
 *   - a host link's datapath end (VTEP_PORT_F_HOSTLINK) accepts from the
 *     host only sources inside its own VNI (pods whose flows the host
 *     DNATed: Services) or the host's own addresses (hostlink_src_ok(),
 *     else drop_hostlink_src): a packet of VNI A that the host routes into
 *     VNI B's host link, to B's pods on other nodes, never gets in.
 * A Service (kube-proxy's DNAT) whose backends are in another VNI is
 * routing the operator configured: the FIB check runs before the host's
 * DNAT and cannot see it.
 */
#ifndef VTEP_OUTSIDE_H
#define VTEP_OUTSIDE_H

#include "maps.bpf.h"
#include "parse.h"
#include "stats.h"
#include "drop.h"
#include "tc.h"
#include "route.h"

/* ip is inside the VNI's IPv4 subnet (prefixlen 1..31, config.c). */
static __always_inline int vni_has_ip(const struct vtep_vni *v, __be32 ip)
{
	__u32 mask;

	if (!v->prefixlen || v->prefixlen > 32)
		return 0;
	mask = bpf_htonl(0xffffffffu << (32 - v->prefixlen));
	return (ip & mask) == v->subnet;
}

/* What a host link's datapath end takes from the host: its own address,
 * a source of its VNI (a pod's packet the host forwarded after its DNAT),
 * or another of the host's addresses (a socket bound to one). */
static __always_inline int hostlink_src_ok(const struct vtep_port *port,
					   const struct vtep_vni *v, __be32 saddr)
{
	return saddr == port->ip || vni_has_ip(v, saddr) || route_is_host(saddr);
}

/* The last stage of a workload's IPv4 packet that matched nothing in the
 * VNI: to the host when the VNI says so and the host would not route it
 * into a vtepd port, else "no route, no pass". */
static __always_inline int outside_to_host(struct __sk_buff *skb, const struct iphdr *ip,
					   const struct vtep_vni *v, const struct vtep_port *port)
{
	struct bpf_fib_lookup p;
	__u32 egress;
	long rc;

	/* A host link's packets came from the host: never back up. */
	if (!(v->flags & VTEP_VNI_F_OUTSIDE_HOST) || (port->flags & VTEP_PORT_F_HOSTLINK) ||
	    vni_has_ip(v, ip->daddr))
		return DROP(no_route);
	/* tot_len 0: no MTU verdict before the egress is known (the kernel
	 * returns FRAG_NEEDED before it sets params->ifindex when tot_len
	 * exceeds the route's MTU; net/core/filter.c bpf_ipv4_fib_lookup). A
	 * GSO packet is checked after it (is_skb_forwardable), with ifindex
	 * set. NO_NEIGH also comes after ifindex is set. */
	__builtin_memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.tos = ip->tos;
	p.l4_protocol = ip->protocol;
	p.ipv4_src = ip->saddr;
	p.ipv4_dst = ip->daddr;
	p.ifindex = skb->ifindex;
	rc = bpf_fib_lookup(skb, &p, sizeof(p), 0);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH ||
	    rc == BPF_FIB_LKUP_RET_FRAG_NEEDED) {
		egress = p.ifindex;
		if (bpf_map_lookup_elem(&vtep_ports, &egress))
			return DROP(outside_vni);
		egress |= VTEP_HOSTLINK_IF;
		if (bpf_map_lookup_elem(&vtep_hostlinks, &egress))
			return DROP(outside_vni);
	}
	/* Anything else (no route, local, blackhole, unreachable) is the
	 * host's to answer or drop, as for any packet it receives. */
	if (bpf_skb_change_type(skb, PACKET_HOST))
		return DROP(no_route);
	STAT_INC(fwd_outside);
	return TC_ACT_OK;
}

#endif /* VTEP_OUTSIDE_H */
