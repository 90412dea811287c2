/* bgp_err.c - see bgp_err.h. */
#include "bgp_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void bgp_err_init(struct bgp_err *e)
{
	e->action = BGP_ACT_NONE;
	e->code = 0;
	e->subcode = 0;
	e->data_len = 0;
	e->msg[0] = '\0';
	e->n_problems = 0;
}

void bgp_err_raise(struct bgp_err *e, enum bgp_err_action act, uint8_t code,
		   uint8_t subcode, const void *data, size_t data_len,
		   const char *fmt, ...)
{
	va_list ap;

	if (e->n_problems < UINT16_MAX)
		e->n_problems++;
	if (act <= e->action)
		return;
	e->action = act;
	e->code = code;
	e->subcode = subcode;
	if (data_len > sizeof(e->data))
		data_len = sizeof(e->data);
	e->data_len = data ? (uint16_t)data_len : 0;
	if (e->data_len)
		memcpy(e->data, data, e->data_len);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

const char *bgp_err_action_name(enum bgp_err_action act)
{
	switch (act) {
	case BGP_ACT_NONE:         return "none";
	case BGP_ACT_ATTR_DISCARD: return "attribute-discard";
	case BGP_ACT_WITHDRAW:     return "treat-as-withdraw";
	case BGP_ACT_RESET:        return "session-reset";
	}
	return "?";
}

const char *bgp_err_code_name(uint8_t code)
{
	static const char *const names[] = {
		[BGP_ERR_HEADER] = "Message Header Error",
		[BGP_ERR_OPEN] = "OPEN Message Error",
		[BGP_ERR_UPDATE] = "UPDATE Message Error",
		[BGP_ERR_HOLD_TIMER] = "Hold Timer Expired",
		[BGP_ERR_FSM] = "Finite State Machine Error",
		[BGP_ERR_CEASE] = "Cease",
		[BGP_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH Message Error",
	};

	if (code < sizeof(names) / sizeof(names[0]) && names[code])
		return names[code];
	return "Unknown";
}

const char *bgp_err_subcode_name(uint8_t code, uint8_t subcode)
{
	static const char *const hdr[] = {
		"Unspecific", "Connection Not Synchronized", "Bad Message Length",
		"Bad Message Type",
	};
	static const char *const open[] = {
		"Unspecific", "Unsupported Version Number", "Bad Peer AS",
		"Bad BGP Identifier", "Unsupported Optional Parameter",
		"Authentication Failure", "Unacceptable Hold Time",
		"Unsupported Capability",
	};
	static const char *const upd[] = {
		"Unspecific", "Malformed Attribute List",
		"Unrecognized Well-known Attribute", "Missing Well-known Attribute",
		"Attribute Flags Error", "Attribute Length Error",
		"Invalid ORIGIN Attribute", "AS Routing Loop",
		"Invalid NEXT_HOP Attribute", "Optional Attribute Error",
		"Invalid Network Field", "Malformed AS_PATH",
	};
	static const char *const cease[] = {
		"Unspecific", "Maximum Number of Prefixes Reached",
		"Administrative Shutdown", "Peer De-configured",
		"Administrative Reset", "Connection Rejected",
		"Other Configuration Change", "Connection Collision Resolution",
		"Out of Resources", "Hard Reset", "BFD Down",
	};
#define PICK(tbl) (subcode < sizeof(tbl) / sizeof(tbl[0]) ? tbl[subcode] : "Unknown")
	switch (code) {
	case BGP_ERR_HEADER: return PICK(hdr);
	case BGP_ERR_OPEN:   return PICK(open);
	case BGP_ERR_UPDATE: return PICK(upd);
	case BGP_ERR_CEASE:  return PICK(cease);
	case BGP_ERR_ROUTE_REFRESH:
		return subcode == BGP_RR_BAD_LENGTH ? "Invalid Message Length" : "Unknown";
	default:
		return subcode == 0 ? "Unspecific" : "Unknown";
	}
#undef PICK
}
