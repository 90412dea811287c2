/* decap_arp.h - the answer to an inner ARP request for a local workload
 * (decap.h's DECAP_ARP_REPLY), written over the request and sent back to the
 * VTEP that asked, out of the uplink it came in on: bpf_redirect() to the
 * uplink's egress from TC (uplink_tc.bpf.c; in xdp mode the XDP half writes
 * the reply and hands it to TC with VTEP_META_MAGIC_TX, see
 * uplink_xdp.bpf.c for why not XDP_TX).
 *
 * The programs first cut the frame to exactly DECAP_ARP_FRAME_LEN bytes: the
 * request's outer IPv4 options (if any) and everything after the inner ARP
 * (Ethernet padding inside or outside the UDP payload) go, so the reply has
 * the one layout below; decap_arp_write() then writes every byte of it from
 * struct decap_arp (saved before the cut):
 *
 *   outer Ethernet  dst = the request's source MAC (the underlay hop it came
 *                   from), src = the request's destination MAC (ours)
 *   outer IPv4      our VTEP -> the asking VTEP, no options, TTL 64, DF,
 *                   id 0 (an atomic datagram, RFC 6864), checksum
 *   UDP             source port = the request's (the asker's own entropy
 *                   choice; VXLAN_SPORT_BASE, the bottom of the range our
 *                   encapsulation uses, when it sent 0), destination = the VXLAN
 *                   port, checksum 0 (RFC 7348 s.5)
 *   VXLAN           I flag, the request's VNI
 *   inner Ethernet  dst = the asker's MAC, src = the workload's MAC
 *   ARP reply       sha = the workload's MAC, spa = the target IP,
 *                   tha = the asker's sha, tpa = the asker's spa (RFC 826)
 *
 * The inner frame is 42 bytes, as Linux sends ARP: padding to the Ethernet
 * minimum is the business of whoever puts it on a wire.
 */
#ifndef VTEP_DECAP_ARP_H
#define VTEP_DECAP_ARP_H

#include "decap.h"
#include "csum.h"
#include "vxlan.h"

/* The reply: option-less outer headers (vxlan.h), inner Ethernet, ARP. */
#define DECAP_ARP_FRAME_LEN (VXLAN_OFF_INNER + ETH_HLEN + ARP_ETH_IPV4_LEN)

/* The outer headers of an answer frame_len bytes long, from the request's
 * (res->arp): everything up to the inner Ethernet header. The caller has
 * checked that frame_len bytes lie before data_end. decap_nd.h's inner NS
 * answer has the same outer headers. */
static __always_inline void decap_arp_outer(void *data, const struct decap_result *res,
					    __u32 frame_len)
{
	const struct decap_arp *a = &res->arp;
	struct ethhdr *oeth = data;
	struct iphdr *ip = data + VXLAN_OFF_IP;
	struct udphdr *udp = data + VXLAN_OFF_UDP;
	struct vxlan_hdr *vx = data + VXLAN_OFF_VX;

	mac_copy(oeth->h_dest, a->outer_src);
	mac_copy(oeth->h_source, a->outer_dst);
	oeth->h_proto = bpf_htons(ETH_P_IP);

	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0;
	ip->tot_len = bpf_htons(frame_len - ETH_HLEN);
	ip->id = 0;
	ip->frag_off = bpf_htons(IP_DF);
	ip->ttl = VTEP_OUTER_TTL;
	ip->protocol = IPPROTO_UDP;
	ip->check = 0;
	ip->saddr = a->local;
	ip->daddr = a->remote;
	ip->check = csum_ipv4_hdr(ip);

	udp->source = a->sport ? a->sport : bpf_htons(VXLAN_SPORT_BASE);
	udp->dest = a->dport;
	udp->len = bpf_htons(frame_len - VXLAN_OFF_UDP);
	udp->check = 0;

	vxlan_hdr_write(vx, res->vni);
}

/* Writes the reply into [data, data + DECAP_ARP_FRAME_LEN). Returns 0, or -1
 * when the frame is shorter than that. */
static __always_inline int decap_arp_write(void *data, void *data_end,
					   const struct decap_result *res)
{
	const struct decap_arp *a = &res->arp;
	struct ethhdr *ieth = data + VXLAN_OFF_INNER;
	struct arp_eth_ipv4 *arp = data + VXLAN_OFF_INNER + ETH_HLEN;

	if ((void *)(arp + 1) > data_end)
		return -1;
	decap_arp_outer(data, res, DECAP_ARP_FRAME_LEN);

	mac_copy(ieth->h_dest, a->asker_mac);
	mac_copy(ieth->h_source, res->dst_mac);
	ieth->h_proto = bpf_htons(ETH_P_ARP);

	arp->htype = bpf_htons(ARPHRD_ETHER);
	arp->ptype = bpf_htons(ETH_P_IP);
	arp->hlen = ETH_ALEN;
	arp->plen = 4;
	arp->op = bpf_htons(ARPOP_REPLY);
	mac_copy(arp->sha, res->dst_mac);
	arp->spa = a->target_ip;
	mac_copy(arp->tha, a->asker_sha);
	arp->tpa = a->asker_ip;
	return 0;
}

#endif /* VTEP_DECAP_ARP_H */
