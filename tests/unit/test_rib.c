/* test_rib.c - agent/rib/rib (best path, MAC mobility, duplicate address
 * detection, peers, graceful restart) with rib_sync writing through mapsync
 * into real BPF maps (bpf_map_create; needs root) and the export recording
 * what would be advertised.
 *
 * The best path and mobility cases are a table: a list of steps (routes
 * from peers, local ports, gratuitous ARPs, peer loss) and what the maps
 * and our advertisements must hold afterwards. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "evpn_export.h"
#include "log.h"
#include "mapsync.h"
#include "rib.h"
#include "rib_test_util.h"

static struct vtep_config cfg;
static struct mapsync_fds fds;
static struct mapsync *ms;
static struct evpn_export *xp;
static struct rib *rib;
static uint64_t fake_now = 1000000000ull;

/* What the export told the speaker. */
static unsigned n_adv, n_wd;

static uint64_t now_fn(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void on_export(void *ctx, const struct evpn_route *rt, const struct bgp_attrs *a,
		      bool withdraw)
{
	(void)ctx;
	(void)rt;
	(void)a;
	if (withdraw)
		n_wd++;
	else
		n_adv++;
}

static void setup(void)
{
	struct rib_env env;

	rt_load_config(rt_test_json, &cfg);
	mt_maps_open(&fds, 262144);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	ck_assert_int_eq(evpn_export_new(&cfg, &xp), 0);
	evpn_export_set_notify(xp, on_export, NULL);
	memset(&env, 0, sizeof(env));
	env.cfg = &cfg;
	env.ms = ms;
	env.exp = xp;
	env.now_ns = now_fn;
	ck_assert_int_eq(rib_new(&env, &rib), 0);
	n_adv = n_wd = 0;
	fake_now = 1000000000ull;
}

static void teardown(void)
{
	rib_free(rib);          /* NULL-safe: a test may have freed them early */
	evpn_export_free(xp);
	mapsync_free(ms);
	mt_maps_close(&fds);
	config_free(&cfg);
}

/* ---- helpers ------------------------------------------------------------------ */

#define M1 "02:00:00:00:00:11"
#define IP1 "10.1.0.11"
#define IP2 "10.1.0.12"
#define V_LOW "192.0.2.0"    /* below our 192.0.2.1 */
#define V_A "192.0.2.20"
#define V_B "192.0.2.30"

static void announce(uint32_t peer, const char *vtep, const char *mac, const char *ip,
		     bool mm, uint32_t seq, bool sticky)
{
	struct evpn_route r = rt_macip(vtep, mac, ip, 100);

	ck_assert_int_eq(rib_update(rib, peer, &r, rt_mkattrs(vtep, "65000:100", mm, seq, sticky)),
			 0);
}

static void withdraw(uint32_t peer, const char *vtep, const char *mac, const char *ip)
{
	struct evpn_route r = rt_macip(vtep, mac, ip, 100);

	r.withdraw = true;
	ck_assert_int_eq(rib_update(rib, peer, &r, NULL), 0);
}

static struct vtep_port mkport(uint32_t vni, const char *ip, const char *mac, const char *name)
{
	struct vtep_port p;

	memset(&p, 0, sizeof(p));
	p.vni = vni;
	p.ip = mt_ip(ip);
	mt_mac(mac, p.mac);
	strncpy(p.ifname, name, sizeof(p.ifname) - 1);
	return p;
}

static size_t n_routes(void)
{
	return mt_count(fds.routes, sizeof(struct vtep_route_key));
}

static size_t n_all(void)
{
	return mt_count(fds.routes, 8) + mt_count(fds.fdb, 12) +
	       mt_count(fds.prefixes, 12) + mt_count(fds.remotes, 4);
}

/* ---- the table ------------------------------------------------------------------ */

/* ANNM/WDM: MAC only; ANN2/WD2: the MAC with another IP (IP2) */
enum op { END = 0, ANN, WD, ANNM, WDM, ANN2, WD2, PORT, UNPORT, GARP, DOWN, TICK };

struct step {
	enum op op;
	uint32_t peer;
	const char *vtep;     /* ANN/WD: next hop and RD; TICK: unused */
	uint32_t seq;         /* ANN: MAC mobility sequence (community when > 0 or sticky) */
	bool sticky;
	uint64_t secs;        /* TICK */
};

struct want {
	const char *vtep;     /* route at (100, IP1): NULL = none, "local" = the port */
	uint32_t seq;
	bool sticky;          /* a remote route's sticky flag (VTEP_RT_F_STICKY) */
	/* fdb at (100, M1), same convention. A remote MAC+IP route has none
	 * (its MAC is in its host route); the fdb holds a local workload's
	 * MAC, the remote VTEP it moved to, or a MAC-only route's. */
	const char *fdb;
	bool adv;             /* our type-2 route for the port is advertised */
	uint32_t adv_seq;
	uint64_t frozen;      /* rib_stats.dad_frozen */
};

struct mob_case {
	const char *name;
	struct step steps[16];
	struct want want;
};

/* Steps and expectations (designated, so that what is left out is zero). */
#define ANN_(p, v, s)    { .op = ANN, .peer = (p), .vtep = (v), .seq = (s) }
#define STICKY_(p, v, s) { .op = ANN, .peer = (p), .vtep = (v), .seq = (s), .sticky = true }
#define WD_(p, v)        { .op = WD, .peer = (p), .vtep = (v) }
#define ANNM_(p, v, s)   { .op = ANNM, .peer = (p), .vtep = (v), .seq = (s) }
#define STICKYM_(p, v, s) { .op = ANNM, .peer = (p), .vtep = (v), .seq = (s), .sticky = true }
#define WDM_(p, v)       { .op = WDM, .peer = (p), .vtep = (v) }
#define ANN2_(p, v, s)   { .op = ANN2, .peer = (p), .vtep = (v), .seq = (s) }
#define WD2_(p, v)       { .op = WD2, .peer = (p), .vtep = (v) }
#define PORT_            { .op = PORT }
#define UNPORT_          { .op = UNPORT }
#define GARP_            { .op = GARP }
#define DOWN_(p)         { .op = DOWN, .peer = (p) }
#define TICK_(s)         { .op = TICK, .secs = (s) }

static const struct mob_case mob_cases[] = {
	{ "higher sequence wins",
	  { ANN_(1, V_A, 0), ANN_(2, V_B, 1) },
	  { .vtep = V_B, .seq = 1 } },
	{ "lower sequence is ignored",
	  { ANN_(1, V_A, 2), ANN_(2, V_B, 1) },
	  { .vtep = V_A, .seq = 2 } },
	{ "equal sequence: lowest VTEP (RFC 7432 15.1)",
	  { ANN_(1, V_B, 1), ANN_(2, V_A, 1) },
	  { .vtep = V_A, .seq = 1 } },
	{ "equal sequence, other order",
	  { ANN_(2, V_A, 1), ANN_(1, V_B, 1) },
	  { .vtep = V_A, .seq = 1 } },
	{ "sticky never moves",
	  { STICKY_(1, V_B, 0), ANN_(2, V_A, 7) },
	  { .vtep = V_B, .seq = 0, .sticky = true } },
	{ "sticky beats a local workload",
	  { PORT_, STICKY_(1, V_B, 0) },
	  { .vtep = V_B, .seq = 0, .sticky = true, .fdb = V_B } },
	{ "winner withdrawn: the other path takes over",
	  { ANN_(1, V_A, 1), ANN_(2, V_B, 2), WD_(2, V_B) },
	  { .vtep = V_A, .seq = 1 } },
	{ "all withdrawn: nothing left",
	  { ANN_(1, V_A, 1), ANN_(2, V_B, 2), WD_(2, V_B), WD_(1, V_A) },
	  { .vtep = NULL } },
	{ "local workload beats remote with equal sequence and higher VTEP",
	  { PORT_, ANN_(1, V_A, 0) },
	  { .vtep = "local", .fdb = "local", .adv = true, .adv_seq = 0 } },
	{ "remote with equal sequence and lower VTEP wins over local",
	  { PORT_, ANN_(1, V_LOW, 0) },
	  { .vtep = V_LOW, .seq = 0, .fdb = V_LOW } },
	{ "local workload loses to a higher sequence: forward remote, withdraw ours",
	  { PORT_, ANN_(1, V_A, 1) },
	  { .vtep = V_A, .seq = 1, .fdb = V_A } },
	{ "workload arrives while known remote: remote seq + 1",
	  { ANN_(1, V_A, 3), PORT_ },
	  { .vtep = "local", .fdb = "local", .adv = true, .adv_seq = 4 } },
	{ "workload comes back (GARP) after moving away",
	  { PORT_, ANN_(1, V_A, 1), GARP_ },
	  { .vtep = "local", .fdb = "local", .adv = true, .adv_seq = 2 } },
	{ "GARP while already ours changes nothing",
	  { PORT_, GARP_ },
	  { .vtep = "local", .fdb = "local", .adv = true, .adv_seq = 0 } },
	{ "remote winner withdrawn: local again",
	  { PORT_, ANN_(1, V_A, 1), WD_(1, V_A) },
	  { .vtep = "local", .fdb = "local", .adv = true, .adv_seq = 0 } },
	{ "port removed: remote route takes the key",
	  { PORT_, ANN_(1, V_A, 0), UNPORT_ },
	  { .vtep = V_A, .seq = 0 } },
	{ "dual-homed: same route from two peers, one goes down",
	  { ANN_(1, V_A, 0), ANN_(2, V_A, 0), DOWN_(1) },
	  { .vtep = V_A, .seq = 0 } },
	{ "dual-homed: both peers go down",
	  { ANN_(1, V_A, 0), ANN_(2, V_A, 0), DOWN_(1), DOWN_(2) },
	  { .vtep = NULL } },
	{ "duplicate address detection freezes after 5 moves",
	  { ANN_(1, V_A, 1), ANN_(2, V_B, 2), ANN_(1, V_A, 3), ANN_(2, V_B, 4),
	    ANN_(1, V_A, 5), ANN_(2, V_B, 6), ANN_(1, V_A, 7) },
	  { .vtep = V_B, .seq = 6, .frozen = 1 } },
	{ "moves spread over more than the window are not duplicates",
	  { ANN_(1, V_A, 1), ANN_(2, V_B, 2), ANN_(1, V_A, 3), TICK_(200),
	    ANN_(2, V_B, 4), ANN_(1, V_A, 5), ANN_(2, V_B, 6), ANN_(1, V_A, 7) },
	  { .vtep = V_A, .seq = 7, .frozen = 0 } },
	{ "frozen entry thaws after the window",
	  { ANN_(1, V_A, 1), ANN_(2, V_B, 2), ANN_(1, V_A, 3), ANN_(2, V_B, 4),
	    ANN_(1, V_A, 5), ANN_(2, V_B, 6), TICK_(181), ANN_(1, V_A, 7) },
	  { .vtep = V_A, .seq = 7, .frozen = 1 } },
	{ "frozen local workload ignores a higher remote sequence",
	  { ANN_(1, V_A, 1), PORT_, ANN_(1, V_A, 3), GARP_, ANN_(1, V_A, 5),
	    GARP_, ANN_(1, V_A, 9), GARP_ },
	  { .vtep = "local", .fdb = "local", .adv = true, .adv_seq = 6, .frozen = 1 } },
	/* RFC 7432 15.1: the sequence is per MAC, across its MAC-only and
	 * MAC+IP routes. A leaf that learns the moved MAC before its IP
	 * advertises the MAC alone with our sequence + 1. */
	{ "MAC-only route with a higher sequence beats the local MAC+IP",
	  { PORT_, ANNM_(1, V_A, 1) },
	  { .vtep = V_A, .seq = 1, .fdb = V_A } },
	{ "MAC-only route with a higher sequence, then its MAC+IP",
	  { PORT_, ANNM_(1, V_A, 1), ANN_(1, V_A, 1) },
	  { .vtep = V_A, .seq = 1, .fdb = V_A } },
	{ "MAC-only route with the same sequence does not move it",
	  { PORT_, ANNM_(1, V_LOW, 0) },
	  { .vtep = "local", .fdb = "local", .adv = true, .adv_seq = 0 } },
	{ "workload comes back (GARP) after a MAC-only move",
	  { PORT_, ANNM_(1, V_A, 1), GARP_ },
	  { .vtep = "local", .fdb = "local", .adv = true, .adv_seq = 2 } },
	{ "port re-added after a MAC-only move: highest seq + 1",
	  { PORT_, ANNM_(1, V_A, 1), UNPORT_, PORT_ },
	  { .vtep = "local", .fdb = "local", .adv = true, .adv_seq = 2 } },
	{ "MAC-only winner withdrawn: local again",
	  { PORT_, ANNM_(1, V_A, 1), WDM_(1, V_A) },
	  { .vtep = "local", .fdb = "local", .adv = true, .adv_seq = 0 } },
	/* Regression (tests/fuzz/regress/bgp/mac_only_move_stale_local_ip,
	 * found by fuzz_bgp): once a MAC-only route holds the workload's /32,
	 * a change of the MAC-only selection must reach the /32 too, not only
	 * the MAC's fdb entry; the /32 kept the first winner's VTEP, sequence
	 * and sticky flag. */
	{ "MAC-only move, then on to another VTEP: the /32 follows",
	  { PORT_, ANNM_(1, V_A, 1), ANNM_(2, V_B, 2) },
	  { .vtep = V_B, .seq = 2, .fdb = V_B } },
	{ "MAC-only move, then a sticky MAC-only route: the /32 is sticky",
	  { PORT_, ANNM_(1, V_A, 1), STICKYM_(2, V_A, 2) },
	  { .vtep = V_A, .seq = 2, .sticky = true, .fdb = V_A } },
	{ "MAC-only moves twice, the last withdrawn: the /32 back to the first",
	  { PORT_, ANNM_(1, V_A, 1), ANNM_(2, V_B, 2), WDM_(2, V_B) },
	  { .vtep = V_A, .seq = 1, .fdb = V_A } },
	/* Map layout 2 keeps no fdb entry for a MAC+IP route: once the
	 * MAC-only route is gone, the MAC's fdb entry goes too (found by
	 * fuzz_bgp: it was resolved while the MAC-only destination, empty,
	 * was still in the MAC's group, to the MAC+IP route's VTEP, and
	 * stayed in vtep_fdb for good). */
	{ "MAC-only and MAC+IP of one MAC, the MAC-only withdrawn: no fdb left",
	  { ANNM_(1, V_A, 0), ANN_(2, V_A, 0), WDM_(1, V_A) },
	  { .vtep = V_A, .seq = 0 } },
	{ "MAC-only and MAC+IP from two peers, the MAC-only one's goes down first",
	  { ANNM_(1, V_A, 0), ANN_(2, V_A, 0), DOWN_(1) },
	  { .vtep = V_A, .seq = 0 } },
	{ "MAC-only and MAC+IP from two peers, both go down: nothing left",
	  { ANNM_(1, V_A, 0), ANN_(2, V_A, 0), DOWN_(1), DOWN_(2) },
	  { .vtep = NULL } },
	/* The same through a MAC+IP route of the MAC with another IP: the
	 * sequence is the MAC's (RFC 7432 15.1), so it holds our /32 too. */
	{ "the MAC with another IP and a higher sequence takes the local /32",
	  { PORT_, ANN2_(1, V_A, 1) },
	  { .vtep = V_A, .seq = 1, .fdb = V_A } },
	{ "the MAC with another IP moves on to another VTEP: the /32 follows",
	  { PORT_, ANN2_(1, V_A, 1), ANN2_(2, V_B, 2) },
	  { .vtep = V_B, .seq = 2, .fdb = V_B } },
	{ "the MAC with another IP, its winner withdrawn: the /32 back to the first",
	  { PORT_, ANN2_(1, V_A, 1), ANN2_(2, V_B, 2), WD2_(2, V_B) },
	  { .vtep = V_A, .seq = 1, .fdb = V_A } },
};

static void run_step(const struct step *s)
{
	struct vtep_port p = mkport(100, IP1, M1, "w1");

	switch (s->op) {
	case ANN:
		announce(s->peer, s->vtep, M1, IP1, s->seq || s->sticky, s->seq, s->sticky);
		break;
	case WD:
		withdraw(s->peer, s->vtep, M1, IP1);
		break;
	case ANNM:
		announce(s->peer, s->vtep, M1, NULL, s->seq || s->sticky, s->seq, s->sticky);
		break;
	case WDM:
		withdraw(s->peer, s->vtep, M1, NULL);
		break;
	case ANN2:
		announce(s->peer, s->vtep, M1, IP2, s->seq || s->sticky, s->seq, s->sticky);
		break;
	case WD2:
		withdraw(s->peer, s->vtep, M1, IP2);
		break;
	case PORT:
		ck_assert_int_eq(mapsync_port_set(ms, 7, &p), 0);
		break;
	case UNPORT:
		ck_assert_int_eq(mapsync_port_del(ms, 7), 0);
		break;
	case GARP: {
		struct vtep_event ev = { .type = VTEP_EV_GARP, .ifindex = 7, .vni = 100,
					 .ip = p.ip };

		memcpy(ev.mac, p.mac, 6);
		rib_local_garp(rib, &ev);
		break;
	}
	case DOWN:
		rib_peer_down(rib, s->peer);
		break;
	case TICK:
		fake_now += s->secs * 1000000000ull;
		break;
	case END:
		break;
	}
	ck_assert_int_eq(rib_flush(rib), 0);
}

static void check_route(const char *name, const struct want *w)
{
	struct vtep_route r;
	struct vtep_fdb f;
	int got = mt_route_get(&fds, 100, IP1, &r);

	if (!w->vtep) {
		ck_assert_msg(got != 0, "%s: route present", name);
	} else if (!strcmp(w->vtep, "local")) {
		ck_assert_msg(got == 0 && r.source == VTEP_SRC_LOCAL && r.ifindex == 7,
			      "%s: route not local (got %d source %u)", name, got, r.source);
	} else {
		ck_assert_msg(got == 0, "%s: no route", name);
		ck_assert_msg(r.source == VTEP_SRC_BGP && r.vtep == mt_ip(w->vtep),
			      "%s: route source %u vtep %08x, want BGP %s", name, r.source,
			      ntohl(r.vtep), w->vtep);
		ck_assert_msg(r.seq == w->seq, "%s: seq %u want %u", name, r.seq, w->seq);
		ck_assert_msg(!!(r.flags & VTEP_RT_F_STICKY) == w->sticky, "%s: flags %u, sticky %d",
			      name, r.flags, w->sticky);
	}
	got = mt_fdb_get(&fds, 100, M1, &f);
	if (!w->fdb)
		ck_assert_msg(got != 0, "%s: fdb present", name);
	else if (!strcmp(w->fdb, "local"))
		ck_assert_msg(got == 0 && f.source == VTEP_SRC_LOCAL, "%s: fdb not local", name);
	else
		ck_assert_msg(got == 0 && f.source == VTEP_SRC_BGP && f.vtep == mt_ip(w->fdb),
			      "%s: fdb wrong", name);
}

START_TEST(test_mobility_table)
{
	const struct mob_case *c = &mob_cases[_i];
	uint8_t mac[6];
	uint32_t seq = 0;
	bool adv;
	struct rib_stats st;
	size_t i;

	for (i = 0; c->steps[i].op != END; i++)
		run_step(&c->steps[i]);
	check_route(c->name, &c->want);
	mt_mac(M1, mac);
	adv = evpn_export_macip_get(xp, 100, mac, mt_ip(IP1), &seq);
	ck_assert_msg(adv == c->want.adv, "%s: advertised %d want %d", c->name, adv, c->want.adv);
	if (adv)
		ck_assert_msg(seq == c->want.adv_seq, "%s: advertised seq %u want %u", c->name,
			      seq, c->want.adv_seq);
	rib_get_stats(rib, &st);
	ck_assert_msg(st.dad_frozen == c->want.frozen, "%s: frozen %llu want %llu", c->name,
		      (unsigned long long)st.dad_frozen, (unsigned long long)c->want.frozen);
}
END_TEST

/* ---- the other cases ---------------------------------------------------------- */

/* Each route type puts exactly its entries in the maps, and the remote VTEP
 * in vtep_remotes; a peer going down takes every one of them away. */
START_TEST(test_types_and_peer_down)
{
	struct evpn_route r;
	struct vtep_route v;
	struct vtep_fdb f;
	struct vtep_remote rem;
	struct vtep_prefix_key pk = { .prefixlen = 32 + 24, .vni = htonl(100),
				      .ip = mt_ip("10.9.0.0") };
	struct vtep_prefix_key pk2 = { .prefixlen = 32 + 24, .vni = htonl(100),
				       .ip = mt_ip("10.8.0.0") };

	/* type 2 with IP */
	announce(1, V_A, M1, IP1, false, 0, false);
	/* type 2 MAC only */
	announce(1, V_A, "02:00:00:00:00:22", NULL, false, 0, false);
	/* type 5 with a router's MAC: installed; without: kept, not installed */
	r = rt_prefix(V_B, "10.9.0.0", 24, 5000);
	rt_mkattrs(V_B, "65000:100", false, 0, false);
	rt_attrs_rmac("02:aa:00:00:00:01");
	ck_assert_int_eq(rib_update(rib, 1, &r, &rt_attrs), 0);
	r = rt_prefix(V_B, "10.8.0.0", 24, 5000);
	ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs(V_B, "65000:100", false, 0, false)),
			 0);
	/* type 3 */
	r = rt_imet("192.0.2.40");
	ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs("192.0.2.40", "65000:100", false, 0,
							   false)), 0);
	/* a route target nobody imports: ignored */
	r = rt_macip(V_A, "02:00:00:00:00:33", "10.1.0.33", 100);
	ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs(V_A, "65000:999", false, 0, false)),
			 RIB_UPDATE_IGNORED);
	ck_assert_int_eq(rib_flush(rib), 0);

	ck_assert_int_eq(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_A));
	/* A MAC+IP route's MAC lives in its host route: no fdb entry; the
	 * MAC-only route's MAC has one. */
	ck_assert_int_ne(mt_fdb_get(&fds, 100, M1, &f), 0);
	ck_assert_int_eq(mt_fdb_get(&fds, 100, "02:00:00:00:00:22", &f), 0);
	ck_assert_uint_eq(f.vtep, mt_ip(V_A));
	ck_assert_uint_eq(f.source, VTEP_SRC_BGP);
	ck_assert_int_ne(mt_route_get(&fds, 100, "10.1.0.33", &v), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.prefixes, &pk, &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_B));
	{
		uint8_t rm[6];

		mt_mac("02:aa:00:00:00:01", rm);
		ck_assert_mem_eq(v.mac, rm, 6);
	}
	ck_assert_int_ne(bpf_map_lookup_elem(fds.prefixes, &pk2, &v), 0);
	ck_assert_int_eq(mt_remote_get(&fds, V_A, &rem), 0);
	ck_assert_uint_eq(rem.refs, 2);
	ck_assert_uint_eq(rem.sources, 1u << VTEP_SRC_BGP);
	ck_assert_int_eq(mt_remote_get(&fds, V_B, &rem), 0);
	ck_assert_int_eq(mt_remote_get(&fds, "192.0.2.40", &rem), 0);
	ck_assert_uint_eq(rib_peer_routes(rib, 1), 5);

	rib_peer_down(rib, 1);
	ck_assert_uint_eq(n_all(), 0);
	ck_assert_uint_eq(rib_peer_routes(rib, 1), 0);
	{
		struct rib_stats st;

		rib_get_stats(rib, &st);
		ck_assert_uint_eq(st.paths, 0);
		ck_assert_uint_eq(st.dests, 0);
	}
}
END_TEST

/* Static beats BGP for the same key; the remote's reference count holds both
 * claims; withdrawals delete exactly what BGP added. */
START_TEST(test_static_and_bgp)
{
	struct mapsync_route sr;
	struct vtep_route v;
	struct vtep_remote rem;

	memset(&sr, 0, sizeof(sr));
	sr.vni = 100;
	sr.prefix = mt_ip(IP1);
	sr.prefixlen = 32;
	sr.vtep = mt_ip(V_A);
	mt_mac("02:00:00:00:00:99", sr.mac);
	ck_assert_int_eq(mapsync_route_add(ms, &sr), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);

	announce(1, V_A, M1, IP1, false, 0, false);
	announce(1, V_A, "02:00:00:00:00:44", "10.1.0.44", false, 0, false);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_uint_eq(v.source, VTEP_SRC_STATIC);
	ck_assert_int_eq(mt_remote_get(&fds, V_A, &rem), 0);
	ck_assert_uint_eq(rem.sources, (1u << VTEP_SRC_STATIC) | (1u << VTEP_SRC_BGP));
	ck_assert_uint_eq(rem.refs, 3);

	/* BGP withdraws the hidden route: the static entry stays. */
	withdraw(1, V_A, M1, IP1);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_uint_eq(v.source, VTEP_SRC_STATIC);
	announce(1, V_A, M1, IP1, false, 0, false);
	ck_assert_int_eq(rib_flush(rib), 0);

	/* Static removed: BGP's route shows; the remote keeps BGP's claim. */
	ck_assert_int_eq(mapsync_route_del(ms, 100, mt_ip(IP1), 32), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_uint_eq(v.source, VTEP_SRC_BGP);
	ck_assert_int_eq(mt_remote_get(&fds, V_A, &rem), 0);
	ck_assert_uint_eq(rem.sources, 1u << VTEP_SRC_BGP);

	/* Static back, then BGP leaves: static alone, remote static only. */
	ck_assert_int_eq(mapsync_route_add(ms, &sr), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	rib_peer_down(rib, 1);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_uint_eq(v.source, VTEP_SRC_STATIC);
	ck_assert_int_ne(mt_route_get(&fds, 100, "10.1.0.44", &v), 0);
	ck_assert_int_eq(mt_remote_get(&fds, V_A, &rem), 0);
	ck_assert_uint_eq(rem.sources, 1u << VTEP_SRC_STATIC);
	ck_assert_uint_eq(rem.refs, 1);
	ck_assert_uint_eq(n_routes(), 1);
}
END_TEST

/* Graceful restart helper: stale routes stay; the ones sent again survive
 * End-of-RIB, the others are swept. */
START_TEST(test_stale_sweep)
{
	struct vtep_route v;
	int i;

	for (i = 0; i < 10; i++) {
		char ip[32], mac[32];

		snprintf(ip, sizeof(ip), "10.1.1.%d", i + 1);
		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", i + 1);
		announce(1, V_A, mac, ip, false, 0, false);
	}
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_uint_eq(n_routes(), 10);
	rib_peer_stale(rib, 1);
	ck_assert_uint_eq(n_routes(), 10);
	/* The peer comes back and sends 6 of them again (one changed). */
	for (i = 0; i < 6; i++) {
		char ip[32], mac[32];

		snprintf(ip, sizeof(ip), "10.1.1.%d", i + 1);
		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", i + 1);
		announce(1, i == 5 ? V_B : V_A, mac, ip, false, 0, false);
	}
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_uint_eq(n_routes(), 10);
	rib_peer_eor(rib, 1);
	ck_assert_uint_eq(n_routes(), 6);
	ck_assert_uint_eq(rib_peer_routes(rib, 1), 6);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.1.6", &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_B));
	ck_assert_int_ne(mt_route_get(&fds, 100, "10.1.1.7", &v), 0);
	/* The remote that only stale routes named is gone from vtep_remotes
	 * unless a live route still names it. */
	{
		struct vtep_remote rem;

		ck_assert_int_eq(mt_remote_get(&fds, V_A, &rem), 0);
		ck_assert_uint_eq(rem.refs, 5);
		ck_assert_int_eq(mt_remote_get(&fds, V_B, &rem), 0);
		ck_assert_uint_eq(rem.refs, 1);
	}
}
END_TEST

/* 100 session flaps with a table each time leave no map entry, no path, no
 * destination (and, under ASan, no leak). */
START_TEST(test_flaps)
{
	enum { N = 500 };
	struct rib_stats st;
	int flap, i;

	for (flap = 0; flap < 100; flap++) {
		for (i = 0; i < N; i++) {
			struct evpn_route r;
			uint32_t vtep = htonl(0xc0000214 + (uint32_t)(i % 7));
			char vs[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &vtep, vs, sizeof(vs));
			r = rt_macip(vs, M1, NULL, 100);
			r.mac[4] = (uint8_t)(i >> 8);
			r.mac[5] = (uint8_t)i;
			r.ip.len = 4;
			r.ip.v4 = htonl(0x0a010000 + (uint32_t)i + 1);
			rib_mark_arrival(rib, fake_now);
			ck_assert_int_eq(rib_update(rib, 1 + (flap & 1), &r,
						    rt_mkattrs(vs, "65000:100", flap & 2, flap,
							       false)), 0);
		}
		ck_assert_int_eq(rib_flush(rib), 0);
		ck_assert_uint_eq(n_routes(), N);
		if (flap & 4)
			rib_peer_stale(rib, 1 + (flap & 1));
		rib_peer_down(rib, 1 + (flap & 1));
		ck_assert_uint_eq(n_all(), 0);
	}
	rib_get_stats(rib, &st);
	ck_assert_uint_eq(st.paths, 0);
	ck_assert_uint_eq(st.dests, 0);
	ck_assert_uint_eq(st.installed_routes, 0);
	ck_assert_uint_eq(rib_peer_routes(rib, 1), 0);
	ck_assert_uint_eq(rib_peer_routes(rib, 2), 0);
}
END_TEST

/* A vtepd restart: BGP entries of the earlier run keep forwarding until the
 * initial sync is done; then only what the new RIB holds remains. Local and
 * static entries are not touched by the sweep. */
START_TEST(test_restart_reconcile)
{
	struct vtep_route_key old_k = { .vni = 100, .ip = mt_ip("10.1.0.77") };
	struct vtep_route_key kept_k = { .vni = 100, .ip = mt_ip(IP1) };
	struct vtep_route old_v = { .vtep = mt_ip(V_B), .source = VTEP_SRC_BGP };
	struct vtep_route kept_v = { .vtep = mt_ip(V_A), .source = VTEP_SRC_BGP };
	struct vtep_remote bgp_rem = { .refs = 1, .sources = 1u << VTEP_SRC_BGP };
	uint32_t vb = mt_ip(V_B);
	struct vtep_port p = mkport(100, "10.1.0.5", "02:00:00:00:00:05", "w5");
	struct vtep_route v;
	struct vtep_remote rem;

	ck_assert_int_eq(bpf_map_update_elem(fds.routes, &old_k, &old_v, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.routes, &kept_k, &kept_v, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.remotes, &vb, &bgp_rem, 0), 0);
	ck_assert_int_eq(mapsync_port_set(ms, 5, &p), 0);
	ck_assert_int_eq(mapsync_reconcile(ms), 0);
	/* Before the initial sync: the earlier run's entries stay. */
	announce(1, V_A, M1, IP1, false, 0, false);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.routes, &old_k, &v), 0);
	ck_assert_int_eq(mt_remote_get(&fds, V_B, &rem), 0);
	ck_assert_int_eq(rib_initial_sync_done(rib), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.routes, &old_k, &v), 0);
	ck_assert_int_ne(mt_remote_get(&fds, V_B, &rem), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_A));
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.5", &v), 0);
	ck_assert_uint_eq(v.source, VTEP_SRC_LOCAL);
	ck_assert_int_eq(mt_remote_get(&fds, V_A, &rem), 0);
	/* From now on, BGP entries are ours: peer down empties BGP's part. */
	rib_peer_down(rib, 1);
	ck_assert_uint_eq(n_routes(), 1);
}
END_TEST

/* Many routes reach the maps through few batch syscalls, and the arrival to
 * map latency is recorded. */
START_TEST(test_bulk_batched)
{
	enum { N = 50000 };
	struct mapsync_stats st;
	struct rib_latency lat;
	int i;

	for (i = 0; i < N; i++) {
		struct evpn_route r = rt_macip(V_A, M1, NULL, 100);

		if (i % 1000 == 0)
			rib_mark_arrival(rib, fake_now);
		r.mac[3] = (uint8_t)(i >> 16);
		r.mac[4] = (uint8_t)(i >> 8);
		r.mac[5] = (uint8_t)i;
		r.ip.len = 4;
		r.ip.v4 = htonl(0x0a010000 + (uint32_t)i + 1);
		ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs(V_A, "65000:100", false, 0,
								   false)), 0);
	}
	fake_now += 2000000; /* 2 ms */
	ck_assert_int_eq(rib_flush(rib), 0);
	mapsync_get_stats(ms, &st);
	ck_assert_uint_eq(n_routes(), N);
	/* MAC+IP routes: one entry each, no fdb entry (vtep_maps.h, layout 2). */
	ck_assert_uint_eq(mt_count(fds.fdb, 12), 0);
	ck_assert_uint_lt(st.batches, 100);
	ck_assert_uint_eq(st.errors, 0);
	rib_latency_get(rib, &lat);
	ck_assert_uint_eq(lat.count, N / 1000);
	ck_assert_uint_eq(lat.sum_ns, (uint64_t)(N / 1000) * 2000000);
	ck_assert_uint_eq(lat.counts[5], N / 1000); /* 2 ms is in (1 ms, 2.5 ms] */

	for (i = 0; i < N; i++) {
		struct evpn_route r = rt_macip(V_A, M1, NULL, 100);

		r.mac[3] = (uint8_t)(i >> 16);
		r.mac[4] = (uint8_t)(i >> 8);
		r.mac[5] = (uint8_t)i;
		r.ip.len = 4;
		r.ip.v4 = htonl(0x0a010000 + (uint32_t)i + 1);
		r.withdraw = true;
		ck_assert_int_eq(rib_update(rib, 1, &r, NULL), 0);
	}
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_uint_eq(n_all(), 0);
}
END_TEST

/* A route whose route targets change moves between VNIs; an IP claimed by
 * two MACs goes to the newest (highest sequence) one; the withdrawal of a
 * route never heard of is harmless. */
START_TEST(test_reimport_and_ip_conflict)
{
	struct evpn_route r = rt_macip(V_A, M1, IP1, 100);
	struct vtep_route v;
	struct vtep_route_key k200 = { .vni = 200, .ip = mt_ip(IP1) };

	ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs(V_A, "65000:100", false, 0, false)),
			 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs(V_A, "65000:200", false, 0, false)),
			 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_ne(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.routes, &k200, &v), 0);
	/* Now imported nowhere: an implicit withdrawal. */
	ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs(V_A, "65000:300", false, 0, false)),
			 RIB_UPDATE_IGNORED);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_uint_eq(n_all(), 0);

	/* Two MACs for one IP. */
	announce(1, V_A, M1, IP1, true, 1, false);
	announce(2, V_B, "02:00:00:00:00:12", IP1, true, 2, false);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_B));
	ck_assert_uint_eq(v.mac[5], 0x12);
	withdraw(2, V_B, "02:00:00:00:00:12", IP1);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_A));
	ck_assert_uint_eq(v.mac[5], 0x11);
	withdraw(3, V_B, M1, IP1);
	withdraw(1, V_A, M1, IP1);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_uint_eq(n_all(), 0);
}
END_TEST

/* Routes we must not use: our own next hop, a foreign encapsulation, an
 * IPv6 address that is no host's (link-local; test_rib6.c has the rest). */
START_TEST(test_ignored)
{
	struct evpn_route r = rt_macip(V_A, M1, IP1, 100);
	struct bgp_attrs *a;
	struct rib_stats st;

	ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs("192.0.2.1", "65000:100", false, 0,
							   false)), RIB_UPDATE_IGNORED);
	a = rt_mkattrs(V_A, "65000:100", false, 0, false);
	a->evpn.encap_types = 1u << 10; /* MPLS-in-GRE only */
	ck_assert_int_eq(rib_update(rib, 1, &r, a), RIB_UPDATE_IGNORED);
	r.ip.len = 16;
	memset(r.ip.v6, 0, 16);
	r.ip.v6[0] = 0xfe;
	r.ip.v6[1] = 0x80;
	r.ip.v6[15] = 1;
	ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs(V_A, "65000:100", false, 0, false)),
			 RIB_UPDATE_IGNORED);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_uint_eq(n_all(), 0);
	rib_get_stats(rib, &st);
	ck_assert_uint_eq(st.ignored, 3);
	ck_assert_int_eq(rib_update(rib, 0, &r, NULL), -EINVAL);
}
END_TEST

static int count_walk(void *ctx, const struct rib_route_info *ri)
{
	unsigned *n = ctx;

	if (ri->best)
		n[0]++;
	n[1]++;
	if (ri->peer == 0)
		n[2]++;
	return 0;
}

/* vtepctl bgp routes: every path, ours included, with filters. */
START_TEST(test_walk)
{
	struct vtep_port p = mkport(100, "10.1.0.5", "02:00:00:00:00:05", "w5");
	unsigned n[3] = { 0 };

	announce(1, V_A, M1, IP1, false, 0, false);
	announce(2, V_A, M1, IP1, false, 0, false);
	ck_assert_int_eq(mapsync_port_set(ms, 5, &p), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(rib_walk(rib, 0, UINT32_MAX, count_walk, n), 0);
	ck_assert_uint_eq(n[0], 2);
	ck_assert_uint_eq(n[1], 3);
	ck_assert_uint_eq(n[2], 1);
	memset(n, 0, sizeof(n));
	ck_assert_int_eq(rib_walk(rib, 0, 2, count_walk, n), 0);
	ck_assert_uint_eq(n[1], 1);
	memset(n, 0, sizeof(n));
	ck_assert_int_eq(rib_walk(rib, 200, UINT32_MAX, count_walk, n), 0);
	ck_assert_uint_eq(n[1], 0);
	/* Our port was advertised once. */
	ck_assert_uint_eq(n_adv, 1 + 1 /* VNI 200's type 3 */);
}
END_TEST

/* A reload that removes a VNI drops its routes and asks for a refresh. */
START_TEST(test_reload)
{
	struct vtep_config nc;
	struct vtep_route_key k200 = { .vni = 200, .ip = mt_ip("10.2.0.9") };
	struct vtep_route v;
	struct evpn_route r = rt_macip(V_A, M1, "10.2.0.9", 200);
	static const char one_vni[] =
		"{ \"vtep\": {\"ip\": \"192.0.2.1\", \"uplink\": \"eth0\"},"
		"\"bgp\": {\"asn\": 65001, \"router_id\": \"192.0.2.1\","
		"  \"neighbors\": [{\"address\":\"198.51.100.1\",\"asn\":65000}]},"
		"\"vnis\": ["
		" {\"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
		"  \"gateway_mac\": \"02:00:00:00:01:00\", \"route_target\": \"auto\"} ] }";

	ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs(V_A, "65000:200", false, 0, false)),
			 0);
	announce(1, V_A, M1, IP1, false, 0, false);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.routes, &k200, &v), 0);
	ck_assert_int_eq(rib_reload(rib, &cfg), 0);
	rt_load_config(one_vni, &nc);
	ck_assert_int_eq(rib_reload(rib, &nc), 1);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.routes, &k200, &v), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP1, &v), 0);
	ck_assert_uint_eq(rib_peer_routes(rib, 1), 1);
	ck_assert_uint_eq(n_wd, 1); /* VNI 200's type 3 withdrawn */
	config_free(&nc);
}
END_TEST

/* Without BGP configured there is no RIB: adopting alone removes what an
 * earlier vtepd's BGP side left, and keeps static entries. */
START_TEST(test_adopt_without_rib)
{
	struct vtep_route_key old_k = { .vni = 100, .ip = mt_ip("10.1.0.77") };
	struct vtep_route old_v = { .vtep = mt_ip(V_B), .source = VTEP_SRC_BGP };
	struct vtep_remote rem = { .refs = 1, .sources = 1u << VTEP_SRC_BGP };
	uint32_t vb = mt_ip(V_B);
	struct mapsync *plain;
	struct mapsync_route sr;
	struct vtep_route v;

	rib_free(rib);
	rib = NULL;
	mapsync_free(ms);
	ms = NULL;
	ck_assert_int_eq(mapsync_new(&fds, 0, &plain), 0);
	memset(&sr, 0, sizeof(sr));
	sr.vni = 100;
	sr.prefix = mt_ip(IP1);
	sr.prefixlen = 32;
	sr.vtep = vb;
	mt_mac(M1, sr.mac);
	ck_assert_int_eq(bpf_map_update_elem(fds.routes, &old_k, &old_v, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.remotes, &vb, &rem, 0), 0);
	ck_assert_int_eq(mapsync_route_add(plain, &sr), 0);
	ck_assert_int_eq(mapsync_reconcile(plain), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.routes, &old_k, &v), 0);
	ck_assert(!mapsync_bgp_adopted(plain));
	ck_assert_int_eq(mapsync_bgp_adopt(plain), 0);
	ck_assert(mapsync_bgp_adopted(plain));
	ck_assert_int_ne(bpf_map_lookup_elem(fds.routes, &old_k, &v), 0);
	ck_assert_int_eq(mt_remote_get(&fds, V_B, &rem), 0);
	ck_assert_uint_eq(rem.sources, 1u << VTEP_SRC_STATIC);
	ck_assert_uint_eq(n_routes(), 1);
	mapsync_free(plain);
}
END_TEST

static int best_peer(void *ctx, const struct rib_route_info *ri)
{
	if (ri->best)
		*(uint32_t *)ctx = ri->peer;
	return 0;
}

/* Two peers with the same route to the same VTEP: the lower BGP identifier
 * wins the tie (RFC 4271 9.1.2.2 f), then the lower address; without either,
 * the lower peer id. */
START_TEST(test_peer_tie_break)
{
	uint32_t best = 0;

	announce(5, V_A, M1, IP1, false, 0, false);
	announce(9, V_A, M1, IP1, false, 0, false);
	ck_assert_int_eq(rib_walk(rib, 0, UINT32_MAX, best_peer, &best), 0);
	ck_assert_uint_eq(best, 5);
	ck_assert_int_eq(rib_peer_set(rib, 5, mt_ip("198.51.100.2"), mt_ip("10.255.0.9")), 0);
	ck_assert_int_eq(rib_peer_set(rib, 9, mt_ip("198.51.100.1"), mt_ip("10.255.0.1")), 0);
	/* Re-run the decision: a withdrawal and re-announcement of peer 5. */
	withdraw(5, V_A, M1, IP1);
	announce(5, V_A, M1, IP1, false, 0, false);
	ck_assert_int_eq(rib_walk(rib, 0, UINT32_MAX, best_peer, &best), 0);
	ck_assert_uint_eq(best, 9);
	ck_assert_int_eq(rib_peer_set(rib, 0, 0, 0), -EINVAL);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rib");
	TCase *tc = tcase_create("rib");

	log_level = LOG_LVL_ERR;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_mobility_table, 0,
			    (int)(sizeof(mob_cases) / sizeof(mob_cases[0])));
	tcase_add_test(tc, test_types_and_peer_down);
	tcase_add_test(tc, test_static_and_bgp);
	tcase_add_test(tc, test_stale_sweep);
	tcase_add_test(tc, test_flaps);
	tcase_add_test(tc, test_restart_reconcile);
	tcase_add_test(tc, test_bulk_batched);
	tcase_add_test(tc, test_reimport_and_ip_conflict);
	tcase_add_test(tc, test_ignored);
	tcase_add_test(tc, test_walk);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_adopt_without_rib);
	tcase_add_test(tc, test_peer_tie_break);
	suite_add_tcase(s, tc);
	return s;
}
