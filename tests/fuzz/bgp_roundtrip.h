/* bgp_roundtrip.h - fuzz_bgp's round trips through the BGP codec's
 * builders (agent/wire): what the decoders read, vtepd must be able to
 * write and read back the same; what a builder refuses, it writes nothing
 * of. The code is in bgp_roundtrip.c.
 *
 * Why fuzz_bgp is split here: fuzz_bgp.c decodes (frames and parses the
 * stream under each negotiated state, the raw input as each field) and
 * feeds the RIB and map sync; every call of an encoder is in
 * bgp_roundtrip.c, on what was decoded or made from the raw input. The
 * round trips need the codec and nothing above it, so bgp_roundtrip.c is
 * compiled with agent/wire's include path and no other agent folder's (the
 * Makefile's FUZZ_WIRE_HELPERS) and cannot reach the RIB or the maps; its
 * own state (the output buffer, the message read back) is not fuzz_bgp.c's.
 *
 * A broken invariant traps (__builtin_trap), as everywhere in fuzz_bgp.
 */
#ifndef FUZZ_BGP_ROUNDTRIP_H
#define FUZZ_BGP_ROUNDTRIP_H

#include <stddef.h>
#include <stdint.h>

#include "bgp_msg.h"

/* Once per input, first: every builder into a buffer too small for it
 * fails cleanly; a Cease's reason (RFC 9003) made of the input reads back;
 * an EVPN route of any fields made of the input encodes and reads back (or
 * is refused, as its UPDATE is). Sets the size of the small buffer the
 * later round trips of this input build into (19..274 bytes, from the
 * input's last octet). */
void bgprt_input(const uint8_t *data, size_t size);

/* One message msg as parsed under ctx (err: what the parse found, never a
 * reset), built again and read back: KEEPALIVE, ROUTE-REFRESH,
 * NOTIFICATION (Hard Reset and Cease reasons too), End-of-RIB, OPEN (with
 * and without the 4-octet AS capability), an UPDATE's routes and
 * attributes (for a 2-octet session too, withdrawn, and into a small
 * buffer), its route targets, RDs and EVPN communities made again with our
 * makers, its AS path with our_as (the target's AS) in front and merged
 * with itself as AS4_PATH. */
void bgprt_msg(const struct bgp_parse_ctx *ctx, const struct bgp_msg *msg,
	       const struct bgp_err *err, uint32_t our_as);

/* The NOTIFICATION vtepd sends for a message refused with err is a
 * well-formed one with err's code. */
void bgprt_notify(const struct bgp_parse_ctx *ctx, const struct bgp_err *err);

/* A route the EVPN NLRI decoder read encodes again. */
void bgprt_nlri(const struct evpn_route *rt);

#endif /* FUZZ_BGP_ROUNDTRIP_H */
