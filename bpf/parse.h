/* parse.h - bounds-checked header parsing over [data, data_end).
 *
 * Every parser takes a cursor, checks that the whole header lies before
 * data_end, returns a pointer to it and advances the cursor; it returns NULL
 * (and leaves the cursor alone) when the packet is too short. The verifier
 * sees each check, so callers never touch a byte that was not checked here.
 * The same functions serve XDP (xdp_md) and TC (__sk_buff) programs: both
 * hand in plain data/data_end pointers.
 */
#ifndef VTEP_PARSE_H
#define VTEP_PARSE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ETH_P_IP
#define ETH_P_IP    0x0800
#define ETH_P_ARP   0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_ALEN    6
#define ETH_HLEN    14
#endif
#ifndef IPPROTO_ICMP
#define IPPROTO_ICMP 1
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17
#endif
#define IP_DF       0x4000
#define IP_MF       0x2000
#define IP_OFFMASK  0x1fff

struct cursor {
	void *pos;
	void *end;
};

static __always_inline void cursor_init(struct cursor *c, void *data, void *data_end)
{
	c->pos = data;
	c->end = data_end;
}

/* Returns a pointer to the next len bytes and advances, or NULL. */
static __always_inline void *cursor_pull(struct cursor *c, __u32 len)
{
	void *p = c->pos;

	if (p + len > c->end)
		return NULL;
	c->pos = p + len;
	return p;
}

static __always_inline struct ethhdr *parse_eth(struct cursor *c)
{
	return cursor_pull(c, sizeof(struct ethhdr));
}

/* IPv4 header without options (callers check ihl for options). */
static __always_inline struct iphdr *parse_ipv4(struct cursor *c)
{
	struct iphdr *ip = cursor_pull(c, sizeof(struct iphdr));

	if (!ip || ip->version != 4 || ip->ihl < 5)
		return NULL;
	return ip;
}

/* ARP (RFC 826) for IPv4 over Ethernet, the only kind the datapath
 * answers: hardware type 1 (Ethernet, ARPHRD_ETHER in if_arp.h), protocol
 * ETH_P_IP, 6-byte and 4-byte addresses. */
#define ARPHRD_ETHER     1
#define ARPOP_REQUEST    1
#define ARPOP_REPLY      2
#define ARP_ETH_IPV4_LEN 28

struct arp_eth_ipv4 {
	__be16 htype;
	__be16 ptype;
	__u8   hlen;
	__u8   plen;
	__be16 op;
	__u8   sha[ETH_ALEN];
	__be32 spa;
	__u8   tha[ETH_ALEN];
	__be32 tpa;
} __attribute__((packed));

_Static_assert(sizeof(struct arp_eth_ipv4) == ARP_ETH_IPV4_LEN, "ARP for IPv4 over Ethernet");

static __always_inline int arp_is_eth_ipv4(const struct arp_eth_ipv4 *a)
{
	return a->htype == bpf_htons(ARPHRD_ETHER) && a->ptype == bpf_htons(ETH_P_IP) &&
	       a->hlen == ETH_ALEN && a->plen == 4;
}

static __always_inline struct arp_eth_ipv4 *parse_arp(struct cursor *c)
{
	struct arp_eth_ipv4 *a = cursor_pull(c, sizeof(struct arp_eth_ipv4));

	if (!a || !arp_is_eth_ipv4(a))
		return NULL;
	return a;
}

static __always_inline int mac_eq(const __u8 *a, const __u8 *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
		(a[3] ^ b[3]) | (a[4] ^ b[4]) | (a[5] ^ b[5])) == 0;
}

static __always_inline int mac_is_zero(const __u8 *a)
{
	return (a[0] | a[1] | a[2] | a[3] | a[4] | a[5]) == 0;
}

static __always_inline int mac_is_multicast(const __u8 *a)
{
	return a[0] & 1;
}

static __always_inline void mac_copy(__u8 *dst, const __u8 *src)
{
	__builtin_memcpy(dst, src, ETH_ALEN);
}

#endif /* VTEP_PARSE_H */
