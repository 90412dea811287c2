/* pkt.h - a packet builder and byte-level checks for BPF program tests.
 *
 * Build a frame by appending headers in wire order; each pkt_* call returns a
 * pointer to the header it wrote (patch fields through it before
 * pkt_finish()) or NULL once the buffer is full (the error is sticky: check
 * pkt_finish()'s result once, OpenBGPD style). pkt_finish() then fills, from
 * the innermost layer outwards, every length and checksum: IPv4 total length
 * and header checksum, UDP length and checksum (0 for a UDP header followed
 * by pkt_vxlan(), RFC 7348 s.5), TCP and ICMP checksums. Nested frames
 * (outer Ethernet/IPv4/UDP/VXLAN, then the inner Ethernet/...) work because
 * every length runs to the end of the frame, as it does in a real packet.
 *
 *	struct pkt p;
 *	pkt_init(&p);
 *	pkt_eth(&p, PKT_MAC(2,0,0,0,1,0), PKT_MAC(2,0,0,0,0,0x11), ETH_P_IP);
 *	pkt_ipv4(&p, &(struct pkt_ip){ .saddr = pkt_ip("10.1.0.11"),
 *			.daddr = pkt_ip("10.1.0.21"), .proto = IPPROTO_UDP, .df = 1 });
 *	pkt_udp(&p, 1000, 2000);
 *	pkt_pattern(&p, 32);
 *	ck_assert_int_eq(pkt_finish(&p), 0);   // p.buf[0..p.len) is the frame
 *
 * Malformed frames: build a good one, then pkt_truncate() or patch bytes
 * after pkt_finish() (pkt_finish() would otherwise repair them).
 *
 * All multi-byte arguments are host order except IPv4 addresses, which are
 * network order everywhere (as in the maps; pkt_ip() returns one).
 */
#ifndef VTEP_TEST_PKT_H
#define VTEP_TEST_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PKT_BUF        8192 /* builder and output buffers */
#define PKT_MAX_LAYERS 16

#define PKT_MAC(a, b, c, d, e, f) ((const uint8_t[6]){ a, b, c, d, e, f })
#define PKT_MAC_BCAST PKT_MAC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
#define PKT_MAC_ZERO  PKT_MAC(0, 0, 0, 0, 0, 0)

enum pkt_kind {
	PKT_ETH = 1,
	PKT_VLAN,
	PKT_ARP,
	PKT_IPV4,
	PKT_UDP,
	PKT_TCP,
	PKT_ICMP,
	PKT_VXLAN,
	PKT_DATA,
	PKT_IPV6,
	PKT_ICMP6,
};

struct pkt_layer {
	enum pkt_kind kind;
	size_t off;   /* offset of the header in buf */
	int no_csum;  /* UDP: leave the checksum 0 */
};

struct pkt {
	uint8_t buf[PKT_BUF];
	size_t len;
	int err;      /* sticky -ENOSPC once something did not fit */
	int nl;
	struct pkt_layer l[PKT_MAX_LAYERS];
};

/* IPv4 header parameters; zero values give the defaults noted. */
struct pkt_ip {
	uint32_t saddr, daddr; /* network order */
	uint8_t proto;
	uint8_t ttl;           /* 0 means 64 (patch the header for a real 0) */
	uint8_t tos;
	uint16_t id;
	int df;                /* set IP_DF */
	int mf;                /* set IP_MF */
	uint16_t frag_off;     /* fragment offset in 8-byte units */
	const uint8_t *opts;   /* IPv4 options, padded by the caller to 4n */
	uint8_t optlen;        /* bytes, multiple of 4, <= 40 */
};

/* IPv6 header parameters (RFC 8200 s.3); zero values give the defaults
 * noted. Addresses are 16 bytes in network order (pkt_ip6() makes them). */
struct pkt_ip6 {
	uint8_t saddr[16], daddr[16];
	uint8_t nexthdr;
	uint8_t hlim;          /* 0 means 64 (patch the header for a real 0) */
	uint8_t tclass;
	uint32_t flow;         /* 20-bit flow label */
};

/* TCP flag bits for pkt_tcp(). */
#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10

void pkt_init(struct pkt *p);
void *pkt_eth(struct pkt *p, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype);
/* An 802.1Q tag: pass ethertype 0x8100 to pkt_eth(), then this with the
 * TCI and the encapsulated ethertype. */
void *pkt_vlan(struct pkt *p, uint16_t tci, uint16_t ethertype);
void *pkt_arp(struct pkt *p, uint16_t op, const uint8_t sha[6], uint32_t spa,
	      const uint8_t tha[6], uint32_t tpa);
void *pkt_ipv4(struct pkt *p, const struct pkt_ip *ip);
void *pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport);
void *pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags);
/* ICMP echo request (type 8) or reply (type 0) header; add payload after. */
void *pkt_icmp_echo(struct pkt *p, uint8_t type, uint16_t id, uint16_t seq);
/* Any other ICMP message: type, code and the 4-byte rest-of-header word
 * (host order; e.g. next-hop MTU for type 3 code 4). */
void *pkt_icmp(struct pkt *p, uint8_t type, uint8_t code, uint32_t rest);
/* IPv6 fixed header; pkt_finish() fills the payload length. UDP, TCP and
 * ICMPv6 after it get their checksums with the IPv6 pseudo-header. */
void *pkt_ipv6(struct pkt *p, const struct pkt_ip6 *ip);
/* An ICMPv6 header (RFC 4443 s.2.1): type, code, checksum (filled by
 * pkt_finish()), and the 4-byte word after it (host order: echo id/seq,
 * the MTU of a Packet Too Big, NA flags, or 0 for NS/RS's reserved bits). */
void *pkt_icmp6(struct pkt *p, uint8_t type, uint8_t code, uint32_t rest);
/* ND (RFC 4861 s.4): the NS or NA target (after pkt_icmp6(135 or 136)), a
 * link-layer address option (type 1 source, 2 target) and any option of
 * len 8-octet units (filled with pattern bytes). */
void *pkt_nd_target(struct pkt *p, const uint8_t target[16]);
void *pkt_nd_lla(struct pkt *p, uint8_t type, const uint8_t mac[6]);
void *pkt_nd_opt(struct pkt *p, uint8_t type, uint8_t len);
/* VXLAN header (flags 0x08, VNI); zeroes the preceding UDP checksum. */
void *pkt_vxlan(struct pkt *p, uint32_t vni);
void *pkt_put(struct pkt *p, const void *data, size_t len);
/* len payload bytes 0x00, 0x01, ... (wrapping), easy to spot in a dump. */
void *pkt_pattern(struct pkt *p, size_t len);
/* Fill in lengths and checksums. Returns 0, or -ENOSPC if anything was
 * dropped for lack of room. May be called again after patching. */
int pkt_finish(struct pkt *p);
void pkt_truncate(struct pkt *p, size_t len);

/* Offset of the nth (0-based) layer of that kind, or -1. */
long pkt_off(const struct pkt *p, enum pkt_kind kind, int nth);

/* "a.b.c.d" -> network order; aborts on a typo (tests only). */
uint32_t pkt_ip(const char *s);
/* An IPv6 address in text -> 16 bytes; aborts on a typo. */
void pkt_ip6(const char *s, uint8_t out[16]);

/* RFC 1071 checksum of len bytes, folded and complemented; sum is a
 * starting partial sum (a pseudo-header) or 0. Over a region that holds a
 * correct checksum the result is 0. */
uint16_t pkt_csum(const void *data, size_t len, uint32_t sum);
/* 1 when the IPv4 header at ip (options included) has a correct checksum. */
int pkt_ipv4_csum_ok(const void *ip);
/* 1 when the UDP (0 = none counts as ok), TCP or ICMP checksum of the IPv4
 * packet at ip is correct; len is the bytes available from ip. */
int pkt_l4_csum_ok(const void *ip, size_t len);
/* The same for an IPv6 packet without extension headers (ICMPv6, UDP, TCP
 * with the pseudo-header). */
int pkt_ip6_l4_csum_ok(const void *ip6, size_t len);

/* Hex dump, 16 bytes a line with offsets. */
void pkt_hexdump(FILE *f, const void *data, size_t len);
/* Compares want with got. Equal: returns 0 and prints nothing. Else prints
 * both side by side, 16 bytes a line (the first line, each line with a
 * difference and the one before it, at most PKT_HEXDIFF_LINES lines),
 * marking differing bytes with '*' and their lines with '<', and returns the
 * number of differing bytes (a length difference counts as its size). */
#define PKT_HEXDIFF_LINES 24
size_t pkt_hexdiff(FILE *f, const void *want, size_t wlen, const void *got, size_t glen);

#endif /* VTEP_TEST_PKT_H */
