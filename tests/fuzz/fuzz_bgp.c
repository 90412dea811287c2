/* fuzz_bgp.c - libFuzzer target for the BGP codecs (make fuzz,
 * make fuzz-smoke).
 *
 * The input is a TCP byte stream from a peer: it is framed and parsed
 * message by message, as the session will, under each combination of the
 * negotiated state that changes decoding (4-octet AS or not, iBGP or eBGP).
 * Every parsed UPDATE that was not refused is built again from the parsed
 * attributes and routes and parsed back: the codec must accept what it
 * writes and give back the same routes (a broken invariant traps). The raw
 * input also goes straight to the path attribute and EVPN NLRI decoders,
 * which reaches them without needing a valid header first.
 * Seeds (tests/fuzz/corpus/) are real messages captured from GoBGP.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bgp_msg.h"

static struct bgp_msg msg, back;
static struct bgp_attrs attrs;
static struct bgp_err err, err2;
static uint8_t out[BGP_MAX_LEN];

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* Builds the UPDATE again and checks it parses back to the same routes. */
static void roundtrip_update(const struct bgp_parse_ctx *ctx)
{
	const struct bgp_update *u = &msg.update;
	struct evpn_route reach[BGP_UPDATE_MAX_ROUTES];
	size_t n = 0;
	struct wbuf w;
	int packed;

	if (err.action >= BGP_ACT_WITHDRAW || u->eor)
		return;
	for (unsigned i = 0; i < u->n_routes; i++)
		if (!u->routes[i].withdraw)
			reach[n++] = u->routes[i];
	if (!n)
		return;
	wbuf_init(&w, out, sizeof(out));
	packed = bgp_msg_build_update(&w, ctx, &u->attrs, reach, n, false);
	if (packed <= 0)
		return;         /* e.g. a next hop the builder does not send */
	CHECK(w.len <= BGP_MAX_LEN);
	CHECK(bgp_msg_frame(out, w.len, &err2) == (int)w.len);
	CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
	CHECK(err2.action == BGP_ACT_NONE);
	CHECK(back.update.n_routes == (unsigned)packed);
	for (int i = 0; i < packed; i++) {
		CHECK(evpn_route_same_key(&back.update.routes[i], &reach[i]));
		CHECK(memcmp(back.update.routes[i].label, reach[i].label,
			     sizeof(reach[i].label)) == 0);
	}
}

static void exercise_msg(const struct bgp_parse_ctx *ctx)
{
	char s[EVPN_ROUTE_STRLEN];

	if (msg.type == BGP_MSG_UPDATE) {
		for (unsigned i = 0; i < msg.update.n_routes; i++)
			evpn_route_fmt(&msg.update.routes[i], s);
		roundtrip_update(ctx);
	} else if (msg.type == BGP_MSG_OPEN) {
		struct wbuf w;

		/* What we parsed, we can build and read back. */
		wbuf_init(&w, out, sizeof(out));
		msg.open.cap_as4 = true;
		if (bgp_msg_build_open(&w, &msg.open) == 0) {
			CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
			CHECK(back.open.asn == msg.open.asn);
		}
	}
	(void)bgp_err_code_name(err.code);
	(void)bgp_err_subcode_name(err.code, err.subcode);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int c = 0; c < 4; c++) {
		const struct bgp_parse_ctx ctx = { .as4 = !(c & 1), .ibgp = (c & 2) != 0 };
		size_t off = 0;
		struct rbuf r;
		struct evpn_route rt;
		const char *why;
		int n;

		/* The stream, message by message, until a reset. */
		while ((n = bgp_msg_frame(data + off, size - off, &err)) > 0) {
			CHECK((size_t)n <= size - off && n >= BGP_HDR_LEN && n <= BGP_MAX_LEN);
			if (bgp_msg_parse(data + off, (size_t)n, &ctx, &msg, &err) < 0) {
				CHECK(err.action == BGP_ACT_RESET);
				break;
			}
			CHECK(err.action != BGP_ACT_RESET);
			exercise_msg(&ctx);
			off += (size_t)n;
		}

		/* The raw input as a Path Attributes field. */
		bgp_err_init(&err);
		if (bgp_attrs_parse(data, size, &ctx, &attrs, &err) < 0)
			CHECK(err.action == BGP_ACT_RESET);

		/* And as an EVPN NLRI field. */
		if (c == 0) {
			rbuf_init(&r, data, size);
			for (;;) {
				enum evpn_decode d = evpn_nlri_decode(&r, &rt, &why);

				if (d == EVPN_DEC_END || d == EVPN_DEC_FRAMING)
					break;
				if (d == EVPN_DEC_OK) {
					uint8_t b[EVPN_NLRI_MAX_LEN];
					struct wbuf w;

					wbuf_init(&w, b, sizeof(b));
					CHECK(evpn_nlri_encode(&w, &rt) == 0);
				}
			}
		}
	}
	return 0;
}
