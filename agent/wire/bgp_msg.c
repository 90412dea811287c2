/* bgp_msg.c - see bgp_msg.h. Parsers and builders of each message type sit
 * next to each other. */
#include "bgp_msg.h"

#include <errno.h>
#include <string.h>

_Static_assert((BGP_MAX_LEN - BGP_HDR_LEN - 4) / (2 + EVPN_IMET_V4_LEN) < BGP_UPDATE_MAX_ROUTES,
	       "an UPDATE can hold more EVPN routes than struct bgp_update");

static const uint8_t bgp_marker[16] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

const char *bgp_msg_type_name(uint8_t type)
{
	switch (type) {
	case BGP_MSG_OPEN:          return "OPEN";
	case BGP_MSG_UPDATE:        return "UPDATE";
	case BGP_MSG_NOTIFICATION:  return "NOTIFICATION";
	case BGP_MSG_KEEPALIVE:     return "KEEPALIVE";
	case BGP_MSG_ROUTE_REFRESH: return "ROUTE-REFRESH";
	}
	return "unknown";
}

/* --- header (RFC 4271 4.1, 6.1) --- */

int bgp_msg_frame(const uint8_t *buf, size_t len, struct bgp_err *err)
{
	uint16_t mlen, min = BGP_HDR_LEN, max = BGP_MAX_LEN;
	uint8_t type;

	bgp_err_init(err);
	if (len < BGP_HDR_LEN)
		return 0;
	if (memcmp(buf, bgp_marker, sizeof(bgp_marker)) != 0) {
		bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_HEADER, BGP_HDR_NOT_SYNC, NULL, 0,
			      "marker is not all ones (RFC 4271 6.1)");
		return -1;
	}
	mlen = (uint16_t)(buf[16] << 8 | buf[17]);
	type = buf[18];
	switch (type) {
	case BGP_MSG_OPEN:          min = 29; break;
	case BGP_MSG_UPDATE:        min = 23; break;
	case BGP_MSG_NOTIFICATION:  min = 21; break;
	case BGP_MSG_KEEPALIVE:     max = BGP_HDR_LEN; break;
	case BGP_MSG_ROUTE_REFRESH: min = 23; break;   /* RFC 2918 3 */
	default:
		bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_HEADER, BGP_HDR_BAD_TYPE,
			      &type, 1, "unknown message type %u (RFC 4271 6.1)", type);
		return -1;
	}
	if (mlen < min || mlen > max) {
		/* Data: the erroneous Length field (RFC 4271 6.1). */
		bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_HEADER, BGP_HDR_BAD_LENGTH,
			      buf + 16, 2, "%s with length %u (RFC 4271 6.1)",
			      bgp_msg_type_name(type), mlen);
		return -1;
	}
	return len < mlen ? 0 : mlen;
}

/* Starts a message; returns the offset of its first octet. */
static size_t hdr_begin(struct wbuf *w, uint8_t type)
{
	size_t start = w->len;

	wbuf_put_bytes(w, bgp_marker, sizeof(bgp_marker));
	wbuf_reserve(w, 2);
	wbuf_put_u8(w, type);
	return start;
}

/* Sets the Length field; on any error rolls w back to start. */
static int hdr_end(struct wbuf *w, size_t start)
{
	size_t mlen = w->len - start;

	if (!wbuf_error(w) && mlen > BGP_MAX_LEN)
		w->err = -EMSGSIZE;
	if (wbuf_error(w)) {
		w->len = start;
		return wbuf_error(w);
	}
	wbuf_set_u16(w, start + 16, (uint16_t)mlen);
	return 0;
}

/* --- KEEPALIVE (RFC 4271 4.4) --- */

int bgp_msg_build_keepalive(struct wbuf *w)
{
	return hdr_end(w, hdr_begin(w, BGP_MSG_KEEPALIVE));
}

/* --- OPEN (RFC 4271 4.2, RFC 5492, RFC 9072) --- */

/* Reads one capability's value (RFC 5492 4). Returns -1 if it is
 * malformed: RFC 4271 6.2 "recognized, but malformed" -> subcode 0. */
static int open_cap(uint8_t code, struct rbuf *v, struct bgp_open *o)
{
	size_t n = rbuf_left(v);

	switch (code) {
	case BGP_CAP_MP: {              /* AFI 2, reserved 1, SAFI 1 */
		struct bgp_afisafi af;
		uint8_t res;

		if (n != 4)
			return -1;
		memset(&af, 0, sizeof(af)); /* its pad byte too: parsed OPENs compare whole */
		rbuf_get_u16(v, &af.afi);
		rbuf_get_u8(v, &res);
		rbuf_get_u8(v, &af.safi);
		if (o->n_mp < BGP_OPEN_MAX_AF)
			o->mp[o->n_mp++] = af;
		return 0;
	}
	case BGP_CAP_ROUTE_REFRESH:
		o->cap_route_refresh = true;
		return n == 0 ? 0 : -1;
	case BGP_CAP_ENHANCED_RR:
		o->cap_enhanced_rr = true;
		return n == 0 ? 0 : -1;
	case BGP_CAP_EXT_MESSAGE:
		o->cap_ext_message = true;
		return n == 0 ? 0 : -1;
	case BGP_CAP_AS4:               /* RFC 6793 3: the 4-octet AS */
		if (n != 4)
			return -1;
		o->cap_as4 = true;
		rbuf_get_u32(v, &o->asn);
		return 0;
	case BGP_CAP_GRACEFUL_RESTART: { /* RFC 4724 3: flags 4 bits + time 12 bits, then (AFI, SAFI, flags)* */
		uint16_t ft;

		if (n < 2 || (n - 2) % 4)
			return -1;
		rbuf_get_u16(v, &ft);
		o->cap_gr = true;
		o->gr_flags = ft >> 12;
		o->gr_time = ft & 0x0fff;
		o->n_gr = 0;
		while (rbuf_left(v)) {
			struct bgp_gr_af af;

			rbuf_get_u16(v, &af.afi);
			rbuf_get_u8(v, &af.safi);
			rbuf_get_u8(v, &af.flags);
			if (o->n_gr < BGP_OPEN_MAX_AF)
				o->gr[o->n_gr++] = af;
		}
		return 0;
	}
	default:
		if (o->n_unknown_caps < UINT16_MAX)
			o->n_unknown_caps++;
		return 0;
	}
}

static int parse_open(struct rbuf *b, struct bgp_open *o, struct bgp_err *err)
{
	static const uint8_t version_data[2] = { 0, BGP_VERSION };
	uint8_t opt_len, ptype;
	uint16_t ext_len;
	bool ext = false;
	struct rbuf params;

	memset(o, 0, sizeof(*o));
	rbuf_get_u8(b, &o->version);
	rbuf_get_u16(b, &o->my_as);
	rbuf_get_u16(b, &o->hold_time);
	rbuf_get_bytes(b, &o->bgp_id, 4);
	rbuf_get_u8(b, &opt_len);
	o->asn = o->my_as;
	if (o->version != BGP_VERSION) {
		/* Data: the largest version we support (RFC 4271 6.2). */
		bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_OPEN, BGP_OPEN_BAD_VERSION,
			      version_data, 2, "version %u (RFC 4271 6.2)", o->version);
		return -1;
	}
	if (o->hold_time == 1 || o->hold_time == 2) {
		bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_OPEN, BGP_OPEN_BAD_HOLD_TIME,
			      NULL, 0, "hold time %u (RFC 4271 6.2)", o->hold_time);
		return -1;
	}
	if (o->bgp_id == 0) {
		bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_OPEN, BGP_OPEN_BAD_BGP_ID,
			      NULL, 0, "BGP Identifier 0 (RFC 6286 2.2)");
		return -1;
	}
	/* RFC 9072 2: Opt Parm Len 255 and a first parameter type of 255
	 * announce the extended format with 2-octet lengths. */
	if (opt_len == 255 && rbuf_left(b) >= 1 && rbuf_ptr(b)[0] == 255) {
		rbuf_skip(b, 1);
		rbuf_get_u16(b, &ext_len);
		ext = true;
	}
	if (rbuf_get_sub(b, ext ? ext_len : opt_len, &params) || rbuf_left(b) != 0)
		goto malformed;
	while (rbuf_left(&params)) {
		uint16_t plen = 0;
		uint8_t l8;
		struct rbuf pv;

		rbuf_get_u8(&params, &ptype);
		if (ext) {
			rbuf_get_u16(&params, &plen);
		} else {
			rbuf_get_u8(&params, &l8);
			plen = l8;
		}
		if (rbuf_get_sub(&params, plen, &pv))
			goto malformed;
		if (ptype != 2) {       /* only Capabilities (RFC 5492 4) */
			bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_OPEN, BGP_OPEN_BAD_OPT_PARAM,
				      NULL, 0, "optional parameter type %u (RFC 4271 6.2)", ptype);
			return -1;
		}
		while (rbuf_left(&pv)) {
			uint8_t code, clen;
			struct rbuf cv;

			rbuf_get_u8(&pv, &code);
			rbuf_get_u8(&pv, &clen);
			if (rbuf_get_sub(&pv, clen, &cv) || open_cap(code, &cv, o))
				goto malformed;
		}
	}
	return 0;
malformed:
	bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_OPEN, BGP_OPEN_UNSPECIFIC, NULL, 0,
		      "malformed optional parameters (RFC 4271 6.2, RFC 5492)");
	return -1;
}

static void put_cap_hdr(struct wbuf *w, uint8_t code, uint8_t len)
{
	wbuf_put_u8(w, code);
	wbuf_put_u8(w, len);
}

int bgp_msg_build_open(struct wbuf *w, const struct bgp_open *o)
{
	size_t start = hdr_begin(w, BGP_MSG_OPEN), optlen_at, caps_at;

	wbuf_put_u8(w, BGP_VERSION);
	/* RFC 6793 4.1: AS_TRANS in My AS for an AS that needs 4 octets. */
	wbuf_put_u16(w, o->asn > 0xffff ? BGP_AS_TRANS : (uint16_t)o->asn);
	wbuf_put_u16(w, o->hold_time);
	wbuf_put_bytes(w, &o->bgp_id, 4);
	optlen_at = wbuf_reserve(w, 1);
	/* One Capabilities parameter holding every capability (RFC 5492 4). */
	wbuf_put_u8(w, 2);
	caps_at = wbuf_reserve(w, 1);
	for (unsigned i = 0; i < o->n_mp && i < BGP_OPEN_MAX_AF; i++) {
		put_cap_hdr(w, BGP_CAP_MP, 4);
		wbuf_put_u16(w, o->mp[i].afi);
		wbuf_put_u8(w, 0);
		wbuf_put_u8(w, o->mp[i].safi);
	}
	if (o->cap_route_refresh)
		put_cap_hdr(w, BGP_CAP_ROUTE_REFRESH, 0);
	if (o->cap_enhanced_rr)
		put_cap_hdr(w, BGP_CAP_ENHANCED_RR, 0);
	if (o->cap_gr) {
		unsigned n = o->n_gr < BGP_OPEN_MAX_AF ? o->n_gr : BGP_OPEN_MAX_AF;

		put_cap_hdr(w, BGP_CAP_GRACEFUL_RESTART, (uint8_t)(2 + 4 * n));
		wbuf_put_u16(w, (uint16_t)((o->gr_flags & 0xf) << 12 | (o->gr_time & 0x0fff)));
		for (unsigned i = 0; i < n; i++) {
			wbuf_put_u16(w, o->gr[i].afi);
			wbuf_put_u8(w, o->gr[i].safi);
			wbuf_put_u8(w, o->gr[i].flags);
		}
	}
	if (o->cap_as4) {
		put_cap_hdr(w, BGP_CAP_AS4, 4);
		wbuf_put_u32(w, o->asn);
	}
	if (!wbuf_error(w)) {
		size_t caps = w->len - caps_at - 1;

		/* Past 255 octets would need RFC 9072; vtepd's set never is. */
		if (caps > 253)
			w->err = -EMSGSIZE;
		wbuf_set_u8(w, caps_at, (uint8_t)caps);
		wbuf_set_u8(w, optlen_at, (uint8_t)(caps + 2));
	}
	return hdr_end(w, start);
}

/* --- NOTIFICATION (RFC 4271 4.5, RFC 9003) --- */

static void parse_notification(struct rbuf *b, struct bgp_notification *n)
{
	const uint8_t *d;
	uint16_t dl;
	uint8_t code, subcode;

	memset(n, 0, sizeof(*n));
	rbuf_get_u8(b, &n->code);
	rbuf_get_u8(b, &n->subcode);
	n->data = rbuf_ptr(b);
	n->data_len = (uint16_t)rbuf_left(b);
	d = n->data;
	dl = n->data_len;
	code = n->code;
	subcode = n->subcode;
	/* RFC 8538 5: the data of a Hard Reset is the NOTIFICATION it
	 * stands for: its code, subcode and data. */
	if (code == BGP_ERR_CEASE && subcode == BGP_CEASE_HARD_RESET && dl >= 2) {
		n->hard_reset = true;
		code = n->inner_code = d[0];
		subcode = n->inner_subcode = d[1];
		d += 2;
		dl -= 2;
	}
	/* RFC 9003 2: Length octet, then that many octets of UTF-8. An
	 * inconsistent length is not a reason: keep the raw data only. */
	if (code == BGP_ERR_CEASE && (subcode == BGP_CEASE_ADMIN_SHUTDOWN ||
				      subcode == BGP_CEASE_ADMIN_RESET) &&
	    dl >= 1 && d[0] == dl - 1) {
		uint8_t l = d[0];

		for (unsigned i = 0; i < l; i++) {
			uint8_t c = d[1 + i];

			n->reason[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		}
		n->reason[l] = '\0';
		n->has_reason = true;
	}
}

int bgp_msg_build_notification(struct wbuf *w, uint8_t code, uint8_t subcode,
			       const void *data, size_t data_len)
{
	size_t start = hdr_begin(w, BGP_MSG_NOTIFICATION);

	wbuf_put_u8(w, code);
	wbuf_put_u8(w, subcode);
	if (data_len > BGP_ERR_DATA_MAX)
		data_len = BGP_ERR_DATA_MAX;
	wbuf_put_bytes(w, data, data_len);
	return hdr_end(w, start);
}

int bgp_msg_build_notification_err(struct wbuf *w, const struct bgp_err *err)
{
	return bgp_msg_build_notification(w, err->code, err->subcode, err->data, err->data_len);
}

int bgp_msg_build_cease(struct wbuf *w, uint8_t subcode, const char *reason)
{
	uint8_t data[256];
	size_t l = reason ? strlen(reason) : 0;

	if (!reason)
		return bgp_msg_build_notification(w, BGP_ERR_CEASE, subcode, NULL, 0);
	if (l > 255)
		l = 255;        /* RFC 9003 2: at most 255 octets */
	data[0] = (uint8_t)l;
	memcpy(data + 1, reason, l);
	return bgp_msg_build_notification(w, BGP_ERR_CEASE, subcode, data, l + 1);
}

int bgp_msg_build_hard_reset(struct wbuf *w, uint8_t code, uint8_t subcode,
			     const void *data, size_t data_len)
{
	size_t start = hdr_begin(w, BGP_MSG_NOTIFICATION);

	wbuf_put_u8(w, BGP_ERR_CEASE);
	wbuf_put_u8(w, BGP_CEASE_HARD_RESET);
	wbuf_put_u8(w, code);
	wbuf_put_u8(w, subcode);
	if (data_len > BGP_ERR_DATA_MAX - 2)
		data_len = BGP_ERR_DATA_MAX - 2;
	wbuf_put_bytes(w, data, data_len);
	return hdr_end(w, start);
}

int bgp_msg_build_hard_reset_cease(struct wbuf *w, uint8_t subcode, const char *reason)
{
	uint8_t data[256];
	size_t l = reason ? strlen(reason) : 0;

	if (!reason)
		return bgp_msg_build_hard_reset(w, BGP_ERR_CEASE, subcode, NULL, 0);
	if (l > 255)
		l = 255;
	data[0] = (uint8_t)l;
	memcpy(data + 1, reason, l);
	return bgp_msg_build_hard_reset(w, BGP_ERR_CEASE, subcode, data, l + 1);
}

/* --- ROUTE-REFRESH (RFC 2918 3, RFC 7313 3, 5) --- */

static int parse_route_refresh(const uint8_t *msg, size_t len, struct rbuf *b,
			       struct bgp_route_refresh *rr, struct bgp_err *err)
{
	memset(rr, 0, sizeof(*rr));
	rbuf_get_u16(b, &rr->afi);
	rbuf_get_u8(b, &rr->subtype);
	rbuf_get_u8(b, &rr->safi);
	/* BoRR/EoRR are exactly 4 octets; data: the whole message (RFC 7313
	 * 5). A subtype-0 request may carry ORF entries (RFC 5291), which
	 * vtepd does not negotiate and ignores. */
	if ((rr->subtype == 1 || rr->subtype == 2) && rbuf_left(b) != 0) {
		bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_ROUTE_REFRESH, BGP_RR_BAD_LENGTH,
			      msg, len, "ROUTE-REFRESH subtype %u with length %zu (RFC 7313 5)",
			      rr->subtype, len);
		return -1;
	}
	return 0;
}

int bgp_msg_build_route_refresh(struct wbuf *w, const struct bgp_route_refresh *rr)
{
	size_t start = hdr_begin(w, BGP_MSG_ROUTE_REFRESH);

	wbuf_put_u16(w, rr->afi);
	wbuf_put_u8(w, rr->subtype);
	wbuf_put_u8(w, rr->safi);
	return hdr_end(w, start);
}

/* --- UPDATE (RFC 4271 4.3, RFC 4760, RFC 7606) --- */

int bgp_prefix4_next(struct rbuf *r, uint32_t *prefix_be, uint8_t *len)
{
	uint8_t b[4] = { 0 };

	*prefix_be = 0;
	*len = 0;
	if (rbuf_left(r) == 0)
		return r->err ? -1 : 0;
	if (rbuf_get_u8(r, len) || *len > 32 || rbuf_get_bytes(r, b, (*len + 7u) / 8))
		return -1;
	memcpy(prefix_be, b, 4);
	return 1;
}

/* Counts the prefixes of an IPv4 prefix field; -1 if one is malformed. */
static int count_prefix4(const uint8_t *p, size_t len)
{
	struct rbuf r;
	uint32_t pfx;
	uint8_t plen;
	int n = 0, rc;

	rbuf_init(&r, p, len);
	while ((rc = bgp_prefix4_next(&r, &pfx, &plen)) == 1)
		n++;
	return rc < 0 ? -1 : n;
}

/* Decodes the EVPN NLRI of one MP attribute into u->routes. A length that
 * runs past the attribute leaves the rest unlocatable: session reset (RFC
 * 7606 5.3, 3(j)). A route that is located but malformed is dropped and
 * makes the UPDATE treat-as-withdraw: its neighbours can still be
 * withdrawn, it alone cannot (its key is not trustworthy). */
static int decode_evpn(const struct bgp_mp *mp, bool withdraw, struct bgp_update *u,
		       struct bgp_err *err)
{
	struct rbuf r;
	const char *why;

	rbuf_init(&r, mp->nlri, mp->nlri_len);
	for (;;) {
		struct evpn_route *rt = &u->routes[u->n_routes];

		if (u->n_routes == BGP_UPDATE_MAX_ROUTES) {
			/* Unreachable by the _Static_assert above; kept so the
			 * bound never depends on it alone. */
			bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_UPDATE, BGP_UPD_OPTIONAL_ATTR,
				      NULL, 0, "more than %d EVPN routes in one UPDATE",
				      BGP_UPDATE_MAX_ROUTES);
			return -1;
		}
		switch (evpn_nlri_decode(&r, rt, &why)) {
		case EVPN_DEC_END:
			return 0;
		case EVPN_DEC_OK:
			rt->withdraw = withdraw;
			u->n_routes++;
			break;
		case EVPN_DEC_SKIP:
			u->n_skipped++;
			break;
		case EVPN_DEC_BAD:
			u->n_malformed++;
			bgp_err_raise(err, BGP_ACT_WITHDRAW, BGP_ERR_UPDATE, BGP_UPD_OPTIONAL_ATTR,
				      NULL, 0, "%s", why);
			break;
		case EVPN_DEC_FRAMING:
			bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_UPDATE, BGP_UPD_OPTIONAL_ATTR,
				      NULL, 0, "%s", why);
			return -1;
		}
	}
}

static bool is_evpn(const struct bgp_mp *mp)
{
	return mp->afi == EVPN_AFI && mp->safi == EVPN_SAFI;
}

static int parse_update(struct rbuf *b, const struct bgp_parse_ctx *ctx,
			struct bgp_update *u, struct bgp_err *err)
{
	struct bgp_attrs *a = &u->attrs;
	uint16_t wlen, alen;
	struct rbuf wr, ar;
	bool reach;
	int n;

	u->withdrawn4 = u->nlri4 = NULL;
	u->withdrawn4_len = u->nlri4_len = u->n_withdrawn4 = u->n_nlri4 = 0;
	u->n_routes = u->n_skipped = u->n_malformed = u->n_treat_as_withdraw = 0;
	u->eor = false;
	u->eor_afi = 0;
	u->eor_safi = 0;

	/* RFC 4271 6.3: lengths that overrun the message -> Malformed
	 * Attribute List; nothing can be located (RFC 7606 3(j)). */
	if (rbuf_get_u16(b, &wlen) || rbuf_get_sub(b, wlen, &wr) ||
	    rbuf_get_u16(b, &alen) || rbuf_get_sub(b, alen, &ar)) {
		bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_UPDATE, BGP_UPD_MALFORMED_ATTR_LIST,
			      NULL, 0, "Withdrawn Routes or Path Attribute length overruns the UPDATE (RFC 4271 6.3)");
		return -1;
	}
	u->withdrawn4 = wr.p;
	u->withdrawn4_len = wlen;
	u->nlri4 = rbuf_ptr(b);
	u->nlri4_len = (uint16_t)rbuf_left(b);
	/* RFC 7606 5.3: a syntactically incorrect prefix field cannot be
	 * treated as withdraw: session reset, Invalid Network Field. */
	n = count_prefix4(u->withdrawn4, u->withdrawn4_len);
	if (n >= 0) {
		u->n_withdrawn4 = (uint16_t)n;
		n = count_prefix4(u->nlri4, u->nlri4_len);
		u->n_nlri4 = (uint16_t)(n >= 0 ? n : 0);
	}
	if (n < 0) {
		bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_UPDATE, BGP_UPD_INVALID_NETWORK,
			      NULL, 0, "malformed IPv4 prefix field (RFC 7606 5.3)");
		return -1;
	}

	if (bgp_attrs_parse(ar.p, alen, ctx, a, err))
		return -1;

	/* RFC 4724 2: End-of-RIB. */
	if (wlen == 0 && alen == 0 && u->nlri4_len == 0) {
		u->eor = true;
		u->eor_afi = 1;
		u->eor_safi = 1;
		return 0;
	}
	if (a->present == BGP_ATTR_BIT(BGP_ATTR_MP_UNREACH_NLRI) && a->n_unknown == 0 &&
	    a->mp_unreach.nlri_len == 0 && wlen == 0 && u->nlri4_len == 0) {
		u->eor = true;
		u->eor_afi = a->mp_unreach.afi;
		u->eor_safi = a->mp_unreach.safi;
		return 0;
	}

	/* Withdrawals first: RFC 4271 4.3 lets the same route's advertisement
	 * in the same UPDATE win. */
	if (BGP_ATTR_HAS(a, BGP_ATTR_MP_UNREACH_NLRI) && is_evpn(&a->mp_unreach) &&
	    decode_evpn(&a->mp_unreach, true, u, err))
		return -1;
	if (BGP_ATTR_HAS(a, BGP_ATTR_MP_REACH_NLRI) && is_evpn(&a->mp_reach) &&
	    decode_evpn(&a->mp_reach, false, u, err))
		return -1;

	/* RFC 7606 3(d): a missing well-known mandatory attribute ->
	 * withdraw. Mandatory only when something is reachable; NEXT_HOP only
	 * with the IPv4 NLRI field (RFC 4760 3). Data: the type (RFC 4271 6.3). */
	reach = u->nlri4_len || BGP_ATTR_HAS(a, BGP_ATTR_MP_REACH_NLRI);
	if (reach) {
		static const uint8_t mandatory[] = {
			BGP_ATTR_ORIGIN, BGP_ATTR_AS_PATH, BGP_ATTR_NEXT_HOP,
		};

		for (size_t i = 0; i < sizeof(mandatory); i++) {
			uint8_t t = mandatory[i];

			if (t == BGP_ATTR_NEXT_HOP && !u->nlri4_len)
				continue;
			if (!BGP_ATTR_HAS(a, t))
				bgp_err_raise(err, BGP_ACT_WITHDRAW, BGP_ERR_UPDATE,
					      BGP_UPD_MISSING_WELLKNOWN, &t, 1,
					      "missing %s (RFC 7606 3(d))", bgp_attr_name(t));
		}
	}

	if (err->action == BGP_ACT_WITHDRAW)
		for (unsigned i = 0; i < u->n_routes; i++) {
			if (!u->routes[i].withdraw)
				u->n_treat_as_withdraw++;
			u->routes[i].withdraw = true;
		}
	return 0;
}

int bgp_msg_parse(const uint8_t *buf, size_t len, const struct bgp_parse_ctx *ctx,
		  struct bgp_msg *m, struct bgp_err *err)
{
	struct rbuf b;
	int flen = bgp_msg_frame(buf, len, err);

	if (flen < 0)
		return -1;
	if (flen == 0 || (size_t)flen != len) {
		bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_HEADER, BGP_HDR_BAD_LENGTH,
			      len >= BGP_HDR_LEN ? buf + 16 : NULL, 2,
			      "message of %zu octets does not match its Length field", len);
		return -1;
	}
	m->type = buf[18];
	m->len = (uint16_t)flen;
	rbuf_init(&b, buf + BGP_HDR_LEN, len - BGP_HDR_LEN);
	switch (m->type) {
	case BGP_MSG_OPEN:
		return parse_open(&b, &m->open, err);
	case BGP_MSG_UPDATE:
		return parse_update(&b, ctx, &m->update, err);
	case BGP_MSG_NOTIFICATION:
		parse_notification(&b, &m->notification);
		return 0;
	case BGP_MSG_KEEPALIVE:
		return 0;
	case BGP_MSG_ROUTE_REFRESH:
		return parse_route_refresh(buf, len, &b, &m->route_refresh, err);
	}
	return -1;      /* bgp_msg_frame() refused every other type */
}

/* Size of the Path Attributes field for *a, measured by encoding it. */
static int attrs_size(const struct bgp_attrs *a, const struct bgp_parse_ctx *ctx, size_t *size)
{
	uint8_t scratch[BGP_MAX_LEN];
	struct wbuf s;
	int rc;

	wbuf_init(&s, scratch, sizeof(scratch));
	rc = bgp_attrs_encode(&s, a, ctx);
	*size = s.len;
	return rc;
}

int bgp_msg_build_update(struct wbuf *w, const struct bgp_parse_ctx *ctx,
			 const struct bgp_attrs *attrs, const struct evpn_route *routes,
			 size_t n, bool withdraw)
{
	static struct bgp_attrs none;
	struct bgp_attrs a = attrs && !withdraw ? *attrs : none;
	struct bgp_mp *mp = withdraw ? &a.mp_unreach : &a.mp_reach;
	uint8_t nlri[BGP_MAX_LEN];
	struct wbuf nw;
	size_t base, mp_fixed, room, start, attr_at, packed = 0;
	int rc;

	/* The UPDATE carries EVPN NLRI only in the MP attribute (RFC 4760). */
	a.present &= ~(BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI) |
		       BGP_ATTR_BIT(BGP_ATTR_MP_UNREACH_NLRI));
	a.present |= BGP_ATTR_BIT(withdraw ? BGP_ATTR_MP_UNREACH_NLRI : BGP_ATTR_MP_REACH_NLRI);
	mp->afi = EVPN_AFI;
	mp->safi = EVPN_SAFI;
	mp->nlri = nlri;
	mp->nlri_len = 0;
	if (!withdraw && mp->nh_len != 4 && mp->nh_len != 16)
		return -EINVAL;
	rc = attrs_size(&a, ctx, &base);
	if (rc)
		return rc;
	/* base holds the MP attribute with a 1-octet length; a value past
	 * 255 octets costs one more (RFC 4271 4.3 Extended Length). */
	mp_fixed = withdraw ? 3 : 5u + mp->nh_len;
	room = w->cap - w->len < BGP_MAX_LEN ? w->cap - w->len : BGP_MAX_LEN;
	wbuf_init(&nw, nlri, sizeof(nlri));
	for (; packed < n; packed++) {
		size_t s = evpn_nlri_size(&routes[packed]);
		size_t ext = mp_fixed + nw.len + s > 255 ? 1 : 0;

		if (!s)
			return -EINVAL;
		if (BGP_HDR_LEN + 4 + base + nw.len + s + ext > room)
			break;
		evpn_nlri_encode(&nw, &routes[packed]);
	}
	if (n && !packed)
		return -EMSGSIZE;
	mp->nlri_len = (uint16_t)nw.len;

	start = hdr_begin(w, BGP_MSG_UPDATE);
	wbuf_put_u16(w, 0);                     /* no IPv4 withdrawn routes */
	attr_at = wbuf_reserve(w, 2);
	bgp_attrs_encode(w, &a, ctx);
	if (!wbuf_error(w))
		wbuf_set_u16(w, attr_at, (uint16_t)(w->len - attr_at - 2));
	rc = hdr_end(w, start);
	return rc ? rc : (int)packed;
}

int bgp_msg_build_eor(struct wbuf *w, uint16_t afi, uint8_t safi)
{
	size_t start = hdr_begin(w, BGP_MSG_UPDATE);

	wbuf_put_u16(w, 0);
	if (afi == 1 && safi == 1) {
		wbuf_put_u16(w, 0);
	} else {
		wbuf_put_u16(w, 6);             /* one 3+3 octet MP_UNREACH_NLRI */
		wbuf_put_u8(w, BGP_ATTR_F_OPTIONAL);
		wbuf_put_u8(w, BGP_ATTR_MP_UNREACH_NLRI);
		wbuf_put_u8(w, 3);
		wbuf_put_u16(w, afi);
		wbuf_put_u8(w, safi);
	}
	return hdr_end(w, start);
}
