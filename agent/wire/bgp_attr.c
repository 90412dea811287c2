/* bgp_attr.c - see bgp_attr.h: path attributes in and out. The table near
 * the end lists every attribute vtepd understands; the walker at the bottom
 * applies the generic rules of RFC 4271 6.3 and RFC 7606 3, 4. The hooks of
 * the simple attributes are here; AS_PATH, AGGREGATOR and their AS4_
 * counterparts (RFC 6793) are bgp_attr_aspath.c, extended communities
 * bgp_attr_ext.c. */
#include "bgp_attr_priv.h"

#include <errno.h>
#include <string.h>

#include "evpn_nlri.h"

struct attr_desc {
	const char *name;
	uint8_t flags;          /* the Optional and Transitive bits its RFC sets */
	attr_decode_fn decode;
	attr_encode_fn encode;  /* NULL: never sent */
};

#define OPT   BGP_ATTR_F_OPTIONAL
#define TRANS BGP_ATTR_F_TRANSITIVE
#define WK    TRANS           /* well-known: O = 0, T = 1 (RFC 4271 5) */

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
	[BGP_ATTR_AS_PATH]          = { "AS_PATH", WK,
					bgp_attr_dec_as_path, bgp_attr_enc_as_path },
	[BGP_ATTR_NEXT_HOP]         = { "NEXT_HOP", WK, dec_next_hop, enc_next_hop },
	[BGP_ATTR_MED]              = { "MULTI_EXIT_DISC", OPT, dec_med, enc_med },
	[BGP_ATTR_LOCAL_PREF]       = { "LOCAL_PREF", WK, dec_local_pref, enc_local_pref },
	[BGP_ATTR_ATOMIC_AGGREGATE] = { "ATOMIC_AGGREGATE", WK, dec_atomic_aggregate, enc_empty },
	[BGP_ATTR_AGGREGATOR]       = { "AGGREGATOR", OPT | TRANS,
					bgp_attr_dec_aggregator, bgp_attr_enc_aggregator },
	[BGP_ATTR_COMMUNITIES]      = { "COMMUNITIES", OPT | TRANS, dec_communities, enc_communities },
	[BGP_ATTR_ORIGINATOR_ID]    = { "ORIGINATOR_ID", OPT, dec_originator_id, enc_originator_id },
	[BGP_ATTR_CLUSTER_LIST]     = { "CLUSTER_LIST", OPT, dec_cluster_list, enc_cluster_list },
	[BGP_ATTR_MP_REACH_NLRI]    = { "MP_REACH_NLRI", OPT, dec_mp_reach, enc_mp_reach },
	[BGP_ATTR_MP_UNREACH_NLRI]  = { "MP_UNREACH_NLRI", OPT, dec_mp_unreach, enc_mp_unreach },
	[BGP_ATTR_EXT_COMMUNITIES]  = { "EXTENDED_COMMUNITIES", OPT | TRANS,
					bgp_attr_dec_ext_communities, bgp_attr_enc_ext_communities },
	[BGP_ATTR_AS4_PATH]         = { "AS4_PATH", OPT | TRANS,
					bgp_attr_dec_as4_path, bgp_attr_enc_as4_path },
	[BGP_ATTR_AS4_AGGREGATOR]   = { "AS4_AGGREGATOR", OPT | TRANS,
					bgp_attr_dec_as4_aggregator, bgp_attr_enc_as4_aggregator },
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
	bgp_attr_as4_reconcile(a, ctx);
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
			    bgp_attr_aspath_needs_as4(&a->aspath))
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
