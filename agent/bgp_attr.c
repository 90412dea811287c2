/* bgp_attr.c - see bgp_attr.h. The table near the end lists every
 * attribute vtepd understands; the walker at the bottom applies the
 * generic rules of RFC 4271 6.3 and RFC 7606 3, 4. */
#include "bgp_attr.h"

#include <errno.h>
#include <string.h>

#include "evpn_nlri.h"

/* What a decode hook reports about a malformed attribute. */
struct attr_problem {
	enum bgp_err_action act;
	uint8_t subcode;        /* UPDATE Message Error subcode (RFC 4271 6.3) */
	const char *why;        /* with the RFC section that sets the action */
};

static int problem(struct attr_problem *p, enum bgp_err_action act,
		   uint8_t subcode, const char *why)
{
	p->act = act;
	p->subcode = subcode;
	p->why = why;
	return -1;
}

typedef int (*attr_decode_fn)(struct rbuf *v, struct bgp_attrs *a,
			      const struct bgp_parse_ctx *ctx, struct attr_problem *p);
typedef void (*attr_encode_fn)(struct wbuf *w, const struct bgp_attrs *a,
			       const struct bgp_parse_ctx *ctx);

struct attr_desc {
	const char *name;
	uint8_t flags;          /* the Optional and Transitive bits its RFC sets */
	attr_decode_fn decode;
	attr_encode_fn encode;  /* NULL: never sent */
};

#define OPT   BGP_ATTR_F_OPTIONAL
#define TRANS BGP_ATTR_F_TRANSITIVE
#define WK    TRANS           /* well-known: O = 0, T = 1 (RFC 4271 5) */

/* --- AS_PATH helpers --- */

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

/* --- decode hooks: v holds exactly the attribute's value --- */

/* RFC 7606 7.1: length other than 1 or an undefined value -> withdraw. */
static int dec_origin(struct rbuf *v, struct bgp_attrs *a,
		      const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	(void)ctx;
	if (rbuf_left(v) != 1)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH,
			       "ORIGIN length is not 1 (RFC 7606 7.1)");
	rbuf_get_u8(v, &a->origin);
	if (a->origin > BGP_ORIGIN_INCOMPLETE)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_INVALID_ORIGIN,
			       "undefined ORIGIN value (RFC 7606 7.1)");
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

static int dec_as_path(struct rbuf *v, struct bgp_attrs *a,
		       const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	const char *why = aspath_decode(v, ctx->as4 ? 4 : 2, !ctx->ibgp, &a->aspath);

	return why ? problem(p, BGP_ACT_WITHDRAW, BGP_UPD_MALFORMED_AS_PATH, why) : 0;
}

/* RFC 7606 7.3: length other than 4 -> withdraw. Whether the address is
 * usable is the RIB's question. */
static int dec_next_hop(struct rbuf *v, struct bgp_attrs *a,
			const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	(void)ctx;
	if (rbuf_left(v) != 4)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH,
			       "NEXT_HOP length is not 4 (RFC 7606 7.3)");
	rbuf_get_bytes(v, &a->next_hop, 4);
	return 0;
}

/* RFC 7606 7.4: length other than 4 -> withdraw. */
static int dec_med(struct rbuf *v, struct bgp_attrs *a,
		   const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	(void)ctx;
	if (rbuf_left(v) != 4)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH,
			       "MULTI_EXIT_DISC length is not 4 (RFC 7606 7.4)");
	rbuf_get_u32(v, &a->med);
	return 0;
}

/* RFC 7606 7.5: from an external peer always discarded; from an internal
 * one a length other than 4 -> withdraw. */
static int dec_local_pref(struct rbuf *v, struct bgp_attrs *a,
			  const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	if (!ctx->ibgp)
		return problem(p, BGP_ACT_ATTR_DISCARD, BGP_UPD_UNSPECIFIC,
			       "LOCAL_PREF from an external peer (RFC 7606 7.5)");
	if (rbuf_left(v) != 4)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH,
			       "LOCAL_PREF length is not 4 (RFC 7606 7.5)");
	rbuf_get_u32(v, &a->local_pref);
	return 0;
}

/* RFC 7606 7.6: length other than 0 -> discard. */
static int dec_atomic_aggregate(struct rbuf *v, struct bgp_attrs *a,
				const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	(void)a;
	(void)ctx;
	if (rbuf_left(v) != 0)
		return problem(p, BGP_ACT_ATTR_DISCARD, BGP_UPD_ATTR_LENGTH,
			       "ATOMIC_AGGREGATE length is not 0 (RFC 7606 7.6)");
	return 0;
}

/* RFC 7606 7.7: length not 8 (4-octet AS negotiated) or 6 -> discard. */
static int dec_aggregator(struct rbuf *v, struct bgp_attrs *a,
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

/* RFC 7606 7.8: length not a non-zero multiple of 4 -> withdraw. */
static int dec_communities(struct rbuf *v, struct bgp_attrs *a,
			   const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	size_t n = rbuf_left(v);

	(void)ctx;
	if (n == 0 || n % 4)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_OPTIONAL_ATTR,
			       "COMMUNITIES length not a non-zero multiple of 4 (RFC 7606 7.8)");
	a->communities = rbuf_ptr(v);
	a->n_communities = (uint16_t)(n / 4);
	return 0;
}

/* RFC 7606 7.9: length other than 4 -> withdraw. */
static int dec_originator_id(struct rbuf *v, struct bgp_attrs *a,
			     const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	(void)ctx;
	if (rbuf_left(v) != 4)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH,
			       "ORIGINATOR_ID length is not 4 (RFC 7606 7.9)");
	rbuf_get_bytes(v, &a->originator_id, 4);
	return 0;
}

/* RFC 7606 7.10: length not a non-zero multiple of 4 -> withdraw. */
static int dec_cluster_list(struct rbuf *v, struct bgp_attrs *a,
			    const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	size_t n = rbuf_left(v);

	(void)ctx;
	if (n == 0 || n % 4)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH,
			       "CLUSTER_LIST length not a non-zero multiple of 4 (RFC 7606 7.10)");
	a->cluster_list = rbuf_ptr(v);
	a->n_clusters = (uint16_t)(n / 4);
	return 0;
}

/* RFC 4760 3: AFI 2, SAFI 1, next hop length 1, next hop, reserved 1, NLRI.
 * Everything before the NLRI must be sound to find the NLRI at all, and
 * without the NLRI even treat-as-withdraw is impossible: session reset
 * (RFC 7606 3(j), 7.11). The same holds for an EVPN next hop length other
 * than 4, 16 or 32: "Since the next hop precedes the NLRI field in the
 * attribute, in this case it will not be possible to reliably locate the
 * NLRI" (RFC 7606 7.11). */
static int dec_mp_reach(struct rbuf *v, struct bgp_attrs *a,
			const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	struct bgp_mp *mp = &a->mp_reach;

	(void)ctx;
	memset(mp, 0, sizeof(*mp));
	rbuf_get_u16(v, &mp->afi);
	rbuf_get_u8(v, &mp->safi);
	rbuf_get_u8(v, &mp->nh_len);
	if (v->err || rbuf_left(v) < (size_t)mp->nh_len + 1)
		return problem(p, BGP_ACT_RESET, BGP_UPD_OPTIONAL_ATTR,
			       "MP_REACH_NLRI too short for its next hop: NLRI cannot be located (RFC 7606 7.11)");
	if (mp->afi == EVPN_AFI && mp->safi == EVPN_SAFI &&
	    mp->nh_len != 4 && mp->nh_len != 16 && mp->nh_len != 32)
		return problem(p, BGP_ACT_RESET, BGP_UPD_OPTIONAL_ATTR,
			       "MP_REACH_NLRI EVPN next hop length not 4, 16 or 32 (RFC 7606 7.11)");
	if (mp->nh_len <= sizeof(mp->nh))
		rbuf_get_bytes(v, mp->nh, mp->nh_len);
	else
		rbuf_skip(v, mp->nh_len);
	rbuf_skip(v, 1);        /* Reserved (was SNPA count): ignored (RFC 4760 3) */
	mp->nlri = rbuf_ptr(v);
	mp->nlri_len = (uint16_t)rbuf_left(v);
	return 0;
}

/* RFC 4760 4: AFI 2, SAFI 1, withdrawn routes. Too short -> the NLRI
 * cannot be located: session reset (RFC 7606 3(j), 7.11). */
static int dec_mp_unreach(struct rbuf *v, struct bgp_attrs *a,
			  const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	struct bgp_mp *mp = &a->mp_unreach;

	(void)ctx;
	memset(mp, 0, sizeof(*mp));
	rbuf_get_u16(v, &mp->afi);
	rbuf_get_u8(v, &mp->safi);
	if (v->err)
		return problem(p, BGP_ACT_RESET, BGP_UPD_OPTIONAL_ATTR,
			       "MP_UNREACH_NLRI shorter than 3 octets (RFC 7606 7.11)");
	mp->nlri = rbuf_ptr(v);
	mp->nlri_len = (uint16_t)rbuf_left(v);
	return 0;
}

/* Sums up the communities an EVPN route's handling depends on. */
static void evpn_ext_summary(const uint8_t *e, struct bgp_evpn_ext *s)
{
	uint32_t seq, global, local;

	if (bgp_ext_rt_parse(e, &global, &local) >= 0) {
		s->n_rt++;
	} else if (e[0] == BGP_EXT_TYPE_OPAQUE && e[1] == BGP_EXT_SUB_ENCAP) {
		/* RFC 9012 4.1: 4 reserved octets, then the tunnel type. */
		uint16_t t = (uint16_t)(e[6] << 8 | e[7]);

		if (t < 32)
			s->encap_types |= 1u << t;
	} else if (e[0] == BGP_EXT_TYPE_OPAQUE && e[1] == BGP_EXT_SUB_DEFAULT_GW) {
		s->default_gw = true;
	} else if (e[0] == BGP_EXT_TYPE_EVPN && e[1] == BGP_EXT_SUB_MAC_MOBILITY) {
		/* RFC 7432 7.7: flags (low bit: sticky/static), reserved,
		 * sequence number. RFC 7432 says nothing of two of them in
		 * one route; the higher sequence wins, as a later move would. */
		seq = (uint32_t)e[4] << 24 | e[5] << 16 | e[6] << 8 | e[7];
		if (!s->mac_mobility || seq > s->mm_seq)
			s->mm_seq = seq;
		s->mm_sticky |= e[2] & 0x01;
		s->mac_mobility = true;
	} else if (e[0] == BGP_EXT_TYPE_EVPN && e[1] == BGP_EXT_SUB_ROUTER_MAC) {
		if (!s->has_router_mac)
			memcpy(s->router_mac, e + 2, 6);
		s->has_router_mac = true;
	}
}

/* RFC 7606 7.14: length not a non-zero multiple of 8 -> withdraw. */
static int dec_ext_communities(struct rbuf *v, struct bgp_attrs *a,
			       const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	size_t n = rbuf_left(v);

	(void)ctx;
	if (n == 0 || n % 8)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_OPTIONAL_ATTR,
			       "EXTENDED_COMMUNITIES length not a non-zero multiple of 8 (RFC 7606 7.14)");
	a->ext = rbuf_ptr(v);
	a->n_ext = (uint16_t)(n / 8);
	memset(&a->evpn, 0, sizeof(a->evpn));
	for (size_t i = 0; i < a->n_ext; i++)
		evpn_ext_summary(a->ext + 8 * i, &a->evpn);
	return 0;
}

/* AS4_PATH and AS4_AGGREGATOR only mean something from a speaker without
 * the 4-octet AS capability (RFC 6793 4.1: NEW speakers do not send them to
 * each other), so from a NEW speaker they are discarded; a malformed one is
 * discarded too (RFC 6793 6: length under 6 or odd, or malformed as an
 * AS_PATH would be). A sound one is kept for as4_reconcile(), which needs
 * AS_PATH and AGGREGATOR too, and they may come in any order. */
static int dec_as4_path(struct rbuf *v, struct bgp_attrs *a,
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

static int dec_as4_aggregator(struct rbuf *v, struct bgp_attrs *a,
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
static void as4_reconcile(struct bgp_attrs *a, const struct bgp_parse_ctx *ctx)
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

/* RFC 6514 5: flags 1, tunnel type 1, MPLS label 3, tunnel identifier.
 * RFC 7606 does not cover it; by its section 2 guidance the attribute
 * decides where a type-3 route's BUM traffic goes, so a malformed one
 * costs the route (withdraw), not the attribute. */
static int dec_pmsi(struct rbuf *v, struct bgp_attrs *a,
		    const struct bgp_parse_ctx *ctx, struct attr_problem *p)
{
	struct bgp_pmsi *t = &a->pmsi;
	size_t id_len;

	(void)ctx;
	memset(t, 0, sizeof(*t));
	if (rbuf_left(v) < 5)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_OPTIONAL_ATTR,
			       "PMSI_TUNNEL shorter than 5 octets (RFC 6514 5)");
	rbuf_get_u8(v, &t->flags);
	rbuf_get_u8(v, &t->tunnel_type);
	rbuf_get_u24(v, &t->label);
	id_len = rbuf_left(v);
	/* Ingress replication names the replicating router by address. */
	if (t->tunnel_type == BGP_PMSI_INGRESS_REPL && id_len != 4 && id_len != 16)
		return problem(p, BGP_ACT_WITHDRAW, BGP_UPD_OPTIONAL_ATTR,
			       "PMSI_TUNNEL ingress replication id not an IPv4/IPv6 address (RFC 6514 5)");
	if (id_len <= sizeof(t->id)) {
		t->id_len = (uint8_t)id_len;
		rbuf_get_bytes(v, t->id, id_len);
	}
	return 0;
}

/* --- encode hooks: write the value only; put_attr() adds the header --- */

static void enc_origin(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_u8(w, a->origin);
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
static bool aspath_needs_as4(const struct bgp_aspath *p)
{
	unsigned k = 0;

	for (unsigned i = 0; i < p->n_segs; k += p->seg[i].count, i++)
		for (unsigned j = 0; j < p->seg[i].count && k + j < p->n_asns; j++)
			if (!is_confed(p->seg[i].type) && p->asn[k + j] > 0xffff)
				return true;
	return false;
}

static void enc_as_path(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	aspath_encode(w, &a->aspath, c->as4 ? 4 : 2);
}

static void enc_next_hop(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_bytes(w, &a->next_hop, 4);
}

static void enc_med(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_u32(w, a->med);
}

static void enc_local_pref(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_u32(w, a->local_pref);
}

static void enc_empty(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	(void)w;
	(void)a;
	(void)c;
}

static void enc_aggregator(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	if (c->as4)
		wbuf_put_u32(w, a->aggregator_as);
	else
		wbuf_put_u16(w, a->aggregator_as > 0xffff ? BGP_AS_TRANS : a->aggregator_as);
	wbuf_put_bytes(w, &a->aggregator_id, 4);
}

static void enc_communities(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_bytes(w, a->communities, (size_t)a->n_communities * 4);
}

static void enc_originator_id(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_bytes(w, &a->originator_id, 4);
}

static void enc_cluster_list(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_bytes(w, a->cluster_list, (size_t)a->n_clusters * 4);
}

static void enc_mp_reach(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	const struct bgp_mp *mp = &a->mp_reach;

	(void)c;
	wbuf_put_u16(w, mp->afi);
	wbuf_put_u8(w, mp->safi);
	wbuf_put_u8(w, mp->nh_len);
	if (mp->nh_len > sizeof(mp->nh))
		w->err = -EINVAL;
	else
		wbuf_put_bytes(w, mp->nh, mp->nh_len);
	wbuf_put_u8(w, 0);      /* Reserved (RFC 4760 3) */
	wbuf_put_bytes(w, mp->nlri, mp->nlri_len);
}

static void enc_mp_unreach(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	const struct bgp_mp *mp = &a->mp_unreach;

	(void)c;
	wbuf_put_u16(w, mp->afi);
	wbuf_put_u8(w, mp->safi);
	wbuf_put_bytes(w, mp->nlri, mp->nlri_len);
}

static void enc_ext_communities(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_bytes(w, a->ext, (size_t)a->n_ext * 8);
}

/* Only generated, never relayed: for a 2-octet peer, the true path
 * (RFC 6793 4.2.2) without its confederation segments ("the NEW BGP
 * speaker MUST exclude such path segments from the AS4_PATH attribute"). */
static void enc_as4_path(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
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

/* RFC 6793 4.2.2: with AGGREGATOR's AS set to AS_TRANS (enc_aggregator),
 * the true one for a 2-octet peer. */
static void enc_as4_aggregator(struct wbuf *w, const struct bgp_attrs *a,
			       const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_u32(w, a->aggregator_as);
	wbuf_put_bytes(w, &a->aggregator_id, 4);
}

static void enc_pmsi(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *c)
{
	(void)c;
	wbuf_put_u8(w, a->pmsi.flags);
	wbuf_put_u8(w, a->pmsi.tunnel_type);
	wbuf_put_u24(w, a->pmsi.label);
	wbuf_put_bytes(w, a->pmsi.id, a->pmsi.id_len);
}

/* The descriptor table, indexed by type code. */
static const struct attr_desc attr_table[256] = {
	[BGP_ATTR_ORIGIN]           = { "ORIGIN", WK, dec_origin, enc_origin },
	[BGP_ATTR_AS_PATH]          = { "AS_PATH", WK, dec_as_path, enc_as_path },
	[BGP_ATTR_NEXT_HOP]         = { "NEXT_HOP", WK, dec_next_hop, enc_next_hop },
	[BGP_ATTR_MED]              = { "MULTI_EXIT_DISC", OPT, dec_med, enc_med },
	[BGP_ATTR_LOCAL_PREF]       = { "LOCAL_PREF", WK, dec_local_pref, enc_local_pref },
	[BGP_ATTR_ATOMIC_AGGREGATE] = { "ATOMIC_AGGREGATE", WK, dec_atomic_aggregate, enc_empty },
	[BGP_ATTR_AGGREGATOR]       = { "AGGREGATOR", OPT | TRANS, dec_aggregator, enc_aggregator },
	[BGP_ATTR_COMMUNITIES]      = { "COMMUNITIES", OPT | TRANS, dec_communities, enc_communities },
	[BGP_ATTR_ORIGINATOR_ID]    = { "ORIGINATOR_ID", OPT, dec_originator_id, enc_originator_id },
	[BGP_ATTR_CLUSTER_LIST]     = { "CLUSTER_LIST", OPT, dec_cluster_list, enc_cluster_list },
	[BGP_ATTR_MP_REACH_NLRI]    = { "MP_REACH_NLRI", OPT, dec_mp_reach, enc_mp_reach },
	[BGP_ATTR_MP_UNREACH_NLRI]  = { "MP_UNREACH_NLRI", OPT, dec_mp_unreach, enc_mp_unreach },
	[BGP_ATTR_EXT_COMMUNITIES]  = { "EXTENDED_COMMUNITIES", OPT | TRANS, dec_ext_communities, enc_ext_communities },
	[BGP_ATTR_AS4_PATH]         = { "AS4_PATH", OPT | TRANS, dec_as4_path, enc_as4_path },
	[BGP_ATTR_AS4_AGGREGATOR]   = { "AS4_AGGREGATOR", OPT | TRANS, dec_as4_aggregator, enc_as4_aggregator },
	[BGP_ATTR_PMSI_TUNNEL]      = { "PMSI_TUNNEL", OPT | TRANS, dec_pmsi, enc_pmsi },
};

const char *bgp_attr_name(uint8_t type)
{
	return attr_table[type].name ? attr_table[type].name : "unknown";
}

/* --- the walker --- */

static bool is_mp(uint8_t type)
{
	return type == BGP_ATTR_MP_REACH_NLRI || type == BGP_ATTR_MP_UNREACH_NLRI;
}

int bgp_attrs_parse(const uint8_t *field, size_t len, const struct bgp_parse_ctx *ctx,
		    struct bgp_attrs *a, struct bgp_err *err)
{
	uint8_t seen[256 / 8] = { 0 };
	struct rbuf r;

	memset(a, 0, sizeof(*a));
	rbuf_init(&r, field, len);
	while (rbuf_left(&r)) {
		const uint8_t *raw = rbuf_ptr(&r);
		uint8_t flags = 0, type = 0;
		uint16_t alen = 0;
		size_t raw_len;
		const struct attr_desc *d;
		struct attr_problem p;
		struct rbuf v;

		/* RFC 7606 4: an attribute header or value that runs past the
		 * Total Path Attribute Length. The NLRI field is still found
		 * by that length, so treat-as-withdraw, provided the
		 * MP_REACH/MP_UNREACH NLRI were parsed before the break;
		 * otherwise what is left cannot be withdrawn (RFC 7606 3(j)). */
		rbuf_get_u8(&r, &flags);
		rbuf_get_u8(&r, &type);
		if (flags & BGP_ATTR_F_EXTLEN) {
			rbuf_get_u16(&r, &alen);
		} else {
			uint8_t l8;

			rbuf_get_u8(&r, &l8);
			alen = l8;
		}
		if (rbuf_get_sub(&r, alen, &v)) {
			bool mp_seen = (seen[BGP_ATTR_MP_REACH_NLRI / 8] >> (BGP_ATTR_MP_REACH_NLRI % 8) & 1) ||
				       (seen[BGP_ATTR_MP_UNREACH_NLRI / 8] >> (BGP_ATTR_MP_UNREACH_NLRI % 8) & 1);

			if (mp_seen) {
				bgp_err_raise(err, BGP_ACT_WITHDRAW, BGP_ERR_UPDATE,
					      BGP_UPD_ATTR_LENGTH, NULL, 0,
					      "path attribute runs past the attribute field (RFC 7606 4)");
				return 0;
			}
			bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_UPDATE,
				      BGP_UPD_MALFORMED_ATTR_LIST, NULL, 0,
				      "path attribute runs past the attribute field before any MP_REACH/MP_UNREACH_NLRI (RFC 7606 4, 3(j))");
			return -1;
		}
		raw_len = (size_t)(rbuf_ptr(&r) - raw);

		/* RFC 7606 3(g): MP_REACH/MP_UNREACH twice -> Malformed
		 * Attribute List; any other repeat -> keep the first. */
		if (seen[type / 8] >> (type % 8) & 1) {
			if (is_mp(type)) {
				bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_UPDATE,
					      BGP_UPD_MALFORMED_ATTR_LIST, NULL, 0,
					      "%s appears twice (RFC 7606 3(g))", bgp_attr_name(type));
				return -1;
			}
			bgp_err_raise(err, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPDATE,
				      BGP_UPD_MALFORMED_ATTR_LIST, raw, raw_len,
				      "attribute %u repeated: later copy discarded (RFC 7606 3(g))", type);
			continue;
		}
		seen[type / 8] |= 1 << (type % 8);

		d = &attr_table[type];
		if (!d->decode) {
			if (!(flags & BGP_ATTR_F_OPTIONAL)) {
				/* RFC 4271 6.3; RFC 7606 leaves it a reset. */
				bgp_err_raise(err, BGP_ACT_RESET, BGP_ERR_UPDATE,
					      BGP_UPD_UNRECOGNIZED_WELLKNOWN, raw, raw_len,
					      "unrecognized well-known attribute %u (RFC 4271 6.3)", type);
				return -1;
			}
			if (!(flags & BGP_ATTR_F_TRANSITIVE))
				continue;       /* RFC 4271 5: quietly ignored */
			if (a->n_unknown == BGP_ATTR_MAX_UNKNOWN) {
				bgp_err_raise(err, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPDATE,
					      BGP_UPD_UNSPECIFIC, NULL, 0,
					      "more than %d unknown transitive attributes: attribute %u not kept",
					      BGP_ATTR_MAX_UNKNOWN, type);
				continue;
			}
			a->unknown[a->n_unknown++] = (struct bgp_raw_attr){
				.flags = flags, .type = type, .len = alen, .val = v.p,
			};
			continue;
		}

		/* RFC 7606 3(c): Optional/Transitive bits in conflict with the
		 * attribute's -> treat-as-withdraw. MP_REACH/MP_UNREACH are
		 * still decoded: their NLRI are what gets withdrawn. */
		if ((flags & (BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_TRANSITIVE)) != d->flags) {
			bgp_err_raise(err, BGP_ACT_WITHDRAW, BGP_ERR_UPDATE,
				      BGP_UPD_ATTR_FLAGS, raw, raw_len,
				      "%s with flags 0x%02x (RFC 7606 3(c))", d->name, flags);
			if (!is_mp(type))
				continue;
		}
		if (d->decode(&v, a, ctx, &p)) {
			bgp_err_raise(err, p.act, BGP_ERR_UPDATE, p.subcode, raw, raw_len,
				      "%s", p.why);
			if (p.act == BGP_ACT_RESET)
				return -1;
			continue;
		}
		if (type < 32)
			a->present |= BGP_ATTR_BIT(type);
	}
	as4_reconcile(a, ctx);
	return 0;
}

/* Writes one attribute: flags, type, length (one octet, or two with the
 * Extended Length bit when the value exceeds 255, RFC 4271 4.3), value. */
static void put_attr(struct wbuf *w, uint8_t flags, uint8_t type, attr_encode_fn enc,
		     const struct bgp_attrs *a, const struct bgp_parse_ctx *ctx,
		     const struct bgp_raw_attr *raw)
{
	size_t hdr = w->len, start, vlen;

	wbuf_put_u8(w, flags & ~BGP_ATTR_F_EXTLEN);
	wbuf_put_u8(w, type);
	wbuf_put_u8(w, 0);
	start = w->len;
	if (enc)
		enc(w, a, ctx);
	else
		wbuf_put_bytes(w, raw->val, raw->len);
	if (wbuf_error(w))
		return;
	vlen = w->len - start;
	if (vlen > 0xffff) {
		w->err = -EMSGSIZE;
		return;
	}
	if (vlen > 255) {
		wbuf_put_u8(w, 0);      /* room for the second length octet */
		if (wbuf_error(w))
			return;
		memmove(w->p + start + 1, w->p + start, vlen);
		w->p[hdr] |= BGP_ATTR_F_EXTLEN;
		wbuf_set_u16(w, hdr + 2, (uint16_t)vlen);
	} else {
		wbuf_set_u8(w, hdr + 2, (uint8_t)vlen);
	}
}

int bgp_attrs_encode(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_parse_ctx *ctx)
{
	static const uint8_t first[] = { BGP_ATTR_MP_REACH_NLRI, BGP_ATTR_MP_UNREACH_NLRI };

	/* RFC 7606 5.1: the MP attributes first, so a receiver can find the
	 * NLRI even if a later attribute is damaged. */
	for (size_t i = 0; i < sizeof(first); i++)
		if (BGP_ATTR_HAS(a, first[i]))
			put_attr(w, attr_table[first[i]].flags, first[i],
				 attr_table[first[i]].encode, a, ctx, NULL);
	for (unsigned t = 1; t < 32; t++) {
		const struct attr_desc *d = &attr_table[t];

		if (is_mp((uint8_t)t) || !d->encode)
			continue;
		if (t == BGP_ATTR_AS4_PATH) {
			/* RFC 6793 4.2.2: only towards a 2-octet speaker. */
			if (!ctx->as4 && BGP_ATTR_HAS(a, BGP_ATTR_AS_PATH) &&
			    aspath_needs_as4(&a->aspath))
				put_attr(w, d->flags, (uint8_t)t, d->encode, a, ctx, NULL);
			continue;
		}
		if (t == BGP_ATTR_AS4_AGGREGATOR) {
			/* RFC 6793 4.2.2: "if the AS number is mappable, then
			 * the AS4_AGGREGATOR attribute MUST NOT be sent". */
			if (!ctx->as4 && BGP_ATTR_HAS(a, BGP_ATTR_AGGREGATOR) &&
			    a->aggregator_as > 0xffff)
				put_attr(w, d->flags, (uint8_t)t, d->encode, a, ctx, NULL);
			continue;
		}
		if (BGP_ATTR_HAS(a, t))
			put_attr(w, d->flags, (uint8_t)t, d->encode, a, ctx, NULL);
	}
	/* RFC 4271 5: unrecognized transitive attributes pass on with the
	 * Partial bit set. */
	for (unsigned i = 0; i < a->n_unknown && i < BGP_ATTR_MAX_UNKNOWN; i++)
		put_attr(w, a->unknown[i].flags | BGP_ATTR_F_PARTIAL, a->unknown[i].type,
			 NULL, a, ctx, &a->unknown[i]);
	return wbuf_error(w);
}

/* --- extended communities --- */

static void ext_put(uint8_t ext[8], uint8_t type, uint8_t sub, uint64_t value48)
{
	ext[0] = type;
	ext[1] = sub;
	for (int i = 0; i < 6; i++)
		ext[2 + i] = (uint8_t)(value48 >> (8 * (5 - i)));
}

void bgp_ext_rt_as2(uint8_t ext[8], uint16_t asn, uint32_t n)
{
	ext_put(ext, BGP_EXT_TYPE_AS2, BGP_EXT_SUB_RT, (uint64_t)asn << 32 | n);
}

void bgp_ext_rt_ip4(uint8_t ext[8], uint32_t ip_be, uint16_t n)
{
	ext_put(ext, BGP_EXT_TYPE_IP4, BGP_EXT_SUB_RT, 0);
	memcpy(ext + 2, &ip_be, 4);
	ext[6] = n >> 8;
	ext[7] = n;
}

void bgp_ext_rt_as4(uint8_t ext[8], uint32_t asn, uint16_t n)
{
	ext_put(ext, BGP_EXT_TYPE_AS4, BGP_EXT_SUB_RT, (uint64_t)asn << 16 | n);
}

int bgp_ext_rt_parse(const uint8_t ext[8], uint32_t *global, uint32_t *local)
{
	if (ext[1] != BGP_EXT_SUB_RT)
		return -1;
	switch (ext[0]) {
	case BGP_EXT_TYPE_AS2:
		*global = (uint32_t)ext[2] << 8 | ext[3];
		*local = (uint32_t)ext[4] << 24 | ext[5] << 16 | ext[6] << 8 | ext[7];
		return BGP_EXT_TYPE_AS2;
	case BGP_EXT_TYPE_IP4:
		memcpy(global, ext + 2, 4);
		*local = (uint32_t)ext[6] << 8 | ext[7];
		return BGP_EXT_TYPE_IP4;
	case BGP_EXT_TYPE_AS4:
		*global = (uint32_t)ext[2] << 24 | ext[3] << 16 | ext[4] << 8 | ext[5];
		*local = (uint32_t)ext[6] << 8 | ext[7];
		return BGP_EXT_TYPE_AS4;
	default:
		return -1;
	}
}

void bgp_ext_encap(uint8_t ext[8], uint16_t tunnel_type)
{
	ext_put(ext, BGP_EXT_TYPE_OPAQUE, BGP_EXT_SUB_ENCAP, tunnel_type);
}

void bgp_ext_mac_mobility(uint8_t ext[8], uint32_t seq, bool sticky)
{
	ext_put(ext, BGP_EXT_TYPE_EVPN, BGP_EXT_SUB_MAC_MOBILITY,
		(uint64_t)(sticky ? 1 : 0) << 40 | seq);
}

void bgp_ext_router_mac(uint8_t ext[8], const uint8_t mac[6])
{
	ext[0] = BGP_EXT_TYPE_EVPN;
	ext[1] = BGP_EXT_SUB_ROUTER_MAC;
	memcpy(ext + 2, mac, 6);
}

void bgp_ext_default_gw(uint8_t ext[8])
{
	ext_put(ext, BGP_EXT_TYPE_OPAQUE, BGP_EXT_SUB_DEFAULT_GW, 0);
}
