/* bgp_attr.h - BGP path attributes (RFC 4271 4.3, 5): decode, check, encode.
 *
 * bgp_attrs_parse() walks the Path Attributes field of one UPDATE through a
 * table of attribute descriptors (BIRD style: expected flags, decode hook,
 * encode hook per type), so a new attribute is one table entry and two
 * functions. Every problem is classified per RFC 7606 (see bgp_err.h):
 * each descriptor's decode hook says what its malformations cost, citing
 * the RFC 7606 section 7.x that sets it. Unknown attributes: well-known ->
 * session reset (RFC 4271 6.3), optional transitive -> kept (and re-sent with
 * the Partial bit, RFC 4271 5), optional non-transitive -> ignored.
 *
 * With a peer that did not send the 4-octet AS capability (RFC 6793), the
 * parser reads AS_PATH/AGGREGATOR with 2-octet ASNs and merges AS4_PATH and
 * AS4_AGGREGATOR back in (4.2.3); the encoder writes AS_TRANS in their place
 * and adds AS4_PATH/AS4_AGGREGATOR when a 4-octet AS needs them (4.2.2).
 *
 * bgp_attrs_encode() writes the attributes present in a struct bgp_attrs, so
 * parser and builder share one struct: MP_REACH_NLRI / MP_UNREACH_NLRI first
 * (RFC 7606 5.1), the rest in ascending type order (RFC 4271 5).
 *
 * Variable-length lists (extended communities, communities, cluster list,
 * MP NLRI, unknown attributes) are views: after parsing they point into the
 * message, which must outlive the struct; for encoding, into the caller's
 * storage.
 */
#ifndef VTEP_BGP_ATTR_H
#define VTEP_BGP_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_err.h"
#include "rbuf.h"

enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,        /* RFC 1997 */
	BGP_ATTR_ORIGINATOR_ID = 9,      /* RFC 4456 */
	BGP_ATTR_CLUSTER_LIST = 10,      /* RFC 4456 */
	BGP_ATTR_MP_REACH_NLRI = 14,     /* RFC 4760 */
	BGP_ATTR_MP_UNREACH_NLRI = 15,   /* RFC 4760 */
	BGP_ATTR_EXT_COMMUNITIES = 16,   /* RFC 4360 */
	BGP_ATTR_AS4_PATH = 17,          /* RFC 6793 */
	BGP_ATTR_AS4_AGGREGATOR = 18,    /* RFC 6793 */
	BGP_ATTR_PMSI_TUNNEL = 22,       /* RFC 6514 5; EVPN type 3 (RFC 7432 11.2) */
};

/* Attribute Flags (RFC 4271 4.3). */
#define BGP_ATTR_F_OPTIONAL   0x80
#define BGP_ATTR_F_TRANSITIVE 0x40
#define BGP_ATTR_F_PARTIAL    0x20
#define BGP_ATTR_F_EXTLEN     0x10

#define BGP_ATTR_BIT(type)    (1u << (type))   /* for types < 32 */
#define BGP_ATTR_HAS(a, type) (((a)->present & BGP_ATTR_BIT(type)) != 0)

enum bgp_origin { BGP_ORIGIN_IGP = 0, BGP_ORIGIN_EGP = 1, BGP_ORIGIN_INCOMPLETE = 2 };

/* AS_PATH segment types (RFC 4271 4.3; RFC 5065 3 for the confederation ones). */
enum bgp_asseg_type {
	BGP_AS_SET = 1, BGP_AS_SEQUENCE = 2,
	BGP_AS_CONFED_SEQUENCE = 3, BGP_AS_CONFED_SET = 4,
};

#define BGP_AS_TRANS 23456   /* RFC 6793 9 */
/* A local limit, like FRR's "bgp maxas-limit": a longer path is refused
 * (treat-as-withdraw), never truncated. */
#define BGP_ASPATH_MAX 256

struct bgp_asseg {
	uint8_t type;           /* enum bgp_asseg_type */
	uint8_t count;          /* ASNs in the segment, >= 1 */
};

struct bgp_aspath {
	uint16_t n_segs, n_asns;
	struct bgp_asseg seg[BGP_ASPATH_MAX];   /* segments are never empty */
	uint32_t asn[BGP_ASPATH_MAX];           /* all segments' ASNs in order */
};

/* Length for best-path selection: RFC 4271 9.1.2.2 a) (an AS_SET counts
 * 1) and RFC 5065 5.3 (confederation segments count 0). */
unsigned bgp_aspath_hops(const struct bgp_aspath *p);
/* Leftmost AS of a leading AS_SEQUENCE, 0 if none (the eBGP first-AS check
 * of RFC 4271 6.3 is the session's). */
uint32_t bgp_aspath_first(const struct bgp_aspath *p);
bool bgp_aspath_contains(const struct bgp_aspath *p, uint32_t asn);
/* Prepends asn to the leading AS_SEQUENCE (RFC 4271 5.1.2); -ENOSPC. */
int bgp_aspath_prepend(struct bgp_aspath *p, uint32_t asn);

/* MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 3, 4). */
struct bgp_mp {
	uint16_t afi;
	uint8_t  safi;
	uint8_t  nh_len;        /* MP_REACH only: 4 IPv4, 16 IPv6, 32 IPv6 + link-local */
	uint8_t  nh[32];        /* as sent; nh_len octets (up to 32 are kept) */
	const uint8_t *nlri;    /* the NLRI field, nlri_len octets */
	uint16_t nlri_len;
};

/* PMSI Tunnel (RFC 6514 5). EVPN type 3 with VXLAN: tunnel type 6 ingress
 * replication, label = the VNI, id = the replicating VTEP (RFC 7432 11.2,
 * RFC 8365 5.1.3). */
#define BGP_PMSI_INGRESS_REPL 6
struct bgp_pmsi {
	uint8_t  flags;
	uint8_t  tunnel_type;
	uint32_t label;         /* raw 24-bit field */
	uint8_t  id_len;        /* 0 when the identifier is longer than id[] */
	uint8_t  id[16];
};

/* Extended communities vtepd reads (RFC 4360 3, 4; RFC 5668; RFC 9012;
 * RFC 7432 7.7, 7.8; RFC 9135 8.1): type, subtype. */
#define BGP_EXT_TYPE_AS2      0x00
#define BGP_EXT_TYPE_IP4      0x01
#define BGP_EXT_TYPE_AS4      0x02
#define BGP_EXT_TYPE_OPAQUE   0x03
#define BGP_EXT_TYPE_EVPN     0x06
#define BGP_EXT_SUB_RT        0x02   /* with AS2, IP4, AS4 */
#define BGP_EXT_SUB_ENCAP     0x0c   /* with OPAQUE */
#define BGP_EXT_SUB_DEFAULT_GW 0x0d  /* with OPAQUE */
#define BGP_EXT_SUB_MAC_MOBILITY 0x00 /* with EVPN */
#define BGP_EXT_SUB_ROUTER_MAC 0x03  /* with EVPN */
#define BGP_EXT_SUB_ND        0x08   /* with EVPN: ARP/ND (RFC 9047 3) */
/* The ARP/ND community's flags octet (RFC 9047 3: bits 7, 6 and 4 of the
 * octet as the RFC numbers them, most significant first). */
#define BGP_EXT_ND_ROUTER     0x01   /* R: the IPv6 address is a router's */
#define BGP_EXT_ND_OVERRIDE   0x02   /* O: answer NS with the Override flag */
#define BGP_EXT_ND_IMMUTABLE  0x08   /* I: the binding never moves */
#define BGP_TUNNEL_VXLAN      8      /* RFC 9012 / IANA tunnel types; RFC 8365 5.1.3 */

/* The EVPN-relevant communities, summed up by the parser. */
struct bgp_evpn_ext {
	bool     mac_mobility;  /* RFC 7432 7.7 */
	bool     mm_sticky;
	uint32_t mm_seq;
	bool     has_router_mac;     /* RFC 9135 8.1 */
	uint8_t  router_mac[6];
	bool     default_gw;    /* RFC 7432 7.8 */
	bool     has_nd;        /* RFC 9047: an ARP/ND community was there ... */
	uint8_t  nd_flags;      /* ... with these BGP_EXT_ND_* flags */
	uint32_t encap_types;   /* bit t: RFC 9012 encapsulation, tunnel type t < 32 */
	uint16_t n_rt;          /* route targets among ext[] */
};

struct bgp_raw_attr {
	uint8_t  flags, type;
	uint16_t len;
	const uint8_t *val;
};
#define BGP_ATTR_MAX_UNKNOWN 32

struct bgp_attrs {
	uint32_t present;       /* BGP_ATTR_BIT(type) per attribute accepted */
	uint8_t  origin;
	struct bgp_aspath aspath;
	uint32_t next_hop;      /* network order */
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggregator_as;
	uint32_t aggregator_id; /* network order */
	uint32_t originator_id; /* network order */
	const uint8_t *communities;  uint16_t n_communities;  /* 4 octets each */
	const uint8_t *cluster_list; uint16_t n_clusters;     /* 4 octets each */
	const uint8_t *ext;          uint16_t n_ext;          /* 8 octets each */
	struct bgp_evpn_ext evpn;    /* parse only; encoding uses ext[] */
	struct bgp_pmsi pmsi;
	struct bgp_mp mp_reach, mp_unreach;
	/* From a 2-octet AS speaker (RFC 6793 4.2.3), parse only: AS4_PATH as
	 * a view of its value and AS4_AGGREGATOR as received. After the walk
	 * they are merged into aspath / aggregator_as (or ignored, as 4.2.3
	 * says) and their present bits cleared: nothing relays them. */
	const uint8_t *as4_path;     uint16_t as4_path_len;
	uint32_t as4_aggregator_as;
	uint32_t as4_aggregator_id;  /* network order */
	uint8_t  as4_used;           /* BGP_AS4_USED_* */
	uint16_t n_unknown;          /* optional transitive, kept */
	struct bgp_raw_attr unknown[BGP_ATTR_MAX_UNKNOWN];
};

/* What became of AS4_PATH / AS4_AGGREGATOR from a 2-octet speaker. */
#define BGP_AS4_USED_PATH       0x1   /* aspath is the AS_PATH/AS4_PATH merge */
#define BGP_AS4_USED_AGGREGATOR 0x2   /* aggregator_* came from AS4_AGGREGATOR */
#define BGP_AS4_IGNORED_PATH    0x4   /* AS4_PATH received but not used */

/* RFC 6793 4.2.3: the AS path a 2-octet speaker's AS_PATH (as) and
 * AS4_PATH (as4) stand for, into *out (which may be as). Lengths are
 * counted as RFC 4271 9.1.2.2 does (an AS_SET is 1, confederation
 * segments 0, RFC 5065 5.3); AS4_PATH longer than AS_PATH is ignored
 * (out = as). Confederation segments of as4 are dropped (RFC 6793 3: not
 * allowed there). Returns true when as4 was used. */
bool bgp_aspath_merge_as4(const struct bgp_aspath *as, const struct bgp_aspath *as4,
			  struct bgp_aspath *out);

/* What both sides negotiated that changes the encoding. */
struct bgp_parse_ctx {
	bool as4;               /* both sent the 4-octet AS capability (RFC 6793) */
	bool ibgp;              /* the peer is in our AS */
};

/* Parses the Path Attributes field (len octets at field) into *a.
 * Returns 0 with err->action NONE, ATTR_DISCARD or WITHDRAW, or -1 with
 * err->action RESET and the NOTIFICATION to send. The mandatory-attribute
 * check needs the NLRI and is the UPDATE parser's (bgp_msg.c). */
int bgp_attrs_parse(const uint8_t *field, size_t len, const struct bgp_parse_ctx *ctx,
		    struct bgp_attrs *a, struct bgp_err *err);

/* Appends the attributes present in *a (the Path Attributes field only,
 * without its length). Returns 0 or -errno (-EMSGSIZE when w is full). */
int bgp_attrs_encode(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *ctx);

const char *bgp_attr_name(uint8_t type);

/* Extended community builders and readers; ext points at 8 wire octets. */
void bgp_ext_rt_as2(uint8_t ext[8], uint16_t asn, uint32_t n);    /* RFC 4360 4 */
void bgp_ext_rt_ip4(uint8_t ext[8], uint32_t ip_be, uint16_t n);  /* RFC 4360 4 */
void bgp_ext_rt_as4(uint8_t ext[8], uint32_t asn, uint16_t n);    /* RFC 5668 3 */
/* A route target's global (AS, or IPv4 in network order) and local parts;
 * returns its type (BGP_EXT_TYPE_AS2/IP4/AS4), or -1 if ext is not one. */
int bgp_ext_rt_parse(const uint8_t ext[8], uint32_t *global, uint32_t *local);
void bgp_ext_encap(uint8_t ext[8], uint16_t tunnel_type);        /* RFC 9012 4.1 */
void bgp_ext_mac_mobility(uint8_t ext[8], uint32_t seq, bool sticky); /* RFC 7432 7.7 */
void bgp_ext_router_mac(uint8_t ext[8], const uint8_t mac[6]);   /* RFC 9135 8.1 */
void bgp_ext_default_gw(uint8_t ext[8]);                         /* RFC 7432 7.8 */
void bgp_ext_nd(uint8_t ext[8], uint8_t flags);                  /* RFC 9047 3 */

#endif /* VTEP_BGP_ATTR_H */
