/* bgp_roundtrip.c - fuzz_bgp's round trips through the BGP codec's
 * builders (bgp_roundtrip.h says what, and why they are apart from
 * fuzz_bgp.c): each builder on what the decoders read, parsed back and
 * compared field by field. An UPDATE's routes and attributes read back the
 * same; what a 4-octet session read, built for a 2-octet one (AS_TRANS,
 * AS4_PATH, AS4_AGGREGATOR: RFC 6793 4.2.2), reads back the same there
 * (4.2.3). OPENs read back with the same capabilities, Cease reasons
 * (RFC 9003) as written.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bgp_roundtrip.h"

/* The message read back from what a builder wrote, and where it wrote. */
static struct bgp_msg back;
static struct bgp_err err2;
static uint8_t out[BGP_MAX_LEN];
/* A small output buffer (19..274 bytes, from the input) for the builders:
 * they must refuse what does not fit. */
static size_t small_cap = 19;

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* An AS path as a list of (type, ASNs) with adjacent AS_SEQUENCEs joined:
 * how long the segments are is not the path's meaning (RFC 4271 5.1.2). */
static bool same_path(const struct bgp_aspath *a, const struct bgp_aspath *b)
{
	unsigned i = 0, j = 0;

	if (a->n_asns != b->n_asns || memcmp(a->asn, b->asn, a->n_asns * sizeof(a->asn[0])))
		return false;
	while (i < a->n_segs && j < b->n_segs) {
		unsigned ca = a->seg[i].count, cb = b->seg[j].count;
		uint8_t t = a->seg[i].type;

		if (t != b->seg[j].type)
			return false;
		if (t == BGP_AS_SEQUENCE) {
			while (i + 1 < a->n_segs && a->seg[i + 1].type == t)
				ca += a->seg[++i].count;
			while (j + 1 < b->n_segs && b->seg[j + 1].type == t)
				cb += b->seg[++j].count;
		}
		if (ca != cb)
			return false;
		i++;
		j++;
	}
	return i == a->n_segs && j == b->n_segs;
}

/* Whether a 2-octet speaker can be given p and read it back the same
 * (RFC 6793 4.2.2 and 4.2.3): confederation segments, which AS4_PATH never
 * holds, only in front (where RFC 5065 puts them) and with ASNs that fit
 * two octets. */
static bool as2_keeps_path(const struct bgp_aspath *p)
{
	bool confed_ok = true;
	unsigned k = 0;

	for (unsigned i = 0; i < p->n_segs; k += p->seg[i].count, i++) {
		bool confed = p->seg[i].type == BGP_AS_CONFED_SEQUENCE ||
			      p->seg[i].type == BGP_AS_CONFED_SET;

		if (!confed) {
			confed_ok = false;
			continue;
		}
		if (!confed_ok)
			return false;
		for (unsigned j = 0; j < p->seg[i].count; j++)
			if (p->asn[k + j] > 0xffff)
				return false;
	}
	return true;
}

/* The path attributes read back from what was built out of a are a's
 * (b: as the same kind of session reads them; as2: a 2-octet one, for
 * which AS_TRANS, AS4_PATH and AS4_AGGREGATOR carry the 4-octet ASNs). */
static void check_attrs_back(const struct bgp_attrs *a, const struct bgp_attrs *b, bool as2)
{
	static const uint8_t kept[] = {
		BGP_ATTR_ORIGIN, BGP_ATTR_AS_PATH, BGP_ATTR_NEXT_HOP, BGP_ATTR_MED,
		BGP_ATTR_LOCAL_PREF, BGP_ATTR_ATOMIC_AGGREGATE, BGP_ATTR_AGGREGATOR,
		BGP_ATTR_COMMUNITIES, BGP_ATTR_ORIGINATOR_ID, BGP_ATTR_CLUSTER_LIST,
		BGP_ATTR_EXT_COMMUNITIES, BGP_ATTR_PMSI_TUNNEL,
	};

	for (size_t i = 0; i < sizeof(kept); i++)
		CHECK(BGP_ATTR_HAS(a, kept[i]) == BGP_ATTR_HAS(b, kept[i]));
	CHECK(a->origin == b->origin && a->next_hop == b->next_hop && a->med == b->med &&
	      a->local_pref == b->local_pref && a->originator_id == b->originator_id);
	if (BGP_ATTR_HAS(a, BGP_ATTR_AGGREGATOR))
		CHECK(a->aggregator_as == b->aggregator_as && a->aggregator_id == b->aggregator_id);
	CHECK(a->n_communities == b->n_communities && a->n_clusters == b->n_clusters &&
	      a->n_ext == b->n_ext && a->n_unknown == b->n_unknown);
	CHECK(!a->n_communities || !memcmp(a->communities, b->communities, 4u * a->n_communities));
	CHECK(!a->n_clusters || !memcmp(a->cluster_list, b->cluster_list, 4u * a->n_clusters));
	CHECK(!a->n_ext || !memcmp(a->ext, b->ext, 8u * a->n_ext));
	CHECK(a->evpn.mac_mobility == b->evpn.mac_mobility && a->evpn.mm_seq == b->evpn.mm_seq &&
	      a->evpn.mm_sticky == b->evpn.mm_sticky && a->evpn.n_rt == b->evpn.n_rt &&
	      a->evpn.has_router_mac == b->evpn.has_router_mac && a->evpn.has_nd == b->evpn.has_nd &&
	      a->evpn.nd_flags == b->evpn.nd_flags && a->evpn.default_gw == b->evpn.default_gw &&
	      a->evpn.encap_types == b->evpn.encap_types &&
	      !memcmp(a->evpn.router_mac, b->evpn.router_mac, 6));
	if (BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL))
		CHECK(a->pmsi.flags == b->pmsi.flags && a->pmsi.tunnel_type == b->pmsi.tunnel_type &&
		      a->pmsi.label == b->pmsi.label && a->pmsi.id_len == b->pmsi.id_len &&
		      !memcmp(a->pmsi.id, b->pmsi.id, a->pmsi.id_len));
	for (unsigned i = 0; i < a->n_unknown; i++)
		CHECK(a->unknown[i].type == b->unknown[i].type &&
		      a->unknown[i].len == b->unknown[i].len &&
		      (b->unknown[i].flags & BGP_ATTR_F_PARTIAL) &&
		      !memcmp(a->unknown[i].val, b->unknown[i].val, a->unknown[i].len));
	if (!BGP_ATTR_HAS(a, BGP_ATTR_AS_PATH))
		return;
	if (!as2) {
		CHECK(a->aspath.n_segs == b->aspath.n_segs && a->aspath.n_asns == b->aspath.n_asns &&
		      !memcmp(a->aspath.seg, b->aspath.seg, a->aspath.n_segs * sizeof(a->aspath.seg[0])) &&
		      !memcmp(a->aspath.asn, b->aspath.asn, a->aspath.n_asns * sizeof(a->aspath.asn[0])));
	} else if (as2_keeps_path(&a->aspath)) {
		CHECK(same_path(&a->aspath, &b->aspath));
		CHECK(bgp_aspath_hops(&a->aspath) == bgp_aspath_hops(&b->aspath));
	}
}

/* A route built from raw bytes, fields in any state: what the encoder
 * accepts decodes back to the same key, what it refuses writes nothing. */
static void route_builder(const uint8_t *data, size_t size)
{
	struct evpn_route rt, back_rt;
	uint8_t b[EVPN_NLRI_MAX_LEN + 8];
	const char *why;
	struct wbuf w;
	struct rbuf r;
	size_t n;
	int rc;

	if (size < 8)
		return;
	memset(&rt, 0, sizeof(rt));
	memcpy(&rt, data + 8, size - 8 < sizeof(rt) ? size - 8 : sizeof(rt));
	rt.withdraw = false;
	rt.type = data[0] % 7;
	rt.ip.len = data[1] % 18;
	rt.gw.len = data[2] % 18;
	rt.n_labels = data[3] % 4;
	rt.prefix_len = data[4];
	rt.label[0] &= 0xffffff;
	rt.label[1] &= 0xffffff;
	n = evpn_nlri_size(&rt);
	wbuf_init(&w, b, sizeof(b));
	rc = evpn_nlri_encode(&w, &rt);
	CHECK((rc == 0) == (n != 0));
	if (rc) {
		const struct bgp_parse_ctx ctx = { .as4 = true };

		CHECK(w.len == 0);
		/* nor does an UPDATE carry it */
		wbuf_init(&w, out, sizeof(out));
		CHECK(bgp_msg_build_update(&w, &ctx, NULL, &rt, 1, true) == -EINVAL && w.len == 0);
		return;
	}
	CHECK(w.len == n);
	rbuf_init(&r, b, w.len);
	CHECK(evpn_nlri_decode(&r, &back_rt, &why) == EVPN_DEC_OK);
	CHECK(evpn_route_same_key(&back_rt, &rt) && evpn_route_same_key(&rt, &back_rt));
	/* Its withdrawal, in an UPDATE of its own, reads back as it. */
	{
		const struct bgp_parse_ctx ctx = { .as4 = true };

		wbuf_init(&w, out, sizeof(out));
		CHECK(bgp_msg_build_update(&w, &ctx, NULL, &rt, 1, true) == 1);
		CHECK(bgp_msg_parse(out, w.len, &ctx, &back, &err2) == 0);
		CHECK(err2.action == BGP_ACT_NONE && back.update.n_routes == 1 &&
		      back.update.routes[0].withdraw &&
		      evpn_route_same_key(&back.update.routes[0], &rt));
	}
	if (rt.type == EVPN_RT_MACIP)
		CHECK(back_rt.n_labels == rt.n_labels &&
		      !memcmp(back_rt.label, rt.label, rt.n_labels * sizeof(rt.label[0])));
	else if (rt.type == EVPN_RT_PREFIX)
		CHECK(back_rt.label[0] == rt.label[0] && back_rt.prefix_len == rt.prefix_len);
}

/* Builds the UPDATE again and checks it parses back to the same routes. */
static void roundtrip_update(const struct bgp_parse_ctx *ctx, const struct bgp_msg *msg,
			     const struct bgp_err *err)
{
	const struct bgp_update *u = &msg->update;
	struct evpn_route reach[BGP_UPDATE_MAX_ROUTES];
	size_t n = 0;
	struct wbuf w;
	int packed;

	if (err->action >= BGP_ACT_WITHDRAW || u->eor)
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
	check_attrs_back(&u->attrs, &back.update.attrs, !ctx->as4);
	/* What a 4-octet session received, sent on to a 2-octet one of the
	 * same kind (RFC 6793 4.2.2), reads back the same there (4.2.3). */
	if (ctx->as4) {
		const struct bgp_parse_ctx ctx2 = { .as4 = false, .ibgp = ctx->ibgp };
		int p2;

		wbuf_init(&w, out, sizeof(out));
		p2 = bgp_msg_build_update(&w, &ctx2, &u->attrs, reach, n, false);
		if (p2 > 0) {
			CHECK(bgp_msg_parse(out, w.len, &ctx2, &back, &err2) == 0);
			CHECK(err2.action == BGP_ACT_NONE);
			CHECK(back.update.n_routes == (unsigned)p2);
			check_attrs_back(&u->attrs, &back.update.attrs, true);
		}
	}
	/* Their withdrawal reads back as the same keys, withdrawn. */
	wbuf_init(&w, out, sizeof(out));
	packed = bgp_msg_build_update(&w, ctx, &u->attrs, reach, n, true);
	if (packed > 0) {
		CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
		CHECK(back.update.n_routes == (unsigned)packed);
		for (int i = 0; i < packed; i++)
			CHECK(back.update.routes[i].withdraw &&
			      evpn_route_same_key(&back.update.routes[i], &reach[i]));
	}
	/* Built into a buffer too small: refused, nothing written past it. */
	wbuf_init(&w, out, small_cap);
	packed = bgp_msg_build_update(&w, ctx, &u->attrs, reach, n, false);
	CHECK(w.len <= small_cap);
	if (packed > 0)
		CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
}

/* The other builders, each one on what was just parsed: what a peer sent,
 * vtepd can send (or answer) in the same words, and read back. */
static void roundtrip_other(const struct bgp_parse_ctx *ctx, const struct bgp_msg *msg)
{
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	switch (msg->type) {
	case BGP_MSG_KEEPALIVE:
		CHECK(bgp_msg_build_keepalive(&w) == 0);
		CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
		CHECK(back.type == BGP_MSG_KEEPALIVE);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		CHECK(bgp_msg_build_route_refresh(&w, &msg->route_refresh) == 0);
		CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
		CHECK(back.route_refresh.afi == msg->route_refresh.afi &&
		      back.route_refresh.safi == msg->route_refresh.safi &&
		      back.route_refresh.subtype == msg->route_refresh.subtype);
		break;
	case BGP_MSG_NOTIFICATION: {
		const struct bgp_notification *n = &msg->notification;
		uint8_t data[BGP_MAX_LEN];
		uint16_t dl = n->data_len;

		memcpy(data, n->data, dl);   /* n->data points into the input */
		if (bgp_msg_build_notification(&w, n->code, n->subcode, data, dl) == 0) {
			CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
			CHECK(back.notification.code == n->code &&
			      back.notification.subcode == n->subcode &&
			      back.notification.data_len == dl);
		}
		if (n->hard_reset && dl >= 2) {
			wbuf_init(&w, out, sizeof(out));
			if (bgp_msg_build_hard_reset(&w, n->inner_code, n->inner_subcode, data + 2,
						     dl - 2) == 0) {
				CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
				CHECK(back.notification.hard_reset &&
				      back.notification.inner_code == n->inner_code &&
				      back.notification.inner_subcode == n->inner_subcode);
			}
		}
		if (n->has_reason) {
			char reason[sizeof(n->reason)];

			/* what we read (control octets already '?') reads back */
			memcpy(reason, n->reason, sizeof(reason));
			wbuf_init(&w, out, sizeof(out));
			if (bgp_msg_build_cease(&w, n->subcode, reason) == 0) {
				CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
				CHECK(!back.notification.has_reason ||
				      !strcmp(back.notification.reason, reason));
			}
			wbuf_init(&w, out, sizeof(out));
			if (bgp_msg_build_hard_reset_cease(&w, n->subcode, reason) == 0)
				CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
		}
		break;
	}
	case BGP_MSG_UPDATE:
		if (msg->update.eor) {
			CHECK(bgp_msg_build_eor(&w, msg->update.eor_afi, msg->update.eor_safi) == 0);
			CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
			CHECK(back.update.eor && back.update.eor_afi == msg->update.eor_afi &&
			      back.update.eor_safi == msg->update.eor_safi);
		}
		break;
	}
}

/* Every builder into a buffer too small for it fails cleanly. */
static void builders_small(void)
{
	static const char reason[] = "fuzz";
	struct bgp_route_refresh rr = { .afi = EVPN_AFI, .safi = EVPN_SAFI };
	struct wbuf w;
	int r[7];

	for (int i = 0; i < 7; i++) {
		wbuf_init(&w, out, small_cap - 19 + (size_t)i);
		switch (i) {
		case 0: r[i] = bgp_msg_build_keepalive(&w); break;
		case 1: r[i] = bgp_msg_build_notification(&w, 3, 1, out + 512, 40); break;
		case 2: r[i] = bgp_msg_build_cease(&w, 2, reason); break;
		case 3: r[i] = bgp_msg_build_hard_reset(&w, 4, 0, NULL, 0); break;
		case 4: r[i] = bgp_msg_build_hard_reset_cease(&w, 4, reason); break;
		case 5: r[i] = bgp_msg_build_route_refresh(&w, &rr); break;
		default: r[i] = bgp_msg_build_eor(&w, EVPN_AFI, EVPN_SAFI); break;
		}
		CHECK(w.len <= w.cap);
		CHECK(r[i] == 0 || r[i] < 0);
	}
}

/* A Cease's reason (RFC 9003 2): none, or the input's printable octets,
 * cut to 255; it reads back as written, in a Hard Reset too (RFC 8538). */
static void cease_reasons(const uint8_t *data, size_t size)
{
	static char reason[400];
	size_t l = size < sizeof(reason) - 1 ? size : sizeof(reason) - 1;
	const struct bgp_parse_ctx ctx = { .as4 = true };
	struct wbuf w;

	for (size_t i = 0; i < l; i++)
		reason[i] = (char)(0x20 + data[i] % 95);
	reason[l] = '\0';
	for (int hard = 0; hard < 2; hard++) {
		const struct bgp_notification *n = &back.notification;

		wbuf_init(&w, out, sizeof(out));
		CHECK((hard ? bgp_msg_build_hard_reset_cease(&w, BGP_CEASE_ADMIN_SHUTDOWN, reason)
			    : bgp_msg_build_cease(&w, BGP_CEASE_ADMIN_SHUTDOWN, reason)) == 0);
		CHECK(bgp_msg_parse(out, w.len, &ctx, &back, &err2) == 0);
		CHECK(n->hard_reset == hard && n->has_reason &&
		      strlen(n->reason) == (l > 255 ? 255 : l) && !strncmp(n->reason, reason, 255));
		wbuf_init(&w, out, sizeof(out));
		CHECK((hard ? bgp_msg_build_hard_reset_cease(&w, BGP_CEASE_ADMIN_RESET, NULL)
			    : bgp_msg_build_cease(&w, BGP_CEASE_ADMIN_RESET, NULL)) == 0);
		CHECK(bgp_msg_parse(out, w.len, &ctx, &back, &err2) == 0);
		CHECK(n->hard_reset == hard && !n->has_reason);
	}
}

/* Route targets and RDs the peer sent, made again with our own makers. */
static void remake_ids(const struct bgp_msg *msg, uint32_t our_as)
{
	const struct bgp_attrs *a = &msg->update.attrs;
	struct bgp_aspath p;

	for (unsigned i = 0; i < a->n_ext; i++) {
		const uint8_t *e = a->ext + 8 * i;
		uint32_t g, l;
		uint8_t x[8];

		switch (bgp_ext_rt_parse(e, &g, &l)) {
		case BGP_EXT_TYPE_AS2:
			if (g > 0xffff)
				continue;
			bgp_ext_rt_as2(x, (uint16_t)g, l);
			break;
		case BGP_EXT_TYPE_IP4:
			bgp_ext_rt_ip4(x, g, (uint16_t)l);
			break;
		case BGP_EXT_TYPE_AS4:
			bgp_ext_rt_as4(x, g, (uint16_t)l);
			break;
		default:
			continue;
		}
		CHECK(!memcmp(x, e, 8));
	}
	for (unsigned i = 0; i < msg->update.n_routes; i++) {
		const uint8_t *rd = msg->update.routes[i].rd;
		uint16_t type = (uint16_t)(rd[0] << 8 | rd[1]);
		uint8_t x[8];

		if (type == 0) {
			evpn_rd_make_as(x, (uint32_t)rd[2] << 8 | rd[3],
					(uint32_t)rd[4] << 24 | rd[5] << 16 | rd[6] << 8 | rd[7]);
		} else if (type == 1) {
			uint32_t ip;

			memcpy(&ip, rd + 2, 4);
			evpn_rd_make_ip(x, ip, (uint16_t)(rd[6] << 8 | rd[7]));
		} else if (type == 2 && (rd[2] | rd[3])) {
			evpn_rd_make_as(x, (uint32_t)rd[2] << 24 | rd[3] << 16 | rd[4] << 8 | rd[5],
					(uint32_t)rd[6] << 8 | rd[7]);
		} else {
			continue;
		}
		CHECK(!memcmp(x, rd, 8));
	}
	if (a->evpn.mac_mobility) {
		uint8_t x[8];
		bool found = false;

		bgp_ext_mac_mobility(x, a->evpn.mm_seq, a->evpn.mm_sticky);
		for (unsigned i = 0; i < a->n_ext; i++)
			found |= !memcmp(a->ext + 8 * i, x, 8);
		/* a second MAC Mobility community may differ; the first is used */
		(void)found;
	}
	/* The Router's MAC, Default Gateway and ARP/ND communities the summary
	 * holds, made again with our makers, are among those sent (ARP/ND's
	 * reserved bits are not kept: type, subtype and the flags octet). */
	if (a->evpn.has_router_mac || a->evpn.default_gw || a->evpn.has_nd) {
		uint8_t rm[8], gw[8], nd[8];
		bool f_rm = false, f_gw = false, f_nd = false;

		bgp_ext_router_mac(rm, a->evpn.router_mac);
		bgp_ext_default_gw(gw);
		bgp_ext_nd(nd, a->evpn.nd_flags);
		for (unsigned i = 0; i < a->n_ext; i++) {
			const uint8_t *e = a->ext + 8 * i;

			f_rm |= !memcmp(e, rm, 8);
			f_gw |= !memcmp(e, gw, 2);
			f_nd |= !memcmp(e, nd, 2) && (e[2] & 0x0b) == nd[2];
		}
		CHECK(f_rm == a->evpn.has_router_mac && f_gw == a->evpn.default_gw &&
		      f_nd == a->evpn.has_nd);
	}
	/* Two routes of one UPDATE: the same key both ways round, or not. */
	for (unsigned i = 1; i < msg->update.n_routes; i++)
		CHECK(evpn_route_same_key(&msg->update.routes[i], &msg->update.routes[i - 1]) ==
		      evpn_route_same_key(&msg->update.routes[i - 1], &msg->update.routes[i]));
	/* The IPv4 unicast fields are checked, then walked as the session would. */
	{
		struct rbuf r;
		uint32_t pfx;
		uint8_t len;
		unsigned k = 0;

		rbuf_init(&r, msg->update.withdrawn4, msg->update.withdrawn4_len);
		while (bgp_prefix4_next(&r, &pfx, &len) > 0)
			k++;
		CHECK(k == msg->update.n_withdrawn4);
		k = 0;
		rbuf_init(&r, msg->update.nlri4, msg->update.nlri4_len);
		while (bgp_prefix4_next(&r, &pfx, &len) > 0)
			k++;
		CHECK(k == msg->update.n_nlri4);
	}
	(void)bgp_aspath_first(&a->aspath);
	(void)bgp_aspath_hops(&a->aspath);
	/* Our AS in front of the path (what an eBGP advertisement carries). */
	p = a->aspath;
	if (bgp_aspath_prepend(&p, our_as) == 0)
		CHECK(bgp_aspath_contains(&p, our_as) && p.n_asns == a->aspath.n_asns + 1);
	/* An AS4_PATH the same as AS_PATH (no OLD speaker on the way) merges
	 * to AS_PATH (RFC 6793 4.2.3), less confederation segments that do
	 * not lead; a merge never changes the path's length. */
	{
		static struct bgp_aspath m;

		CHECK(bgp_aspath_merge_as4(&a->aspath, &a->aspath, &m));
		CHECK(bgp_aspath_hops(&m) == bgp_aspath_hops(&a->aspath));
		if (as2_keeps_path(&a->aspath))
			CHECK(same_path(&m, &a->aspath));
		/* ... and one with an AS more than AS_PATH is ignored */
		if (bgp_aspath_prepend(&p, our_as + 1) == 0 && bgp_aspath_hops(&p) > bgp_aspath_hops(&a->aspath))
			CHECK(!bgp_aspath_merge_as4(&a->aspath, &p, &m) && same_path(&m, &a->aspath));
	}
}

/* The same AFI/SAFI pairs, pair by pair. Not memcmp: struct bgp_afisafi
 * has a padding octet, which the OPEN parser copies from an uninitialized
 * local (bgp_msg.c's open_cap), so it holds whatever was on the stack and
 * differs between the parse of the input and that of what was built. It
 * went unseen while both parses ran from the same stack frame (in
 * fuzz_bgp.c, before the split); the first smoke run after it trapped. */
static bool same_families(const struct bgp_afisafi *a, const struct bgp_afisafi *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i].afi != b[i].afi || a[i].safi != b[i].safi)
			return false;
	return true;
}

/* What we parsed, we can build and read back: with the 4-octet AS
 * capability, and without it when the AS fits in My AS. */
static void roundtrip_open(const struct bgp_parse_ctx *ctx, const struct bgp_open *parsed)
{
	struct bgp_open open = *parsed;   /* built with cap_as4 each way */
	struct wbuf w;

	for (int as4 = 1; as4 >= 0; as4--) {
		const struct bgp_open *o = &open, *b = &back.open;

		if (!as4 && open.asn > 0xffff)
			break;
		wbuf_init(&w, out, sizeof(out));
		open.cap_as4 = as4;
		if (bgp_msg_build_open(&w, o) != 0)
			continue;
		CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
		CHECK(b->asn == o->asn && b->cap_as4 == o->cap_as4 &&
		      b->hold_time == o->hold_time && b->bgp_id == o->bgp_id);
		CHECK(b->n_mp == o->n_mp && same_families(b->mp, o->mp, o->n_mp));
		CHECK(b->cap_route_refresh == o->cap_route_refresh &&
		      b->cap_enhanced_rr == o->cap_enhanced_rr && b->cap_gr == o->cap_gr);
		if (o->cap_gr)
			CHECK(b->gr_flags == o->gr_flags && b->gr_time == o->gr_time &&
			      b->n_gr == o->n_gr &&
			      !memcmp(b->gr, o->gr, o->n_gr * sizeof(o->gr[0])));
	}
}

void bgprt_input(const uint8_t *data, size_t size)
{
	small_cap = 19 + (size ? data[size - 1] : 0);
	builders_small();
	cease_reasons(data, size);
	route_builder(data, size);
}

void bgprt_msg(const struct bgp_parse_ctx *ctx, const struct bgp_msg *msg,
	       const struct bgp_err *err, uint32_t our_as)
{
	roundtrip_other(ctx, msg);
	if (msg->type == BGP_MSG_UPDATE) {
		remake_ids(msg, our_as);
		roundtrip_update(ctx, msg, err);
	} else if (msg->type == BGP_MSG_OPEN) {
		roundtrip_open(ctx, &msg->open);
	}
}

void bgprt_notify(const struct bgp_parse_ctx *ctx, const struct bgp_err *err)
{
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	if (bgp_msg_build_notification_err(&w, err) != 0)
		return;
	CHECK(bgp_msg_frame(out, w.len, &err2) == (int)w.len);
	CHECK(bgp_msg_parse(out, w.len, ctx, &back, &err2) == 0);
	CHECK(back.type == BGP_MSG_NOTIFICATION && back.notification.code == err->code);
	(void)bgp_err_action_name(err->action);
}

void bgprt_nlri(const struct evpn_route *rt)
{
	uint8_t b[EVPN_NLRI_MAX_LEN];
	struct wbuf w;

	wbuf_init(&w, b, sizeof(b));
	CHECK(evpn_nlri_encode(&w, rt) == 0);
}
