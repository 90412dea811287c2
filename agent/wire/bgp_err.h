/* bgp_err.h - what a received BGP message's problems cost (RFC 7606 2).
 *
 * The codecs never act on an error; they classify it and the session acts:
 *   BGP_ACT_ATTR_DISCARD  drop the attribute, use the rest of the UPDATE
 *   BGP_ACT_WITHDRAW      "treat-as-withdraw": every route the UPDATE names,
 *                         reachable or not, is withdrawn (the parser has
 *                         already marked them so)
 *   BGP_ACT_RESET         "session reset": send NOTIFICATION code/subcode
 *                         with data (RFC 4271 6), close the session
 * One message can have several problems; the most severe one wins and its
 * code, subcode, data and text are kept (bgp_err_raise()). Every problem is
 * counted, so a log can say "3 attributes discarded".
 */
#ifndef VTEP_BGP_ERR_H
#define VTEP_BGP_ERR_H

#include <stddef.h>
#include <stdint.h>

enum bgp_err_action {
	BGP_ACT_NONE = 0,
	BGP_ACT_ATTR_DISCARD,
	BGP_ACT_WITHDRAW,
	BGP_ACT_RESET,
};

/* NOTIFICATION error codes (RFC 4271 4.5; 7 from RFC 7313 5). */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD_TIMER = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_ROUTE_REFRESH = 7,
};

/* Subcodes (RFC 4271 6.1, 6.2, 6.3; RFC 5492 5; RFC 4486 4; RFC 7313 5). */
enum {
	BGP_HDR_NOT_SYNC = 1, BGP_HDR_BAD_LENGTH = 2, BGP_HDR_BAD_TYPE = 3,
};
enum {
	BGP_OPEN_UNSPECIFIC = 0, BGP_OPEN_BAD_VERSION = 1, BGP_OPEN_BAD_PEER_AS = 2,
	BGP_OPEN_BAD_BGP_ID = 3, BGP_OPEN_BAD_OPT_PARAM = 4,
	BGP_OPEN_BAD_HOLD_TIME = 6, BGP_OPEN_BAD_CAPABILITY = 7,
};
enum {
	BGP_UPD_UNSPECIFIC = 0, BGP_UPD_MALFORMED_ATTR_LIST = 1,
	BGP_UPD_UNRECOGNIZED_WELLKNOWN = 2, BGP_UPD_MISSING_WELLKNOWN = 3,
	BGP_UPD_ATTR_FLAGS = 4, BGP_UPD_ATTR_LENGTH = 5, BGP_UPD_INVALID_ORIGIN = 6,
	BGP_UPD_INVALID_NEXT_HOP = 8, BGP_UPD_OPTIONAL_ATTR = 9,
	BGP_UPD_INVALID_NETWORK = 10, BGP_UPD_MALFORMED_AS_PATH = 11,
};
enum {
	BGP_CEASE_MAX_PREFIXES = 1, BGP_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_CEASE_PEER_DECONFIGURED = 3, BGP_CEASE_ADMIN_RESET = 4,
	BGP_CEASE_CONNECTION_REJECTED = 5, BGP_CEASE_CONFIG_CHANGE = 6,
	BGP_CEASE_COLLISION = 7, BGP_CEASE_OUT_OF_RESOURCES = 8,
	BGP_CEASE_HARD_RESET = 9,    /* RFC 8538 5: wraps the original code/subcode */
	BGP_CEASE_BFD_DOWN = 10,     /* RFC 9384 */
};
enum { BGP_RR_BAD_LENGTH = 1 };

/* A NOTIFICATION is at most 4096 octets: 19 header + 2 code/subcode. */
#define BGP_ERR_DATA_MAX (4096 - 21)
#define BGP_ERR_MSG_LEN  160

struct bgp_err {
	enum bgp_err_action action;
	uint8_t  code, subcode;          /* the NOTIFICATION for BGP_ACT_RESET */
	uint16_t data_len;
	uint8_t  data[BGP_ERR_DATA_MAX]; /* its data field (RFC 4271 6.x says what) */
	char     msg[BGP_ERR_MSG_LEN];   /* for the log: what was wrong, with the RFC */
	uint16_t n_problems;             /* every problem found, whatever its action */
};

void bgp_err_init(struct bgp_err *e);
/* Records one problem; it replaces what e holds only if more severe. */
void bgp_err_raise(struct bgp_err *e, enum bgp_err_action act, uint8_t code,
		   uint8_t subcode, const void *data, size_t data_len,
		   const char *fmt, ...) __attribute__((format(printf, 7, 8)));

const char *bgp_err_action_name(enum bgp_err_action act);
const char *bgp_err_code_name(uint8_t code);
const char *bgp_err_subcode_name(uint8_t code, uint8_t subcode);

#endif /* VTEP_BGP_ERR_H */
