/* fuzz_bgp.c - libFuzzer target for the BGP codecs and what they feed: the
 * RIB, EVPN import/export and map sync (make fuzz-smoke, fuzz-long).
 *
 * The input is a TCP byte stream from a peer: it is framed and parsed
 * message by message, as the session will, under each combination of the
 * negotiated state that changes decoding (4-octet AS or not, iBGP or eBGP).
 * Every parsed message is built again and parsed back, in bgp_roundtrip.c
 * (every call of an encoder is there; bgp_roundtrip.h says why it is a
 * file apart). An UPDATE that was not refused is built again from the
 * parsed attributes and routes and parsed back: the codec must accept what
 * it writes and give back the same routes and attributes (a broken
 * invariant traps); what a 4-octet session read, built for a 2-octet one
 * (AS_TRANS, AS4_PATH, AS4_AGGREGATOR: RFC 6793 4.2.2), reads back the
 * same there (4.2.3). OPENs read back with the same capabilities, Cease
 * reasons (RFC 9003) as written. The raw input also goes straight to the
 * path attribute, EVPN NLRI and IPv4 prefix decoders, which reaches them
 * without needing a valid header first, and makes an EVPN route of any
 * fields for the NLRI encoder (what it accepts reads back, what it refuses
 * it writes nothing of).
 *
 * Then the stream, as the 4-octet eBGP session decodes it, goes where the
 * session sends it (bgp_session_rx.c's rx_update: loop checks turn routes
 * into withdrawals, End-of-RIB ends a restart): UPDATEs alternately from two
 * peers into a fresh RIB, with evpn_export and mapsync behind it writing real
 * BPF maps (bpf_map_create: no bpffs; without the privilege, maps are left
 * out and the RIB still runs). After each message the RIB is flushed, and at
 * the end checked: every path walks, stats agree with the walk, at most one
 * best path per destination, every received best path is imported by its VNI
 * (one of its route targets), every entry in the route and FDB maps is what
 * mapsync wants there, and each key a destination of the RIB feeds holds
 * exactly what mapsync wants (nothing when it wants nothing), a type 5
 * prefix its best path's VTEP and router MAC; the map layout's rule (layout
 * 2, include/vtep_maps.h) holds: a BGP entry in vtep_fdb is a MAC-only
 * route's, or the MAC of a local workload that moved away. After both peers
 * go down only our own paths are left, and no map holds a BGP entry, a
 * remote VTEP or a prefix.
 *
 * Mutation is structure-aware (bgp_mutator.h): markers, lengths and types
 * stay valid while attributes and NLRIs change, so inputs get past the
 * framing. FUZZ_BGP_PLAIN=1 in the environment turns it off (plain
 * LLVMFuzzerMutate), to compare coverage.
 * Seeds (tests/fuzz/corpus/bgp/) are real messages captured from GoBGP and
 * FRR (make_corpus.py, make_corpus6.py) and messages written from the RFCs
 * for what those two never send (make_seeds.py bgp: hand_*).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "bgp_msg.h"
#include "bgp_mutator.h"
#include "bgp_roundtrip.h"
#include "config.h"
#include "evpn_export.h"
#include "log.h"
#include "mapsync.h"
#include "rib.h"
#include "vtep_maps.h"

#define OUR_AS   65101u
#define OUR_IP   "192.0.2.1"

static struct bgp_msg msg;
static struct bgp_attrs attrs;
static struct bgp_err err, err2;

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* ---- the codec: the stream decoded under each session state -------------- */

/* What one parsed message takes besides its round trips: the names and the
 * text form of its routes. */
static void exercise_msg(const struct bgp_parse_ctx *ctx)
{
	char s[EVPN_ROUTE_STRLEN];

	(void)bgp_msg_type_name(msg.type);
	if (msg.type == BGP_MSG_UPDATE)
		for (unsigned i = 0; i < msg.update.n_routes; i++)
			evpn_route_fmt(&msg.update.routes[i], s);
	bgprt_msg(ctx, &msg, &err, OUR_AS);
	(void)bgp_err_code_name(err.code);
	(void)bgp_err_subcode_name(err.code, err.subcode);
}

static void codec(const uint8_t *data, size_t size)
{
	bgprt_input(data, size);
	/* The whole input as one message: bgp_msg_parse() frames it first and
	 * refuses a buffer that is not exactly one message. */
	{
		const struct bgp_parse_ctx ctx = { .as4 = true };
		int f = bgp_msg_frame(data, size, &err2);

		if (bgp_msg_parse(data, size, &ctx, &msg, &err) < 0)
			CHECK(err.action == BGP_ACT_RESET && err.code != 0);
		else
			CHECK(f > 0 && (size_t)f == size);
	}
	/* And as an IPv4 prefix field (RFC 4271 4.3): each prefix at most 32
	 * bits, in as many octets as it needs. */
	{
		struct rbuf r;
		uint32_t pfx;
		uint8_t len;
		size_t left = size;
		int k;

		rbuf_init(&r, data, size);
		while ((k = bgp_prefix4_next(&r, &pfx, &len)) > 0) {
			CHECK(len <= 32 && rbuf_left(&r) == left - 1 - (len + 7u) / 8);
			left = rbuf_left(&r);
		}
		CHECK(k == 0 ? left == 0 : left > 0);
	}
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
				bgprt_notify(&ctx, &err);
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
				if (d == EVPN_DEC_OK)
					bgprt_nlri(&rt);
			}
		}
	}
}

/* ---- the RIB behind the session ------------------------------------------ */


/* VNIs the seeds' routes are imported into (auto route targets match any
 * ASN:VNI or IP:VNI), one with an explicit target, one port of ours. */
static const char cfg_json[] =
	"{ \"vtep\": { \"ip\": \"" OUR_IP "\", \"uplink\": \"up0\" },"
	"  \"bgp\": { \"asn\": 65101, \"router_id\": \"" OUR_IP "\","
	"           \"neighbors\": [ { \"address\": \"198.51.100.1\", \"asn\": 65001 },"
	"                            { \"address\": \"198.51.100.2\", \"asn\": 65002 } ] },"
	"  \"vnis\": [ { \"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
	"               \"gateway_mac\": \"02:00:00:00:01:00\", \"route_target\": \"auto\", \"flood\": true },"
	"             { \"vni\": 200, \"subnet\": \"10.2.0.0/16\", \"gateway_ip\": \"10.2.255.254\","
	"               \"gateway_mac\": \"02:00:00:00:02:00\", \"route_target\": \"65001:200\" },"
	"             { \"vni\": 4000, \"subnet\": \"10.40.0.0/16\", \"gateway_ip\": \"10.40.255.254\","
	"               \"gateway_mac\": \"02:00:00:00:40:00\", \"route_target\": \"auto\" } ] }";

static struct vtep_config cfg;
static struct mapsync_fds fds = { -1, -1, -1, -1, -1, -1, -1, -1 };
static struct bgp_msg rmsg;
static uint64_t fake_now;

static uint64_t now_fn(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void on_export(void *ctx, const struct evpn_route *rt, const struct bgp_attrs *a,
		      bool withdraw)
{
	char s[EVPN_ROUTE_STRLEN];

	(void)ctx;
	(void)withdraw;
	evpn_route_fmt(rt, s);
	CHECK(withdraw || a);
}

static int mkmap(enum bpf_map_type t, size_t ks, size_t vs, uint32_t max, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpf_map_create(t, NULL, ks, vs, max, &o);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[CFG_ERR_LEN];

	(void)argc;
	(void)argv;
	log_level = LOG_LVL_ERR;
	if (config_parse(cfg_json, &cfg, err)) {
		fprintf(stderr, "fuzz_bgp: config: %s\n", err);
		abort();
	}
	/* The maps mapsync writes (as tests/unit/maps_test_util.h makes them). */
	fds.vnis = mkmap(BPF_MAP_TYPE_HASH, 4, sizeof(struct vtep_vni), 64, 0);
	fds.ports = mkmap(BPF_MAP_TYPE_HASH, 4, sizeof(struct vtep_port), 64, 0);
	fds.routes = mkmap(BPF_MAP_TYPE_HASH, sizeof(struct vtep_route_key),
			   sizeof(struct vtep_route), 4096, BPF_F_NO_PREALLOC);
	fds.prefixes = mkmap(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct vtep_prefix_key),
			     sizeof(struct vtep_route), 4096, BPF_F_NO_PREALLOC);
	fds.fdb = mkmap(BPF_MAP_TYPE_HASH, sizeof(struct vtep_fdb_key), sizeof(struct vtep_fdb),
			4096, BPF_F_NO_PREALLOC);
	fds.remotes = mkmap(BPF_MAP_TYPE_HASH, 4, sizeof(struct vtep_remote), 1024, 0);
	fds.routes6 = mkmap(BPF_MAP_TYPE_HASH, sizeof(struct vtep_route6_key),
			    sizeof(struct vtep_route), 4096, BPF_F_NO_PREALLOC);
	fds.prefixes6 = mkmap(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct vtep_prefix6_key),
			      sizeof(struct vtep_route), 4096, BPF_F_NO_PREALLOC);
	if (fds.vnis < 0 || fds.ports < 0 || fds.routes < 0 || fds.prefixes < 0 ||
	    fds.fdb < 0 || fds.remotes < 0 || fds.routes6 < 0 || fds.prefixes6 < 0) {
		fprintf(stderr, "fuzz_bgp: no BPF maps (%s): the RIB runs without them\n",
			strerror(errno));
		fds = (struct mapsync_fds){ -1, -1, -1, -1, -1, -1, -1, -1 };
	}
	return 0;
}

/* ---- invariants ---- */

/* The destinations the walk saw (type 2 and 5), for the checks by key. */
#define MAX_DESTS 4096
struct dest {
	uint32_t vni;
	struct evpn_route route;
	bool has_best;          /* a best path that is not ours */
	uint32_t vtep;          /* ... its VTEP and router MAC (type 5) */
	bool has_rmac;
	uint8_t rmac[6];
};
static struct dest dests[MAX_DESTS];
static size_t n_dests;
static bool dests_full;

struct walk {
	uint64_t paths, ours;
	/* the destination of the previous path (the walk lists a
	 * destination's paths together) and its best paths so far */
	struct evpn_route last;
	uint32_t last_vni;
	int bests;
};

static bool same_dest(const struct rib_route_info *ri, const struct walk *w)
{
	return w->paths && ri->vni == w->last_vni && ri->route.type == w->last.type &&
	       !memcmp(ri->route.mac, w->last.mac, 6) && ri->route.ip.len == w->last.ip.len &&
	       !memcmp(&ri->route.ip, &w->last.ip, sizeof(ri->route.ip)) &&
	       ri->route.prefix_len == w->last.prefix_len;
}

static void note_dest(const struct rib_route_info *ri, bool first)
{
	struct dest *d;

	if (ri->route.type != EVPN_RT_MACIP && ri->route.type != EVPN_RT_PREFIX)
		return;
	if (ri->route.ip.len != 0 && ri->route.ip.len != 4)
		return;   /* IPv6: checked on the maps only (check_maps6) */
	if (first) {
		if (n_dests == MAX_DESTS) {
			dests_full = true;
			return;
		}
		d = &dests[n_dests++];
		memset(d, 0, sizeof(*d));
		d->vni = ri->vni;
		d->route = ri->route;
	}
	if (!n_dests || dests_full)
		return;
	d = &dests[n_dests - 1];
	if (ri->best && ri->peer != RIB_PEER_LOCAL) {
		d->has_best = true;
		d->vtep = ri->vtep;
		d->has_rmac = ri->has_router_mac;
		memcpy(d->rmac, ri->router_mac, 6);
	}
}

static int walk_fn(void *ctx, const struct rib_route_info *ri)
{
	struct walk *w = ctx;
	const struct cfg_vni *v = config_find_vni(&cfg, ri->vni);
	char s[EVPN_ROUTE_STRLEN];
	bool first = !same_dest(ri, w);

	CHECK(v);
	evpn_route_fmt(&ri->route, s);
	if (getenv("FUZZ_BGP_VERBOSE"))
		fprintf(stderr, "rib: vni %u peer %u %s vtep %08x seq %u%s%s%s\n", ri->vni,
			ri->peer, s, ntohl(ri->vtep), ri->seq, ri->best ? " best" : "",
			ri->sticky ? " sticky" : "", ri->stale ? " stale" : "");
	if (first)
		w->bests = 0;
	w->bests += ri->best;
	CHECK(w->bests <= 1);
	note_dest(ri, first);
	w->last = ri->route;
	w->last_vni = ri->vni;
	w->paths++;
	if (ri->peer == RIB_PEER_LOCAL) {
		w->ours++;
	} else if (ri->best) {
		/* A received best path is there because its VNI imports it. */
		bool imported = false;

		CHECK(ri->n_rt <= RIB_MAX_RT);
		for (unsigned i = 0; i < ri->n_rt; i++)
			imported |= config_vni_imports_rt(v, ri->rt[i]);
		CHECK(imported || ri->n_rt == RIB_MAX_RT);
	}
	return 0;
}

static const struct vtep_port port_w1 = {
	.vni = 100, .mac = { 2, 0, 0, 0, 0, 0x11 }, .ifname = "w1",
};

static void trace_route(const char *what, const struct vtep_route_key *k,
			const struct vtep_route *v, const struct vtep_route *want)
{
	if (!getenv("FUZZ_BGP_VERBOSE"))
		return;
	fprintf(stderr, "%s: route vni %u ip %08x: map vtep %08x if %u seq %u src %u fl %u "
		"mac %02x..%02x; want vtep %08x if %u seq %u src %u fl %u mac %02x..%02x\n",
		what, k->vni, ntohl(k->ip), v ? ntohl(v->vtep) : 0, v ? v->ifindex : 0,
		v ? v->seq : 0, v ? v->source : 0, v ? v->flags : 0, v ? v->mac[0] : 0,
		v ? v->mac[5] : 0, want ? ntohl(want->vtep) : 0, want ? want->ifindex : 0,
		want ? want->seq : 0, want ? want->source : 0, want ? want->flags : 0,
		want ? want->mac[0] : 0, want ? want->mac[5] : 0);
}

static void trace_fdb(const char *what, const struct vtep_fdb_key *k, const struct vtep_fdb *v,
		      const struct vtep_fdb *want)
{
	if (!getenv("FUZZ_BGP_VERBOSE"))
		return;
	fprintf(stderr, "%s: fdb vni %u mac ..%02x: map vtep %08x if %u seq %u src %u fl %u; "
		"want vtep %08x if %u seq %u src %u fl %u\n", what, k->vni, k->mac[5],
		v ? ntohl(v->vtep) : 0, v ? v->ifindex : 0, v ? v->seq : 0, v ? v->source : 0,
		v ? v->flags : 0, want ? ntohl(want->vtep) : 0, want ? want->ifindex : 0,
		want ? want->seq : 0, want ? want->source : 0, want ? want->flags : 0);
}

/* The BGP entry in vtep_fdb at k is allowed by the layout: a MAC-only
 * route's (a destination of the RIB without an IP), or a local workload's
 * MAC that a remote route won (RFC 7432 15). */
static bool fdb_entry_allowed(const struct vtep_fdb_key *k)
{
	if (k->vni == port_w1.vni && !memcmp(k->mac, port_w1.mac, 6))
		return true;
	for (size_t i = 0; i < n_dests; i++)
		if (dests[i].route.type == EVPN_RT_MACIP && !dests[i].route.ip.len &&
		    dests[i].vni == k->vni && !memcmp(dests[i].route.mac, k->mac, 6))
			return true;
	return false;
}

/* Every entry of the route and FDB maps is what mapsync wants there. */
/* The IPv6 maps (MAC+IPv6 and IPv6 type-5 routes): every entry is what
 * mapsync wants at its key, and no BGP entry outlives the peers. */
static void check_maps6(const struct mapsync *ms, bool no_bgp)
{
	struct vtep_route6_key rk, prk;
	struct vtep_prefix6_key pk, ppk;
	struct vtep_route rv, want;
	int e;

	for (e = bpf_map_get_next_key(fds.routes6, NULL, &rk); !e;
	     prk = rk, e = bpf_map_get_next_key(fds.routes6, &prk, &rk)) {
		if (bpf_map_lookup_elem(fds.routes6, &rk, &rv))
			continue;
		CHECK(mapsync_want_route6(ms, &rk, &want));
		CHECK(!memcmp(&rv, &want, sizeof(rv)));
		CHECK(!no_bgp || rv.source != VTEP_SRC_BGP);
	}
	for (e = bpf_map_get_next_key(fds.prefixes6, NULL, &pk); !e;
	     ppk = pk, e = bpf_map_get_next_key(fds.prefixes6, &ppk, &pk)) {
		if (bpf_map_lookup_elem(fds.prefixes6, &pk, &rv))
			continue;
		CHECK(mapsync_want_prefix6(ms, &pk, &want));
		CHECK(!memcmp(&rv, &want, sizeof(rv)));
	}
}

static void check_maps(const struct mapsync *ms, bool no_bgp)
{
	struct vtep_route_key rk, prk;
	struct vtep_fdb_key fk, pfk;
	struct vtep_route rv, want;
	struct vtep_fdb fv, fwant;
	uint32_t rem;
	int e;

	if (fds.routes < 0)
		return;
	for (e = bpf_map_get_next_key(fds.routes, NULL, &rk); !e;
	     prk = rk, e = bpf_map_get_next_key(fds.routes, &prk, &rk)) {
		if (bpf_map_lookup_elem(fds.routes, &rk, &rv))
			continue;
		CHECK(mapsync_want_route(ms, &rk, &want));
		if (memcmp(&rv, &want, sizeof(rv)))
			trace_route("mismatch", &rk, &rv, &want);
		CHECK(!memcmp(&rv, &want, sizeof(rv)));
		CHECK(!no_bgp || rv.source != VTEP_SRC_BGP);
	}
	for (e = bpf_map_get_next_key(fds.fdb, NULL, &fk); !e;
	     pfk = fk, e = bpf_map_get_next_key(fds.fdb, &pfk, &fk)) {
		bool w;

		if (bpf_map_lookup_elem(fds.fdb, &fk, &fv))
			continue;
		w = mapsync_want_fdb(ms, &fk, &fwant);
		if (!w || memcmp(&fv, &fwant, sizeof(fv)))
			trace_fdb("mismatch", &fk, &fv, w ? &fwant : NULL);
		CHECK(w && !memcmp(&fv, &fwant, sizeof(fv)));
		CHECK(!no_bgp || fv.source != VTEP_SRC_BGP);
		/* Layout 2: no entry per MAC+IP route in vtep_fdb. */
		if (!no_bgp && fv.source == VTEP_SRC_BGP && !dests_full)
			CHECK(fdb_entry_allowed(&fk));
	}
	check_maps6(ms, no_bgp);
	if (no_bgp) {
		struct vtep_prefix_key pk;
		struct vtep_prefix6_key pk6;

		/* No static route is configured: no remote VTEP, no prefix. */
		CHECK(bpf_map_get_next_key(fds.remotes, NULL, &rem) != 0);
		CHECK(bpf_map_get_next_key(fds.prefixes, NULL, &pk) != 0);
		CHECK(bpf_map_get_next_key(fds.prefixes6, NULL, &pk6) != 0);
	}
}

/* Each key a destination of the RIB feeds holds what mapsync wants there,
 * and nothing when it wants nothing: no write left out, no stale entry. */
static void check_keys(const struct mapsync *ms)
{
	if (fds.routes < 0 || dests_full)
		return;
	for (size_t i = 0; i < n_dests; i++) {
		const struct dest *d = &dests[i];

		if (d->route.type == EVPN_RT_MACIP) {
			struct vtep_fdb_key fk = { .vni = d->vni };
			struct vtep_fdb fv, fwant;
			bool w;

			if (d->route.ip.len) {
				struct vtep_route_key rk = { .vni = d->vni, .ip = d->route.ip.v4 };
				struct vtep_route rv, want;

				w = mapsync_want_route(ms, &rk, &want);
				if (bpf_map_lookup_elem(fds.routes, &rk, &rv) == 0) {
					if (!w || memcmp(&rv, &want, sizeof(rv)))
						trace_route("stale", &rk, &rv, w ? &want : NULL);
					CHECK(w && !memcmp(&rv, &want, sizeof(rv)));
				} else {
					if (w)
						trace_route("missing", &rk, NULL, &want);
					CHECK(!w);
				}
			}
			memcpy(fk.mac, d->route.mac, 6);
			w = mapsync_want_fdb(ms, &fk, &fwant);
			if (bpf_map_lookup_elem(fds.fdb, &fk, &fv) == 0) {
				if (!w || memcmp(&fv, &fwant, sizeof(fv)))
					trace_fdb("stale", &fk, &fv, w ? &fwant : NULL);
				CHECK(w && !memcmp(&fv, &fwant, sizeof(fv)));
			} else {
				if (w)
					trace_fdb("missing", &fk, NULL, &fwant);
				CHECK(!w);
			}
		} else if (d->route.ip.len == 4 && d->route.prefix_len <= 32) {
			/* Type 5: its best remote path with a router's MAC
			 * (RFC 9135 8.1) is in the trie, under the prefix
			 * without host bits (the RIB's key). */
			uint32_t mask = d->route.prefix_len ?
					htonl(~0u << (32 - d->route.prefix_len)) : 0;
			struct vtep_prefix_key pk = { .prefixlen = 32u + d->route.prefix_len,
						      .vni = htonl(d->vni),
						      .ip = d->route.ip.v4 & mask };
			struct vtep_route pv;
			int e = bpf_map_lookup_elem(fds.prefixes, &pk, &pv);

			if (!d->has_best || !d->has_rmac)
				continue;   /* a lookup would find a shorter prefix's */
			CHECK(e == 0 && pv.source == VTEP_SRC_BGP && pv.vtep == d->vtep &&
			      !memcmp(pv.mac, d->rmac, 6));
		}
	}
}

/* Duplicate addresses (agent/rib/rib_dup.c), recomputed from the walk: an
 * address (VNI, IP) whose best paths (one per MAC) are at two places (ours,
 * VTEPs) is a duplicate; rib_stats.dup_addrs counts them and every path of
 * theirs, and only those, is marked. The RIB decides at each flush, and
 * every change here is flushed before the check. */
struct dup_ent {
	uint32_t vni, vtep;   /* vtep 0: ours */
	struct evpn_ip ip;
	bool best, marked;
};
static struct dup_ent *dup_ents;
static size_t n_dup_ents, cap_dup_ents;

static int dup_walk(void *ctx, const struct rib_route_info *ri)
{
	struct dup_ent *e;

	(void)ctx;
	if (ri->route.type != EVPN_RT_MACIP || !ri->route.ip.len)
		return 0;
	if (n_dup_ents == cap_dup_ents) {
		size_t nc = cap_dup_ents ? 2 * cap_dup_ents : 256;
		struct dup_ent *n = realloc(dup_ents, nc * sizeof(*n));

		CHECK(n);
		dup_ents = n;
		cap_dup_ents = nc;
	}
	e = &dup_ents[n_dup_ents++];
	memset(e, 0, sizeof(*e));
	e->vni = ri->vni;
	e->vtep = ri->peer == RIB_PEER_LOCAL ? 0 : ri->vtep;
	e->ip = ri->route.ip;
	e->best = ri->best;
	e->marked = ri->duplicate;
	return 0;
}

static bool same_addr(const struct dup_ent *a, const struct dup_ent *b)
{
	return a->vni == b->vni && a->ip.len == b->ip.len &&
	       (a->ip.len == 4 ? a->ip.v4 == b->ip.v4 : !memcmp(a->ip.v6, b->ip.v6, 16));
}

static void check_dups(const struct rib *rib)
{
	struct rib_stats st;
	uint64_t addrs = 0;

	n_dup_ents = 0;
	CHECK(rib_walk(rib, 0, UINT32_MAX, dup_walk, NULL) == 0);
	for (size_t i = 0; i < n_dup_ents; i++) {
		const struct dup_ent *held = NULL;
		bool dup = false, first = true;

		/* the address's best paths: at more than one place? */
		for (size_t j = 0; j < n_dup_ents && !dup; j++) {
			if (!dup_ents[j].best || !same_addr(&dup_ents[i], &dup_ents[j]))
				continue;
			if (!held)
				held = &dup_ents[j];
			else
				dup = dup_ents[j].vtep != held->vtep;
		}
		CHECK(dup_ents[i].marked == dup);
		for (size_t j = 0; j < i && first; j++)
			first = !same_addr(&dup_ents[i], &dup_ents[j]);
		addrs += dup && first;
	}
	rib_get_stats(rib, &st);
	CHECK(st.dup_addrs == addrs);
	CHECK(st.dup_detected >= st.dup_addrs);
}

static void check_rib(const struct rib *rib, const struct mapsync *ms)
{
	struct walk w;
	struct rib_stats st;

	memset(&w, 0, sizeof(w));
	n_dests = 0;
	dests_full = false;
	CHECK(rib_walk(rib, 0, UINT32_MAX, walk_fn, &w) == 0);
	rib_get_stats(rib, &st);
	CHECK(st.paths == w.paths);
	CHECK(st.dests <= st.paths);
	if (getenv("FUZZ_BGP_VERBOSE"))   /* which inputs reach the RIB */
		fprintf(stderr, "rib: %llu paths (%llu ours), %llu ignored, %llu installed routes, "
			"%llu fdb, %llu prefixes\n", (unsigned long long)st.paths,
			(unsigned long long)w.ours, (unsigned long long)st.ignored,
			(unsigned long long)st.installed_routes, (unsigned long long)st.installed_fdb,
			(unsigned long long)st.installed_prefixes);
	CHECK(rib_peer_routes(rib, 1) + rib_peer_routes(rib, 2) + w.ours == w.paths);
	check_dups(rib);
	check_maps(ms, false);
	check_keys(ms);
}

/* Why the session would not use a route as sent (bgp_session_rx.c's
 * route_refused, with this target's AS, router id and next hop). */
static bool refused(const struct bgp_attrs *a)
{
	uint32_t our = inet_addr(OUR_IP);

	if (bgp_aspath_contains(&a->aspath, OUR_AS))
		return true;
	if (BGP_ATTR_HAS(a, BGP_ATTR_ORIGINATOR_ID) && a->originator_id == our)
		return true;
	return a->mp_reach.nh_len >= 4 && !memcmp(a->mp_reach.nh, &our, 4);
}

static void rib_stage(const uint8_t *data, size_t size)
{
	const struct bgp_parse_ctx ctx = { .as4 = true, .ibgp = false };
	struct mapsync *ms = NULL;
	struct evpn_export *xp = NULL;
	struct rib *rib = NULL;
	struct rib_env env;
	struct vtep_port port = port_w1;
	size_t off = 0;
	unsigned nmsg = 0;
	int n;

	fake_now = 1000000000ull;
	if (mapsync_new(&fds, 0, &ms) || evpn_export_new(&cfg, &xp))
		goto out;
	evpn_export_set_notify(xp, on_export, NULL);
	for (size_t i = 0; i < cfg.n_vnis; i++) {
		struct vtep_vni v = { .subnet = cfg.vnis[i].subnet,
				      .gateway_ip = cfg.vnis[i].gateway_ip,
				      .prefixlen = cfg.vnis[i].prefixlen };

		CHECK(mapsync_vni_set(ms, cfg.vnis[i].vni, &v) == 0);
	}
	port.ip = inet_addr("10.1.0.11");
	CHECK(mapsync_port_set(ms, 11, &port) == 0);
	memset(&env, 0, sizeof(env));
	env.cfg = &cfg;
	env.ms = ms;
	env.exp = xp;
	env.now_ns = now_fn;
	if (rib_new(&env, &rib))
		goto out;
	rib_peer_set(rib, 1, inet_addr("198.51.100.1"), inet_addr("198.51.100.1"));
	rib_peer_set(rib, 2, inet_addr("198.51.100.2"), inet_addr("198.51.100.2"));
	CHECK(rib_flush(rib) == 0);

	while ((n = bgp_msg_frame(data + off, size - off, &err)) > 0) {
		uint32_t peer = 1 + (nmsg++ & 1);
		const struct bgp_update *u = &rmsg.update;
		bool no;

		if (bgp_msg_parse(data + off, (size_t)n, &ctx, &rmsg, &err) < 0)
			break;   /* the session resets */
		off += (size_t)n;
		fake_now += 50000000ull;   /* 50 ms a message: DAD windows pass */
		if (rmsg.type != BGP_MSG_UPDATE)
			continue;
		if (u->eor) {
			/* The session sweeps stale routes at the EVPN one only. */
			if (u->eor_afi != EVPN_AFI || u->eor_safi != EVPN_SAFI)
				continue;
			if (getenv("FUZZ_BGP_VERBOSE"))
				fprintf(stderr, "peer %u End-of-RIB\n", peer);
			rib_peer_eor(rib, peer);
			continue;
		}
		no = u->n_routes && BGP_ATTR_HAS(&u->attrs, BGP_ATTR_MP_REACH_NLRI) &&
		     refused(&u->attrs);
		rib_mark_arrival(rib, fake_now);
		for (unsigned i = 0; i < u->n_routes; i++) {
			struct evpn_route w = u->routes[i];
			int r;

			if (!w.withdraw && no)
				w.withdraw = true;
			r = rib_update(rib, peer, &w, w.withdraw ? NULL : &u->attrs);
			if (getenv("FUZZ_BGP_VERBOSE")) {
				char rs[EVPN_ROUTE_STRLEN];

				fprintf(stderr, "peer %u %s %s mm %d seq %u sticky %d -> %d\n", peer,
					w.withdraw ? "withdraw" : "announce", evpn_route_fmt(&w, rs),
					u->attrs.evpn.mac_mobility, u->attrs.evpn.mm_seq,
					u->attrs.evpn.mm_sticky, r);
			}
			CHECK(r == 0 || r == RIB_UPDATE_IGNORED || r == -ENOMEM);
		}
		CHECK(rib_flush(rib) == 0);
		/* A peer that restarts (graceful restart) now and then. */
		if ((nmsg & 7) == 5) {
			if (getenv("FUZZ_BGP_VERBOSE"))
				fprintf(stderr, "peer %u stale\n", peer);
			rib_peer_stale(rib, peer);
		}
	}
	check_rib(rib, ms);

	/* Both sessions end: only our own paths stay, and no BGP entry. */
	rib_peer_down(rib, 1);
	rib_peer_down(rib, 2);
	CHECK(rib_flush(rib) == 0);
	CHECK(rib_peer_routes(rib, 1) == 0 && rib_peer_routes(rib, 2) == 0);
	{
		struct rib_stats st;

		rib_get_stats(rib, &st);
		CHECK(st.installed_routes == 0 && st.installed_fdb == 0 &&
		      st.installed_prefixes == 0);
		CHECK(st.dup_addrs == 0);   /* our one port is alone */
	}
	check_maps(ms, true);
out:
	rib_free(rib);
	evpn_export_free(xp);
	mapsync_free(ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	codec(data, size);
	rib_stage(data, size);
	return 0;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	static int plain = -1;

	if (plain < 0)
		plain = getenv("FUZZ_BGP_PLAIN") != NULL;
	if (plain)
		return LLVMFuzzerMutate(data, size, max_size);
	return bm_mutate(data, size, max_size, seed);
}
