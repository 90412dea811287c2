/* evpn_nlri.h - the EVPN NLRI codec (AFI 25 L2VPN, SAFI 70 EVPN; RFC 7432 7).
 *
 * One NLRI is Route Type (1 octet), Length (1 octet), value (Length octets).
 * Decoded here: type 2 MAC/IP Advertisement (RFC 7432 7.2), type 3 Inclusive
 * Multicast Ethernet Tag (RFC 7432 7.3) and type 5 IP Prefix (RFC 9136 3.1).
 * Other types (1 Ethernet A-D, 4 Ethernet Segment, ...) are skipped without
 * error, as an EVPN speaker that does not implement them must. Each decoded
 * type gets an exact length check first, as FRR's bgp_evpn.c does, so no
 * field is read from a value whose length does not match its layout.
 *
 * Labels: with VXLAN encapsulation the whole 24-bit MPLS Label field carries
 * the VNI (RFC 8365 5.1.3), not a 20-bit label shifted left by 4. label[]
 * holds the raw 24-bit field; evpn_label_vni() says so in code.
 *
 * IPv4 addresses are network order (as in the maps); RD and ESI are kept as
 * their wire octets.
 */
#ifndef VTEP_EVPN_NLRI_H
#define VTEP_EVPN_NLRI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rbuf.h"

#define EVPN_AFI  25   /* L2VPN (IANA address family numbers) */
#define EVPN_SAFI 70   /* EVPN (RFC 7432 5) */

enum evpn_route_type {
	EVPN_RT_AD = 1,       /* Ethernet Auto-Discovery: skipped */
	EVPN_RT_MACIP = 2,    /* MAC/IP Advertisement */
	EVPN_RT_IMET = 3,     /* Inclusive Multicast Ethernet Tag */
	EVPN_RT_ES = 4,       /* Ethernet Segment: skipped */
	EVPN_RT_PREFIX = 5,   /* IP Prefix (RFC 9136) */
};

/* Value lengths (RFC 7432 7.2, 7.3; RFC 9136 3.1). */
#define EVPN_MACIP_MIN_LEN   33  /* RD 8 + ESI 10 + tag 4 + 1 + MAC 6 + 1 + label 3 */
#define EVPN_IMET_V4_LEN     17  /* RD 8 + tag 4 + 1 + IPv4 4 */
#define EVPN_IMET_V6_LEN     29
#define EVPN_PREFIX_V4_LEN   34  /* RD 8 + ESI 10 + tag 4 + 1 + 4 + GW 4 + label 3 */
#define EVPN_PREFIX_V6_LEN   58  /* ... + 16 + GW 16 + label 3 */
#define EVPN_NLRI_MAX_LEN    (2 + EVPN_PREFIX_V6_LEN)

/* An address whose family is its length: 0 (none), 4 (IPv4) or 16 (IPv6). */
struct evpn_ip {
	uint8_t len;
	union {
		uint32_t v4;        /* network order */
		uint8_t  v6[16];
	};
};

struct evpn_route {
	uint8_t  type;          /* enum evpn_route_type */
	bool     withdraw;      /* set by the UPDATE parser: unreachable, or treat-as-withdraw */
	uint8_t  rd[8];         /* Route Distinguisher (RFC 4364 4.2), wire octets */
	uint8_t  esi[10];       /* types 2 and 5; all zero = single-homed */
	uint32_t etag;          /* Ethernet Tag ID */
	uint8_t  mac[6];        /* type 2 */
	struct evpn_ip ip;      /* type 2: host IP (len 0 = MAC only); type 3:
				 * originating router; type 5: the prefix */
	uint8_t  prefix_len;    /* type 5, in bits */
	struct evpn_ip gw;      /* type 5 gateway IP, same family as the prefix */
	uint8_t  n_labels;      /* type 2: 1 or 2; type 5: 1; type 3: 0 (PMSI attribute) */
	uint32_t label[2];      /* raw 24-bit Label fields */
};

/* RFC 8365 5.1.3: for VXLAN the 24-bit label field is the VNI itself. */
static inline uint32_t evpn_label_vni(uint32_t label)
{
	return label & 0xffffff;
}

enum evpn_decode {
	EVPN_DEC_OK = 0,      /* *rt holds the route */
	EVPN_DEC_END,         /* nothing left to read */
	EVPN_DEC_SKIP,        /* a type this codec does not decode; skipped */
	EVPN_DEC_BAD,         /* located (its length field fits) but malformed; skipped */
	EVPN_DEC_FRAMING,     /* its length runs past the field: what follows cannot be located */
};

/* Decodes the next NLRI of r. On EVPN_DEC_BAD and EVPN_DEC_FRAMING, *why
 * names the problem (a static string citing the RFC). */
enum evpn_decode evpn_nlri_decode(struct rbuf *r, struct evpn_route *rt, const char **why);

/* Octets evpn_nlri_encode() writes for rt (type and length octets included),
 * or 0 if rt cannot be encoded (unknown type, bad address length). */
size_t evpn_nlri_size(const struct evpn_route *rt);
/* Appends rt as one NLRI; -EINVAL for a route that cannot be encoded,
 * otherwise wbuf_error(w). */
int evpn_nlri_encode(struct wbuf *w, const struct evpn_route *rt);

/* Same BGP route (RFC 7432 7.2, 7.3; RFC 9136 3.2: RD plus the type's key
 * fields; ESI, labels and the gateway are not part of the key). */
bool evpn_route_same_key(const struct evpn_route *a, const struct evpn_route *b);

/* Route Distinguishers (RFC 4364 4.2). Type 1 "IP:n" is what vtepd's
 * "auto" RD uses (router_id:vni, DESIGN.md). */
void evpn_rd_make_ip(uint8_t rd[8], uint32_t ip_be, uint16_t n);
void evpn_rd_make_as(uint8_t rd[8], uint32_t asn, uint32_t n);  /* type 0 or 2 by size */
#define EVPN_RD_STRLEN 24   /* "4294967295:65535" / "255.255.255.255:65535" */
const char *evpn_rd_fmt(const uint8_t rd[8], char buf[EVPN_RD_STRLEN]);

/* "[2][192.0.2.2:100][0][02:00:00:00:00:21][10.1.0.21] label 100" for logs. */
#define EVPN_ROUTE_STRLEN 160
const char *evpn_route_fmt(const struct evpn_route *rt, char buf[EVPN_ROUTE_STRLEN]);

#endif /* VTEP_EVPN_NLRI_H */
