/* frame.h - the frames the benchmark generator sends.
 *
 * One frame described by a struct frame_spec: Ethernet (optionally 802.1Q
 * tagged), then an IPv4 or IPv6 packet (UDP, or an ICMP/ICMPv6 echo
 * request), an ARP request or an IPv6 Neighbor Solicitation, padded to a
 * minimum size, optionally wrapped in VXLAN (RFC 7348) with an outer
 * Ethernet/IPv4/UDP header. frame_build() fills every length and checksum.
 * IPv4 UDP checksums are 0 (none, allowed by RFC 768, and what RFC 7348 s.5
 * recommends for the outer header), so the generator can rewrite an IPv4
 * destination per frame with only the IPv4 header checksum to fix. IPv6
 * makes the UDP checksum mandatory (RFC 8200 s.8.1) and puts the addresses
 * in it: frame_set_addr() patches it incrementally (RFC 1624) for the new
 * low 32 bits of the destination. Addresses are network order, as in the
 * maps.
 */
#ifndef BENCH_FRAME_H
#define BENCH_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX 1514

enum frame_l4 {
	FRAME_UDP = 0,  /* UDP sport -> dport */
	FRAME_ECHO,     /* ICMP echo request (IPv4), ICMPv6 echo request (IPv6) */
	FRAME_NS,       /* IPv6 only: Neighbor Solicitation for dip6 (RFC 4861
	                 * s.4.3) to its solicited-node address, with the
	                 * source link-layer address option, hop limit 255 */
};

struct frame_spec {
	uint8_t smac[6], dmac[6];
	uint32_t sip, dip;     /* network order */
	int ip6;               /* IPv6 (sip6, dip6) instead of IPv4 */
	uint8_t sip6[16], dip6[16];
	enum frame_l4 l4;
	uint16_t sport, dport; /* host order */
	int arp;               /* an ARP request (who-has dip tell sip) */
	int vlan;              /* 802.1Q VLAN id, or -1 for untagged */
	int ethertype;         /* override the (inner) Ethernet type, or -1 */
	size_t size;           /* pad the (inner) frame to this many bytes */
	size_t truncate;       /* cut the finished frame to this length, 0: no */
	int vxlan;             /* wrap in VXLAN with the fields below */
	uint32_t vni;
	uint8_t osmac[6], odmac[6];
	uint32_t osip, odip;   /* network order */
	uint16_t osport;       /* host order */
};

struct frame {
	uint8_t buf[FRAME_MAX];
	size_t len;
	size_t addr_off;   /* offset of the innermost IPv4 destination, ARP target,
	                    * or the low 32 bits of the IPv6 destination */
	size_t ipcsum_off; /* offset of the innermost IPv4 header, 0 for ARP and IPv6 */
	size_t l4csum_off; /* IPv6: offset of the UDP/ICMPv6 checksum, whose
	                    * pseudo-header holds the destination; 0 otherwise */
};

/* Sets every field to its default: untagged UDP 1024 -> 9, 60 bytes. */
void frame_spec_init(struct frame_spec *s);
/* Returns 0, or -EINVAL when the frame would not fit FRAME_MAX. */
int frame_build(const struct frame_spec *s, struct frame *f);
/* Writes addr (host order) at f->addr_off of buf, a copy of f->buf, and
 * fixes the checksum that covers it (IPv4 header, or IPv6's L4 checksum
 * from f->buf's value: RFC 1624 eqn. 3). */
void frame_set_addr(const struct frame *f, uint8_t *buf, uint32_t addr);

#endif /* BENCH_FRAME_H */
