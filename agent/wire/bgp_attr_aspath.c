/* bgp_attr_aspath.c - AS numbers in path attributes: AS_PATH (RFC 4271
 * 5.1.2, confederation segments of RFC 5065), AGGREGATOR, and for a
 * speaker without 4-octet AS numbers AS4_PATH and AS4_AGGREGATOR with
 * AS_TRANS (RFC 6793): their decode and encode hooks for the table in
 * bgp_attr.c, the reconciliation after the walk, the bgp_aspath_ helpers.
 */
#include "bgp_attr_priv.h"

#include <errno.h>
#include <string.h>

unsigned bgp_aspath_hops(const struct bgp_aspath *p)
{
	unsigned hops = 0;

	for (unsigned i = 0; i < p->n_segs; i++) {
		if (p->seg[i].type == BGP_AS_SEQUENCE)
			hops += p->seg[i].count;
		else if (p->seg[i].type == BGP_AS_SET)
			hops += 1;
	}
	return hops;
}

uint32_t bgp_aspath_first(const struct bgp_aspath *p)
{
	return p->n_segs && p->seg[0].type == BGP_AS_SEQUENCE ? p->asn[0] : 0;
}

bool bgp_aspath_contains(const struct bgp_aspath *p, uint32_t asn)
{
	for (unsigned i = 0; i < p->n_asns; i++)
		if (p->asn[i] == asn)
			return true;
	return false;
}

int bgp_aspath_prepend(struct bgp_aspath *p, uint32_t asn)
{
	bool new_seg = !p->n_segs || p->seg[0].type != BGP_AS_SEQUENCE ||
		       p->seg[0].count == 255;

	if (p->n_asns >= BGP_ASPATH_MAX || (new_seg && p->n_segs >= BGP_ASPATH_MAX))
		return -ENOSPC;
	memmove(p->asn + 1, p->asn, p->n_asns * sizeof(p->asn[0]));
	p->asn[0] = asn;
	p->n_asns++;
	if (new_seg) {
		memmove(p->seg + 1, p->seg, p->n_segs * sizeof(p->seg[0]));
		p->seg[0].type = BGP_AS_SEQUENCE;
		p->seg[0].count = 0;
		p->n_segs++;
	}
	p->seg[0].count++;
	return 0;
}

/* Segments of (type, count, count ASNs of asw octets) (RFC 4271 4.3,
 * RFC 6793 3). Malformed per RFC 7606 7.2: an unknown segment type, a
 * count of zero, a segment that overruns the attribute, a lone trailing
 * octet. Returns NULL or what is wrong. */
static const char *aspath_decode(struct rbuf *v, unsigned asw, bool ebgp,
				 struct bgp_aspath *out)
{
	memset(out, 0, offsetof(struct bgp_aspath, seg));
	while (rbuf_left(v)) {
		uint8_t type, count;

		if (rbuf_get_u8(v, &type) || rbuf_get_u8(v, &count))
			return "AS_PATH ends inside a segment header (RFC 7606 7.2)";
		if (type < BGP_AS_SET || type > BGP_AS_CONFED_SET)
			return "AS_PATH has an unknown segment type (RFC 7606 7.2)";
		if (count == 0)
			return "AS_PATH has an empty segment (RFC 7606 7.2)";
		if (rbuf_left(v) < (size_t)count * asw)
			return "AS_PATH segment overruns the attribute (RFC 7606 7.2)";
		/* vtepd is in no confederation: confederation segments can
		 * only come from a member (RFC 5065 5). */
		if (ebgp && type >= BGP_AS_CONFED_SEQUENCE)
			return "AS_PATH confederation segment from an external peer (RFC 5065 5, RFC 7606 7.2)";
		if (out->n_asns + count > BGP_ASPATH_MAX)
			return "AS_PATH longer than BGP_ASPATH_MAX (256) ASNs (local limit)";
		out->seg[out->n_segs].type = type;
		out->seg[out->n_segs].count = count;
		out->n_segs++;
		for (unsigned i = 0; i < count; i++) {
			uint16_t a2;

			if (asw == 4) {
				rbuf_get_u32(v, &out->asn[out->n_asns++]);
			} else {
				rbuf_get_u16(v, &a2);
				out->asn[out->n_asns++] = a2;
			}
		}
	}
	return NULL;
}

int bgp_attr_dec_as_path(struct rbuf *v, struct bgp_attrs *a,
			 const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	const char *why = aspath_decode(v, ctx->as4 ? 4 : 2, !ctx->ibgp, &a->aspath);

	return why ? problem(p, BGP_ACT_WITHDRAW, BGP_UPD_MALFORMED_AS_PATH, why) : 0;
}

/* RFC 7606 7.7: length not 8 (4-octet AS negotiated) or 6 -> discard. */
int bgp_attr_dec_aggregator(struct rbuf *v, struct bgp_attrs *a,
			    const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	uint16_t as2;

	if (rbuf_left(v) != (ctx->as4 ? 8u : 6u))
		return problem(p, BGP_ACT_ATTR_DISCARD, BGP_UPD_ATTR_LENGTH,
			       "AGGREGATOR length is not 8 (4-octet AS) or 6 (RFC 7606 7.7)");
	if (ctx->as4) {
		rbuf_get_u32(v, &a->aggregator_as);
	} else {
		rbuf_get_u16(v, &as2);
		a->aggregator_as = as2;
	}
	rbuf_get_bytes(v, &a->aggregator_id, 4);
	return 0;
}

/* AS4_PATH and AS4_AGGREGATOR only mean something from a speaker without
 * the 4-octet AS capability (RFC 6793 4.1: NEW speakers do not send them to
 * each other), so from a NEW speaker they are discarded; a malformed one is
 * discarded too (RFC 6793 6: length under 6 or odd, or malformed as an
 * AS_PATH would be). A sound one is kept for bgp_attr_as4_reconcile(), which needs
 * AS_PATH and AGGREGATOR too, and they may come in any order. */
int bgp_attr_dec_as4_path(struct rbuf *v, struct bgp_attrs *a,
			  const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	struct bgp_aspath tmp;
	const uint8_t *val = rbuf_ptr(v);
	size_t len = rbuf_left(v);

	if (ctx->as4)
		return problem(p, BGP_ACT_ATTR_DISCARD, BGP_UPD_UNSPECIFIC,
			       "AS4_PATH from a 4-octet AS speaker (RFC 6793 4.1)");
	if (len < 6 || len % 2 || aspath_decode(v, 4, false, &tmp))
		return problem(p, BGP_ACT_ATTR_DISCARD, BGP_UPD_OPTIONAL_ATTR,
			       "malformed AS4_PATH (RFC 6793 6)");
	a->as4_path = val;
	a->as4_path_len = (uint16_t)len;
	return 0;
}

int bgp_attr_dec_as4_aggregator(struct rbuf *v, struct bgp_attrs *a,
				const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	if (ctx->as4)
		return problem(p, BGP_ACT_ATTR_DISCARD, BGP_UPD_UNSPECIFIC,
			       "AS4_AGGREGATOR from a 4-octet AS speaker (RFC 6793 4.1)");
	if (rbuf_left(v) != 8)
		return problem(p, BGP_ACT_ATTR_DISCARD, BGP_UPD_OPTIONAL_ATTR,
			       "AS4_AGGREGATOR length is not 8 (RFC 6793 6)");
	rbuf_get_u32(v, &a->as4_aggregator_as);
	rbuf_get_bytes(v, &a->as4_aggregator_id, 4);
	return 0;
}

static bool is_confed(uint8_t type)
{
	return type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET;
}

/* Appends a segment of count ASNs; an AS_SEQUENCE after an AS_SEQUENCE
 * joins it (same path, RFC 4271 5.1.2) while the count fits one octet. */
static bool seg_append(struct bgp_aspath *p, uint8_t type, const uint32_t *asn,
		       unsigned count)
{
	struct bgp_asseg *last = p->n_segs ? &p->seg[p->n_segs - 1] : NULL;

	if (!count)
		return true;
	if (p->n_asns + count > BGP_ASPATH_MAX)
		return false;
	if (type == BGP_AS_SEQUENCE && last && last->type == BGP_AS_SEQUENCE &&
	    last->count + count <= 255) {
		last->count = (uint8_t)(last->count + count);
	} else {
		if (p->n_segs >= BGP_ASPATH_MAX)
			return false;
		p->seg[p->n_segs].type = type;
		p->seg[p->n_segs].count = (uint8_t)count;
		p->n_segs++;
	}
	memcpy(p->asn + p->n_asns, asn, count * sizeof(*asn));
	p->n_asns += count;
	return true;
}

bool bgp_aspath_merge_as4(const struct bgp_aspath *as, const struct bgp_aspath *as4,
			  struct bgp_aspath *out)
{
	struct bgp_aspath m;
	unsigned hops = bgp_aspath_hops(as), hops4 = bgp_aspath_hops(as4);
	unsigned need, i, k = 0;
	bool prepended = false;

	/* "If the number of AS numbers in the AS_PATH attribute is less than
	 * the number of AS numbers in the AS4_PATH attribute, then the
	 * AS4_PATH attribute SHALL be ignored" (RFC 6793 4.2.3). */
	if (hops < hops4)
		goto ignore;
	need = hops - hops4;
	memset(&m, 0, offsetof(struct bgp_aspath, seg));
	/* The leading part of AS_PATH that makes up the difference: whole
	 * AS_SETs (they count 1), the first ASNs of an AS_SEQUENCE, and
	 * confederation segments that lead or follow a prepended segment
	 * ("a valid AS_CONFED_SEQUENCE or AS_CONFED_SET path segment SHALL be
	 * prepended if it is either the leading path segment or is adjacent
	 * to a path segment that is prepended"). */
	for (i = 0; i < as->n_segs; k += as->seg[i].count, i++) {
		const struct bgp_asseg *g = &as->seg[i];
		unsigned take;

		if (is_confed(g->type)) {
			if (i && !prepended)
				break;
			if (!seg_append(&m, g->type, as->asn + k, g->count))
				goto ignore;
			prepended = true;
			continue;
		}
		if (!need)
			break;
		take = g->type == BGP_AS_SET ? g->count : (g->count < need ? g->count : need);
		if (!seg_append(&m, g->type, as->asn + k, take))
			goto ignore;
		need -= g->type == BGP_AS_SET ? 1 : take;
		prepended = true;
	}
	/* Then AS4_PATH, less what RFC 6793 3 does not allow in it. */
	for (i = 0, k = 0; i < as4->n_segs; k += as4->seg[i].count, i++)
		if (!is_confed(as4->seg[i].type) &&
		    !seg_append(&m, as4->seg[i].type, as4->asn + k, as4->seg[i].count))
			goto ignore;
	memcpy(out, &m, sizeof(m));
	return true;
ignore:
	if (out != as)
		memcpy(out, as, sizeof(*out));
	return false;
}

/* RFC 6793 4.2.3, after the walk, for a 2-octet speaker: AS4_AGGREGATOR
 * and AS4_PATH stand in for what AS_TRANS hides, unless an OLD speaker
 * aggregated the route after they were added. */
void bgp_attr_as4_reconcile(struct bgp_attrs *a, const struct bgp_parse_ctx *ctx)
{
	bool path4 = BGP_ATTR_HAS(a, BGP_ATTR_AS4_PATH);
	bool agg4 = BGP_ATTR_HAS(a, BGP_ATTR_AS4_AGGREGATOR);
	struct bgp_aspath as4;
	struct rbuf r;

	a->present &= ~(BGP_ATTR_BIT(BGP_ATTR_AS4_PATH) | BGP_ATTR_BIT(BGP_ATTR_AS4_AGGREGATOR));
	if (ctx->as4)
		return;
	if (agg4 && BGP_ATTR_HAS(a, BGP_ATTR_AGGREGATOR)) {
		if (a->aggregator_as != BGP_AS_TRANS) {
			/* "if the AS number in the AGGREGATOR attribute is not
			 * AS_TRANS, then the AS4_AGGREGATOR attribute and the
			 * AS4_PATH attribute SHALL be ignored" */
			if (path4)
				a->as4_used |= BGP_AS4_IGNORED_PATH;
			return;
		}
		a->aggregator_as = a->as4_aggregator_as;
		a->aggregator_id = a->as4_aggregator_id;
		a->as4_used |= BGP_AS4_USED_AGGREGATOR;
	}
	/* A lone AS4_AGGREGATOR has nothing to stand in for: ignored. */
	if (!path4)
		return;
	if (!BGP_ATTR_HAS(a, BGP_ATTR_AS_PATH)) {
		a->as4_used |= BGP_AS4_IGNORED_PATH;
		return;
	}
	rbuf_init(&r, a->as4_path, a->as4_path_len);
	if (aspath_decode(&r, 4, false, &as4) ||
	    !bgp_aspath_merge_as4(&a->aspath, &as4, &a->aspath))
		a->as4_used |= BGP_AS4_IGNORED_PATH;
	else
		a->as4_used |= BGP_AS4_USED_PATH;
}

static void aspath_encode(struct wbuf *w, const struct bgp_aspath *p, unsigned asw)
{
	unsigned k = 0;

	for (unsigned i = 0; i < p->n_segs; i++) {
		wbuf_put_u8(w, p->seg[i].type);
		wbuf_put_u8(w, p->seg[i].count);
		for (unsigned j = 0; j < p->seg[i].count && k < p->n_asns; j++, k++) {
			if (asw == 4)
				wbuf_put_u32(w, p->asn[k]);
			else    /* RFC 6793 4.2.2: AS_TRANS stands in for a 4-octet AS */
				wbuf_put_u16(w, p->asn[k] > 0xffff ? BGP_AS_TRANS : p->asn[k]);
		}
	}
}

/* RFC 6793 4.2.2: AS4_PATH goes to a 2-octet speaker unless every AS is
 * mappable; confederation segments never go in it (RFC 6793 3), so an AS
 * only they hold does not count. */
bool bgp_attr_aspath_needs_as4(const struct bgp_aspath *p)
{
	unsigned k = 0;

	for (unsigned i = 0; i < p->n_segs; k += p->seg[i].count, i++)
		for (unsigned j = 0; j < p->seg[i].count && k + j < p->n_asns; j++)
			if (!is_confed(p->seg[i].type) && p->asn[k + j] > 0xffff)
				return true;
	return false;
}

void bgp_attr_enc_as_path(struct wbuf *w, const struct bgp_attrs *a,
			  const struct bgp_parse_ctx *c)
{
	aspath_encode(w, &a->aspath, c->as4 ? 4 : 2);
}

void bgp_attr_enc_aggregator(struct wbuf *w, const struct bgp_attrs *a,
			     const struct bgp_parse_ctx *c)
{
	if (c->as4)
		wbuf_put_u32(w, a->aggregator_as);
	else
		wbuf_put_u16(w, a->aggregator_as > 0xffff ? BGP_AS_TRANS : a->aggregator_as);
	wbuf_put_bytes(w, &a->aggregator_id, 4);
}

/* Only generated, never relayed: for a 2-octet peer, the true path
 * (RFC 6793 4.2.2) without its confederation segments ("the NEW BGP
 * speaker MUST exclude such path segments from the AS4_PATH attribute"). */
void bgp_attr_enc_as4_path(struct wbuf *w, const struct bgp_attrs *a,
			   const struct bgp_parse_ctx *c)
{
	unsigned k = 0;

	(void)c;
	for (unsigned i = 0; i < a->aspath.n_segs; k += a->aspath.seg[i].count, i++) {
		if (is_confed(a->aspath.seg[i].type))
			continue;
		wbuf_put_u8(w, a->aspath.seg[i].type);
		wbuf_put_u8(w, a->aspath.seg[i].count);
		for (unsigned j = 0; j < a->aspath.seg[i].count && k + j < a->aspath.n_asns; j++)
			wbuf_put_u32(w, a->aspath.asn[k + j]);
	}
}

/* RFC 6793 4.2.2: with AGGREGATOR's AS set to AS_TRANS (bgp_attr_enc_aggregator),
 * the true one for a 2-octet peer. */
void bgp_attr_enc_as4_aggregator(struct wbuf *w, const struct bgp_attrs *a,
				 const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_u32(w, a->aggregator_as);
	wbuf_put_bytes(w, &a->aggregator_id, 4);
}
