/* decap_nd.h - the answer to an inner Neighbor Solicitation for a local
 * workload (decap.h's DECAP_ND_REPLY), written over the solicitation and
 * sent back to the VTEP that asked, exactly as decap_arp.h answers an inner
 * ARP request: the programs cut the frame to DECAP_ND_FRAME_LEN bytes, then
 * decap_nd_write() writes every byte of it:
 *
 *   outer Ethernet, IPv4, UDP, VXLAN   as decap_arp.h (decap_arp_outer())
 *   inner Ethernet  dst = the asker's MAC (33:33:00:00:00:01 for DAD),
 *                   src = the workload's MAC
 *   IPv6            the workload's address -> the asker (ff02::1 for DAD),
 *                   hop limit 255
 *   NA              S (not for DAD), O, R from the route; the target; the
 *                   target link-layer address = the workload's MAC
 *                   (nd.h's nd_na_write(), the port's NA too)
 */
#ifndef VTEP_DECAP_ND_H
#define VTEP_DECAP_ND_H

#include "decap.h"
#include "decap_arp.h"
#include "nd.h"

#define DECAP_ND_FRAME_LEN (VXLAN_OFF_INNER + ETH_HLEN + ND_NA_LEN)

/* Writes the answer into [data, data + DECAP_ND_FRAME_LEN). Returns 0, or
 * -1 when the frame is shorter than that. */
static __always_inline int decap_nd_write(void *data, void *data_end,
					  const struct decap_result *res)
{
	const struct decap_arp *a = &res->arp;
	struct ethhdr *ieth = data + VXLAN_OFF_INNER;
	__u8 dst[16], src[16], emac[ETH_ALEN];
	__u32 flags = ND_NA_F_OVERRIDE;

	if (data + DECAP_ND_FRAME_LEN > data_end)
		return -1;
	/* Out of res before a byte of the frame is written. */
	ip6_copy(src, a->target_ip6);
	if (ip6_is_zero(a->asker_ip6)) {
		ip6_all_nodes(dst);
		ip6_mcast_mac(emac, dst);
	} else {
		ip6_copy(dst, a->asker_ip6);
		mac_copy(emac, a->asker_mac);
		flags |= ND_NA_F_SOLICITED;
	}
	if (a->router)
		flags |= ND_NA_F_ROUTER;
	decap_arp_outer(data, res, DECAP_ND_FRAME_LEN);
	mac_copy(ieth->h_dest, emac);
	mac_copy(ieth->h_source, res->dst_mac);
	ieth->h_proto = bpf_htons(ETH_P_IPV6);
	return nd_na_write(data + VXLAN_OFF_INNER + ETH_HLEN, data + DECAP_ND_FRAME_LEN, src, dst,
			   res->dst_mac, flags);
}

#endif /* VTEP_DECAP_ND_H */
