/* arp.h - the ARP proxy on a workload port.
 *
 * Every host answers ARP itself; nothing is flooded (DESIGN.md, "ARP (from a
 * workload)"). The caller has already parsed the frame and checked that the
 * sender (sha, spa or 0.0.0.0) is the port's own. arp_handle() returns a
 * final verdict: a TC verdict it has counted, or DROP(reason), which the
 * program counts at its one exit (drop.h):
 *   - request for the gateway, a local workload or a remote host/prefix
 *     known in the VNI: the reply is written over the request and sent
 *     back out of the port (bpf_redirect to the ingress ifindex = egress
 *     towards the workload);
 *   - gratuitous ARP (spa == tpa == the port's IP, request or reply): a
 *     VTEP_EV_GARP event for vtepd (MAC mobility), then dropped;
 *   - request for the asker's own IP (a probe for its own address, RFC 5227
 *     duplicate detection): never answered;
 *   - reply from the workload to one of the host's addresses (the host ARPs
 *     for its workloads through the port's /32 route; vtep_hostaddrs, see
 *     route.h): passed to the stack;
 *   - any other reply: dropped (drop_arp_reply). Nobody else can have asked
 *     through this port: requests from workloads are answered here, requests
 *     from other VTEPs by the uplink (decap.h), and nothing is flooded, so
 *     such a reply has nowhere to go.
 */
#ifndef VTEP_ARP_H
#define VTEP_ARP_H

#include "maps.bpf.h"
#include "parse.h"
#include "stats.h"
#include "drop.h"
#include "tc.h"
#include "events.h"
#include "route.h"

/* The MAC to answer with for tpa in this VNI, or NULL when tpa is unknown.
 * Gateway mode always answers the gateway MAC (caches never go stale when a
 * workload moves). Real mode (EVPN ARP suppression) answers the host
 * route's MAC: a MAC+IP route carries it, so no ARP table of its own is
 * needed; a prefix is no host, so a prefix match and an unknown MAC fall
 * back to the gateway MAC. The answer may point into *buf (the caller's:
 * a route cache hit is copied there). */
static __always_inline const __u8 *arp_target_mac(__u32 vni, const struct vtep_vni *v, __be32 tpa,
						  struct vtep_route *buf)
{
	struct vtep_route *r;
	int is_prefix;

	if (tpa == v->gateway_ip)
		return v->gateway_mac;
	r = route_lookup(vni, tpa, &is_prefix, buf);
	if (!r)
		return NULL;
	if (v->arp_reply != VTEP_ARP_REPLY_REAL)
		return v->gateway_mac;
	if (!is_prefix && !mac_is_zero(r->mac))
		return r->mac;
	return v->gateway_mac;
}

/* Turns the request into its reply in place (RFC 826 "swap fields"). */
static __always_inline int arp_reply(struct __sk_buff *skb, struct ethhdr *eth,
				     struct arp_eth_ipv4 *arp, const __u8 *mac)
{
	__be32 spa = arp->spa;
	__be32 tpa = arp->tpa;

	mac_copy(eth->h_dest, eth->h_source);
	mac_copy(eth->h_source, mac);
	arp->op = bpf_htons(ARPOP_REPLY);
	mac_copy(arp->tha, arp->sha);
	mac_copy(arp->sha, mac);
	arp->spa = tpa;
	arp->tpa = spa;
	STAT_INC(arp_reply);
	return bpf_redirect(skb->ifindex, 0);
}

static __always_inline int arp_handle(struct __sk_buff *skb, struct ethhdr *eth,
				      struct arp_eth_ipv4 *arp, const struct vtep_port *port,
				      const struct vtep_vni *v)
{
	__u16 op = bpf_ntohs(arp->op);
	struct vtep_route rbuf;
	const __u8 *mac;

	if (op != ARPOP_REQUEST && op != ARPOP_REPLY)
		return DROP(arp_other);
	if (arp->spa == port->ip && arp->tpa == port->ip) {
		/* Gratuitous: the workload announces itself. Flooding it is
		 * what EVPN replaces, so it only tells vtepd. */
		event_emit(VTEP_EV_GARP, skb->ifindex, port->vni, port->ip, arp->sha);
		STAT_INC(arp_garp);
		return TC_ACT_SHOT;
	}
	if (op == ARPOP_REPLY) {
		if (!route_is_host(arp->tpa))
			return DROP(arp_reply);
		STAT_INC(arp_pass);
		return TC_ACT_OK;
	}
	/* A probe for its own address (spa 0): silence means "free". */
	if (arp->tpa == port->ip)
		return DROP(arp_self);
	mac = arp_target_mac(port->vni, v, arp->tpa, &rbuf);
	if (!mac)
		return DROP(arp_unknown);
	return arp_reply(skb, eth, arp, mac);
}

#endif /* VTEP_ARP_H */
