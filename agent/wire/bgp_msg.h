/* bgp_msg.h - BGP-4 messages (RFC 4271 4): framing, OPEN with
 * capabilities, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH.
 *
 * Pure codec: no sockets, no state. Builders and parsers are paired
 * (BIRD's bgp_create_open / bgp_rx_open): bgp_msg_build_X() writes what
 * bgp_msg_parse() reads back into the same struct.
 *
 * Receiving: bgp_msg_frame() finds one message in a stream buffer and checks
 * its header (RFC 4271 6.1); bgp_msg_parse() decodes it. Problems come back
 * in a struct bgp_err classified per RFC 7606 (see bgp_err.h): parse returns
 * -1 only for a session reset; otherwise 0, and for an UPDATE err->action may
 * be ATTR_DISCARD (use it) or WITHDRAW (the parser has marked every route
 * withdraw).
 *
 * Parsed structs point into the message buffer (attribute lists, NLRI
 * fields, NOTIFICATION data): keep the buffer until done with them.
 *
 * Sending: every builder appends one whole message to a wbuf and returns 0
 * (bgp_msg_build_update: how many routes it packed) or -errno; on error
 * w->len is left where it was.
 */
#ifndef VTEP_BGP_MSG_H
#define VTEP_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_attr.h"
#include "bgp_err.h"
#include "evpn_nlri.h"
#include "rbuf.h"

#define BGP_PORT      179
#define BGP_VERSION   4
#define BGP_HDR_LEN   19      /* marker 16, length 2, type 1 (RFC 4271 4.1) */
#define BGP_MAX_LEN   4096    /* RFC 4271 4.1 (RFC 8654 extended messages not supported) */

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,   /* RFC 2918 */
};

/* Capability codes (RFC 5492; IANA). */
enum bgp_cap_code {
	BGP_CAP_MP = 1,              /* RFC 4760 8 */
	BGP_CAP_ROUTE_REFRESH = 2,   /* RFC 2918 */
	BGP_CAP_EXT_MESSAGE = 6,     /* RFC 8654 */
	BGP_CAP_GRACEFUL_RESTART = 64, /* RFC 4724 3 */
	BGP_CAP_AS4 = 65,            /* RFC 6793 */
	BGP_CAP_ENHANCED_RR = 70,    /* RFC 7313 */
};

struct bgp_afisafi {
	uint16_t afi;
	uint8_t  safi;
};

/* RFC 4724 3: per address family, F = forwarding state preserved. */
#define BGP_GR_AF_FORWARDING 0x80
#define BGP_GR_RESTARTING    0x8    /* R bit of the Restart Flags */
#define BGP_GR_NOTIFICATION  0x4    /* N bit (RFC 8538) */
struct bgp_gr_af {
	uint16_t afi;
	uint8_t  safi;
	uint8_t  flags;
};

#define BGP_OPEN_MAX_AF 16   /* more MP / GR families than this are ignored */

struct bgp_open {
	uint8_t  version;       /* 4 */
	uint16_t my_as;         /* the 2-octet field: AS_TRANS for a 4-octet AS */
	uint16_t hold_time;     /* 0 or >= 3 (RFC 4271 4.2) */
	uint32_t bgp_id;        /* network order, non-zero (RFC 6286 2.2) */
	uint32_t asn;           /* the speaker's AS: the 4-octet capability's if
				 * sent (RFC 6793 4.1), else my_as. Builders read this. */
	bool     cap_as4;
	bool     cap_route_refresh;
	bool     cap_enhanced_rr;
	bool     cap_ext_message;  /* parsed only; vtepd does not offer it */
	uint8_t  n_mp;
	struct bgp_afisafi mp[BGP_OPEN_MAX_AF];
	bool     cap_gr;
	uint8_t  gr_flags;      /* Restart Flags, 4 bits */
	uint16_t gr_time;       /* Restart Time, 12 bits, seconds */
	uint8_t  n_gr;
	struct bgp_gr_af gr[BGP_OPEN_MAX_AF];
	uint16_t n_unknown_caps;   /* ignored, as RFC 5492 5 says */
};

struct bgp_notification {
	uint8_t  code, subcode;
	const uint8_t *data;    /* into the message */
	uint16_t data_len;
	/* RFC 9003: Cease / Administrative Shutdown or Reset may carry a
	 * length-prefixed UTF-8 reason; control octets replaced by '?'. */
	bool     has_reason;
	char     reason[256];
	/* RFC 8538 5: Cease/Hard Reset carries the NOTIFICATION it stands
	 * for (code, subcode, data) as its data; those two are here. */
	bool     hard_reset;
	uint8_t  inner_code, inner_subcode;
};

/* RFC 2918 3, RFC 7313 3: subtype 0 request, 1 BoRR, 2 EoRR; other
 * subtypes must be ignored by the session (RFC 7313 5). */
struct bgp_route_refresh {
	uint16_t afi;
	uint8_t  subtype;
	uint8_t  safi;
};

/* Decoded EVPN routes per UPDATE. Each takes at least 19 octets (type 3,
 * IPv4) of a message of at most 4096, so 215 is the true bound. */
#define BGP_UPDATE_MAX_ROUTES 256

struct bgp_update {
	struct bgp_attrs attrs;
	/* IPv4 unicast fields of RFC 4271 4.3, checked but not decoded
	 * (vtepd negotiates only EVPN); bgp_prefix4_next() walks them. */
	const uint8_t *withdrawn4;   uint16_t withdrawn4_len, n_withdrawn4;
	const uint8_t *nlri4;        uint16_t nlri4_len, n_nlri4;
	/* EVPN routes of MP_UNREACH_NLRI then MP_REACH_NLRI, in the order to
	 * apply them (RFC 4271 4.3: an advertisement beats a withdrawal of the
	 * same route in one UPDATE). withdraw is set on all of them when
	 * the UPDATE is treat-as-withdraw. */
	uint16_t n_routes;
	uint16_t n_skipped;     /* EVPN route types not decoded (1, 4, ...) */
	uint16_t n_malformed;   /* located but malformed: dropped (and withdraw) */
	/* Reachable routes (of MP_REACH_NLRI) that treat-as-withdraw (RFC
	 * 7606 2) turned into withdrawals: rejected for their attributes. */
	uint16_t n_treat_as_withdraw;
	bool     eor;           /* End-of-RIB marker (RFC 4724 2) for eor_afi/safi */
	uint16_t eor_afi;
	uint8_t  eor_safi;
	struct evpn_route routes[BGP_UPDATE_MAX_ROUTES];
};

struct bgp_msg {
	uint8_t  type;          /* enum bgp_msg_type */
	uint16_t len;
	union {
		struct bgp_open open;
		struct bgp_update update;
		struct bgp_notification notification;
		struct bgp_route_refresh route_refresh;
	};
};

/* One message at the start of buf (len octets received so far):
 * > 0  its length (the whole message is in buf), header checked
 *   0  not enough octets yet
 *  -1  bad header: err holds the NOTIFICATION (RFC 4271 6.1) */
int bgp_msg_frame(const uint8_t *buf, size_t len, struct bgp_err *err);

/* Decodes one framed message (len = what bgp_msg_frame() returned).
 * err is initialised here. */
int bgp_msg_parse(const uint8_t *buf, size_t len, const struct bgp_parse_ctx *ctx,
		  struct bgp_msg *m, struct bgp_err *err);

/* Next prefix of an IPv4 NLRI / Withdrawn Routes field (RFC 4271 4.3):
 * 1 and the prefix, 0 at the end, -1 if malformed. */
int bgp_prefix4_next(struct rbuf *r, uint32_t *prefix_be, uint8_t *len);

int bgp_msg_build_open(struct wbuf *w, const struct bgp_open *o);
int bgp_msg_build_keepalive(struct wbuf *w);
int bgp_msg_build_notification(struct wbuf *w, uint8_t code, uint8_t subcode,
			       const void *data, size_t data_len);
/* The NOTIFICATION for a session reset found by the parser. */
int bgp_msg_build_notification_err(struct wbuf *w, const struct bgp_err *err);
/* Cease with an RFC 9003 reason (at most 255 octets, truncated). */
int bgp_msg_build_cease(struct wbuf *w, uint8_t subcode, const char *reason);
/* RFC 8538 5: Cease/Hard Reset wrapping NOTIFICATION code/subcode/data. */
int bgp_msg_build_hard_reset(struct wbuf *w, uint8_t code, uint8_t subcode,
			     const void *data, size_t data_len);
/* The same with the RFC 9003 reason of a Cease subcode inside. */
int bgp_msg_build_hard_reset_cease(struct wbuf *w, uint8_t subcode, const char *reason);
int bgp_msg_build_route_refresh(struct wbuf *w, const struct bgp_route_refresh *rr);

/* One UPDATE carrying as many of routes[0..n) as fit in 4096 octets (and
 * in w): withdraw = false puts them in MP_REACH_NLRI with attrs (next hop
 * from attrs->mp_reach.nh/nh_len, the rest of mp_reach is filled here);
 * withdraw = true puts them in MP_UNREACH_NLRI alone and attrs may be NULL
 * (RFC 4760 4). Returns the number packed (>= 1 when n >= 1) or -errno. */
int bgp_msg_build_update(struct wbuf *w, const struct bgp_parse_ctx *ctx,
			 const struct bgp_attrs *attrs, const struct evpn_route *routes,
			 size_t n, bool withdraw);
/* End-of-RIB (RFC 4724 2): empty UPDATE for IPv4 unicast, else an
 * MP_UNREACH_NLRI with no NLRI. */
int bgp_msg_build_eor(struct wbuf *w, uint16_t afi, uint8_t safi);

const char *bgp_msg_type_name(uint8_t type);

#endif /* VTEP_BGP_MSG_H */
