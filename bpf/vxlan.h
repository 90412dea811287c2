/* vxlan.h - the VXLAN wire format (RFC 7348 s.5), shared by the sender
 * (encap.h, towards a remote VTEP), the receiver (decap.h) and the inner
 * ARP reply the uplink writes (decap_arp.h).
 *
 * Every outer header we write has an option-less IPv4 header, so it is
 * VTEP_ENCAP_LEN (include/vtep_maps.h) bytes long with this layout:
 *   outer Ethernet | IPv4 (20) | UDP (8) | VXLAN (8) | inner Ethernet ...
 * Received VXLAN may carry outer IPv4 options: decap.h measures it.
 */
#ifndef VTEP_VXLAN_H
#define VTEP_VXLAN_H

#include "parse.h"
#include "vtep_maps.h"

#define VXLAN_HLEN 8
#define VXLAN_F_I  0x08 /* RFC 7348 s.5: "I" flag, the VNI is valid; the
			 * other flag bits are reserved, ignored on receipt */

/* The outer UDP source port: RFC 7348 s.5 recommends the dynamic range
 * 49152-65535 (RFC 6335) with a hash of the inner flow; VXLAN_SPORT_BASE +
 * (hash & VXLAN_SPORT_MASK) covers exactly those 16384 ports. */
#define VXLAN_SPORT_BASE 49152
#define VXLAN_SPORT_MASK 0x3fff

/* Offsets in a frame with an option-less outer header (what we send). */
#define VXLAN_OFF_IP    ETH_HLEN
#define VXLAN_OFF_UDP   (VXLAN_OFF_IP + 20)
#define VXLAN_OFF_VX    (VXLAN_OFF_UDP + 8)
#define VXLAN_OFF_INNER (VXLAN_OFF_VX + VXLAN_HLEN)
_Static_assert(VXLAN_OFF_INNER == VTEP_ENCAP_LEN, "outer headers are VTEP_ENCAP_LEN bytes");

/* RFC 7348 s.5: 8 flag bits (I), 24 reserved bits, the 24-bit VNI, 8
 * reserved bits. */
struct vxlan_hdr {
	__u8 flags;
	__u8 rsvd0[3];
	__u8 vni[3];
	__u8 rsvd1;
};
_Static_assert(sizeof(struct vxlan_hdr) == VXLAN_HLEN, "VXLAN header size");

static __always_inline __u32 vxlan_vni(const struct vxlan_hdr *vx)
{
	return ((__u32)vx->vni[0] << 16) | ((__u32)vx->vni[1] << 8) | vx->vni[2];
}

/* The whole header for vni: the I flag, every reserved bit zero (RFC 7348
 * s.5: reserved fields MUST be zero on transmission). The VNI and the last
 * reserved byte are one big-endian word, written in one store. */
static __always_inline void vxlan_hdr_write(struct vxlan_hdr *vx, __u32 vni)
{
	vx->flags = VXLAN_F_I;
	vx->rsvd0[0] = 0;
	vx->rsvd0[1] = 0;
	vx->rsvd0[2] = 0;
	*(__be32 *)vx->vni = bpf_htonl(vni << 8);
}

#endif /* VTEP_VXLAN_H */
