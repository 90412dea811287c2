/* frame.h - the frames the benchmark generator sends.
 *
 * One frame described by a struct frame_spec: Ethernet (optionally 802.1Q
 * tagged), then an IPv4/UDP packet or an ARP request, padded to a minimum
 * size, optionally wrapped in VXLAN (RFC 7348) with an outer
 * Ethernet/IPv4/UDP header. frame_build() fills every length and the IPv4
 * header checksums; UDP checksums are 0 (none, allowed for IPv4 by RFC 768,
 * and what RFC 7348 s.5 recommends for the outer header), so the generator
 * can rewrite the destination address per frame with only the IPv4 header
 * checksum to fix. IPv4 addresses are network order, as in the maps.
 */
#ifndef BENCH_FRAME_H
#define BENCH_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX 1514

struct frame_spec {
	uint8_t smac[6], dmac[6];
	uint32_t sip, dip;     /* network order */
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
	size_t addr_off;   /* offset of the innermost IPv4 destination or ARP target */
	size_t ipcsum_off; /* offset of the innermost IPv4 header, 0 for ARP */
};

/* Sets every field to its default: untagged UDP 1024 -> 9, 60 bytes. */
void frame_spec_init(struct frame_spec *s);
/* Returns 0, or -EINVAL when the frame would not fit FRAME_MAX. */
int frame_build(const struct frame_spec *s, struct frame *f);

#endif /* BENCH_FRAME_H */
