/* evpn_export.c - see evpn_export.h.
 *
 * One table holds every route we advertise or have advertised: its current
 * state (advertised now, with which sequence) and what the peers were last
 * told (sent, with which RD). Changes mark the key pending; the flush
 * compares the two states per pending key and tells the speaker only the
 * difference, so churn between two flushes costs nothing on the wire. The RD
 * that was sent is kept because a withdrawal must name the route exactly as
 * it was advertised (RFC 7432 7.2: the RD is part of the route's key) even
 * after a reload changed the VNI's RD.
 */
#include "evpn_export.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hashmap.h"
#include "log.h"

struct exp_vni {
	uint8_t rd[8];
	uint8_t rt[8];
	bool    flood;
	bool    usable;   /* RD and RT could be derived (BGP configured) */
};

/* type 2: (vni, mac, ip or ip6); type 3: (vni) */
struct exp_key {
	uint32_t vni;
	uint32_t ip;          /* network order; 0 = MAC only (or IPv6) */
	uint8_t  mac[6];
	uint8_t  type;
	uint8_t  v6;          /* type 2 with an IPv6 address: ip6 */
	uint8_t  ip6[16];
};

#define EXP_CUR  0x1  /* advertised now */
#define EXP_SENT 0x2  /* the peers have it (with sent_seq, sent_rd) */

struct exp_val {
	uint32_t seq;
	uint32_t sent_seq;
	uint8_t  sent_rd[8];
	uint8_t  flags;
};

struct evpn_export {
	uint32_t vtep_ip;
	struct hashmap vnis;     /* uint32 vni -> struct exp_vni */
	struct hashmap routes;   /* struct exp_key -> struct exp_val */
	struct hashmap pending;  /* struct exp_key -> nothing */
	size_t n_cur;
	evpn_export_fn fn;
	void *ctx;
};

static struct exp_key mkkey(uint8_t type, uint32_t vni, const uint8_t *mac, uint32_t ip)
{
	struct exp_key k;

	memset(&k, 0, sizeof(k));
	k.type = type;
	k.vni = vni;
	k.ip = ip;
	if (mac)
		memcpy(k.mac, mac, 6);
	return k;
}

static struct exp_key mkkey6(uint32_t vni, const uint8_t *mac, const uint8_t ip6[16])
{
	struct exp_key k = mkkey(EVPN_RT_MACIP, vni, mac, 0);

	k.v6 = 1;
	memcpy(k.ip6, ip6, 16);
	return k;
}

static int mark(struct evpn_export *e, const struct exp_key *k)
{
	return hashmap_put(&e->pending, k, NULL, NULL) ? 0 : -ENOMEM;
}

/* Sets (cur = true) or clears the current state of a route. */
static int set_cur(struct evpn_export *e, const struct exp_key *k, bool cur, uint32_t seq)
{
	struct exp_val *v = hashmap_get(&e->routes, k);
	bool created;

	if (!cur) {
		if (!v || !(v->flags & EXP_CUR))
			return -ENOENT;
		v->flags &= ~EXP_CUR;
		e->n_cur--;
		if (!(v->flags & EXP_SENT))
			hashmap_del(&e->routes, k);
		return mark(e, k);
	}
	if (v && (v->flags & EXP_CUR) && v->seq == seq)
		return 0;
	v = hashmap_put(&e->routes, k, NULL, &created);
	if (!v)
		return -ENOMEM;
	if (!(v->flags & EXP_CUR))
		e->n_cur++;
	v->flags |= EXP_CUR;
	v->seq = seq;
	return mark(e, k);
}

/* ---- building routes and attributes ------------------------------------------ */

static void build_route(const struct exp_key *k, const uint8_t rd[8], uint32_t vtep_ip,
			struct evpn_route *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->type = k->type;
	memcpy(rt->rd, rd, 8);
	if (k->type == EVPN_RT_MACIP) {
		memcpy(rt->mac, k->mac, 6);
		if (k->v6) {
			/* RFC 7432 7.2: IP Address Length 128 */
			rt->ip.len = 16;
			memcpy(rt->ip.v6, k->ip6, 16);
		} else if (k->ip) {
			rt->ip.len = 4;
			rt->ip.v4 = k->ip;
		}
		/* RFC 8365 5.1.3: the label field carries the VNI. */
		rt->n_labels = 1;
		rt->label[0] = k->vni & 0xffffff;
	} else {
		rt->ip.len = 4;
		rt->ip.v4 = vtep_ip;   /* originating router (RFC 7432 7.3) */
	}
}

static void build_attrs(const struct evpn_export *e, const struct exp_key *k,
			const struct exp_vni *v, uint32_t seq, struct bgp_attrs *a,
			uint8_t ext[EVPN_EXPORT_MAX_EXT][8])
{
	uint16_t n = 0;

	memset(a, 0, sizeof(*a));
	a->present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI) | BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	a->origin = BGP_ORIGIN_IGP;
	a->mp_reach.afi = EVPN_AFI;
	a->mp_reach.safi = EVPN_SAFI;
	a->mp_reach.nh_len = 4;
	memcpy(a->mp_reach.nh, &e->vtep_ip, 4);
	memcpy(ext[n++], v->rt, 8);
	bgp_ext_encap(ext[n++], BGP_TUNNEL_VXLAN);     /* RFC 8365 5.1.3, RFC 9012 4.1 */
	if (k->type == EVPN_RT_MACIP && seq > 0)
		bgp_ext_mac_mobility(ext[n++], seq, false); /* RFC 7432 7.7 */
	a->ext = &ext[0][0];
	a->n_ext = n;
	if (k->type == EVPN_RT_IMET) {
		/* RFC 7432 11.2, RFC 8365 5.1.3: ingress replication, the VNI
		 * in the label field, our VTEP as the tunnel identifier. */
		a->present |= BGP_ATTR_BIT(BGP_ATTR_PMSI_TUNNEL);
		a->pmsi.tunnel_type = BGP_PMSI_INGRESS_REPL;
		a->pmsi.label = k->vni & 0xffffff;
		a->pmsi.id_len = 4;
		memcpy(a->pmsi.id, &e->vtep_ip, 4);
	}
}

/* ---- life cycle and configuration --------------------------------------------- */

static int load_vnis(struct evpn_export *e, const struct vtep_config *cfg)
{
	size_t i;

	hashmap_clear(&e->vnis);
	e->vtep_ip = cfg->vtep_ip;
	for (i = 0; i < cfg->n_vnis; i++) {
		const struct cfg_vni *cv = &cfg->vnis[i];
		struct exp_vni v;

		memset(&v, 0, sizeof(v));
		v.flood = cv->flood;
		v.usable = !config_vni_rd(cfg, cv, v.rd) && !config_vni_rt(cfg, cv, v.rt);
		if (!v.usable && cfg->bgp.enabled)
			log_warn("vni %u: no RD/route target to advertise with; not advertised",
				 cv->vni);
		if (!hashmap_put(&e->vnis, &cv->vni, &v, NULL))
			return -ENOMEM;
	}
	return 0;
}

/* Type 3 per VNI with flood (and a usable RD/RT); none elsewhere. */
static int sync_imet(struct evpn_export *e)
{
	size_t pos = 0;
	const void *kp;
	void *vp;
	int err = 0;

	while (!err && (kp = hashmap_next(&e->vnis, &pos, &vp))) {
		const struct exp_vni *v = vp;
		struct exp_key k = mkkey(EVPN_RT_IMET, *(const uint32_t *)kp, NULL, 0);

		if (v->flood && v->usable)
			err = set_cur(e, &k, true, 0);
	}
	return err;
}

int evpn_export_new(const struct vtep_config *cfg, struct evpn_export **out)
{
	struct evpn_export *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return -ENOMEM;
	err = hashmap_init(&e->vnis, sizeof(uint32_t), sizeof(struct exp_vni), 0);
	err = err ?: hashmap_init(&e->routes, sizeof(struct exp_key), sizeof(struct exp_val), 0);
	err = err ?: hashmap_init(&e->pending, sizeof(struct exp_key), 0, 0);
	err = err ?: load_vnis(e, cfg);
	err = err ?: sync_imet(e);
	if (err) {
		evpn_export_free(e);
		return err;
	}
	*out = e;
	return 0;
}

void evpn_export_free(struct evpn_export *e)
{
	if (!e)
		return;
	hashmap_free(&e->vnis);
	hashmap_free(&e->routes);
	hashmap_free(&e->pending);
	free(e);
}

int evpn_export_reload(struct evpn_export *e, const struct vtep_config *cfg)
{
	struct exp_key *keys = NULL;
	size_t n = 0, pos = 0, i;
	const void *kp;
	void *vp;
	int err;

	if ((err = load_vnis(e, cfg)))
		return err;
	/* Every route is re-examined at the next flush: a changed RD is a
	 * withdrawal plus an advertisement, a changed RT or VTEP address an
	 * advertisement that replaces the old one (RFC 4271 3.1). */
	keys = malloc((hashmap_count(&e->routes) + 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	while ((kp = hashmap_next(&e->routes, &pos, &vp))) {
		const struct exp_key *k = kp;
		const struct exp_val *v = vp;
		const struct exp_vni *cv = hashmap_get(&e->vnis, &k->vni);
		bool keep = cv && cv->usable && (v->flags & EXP_CUR) &&
			    (k->type != EVPN_RT_IMET || cv->flood);

		if (!keep && (v->flags & EXP_CUR))
			keys[n++] = *k;       /* withdrawn below */
		else if ((err = mark(e, k)))
			break;
	}
	for (i = 0; !err && i < n; i++)
		set_cur(e, &keys[i], false, 0);
	free(keys);
	return err ?: sync_imet(e);
}

void evpn_export_set_notify(struct evpn_export *e, evpn_export_fn fn, void *ctx)
{
	e->fn = fn;
	e->ctx = ctx;
}

/* ---- delivery ------------------------------------------------------------------ */

static void announce(const struct evpn_export *e, const struct exp_key *k,
		     const struct exp_vni *cv, uint32_t seq, evpn_export_fn fn, void *ctx)
{
	uint8_t ext[EVPN_EXPORT_MAX_EXT][8];
	struct evpn_route rt;
	struct bgp_attrs *a = malloc(sizeof(*a)); /* ~2.5 KB: not on the stack */

	if (!a) {
		log_err("evpn export: out of memory");
		return;
	}
	build_route(k, cv->rd, e->vtep_ip, &rt);
	build_attrs(e, k, cv, seq, a, ext);
	fn(ctx, &rt, a, false);
	free(a);
}

size_t evpn_export_flush(struct evpn_export *e)
{
	struct exp_key *keys;
	size_t n = 0, pos = 0, i, sent = 0;
	const void *kp;

	if (!hashmap_count(&e->pending))
		return 0;
	/* Collect first: the table changes while we deliver. */
	keys = malloc(hashmap_count(&e->pending) * sizeof(*keys));
	if (!keys) {
		log_err("evpn export: out of memory");
		return 0;
	}
	while ((kp = hashmap_next(&e->pending, &pos, NULL)))
		keys[n++] = *(const struct exp_key *)kp;
	hashmap_clear(&e->pending);
	for (i = 0; i < n; i++) {
		struct exp_val *v = hashmap_get(&e->routes, &keys[i]);
		const struct exp_vni *cv = hashmap_get(&e->vnis, &keys[i].vni);
		bool cur, rd_changed;

		if (!v)
			continue;
		cur = (v->flags & EXP_CUR) && cv && cv->usable;
		rd_changed = cur && (v->flags & EXP_SENT) && memcmp(v->sent_rd, cv->rd, 8);
		if ((v->flags & EXP_SENT) && (!cur || rd_changed)) {
			struct evpn_route rt;

			build_route(&keys[i], v->sent_rd, e->vtep_ip, &rt);
			rt.withdraw = true;
			if (e->fn)
				e->fn(e->ctx, &rt, NULL, true);
			v->flags &= ~EXP_SENT;
			sent++;
		}
		if (cur) {
			if (e->fn)
				announce(e, &keys[i], cv, v->seq, e->fn, e->ctx);
			v->flags |= EXP_SENT;
			v->sent_seq = v->seq;
			memcpy(v->sent_rd, cv->rd, 8);
			sent++;
		}
		if (!(v->flags & (EXP_CUR | EXP_SENT)))
			hashmap_del(&e->routes, &keys[i]);
	}
	free(keys);
	return sent;
}

void evpn_export_walk(const struct evpn_export *e, evpn_export_fn fn, void *ctx)
{
	struct exp_key *keys;
	size_t n = 0, pos = 0, i;
	const void *kp;
	void *vp;

	/* Collected first, so that fn may call back into the export. */
	keys = malloc((e->n_cur + 1) * sizeof(*keys));
	if (!keys) {
		log_err("evpn export: out of memory");
		return;
	}
	while ((kp = hashmap_next(&e->routes, &pos, &vp)))
		if (((const struct exp_val *)vp)->flags & EXP_CUR && n < e->n_cur)
			keys[n++] = *(const struct exp_key *)kp;
	for (i = 0; i < n; i++) {
		const struct exp_val *v = hashmap_get(&e->routes, &keys[i]);
		const struct exp_vni *cv = hashmap_get(&e->vnis, &keys[i].vni);

		if (v && (v->flags & EXP_CUR) && cv && cv->usable)
			announce(e, &keys[i], cv, v->seq, fn, ctx);
	}
	free(keys);
}

size_t evpn_export_count(const struct evpn_export *e)
{
	return e->n_cur;
}

int evpn_export_lookup(const struct evpn_export *e, struct evpn_route *rt,
		       struct bgp_attrs *attrs, uint8_t ext_buf[EVPN_EXPORT_MAX_EXT][8])
{
	struct exp_key k;
	const struct exp_val *v;
	const struct exp_vni *cv;

	if (rt->type == EVPN_RT_MACIP && rt->ip.len == 16)
		k = mkkey6(evpn_label_vni(rt->label[0]), rt->mac, rt->ip.v6);
	else if (rt->type == EVPN_RT_MACIP)
		k = mkkey(EVPN_RT_MACIP, evpn_label_vni(rt->label[0]), rt->mac,
			  rt->ip.len == 4 ? rt->ip.v4 : 0);
	else if (rt->type == EVPN_RT_IMET)
		k = mkkey(EVPN_RT_IMET, 0, NULL, 0);
	else
		return -ENOENT;
	/* Our type 3 routes carry tag 0 and no label: the VNI is the one
	 * whose RD they carry. */
	if (rt->type == EVPN_RT_IMET) {
		size_t pos = 0;
		const void *kp;
		void *vp;

		while ((kp = hashmap_next(&e->vnis, &pos, &vp)))
			if (!memcmp(((const struct exp_vni *)vp)->rd, rt->rd, 8)) {
				k.vni = *(const uint32_t *)kp;
				break;
			}
	}
	v = hashmap_get(&e->routes, &k);
	cv = hashmap_get(&e->vnis, &k.vni);
	if (!v || !(v->flags & EXP_CUR) || !cv || !cv->usable ||
	    (rt->type == EVPN_RT_MACIP && memcmp(cv->rd, rt->rd, 8)))
		return -ENOENT;
	build_route(&k, cv->rd, e->vtep_ip, rt);
	build_attrs(e, &k, cv, v->seq, attrs, ext_buf);
	return 0;
}

/* ---- for the RIB ---------------------------------------------------------------- */

int evpn_export_macip_set(struct evpn_export *e, uint32_t vni, const uint8_t mac[6],
			  uint32_t ip, uint32_t seq)
{
	struct exp_key k = mkkey(EVPN_RT_MACIP, vni, mac, ip);

	if (!hashmap_get(&e->vnis, &vni))
		return -ENOENT;
	return set_cur(e, &k, true, seq);
}

int evpn_export_macip_del(struct evpn_export *e, uint32_t vni, const uint8_t mac[6],
			  uint32_t ip)
{
	struct exp_key k = mkkey(EVPN_RT_MACIP, vni, mac, ip);

	return set_cur(e, &k, false, 0);
}

bool evpn_export_macip_get(const struct evpn_export *e, uint32_t vni, const uint8_t mac[6],
			   uint32_t ip, uint32_t *seq)
{
	struct exp_key k = mkkey(EVPN_RT_MACIP, vni, mac, ip);
	const struct exp_val *v = hashmap_get(&e->routes, &k);

	if (!v || !(v->flags & EXP_CUR))
		return false;
	if (seq)
		*seq = v->seq;
	return true;
}

/* The same for a workload's IPv6 address (RFC 7432 7.2 with a 128-bit IP
 * Address field). Our workloads are hosts, so the route carries no ARP/ND
 * community: RFC 9047's R flag would say "a router", and its absence says
 * the same as R = 0 (FRR attaches it only for routers, too). */
int evpn_export_macip6_set(struct evpn_export *e, uint32_t vni, const uint8_t mac[6],
			   const uint8_t ip6[16], uint32_t seq)
{
	struct exp_key k = mkkey6(vni, mac, ip6);

	if (!hashmap_get(&e->vnis, &vni))
		return -ENOENT;
	return set_cur(e, &k, true, seq);
}

int evpn_export_macip6_del(struct evpn_export *e, uint32_t vni, const uint8_t mac[6],
			   const uint8_t ip6[16])
{
	struct exp_key k = mkkey6(vni, mac, ip6);

	return set_cur(e, &k, false, 0);
}

bool evpn_export_macip6_get(const struct evpn_export *e, uint32_t vni, const uint8_t mac[6],
			    const uint8_t ip6[16], uint32_t *seq)
{
	struct exp_key k = mkkey6(vni, mac, ip6);
	const struct exp_val *v = hashmap_get(&e->routes, &k);

	if (!v || !(v->flags & EXP_CUR))
		return false;
	if (seq)
		*seq = v->seq;
	return true;
}
