/* ipv6.h - IPv6 headers and addresses (RFC 8200, RFC 4291), shared by the
 * port program (port6.h) and the uplink (decap.h): parsing through the
 * cursor, address tests, the link-local address a MAC gives (EUI-64), the
 * ICMPv6 checksum with its pseudo-header (RFC 8200 s.8.1) and the outer UDP
 * source port's flow hash of an inner IPv6 packet.
 *
 * Addresses are compared and copied as four 32-bit words: an IPv6 header
 * behind a 14-byte Ethernet header is only 2-byte aligned, which the BPF
 * targets this runs on load without a fault (the IPv4 code reads its
 * addresses the same way).
 */
#ifndef VTEP_IPV6_H
#define VTEP_IPV6_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "parse.h"

#ifndef ETH_P_IPV6
#define ETH_P_IPV6 0x86DD
#endif
#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6   58 /* a #define of in6.h: not in vmlinux.h */
#endif
#define IPV6_HLEN        40
#define IPV6_MIN_MTU     1280 /* RFC 8200 s.5: every IPv6 link carries 1280 */

/* The fixed header (RFC 8200 s.3); options and extension headers are the
 * caller's business. */
static __always_inline struct ipv6hdr *parse_ipv6(struct cursor *c)
{
	struct ipv6hdr *ip6 = cursor_pull(c, sizeof(struct ipv6hdr));

	if (!ip6 || ip6->version != 6)
		return NULL;
	return ip6;
}

static __always_inline const __u32 *ip6_w(const void *a)
{
	return (const __u32 *)a;
}

static __always_inline int ip6_eq(const void *a, const void *b)
{
	const __u32 *x = ip6_w(a), *y = ip6_w(b);

	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}

static __always_inline int ip6_is_zero(const void *a)
{
	const __u32 *x = ip6_w(a);

	return (x[0] | x[1] | x[2] | x[3]) == 0;
}

static __always_inline void ip6_copy(void *dst, const void *src)
{
	__u32 *d = dst;
	const __u32 *s = src;

	d[0] = s[0];
	d[1] = s[1];
	d[2] = s[2];
	d[3] = s[3];
}

/* ff00::/8 (RFC 4291 s.2.7). */
static __always_inline int ip6_is_multicast(const void *a)
{
	return ((const __u8 *)a)[0] == 0xff;
}

/* fe80::/10 (RFC 4291 s.2.5.6). */
static __always_inline int ip6_is_linklocal(const void *a)
{
	const __u8 *b = a;

	return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

/* The link-local address of a MAC: fe80::/64 with the modified EUI-64
 * interface identifier (RFC 4291 s.2.5.1 and appendix A; RFC 2464 s.4 for
 * Ethernet): the MAC split by ff:fe, the universal/local bit inverted. */
static __always_inline void ip6_ll_from_mac(__u8 *out, const __u8 *mac)
{
	__u32 *w = (__u32 *)out;

	w[0] = bpf_htonl(0xfe800000);
	w[1] = 0;
	out[8] = mac[0] ^ 0x02;
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}

/* a is the link-local address ip6_ll_from_mac() makes of mac, compared
 * without building it. */
static __always_inline int ip6_is_ll_of_mac(const void *a, const __u8 *mac)
{
	const __u8 *b = a;
	const __u32 *w = ip6_w(a);

	return w[0] == bpf_htonl(0xfe800000) && w[1] == 0 && b[8] == (mac[0] ^ 0x02) &&
	       b[9] == mac[1] && b[10] == mac[2] && b[11] == 0xff && b[12] == 0xfe &&
	       b[13] == mac[3] && b[14] == mac[4] && b[15] == mac[5];
}

/* ff02::1, all nodes (RFC 4291 s.2.7.1), and its MAC (RFC 2464 s.7:
 * 33:33 and the address's last 32 bits). */
static __always_inline void ip6_all_nodes(__u8 *out)
{
	__u32 *w = (__u32 *)out;

	w[0] = bpf_htonl(0xff020000);
	w[1] = 0;
	w[2] = 0;
	w[3] = bpf_htonl(1);
}

static __always_inline void ip6_mcast_mac(__u8 *mac, const __u8 *ip6)
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	mac[2] = ip6[12];
	mac[3] = ip6[13];
	mac[4] = ip6[14];
	mac[5] = ip6[15];
}

/* dst is the solicited-node multicast address of target, ff02::1:ffXX:XXXX
 * (RFC 4291 s.2.7.1). */
static __always_inline int ip6_is_solicited_node(const void *dst, const void *target)
{
	const __u32 *d = ip6_w(dst), *t = ip6_w(target);

	return d[0] == bpf_htonl(0xff020000) && d[1] == 0 && d[2] == bpf_htonl(1) &&
	       d[3] == ((t[3] & bpf_htonl(0x00ffffff)) | bpf_htonl(0xff000000));
}

/* The traffic class (RFC 8200 s.7): the 8 bits across the version and the
 * flow label's first byte. */
static __always_inline __u8 ip6_tclass(const struct ipv6hdr *ip6)
{
	return (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
}

static __always_inline __u32 csum_fold64(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	return (__u32)sum;
}

/* The 16-bit one's complement fold of a 32-bit partial sum, complemented. */
static __always_inline __u16 csum6_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* The ICMPv6 checksum (RFC 4443 s.2.3) over the pseudo-header of ip6
 * (source, destination, upper-layer length len, next header 58; RFC 8200
 * s.8.1) and the len bytes at msg. bpf_csum_diff() sums in memory order,
 * so every word, the pseudo-header's length and type too, is added as it
 * lies on the wire. len must be a multiple of 4 (the helper's rule; every
 * ICMPv6 message built or verified here is a multiple of 8, or of 4 for a
 * quote) and at most 512. Over a message holding a correct checksum the
 * result is 0. Returns -1 when the helper refuses (a bad length). */
static __always_inline int icmp6_csum(const struct ipv6hdr *ip6, const void *msg, __u32 len)
{
	__s64 s1, s2;
	__u64 sum;

	s1 = bpf_csum_diff(NULL, 0, (__be32 *)&ip6->saddr, 32, 0);
	if (s1 < 0)
		return -1;
	s2 = bpf_csum_diff(NULL, 0, (__be32 *)msg, len & 0x3fc, 0);
	if (s2 < 0)
		return -1;
	sum = (__u64)(__u32)s1 + (__u32)s2 + bpf_htonl(len) + bpf_htonl(IPPROTO_ICMPV6);
	return csum6_fold(csum_fold64(sum));
}

/* The outer UDP source port's flow hash for an inner IPv6 packet (RFC 7348
 * s.5; encap.h's encap_flow_hash() for IPv4): both addresses, the next
 * header, the flow label (RFC 6438 s.3: a sender's flow label names the
 * flow, so tunnel entropy may use it) and, when the next header is TCP, UDP
 * or SCTP itself (no extension header in between, so no fragment either),
 * both ports. The same murmur3 finalizer as IPv4. */
static __always_inline __u32 ip6_flow_hash(const struct ipv6hdr *ip6, void *data_end)
{
	const __u32 *s = ip6_w(&ip6->saddr), *d = ip6_w(&ip6->daddr);
	const __u32 *l4 = (const void *)(ip6 + 1);
	__u32 h, ports = 0, label;
	__u8 nh = ip6->nexthdr;

	label = ((__u32)(ip6->flow_lbl[0] & 0x0f) << 16) | ((__u32)ip6->flow_lbl[1] << 8) |
		ip6->flow_lbl[2];
	if ((nh == IPPROTO_TCP || nh == IPPROTO_UDP || nh == IPPROTO_SCTP) &&
	    (const void *)(l4 + 1) <= data_end)
		ports = *l4;
	h = (s[0] ^ s[1] ^ s[2] ^ s[3]) * 0x9e3779b1u + (d[0] ^ d[1] ^ d[2] ^ d[3]) * 0x85ebca77u +
	    ports * 0xc2b2ae3du + label * 0x27d4eb2fu + nh;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

#endif /* VTEP_IPV6_H */
