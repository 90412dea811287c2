/* nd.h - the Neighbor Discovery wire format (RFC 4861 s.4) and its
 * validation (s.6.1.1, s.7.1.1, s.7.1.2), on plain [data, data_end)
 * pointers, so that the port program (nd_proxy.h) and the uplink's
 * classifier (decap.h, XDP and TC alike) judge an ND message by the same
 * rules; and the Neighbor Advertisement both of them write.
 *
 * nd_check() accepts a message only when every one of these holds, each a
 * "silently discard" of RFC 4861 for the messages the datapath answers (NS,
 * RS) or reads (NA):
 *   - the IPv6 hop limit is 255: the message cannot have crossed a router
 *     (s.6.1.1, s.7.1.1, s.7.1.2; a reason of its own, ND_HOPLIMIT);
 *   - ICMPv6 code 0, the message at least its fixed part long and lying
 *     whole in the frame, its length a multiple of 8 (the fixed parts are 8n
 *     octets and every option is, s.4.6) and at most max_len octets (what
 *     the caller pulled into the linear area);
 *   - the ICMPv6 checksum, over the pseudo-header (RFC 4443 s.2.3);
 *   - every option has a length above 0 (s.4.6: "Nodes MUST silently
 *     discard an ND packet that contains an option with length zero") and
 *     ends inside the message; a link-layer address option (s.4.6.1) is 8
 *     octets for Ethernet (RFC 2464 s.6); at most ND_MAX_OPTS options are
 *     read (two are what ND ever carries here: a link-layer address and a
 *     nonce, RFC 7527), and a message with more is not accepted;
 *   - NS and NA: the target is no multicast address; NS from the
 *     unspecified address (duplicate address detection) goes to the
 *     target's solicited-node address and has no source link-layer
 *     address option (s.7.1.1); RS from the unspecified address has none
 *     either (s.6.1.1); NA to a multicast destination is unsolicited (S
 *     clear, s.7.1.2).
 */
#ifndef VTEP_ND_H
#define VTEP_ND_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "parse.h"
#include "ipv6.h"

/* ICMPv6 types (RFC 4861 s.4, RFC 4443 s.4). */
#define ND_ROUTER_SOLICIT    133
#define ND_ROUTER_ADVERT     134
#define ND_NEIGHBOR_SOLICIT  135
#define ND_NEIGHBOR_ADVERT   136
#define ND_REDIRECT          137

/* Option types (s.4.6). */
#define ND_OPT_SLLA          1
#define ND_OPT_TLLA          2
#define ND_OPT_PREFIX        3
#define ND_OPT_MTU           5

/* NA flags (s.4.4), in the first word after the checksum. */
#define ND_NA_F_ROUTER       0x80000000u
#define ND_NA_F_SOLICITED    0x40000000u
#define ND_NA_F_OVERRIDE     0x20000000u

#define ND_HOP_LIMIT         255 /* s.6.1.1, 7.1.1, 7.1.2 */
#define ND_MAX_OPTS          8
/* The longest message the port reads (its linear area is pulled that far);
 * longer ones (SEND's certificates and signatures, RFC 3971, which nothing
 * here verifies) are not accepted. */
#define ND_MAX_LEN           256

/* NS and NA (s.4.3, s.4.4): type, code, checksum, a word of reserved bits
 * or NA flags, the target. */
struct nd_neigh {
	__u8   type;
	__u8   code;
	__sum16 check;
	__be32 flags;
	__u8   target[16];
} __attribute__((packed));
_Static_assert(sizeof(struct nd_neigh) == 24, "NS/NA fixed part");

/* RS (s.4.1): type, code, checksum, reserved. */
struct nd_rs {
	__u8   type;
	__u8   code;
	__sum16 check;
	__be32 reserved;
} __attribute__((packed));

/* RA (s.4.2). */
struct nd_ra {
	__u8   type;
	__u8   code;
	__sum16 check;
	__u8   cur_hop_limit;
	__u8   flags;          /* M, O: neither set */
	__be16 router_lifetime;
	__be32 reachable_time;
	__be32 retrans_timer;
} __attribute__((packed));
_Static_assert(sizeof(struct nd_ra) == 16, "RA fixed part");

/* Source/target link-layer address option for Ethernet (s.4.6.1, RFC 2464
 * s.6): type, length 1 (8 octets), the MAC. */
struct nd_opt_lla {
	__u8 type;
	__u8 len;
	__u8 mac[ETH_ALEN];
} __attribute__((packed));
_Static_assert(sizeof(struct nd_opt_lla) == 8, "link-layer address option");

/* MTU option (s.4.6.4). */
struct nd_opt_mtu {
	__u8   type;
	__u8   len;
	__be16 reserved;
	__be32 mtu;
} __attribute__((packed));

/* Prefix Information option (s.4.6.2). */
struct nd_opt_prefix {
	__u8   type;
	__u8   len;
	__u8   prefix_len;
	__u8   flags;          /* ND_PI_F_* */
	__be32 valid_lifetime;
	__be32 preferred_lifetime;
	__be32 reserved2;
	__u8   prefix[16];
} __attribute__((packed));
_Static_assert(sizeof(struct nd_opt_prefix) == 32, "prefix information option");
#define ND_PI_F_ONLINK       0x80 /* L */
#define ND_PI_F_AUTO         0x40 /* A: SLAAC (RFC 4862) */

/* The NA both programs send: IPv6 header, NA, target link-layer address. */
struct nd_na_msg {
	struct nd_neigh na;
	struct nd_opt_lla tlla;
} __attribute__((packed));
#define ND_NA_LEN (IPV6_HLEN + sizeof(struct nd_na_msg)) /* from the IPv6 header on */

/* nd_check() verdicts. */
#define ND_OK        0
#define ND_BAD       (-1) /* malformed: any rule but the hop limit */
#define ND_HOPLIMIT  (-2)
#define ND_SPOOF     (-3) /* a link-layer address option not the expected MAC */

/* What nd_check() is asked and what it found: the message type, and
 * whether it had a link-layer address option (SLLA of NS and RS, TLLA of
 * NA). */
struct nd_info {
	__u8 type;
	__u8 has_lla;
};

/* Adds the K octets at msg + *off to *sum when len has the bit K, and
 * moves *off past them. */
#define ND_CSUM_CHUNK(K)                                                                \
	do {                                                                            \
		if ((K) < max_len && (l & (K))) {                                       \
			const void *p = msg + (off & (ND_MAX_LEN - 1));                  \
			__s64 part;                                                     \
                                                                                        \
			if (p + (K) > data_end)                                         \
				return 0;                                               \
			part = bpf_csum_diff(NULL, 0, (__be32 *)p, (K), 0);             \
			if (part < 0)                                                   \
				return 0;                                               \
			sum += (__u32)part;                                             \
			off += (K);                                                     \
		}                                                                       \
	} while (0)

/* The ICMPv6 checksum of the len (8n, at most max_len, a constant of at
 * most ND_MAX_LEN) octets at msg is correct. The message's length is the packet's, so no single bound read
 * covers it for the verifier: it is summed in chunks of constant sizes,
 * one per bit of len (128, 64, 32, 16, 8; or the 256 of a maximal one),
 * each read checked against data_end. */
static __always_inline int nd_csum_ok(const struct ipv6hdr *ip6, const void *msg, __u32 len,
				      const __u32 max_len, void *data_end)
{
	__s64 pseudo = bpf_csum_diff(NULL, 0, (__be32 *)&ip6->saddr, 32, 0);
	__u32 off = 0, l;
	__u64 sum;

	if (pseudo < 0)
		return 0;
	sum = (__u64)(__u32)pseudo + bpf_htonl(len) + bpf_htonl(IPPROTO_ICMPV6);
	/* The bits are tested on a copy the verifier does not link to len
	 * (an OR makes a new scalar): tests of len itself would leave the
	 * caller 32 lens of different known bits, which its comparisons make
	 * precise, and the rest of the program would be walked once each. */
	l = len;
	asm volatile("%0 |= 0" : "+r"(l));
	if (max_len == ND_MAX_LEN && l == ND_MAX_LEN) {
		if (msg + ND_MAX_LEN > data_end)
			return 0;
		pseudo = bpf_csum_diff(NULL, 0, (__be32 *)msg, ND_MAX_LEN, 0);
		if (pseudo < 0)
			return 0;
		sum += (__u32)pseudo;
	} else {
		ND_CSUM_CHUNK(128);
		ND_CSUM_CHUNK(64);
		ND_CSUM_CHUNK(32);
		ND_CSUM_CHUNK(16);
		ND_CSUM_CHUNK(8);
	}
	return csum6_fold(csum_fold64(sum)) == 0;
}
_Static_assert(ND_MAX_LEN == 256, "nd_csum_ok() sums the bits of a length below 256");

/* Walks the options from msg + off to msg + len. Every option of type want
 * (a link-layer address option) must be 8 octets and, when expect is not
 * NULL, carry expect (ND_SPOOF otherwise); ni->has_lla says one was there.
 * The loop only stores into ni, never reads it, and does its arithmetic
 * in 64 bits: the states of its iterations then differ in nothing the
 * verifier must keep apart, and it prunes them. */
static __always_inline int nd_opts(const void *msg, __u64 off, __u64 len, const __u32 max_len,
				   void *data_end, __u8 want, const __u8 *expect,
				   struct nd_info *ni)
{
	/* rem ends the walk, off places the reads: comparing off with len
	 * instead would narrow len differently on every path. */
	__u64 rem = len - off;

	for (int i = 0; i < ND_MAX_OPTS && i < (int)max_len / 8 - 1; i++) {
		const __u8 *o;
		__u64 olen;

		if (!rem)
			return ND_OK;
		if (off > max_len - 8)
			return ND_BAD;
		o = msg + off;
		if ((void *)(o + 8) > data_end)
			return ND_BAD;
		olen = (__u64)o[1] * 8;
		if (!olen)
			return ND_BAD; /* s.4.6: length 0 */
		if (olen > rem)
			return ND_BAD; /* ends past the message */
		if (o[0] == want) {
			if (olen != 8)
				return ND_BAD; /* RFC 2464 s.6: 8 octets */
			if (expect && !mac_eq(o + 2, expect))
				return ND_SPOOF;
			ni->has_lla = 1;
		}
		off += olen;
		rem -= olen;
	}
	/* More options than are read. */
	return rem ? ND_BAD : ND_OK;
}

/* Judges the ND message of type ni->type at msg, len octets (the IPv6
 * payload length: ND carries no extension headers here, the caller only
 * hands in next header 58), behind ip6. max_len: how much the caller has in
 * its linear area at most (a constant, ND_MAX_LEN or less). expect: the MAC
 * every link-layer address option must carry (the port's), or NULL.
 * Returns ND_OK, ND_BAD, ND_HOPLIMIT or ND_SPOOF. */
static __always_inline int nd_check(const struct ipv6hdr *ip6, const void *msg, __u32 len,
				    __u32 max_len, void *data_end, const __u8 *expect,
				    struct nd_info *ni)
{
	const struct nd_neigh *n = msg;
	__u32 fixed;
	__u8 want;
	int rc;

	ni->has_lla = 0;
	switch (ni->type) {
	case ND_NEIGHBOR_SOLICIT:
		fixed = sizeof(struct nd_neigh);
		want = ND_OPT_SLLA;
		break;
	case ND_NEIGHBOR_ADVERT:
		fixed = sizeof(struct nd_neigh);
		want = ND_OPT_TLLA;
		break;
	case ND_ROUTER_SOLICIT:
		fixed = sizeof(struct nd_rs);
		want = ND_OPT_SLLA;
		break;
	default:
		return ND_BAD;
	}
	if (ip6->hop_limit != ND_HOP_LIMIT)
		return ND_HOPLIMIT;
	if (len < fixed || len > max_len || (len & 7))
		return ND_BAD;
	/* The 8 octets every ND message has; an NS or NA's target is read
	 * only once its 24 are known to be there (below). */
	if (msg + 8 > data_end || n->code != 0)
		return ND_BAD;
	rc = nd_opts(msg, fixed, len, max_len, data_end, want, expect, ni);
	if (rc != ND_OK)
		return rc;
	if (!nd_csum_ok(ip6, msg, len, max_len, data_end))
		return ND_BAD;
	if (ni->type == ND_ROUTER_SOLICIT)
		return ip6_is_zero(&ip6->saddr) && ni->has_lla ? ND_BAD : ND_OK;
	if ((void *)(n + 1) > data_end || ip6_is_multicast(n->target))
		return ND_BAD;
	if (ni->type == ND_NEIGHBOR_SOLICIT && ip6_is_zero(&ip6->saddr) &&
	    (ni->has_lla || !ip6_is_solicited_node(&ip6->daddr, n->target)))
		return ND_BAD;
	if (ni->type == ND_NEIGHBOR_ADVERT && ip6_is_multicast(&ip6->daddr) &&
	    (n->flags & bpf_htonl(ND_NA_F_SOLICITED)))
		return ND_BAD;
	return ND_OK;
}

/* Writes an NA from src (the target, RFC 4861 s.7.2.4: a proxy answers from
 * the address it answers for) to dst at ip6p: the IPv6 header (hop limit
 * 255, traffic class and flow label 0), the NA with flags (host order
 * ND_NA_F_*) and the target, the target link-layer address option with mac,
 * and the checksum. ND_NA_LEN octets from ip6p must lie before data_end.
 * src, dst and mac must not point into that area: it is overwritten.
 * Returns 0, or -1 when the checksum helper refused. */
static __always_inline int nd_na_write(void *ip6p, void *data_end, const __u8 *src,
				       const __u8 *dst, const __u8 *mac, __u32 flags)
{
	struct ipv6hdr *ip6 = ip6p;
	struct nd_na_msg *m = ip6p + IPV6_HLEN;
	int csum;

	if ((void *)(m + 1) > data_end)
		return -1;
	*(__be32 *)ip6 = bpf_htonl(0x60000000); /* version 6, class 0, label 0 */
	ip6->payload_len = bpf_htons(sizeof(*m));
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = ND_HOP_LIMIT;
	ip6_copy(&ip6->saddr, src);
	ip6_copy(&ip6->daddr, dst);
	m->na.type = ND_NEIGHBOR_ADVERT;
	m->na.code = 0;
	m->na.check = 0;
	m->na.flags = bpf_htonl(flags);
	ip6_copy(m->na.target, src);
	m->tlla.type = ND_OPT_TLLA;
	m->tlla.len = 1;
	mac_copy(m->tlla.mac, mac);
	csum = icmp6_csum(ip6, m, sizeof(*m));
	if (csum < 0)
		return -1;
	m->na.check = (__sum16)csum;
	return 0;
}

#endif /* VTEP_ND_H */
