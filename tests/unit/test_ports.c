/* test_ports.c - agent/host/ports: a port's life as link events and ring buffer
 * events drive it, checked in real BPF maps (bpf_map_create; needs root).
 * No interfaces are touched: the netlink, loader and host-route steps are
 * left out (NULL in struct ports_env) and link events are made up. */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_arp.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "addr.h"
#include "log.h"
#include "mapsync.h"
#include "maps_test_util.h"
#include "ports.h"
#include "portrate.h"

static struct mapsync_fds fds;
static struct mapsync *ms;
static struct ports *ps;

static void setup(void)
{
	struct ports_env env = { 0 };

	fds.vnis = -1;
	fds.ports = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_ports", 4, sizeof(struct vtep_port), 64, 0);
	fds.routes = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_routes", sizeof(struct vtep_route_key),
			      sizeof(struct vtep_route), 1024, BPF_F_NO_PREALLOC);
	fds.prefixes = -1;
	fds.fdb = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_fdb", sizeof(struct vtep_fdb_key),
			   sizeof(struct vtep_fdb), 1024, BPF_F_NO_PREALLOC);
	fds.remotes = -1;
	fds.routes6 = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_routes6", sizeof(struct vtep_route6_key),
			       sizeof(struct vtep_route), 1024, BPF_F_NO_PREALLOC);
	fds.prefixes6 = -1;
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	env.ms = ms;
	env.ports_map_fd = fds.ports;
	ck_assert_int_eq(ports_new(&env, &ps), 0);
}

static void teardown(void)
{
	ports_free(ps);
	mapsync_free(ms);
	close(fds.ports);
	close(fds.routes);
	close(fds.fdb);
	close(fds.routes6);
}

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	ck_assert_int_eq(addr_parse_ip(s, &a), 0);
	return a;
}

static struct cfg_port cport(const char *name, const char *a, const char *mac)
{
	struct cfg_port p;

	memset(&p, 0, sizeof(p));
	strcpy(p.ifname, name);
	p.vni = 100;
	p.ip = ip(a);
	if (mac)
		ck_assert_int_eq(addr_parse_mac(mac, p.mac), 0);
	else
		p.mac_auto = true;
	return p;
}

static struct netlink_link link_ev(const char *name, int ifindex, const char *kind, bool deleted)
{
	struct netlink_link l;

	memset(&l, 0, sizeof(l));
	strcpy(l.ifname, name);
	strcpy(l.kind, kind);
	l.ifindex = ifindex;
	l.type = ARPHRD_ETHER;
	l.up = true;
	l.deleted = deleted;
	l.link_netnsid = -1;
	l.has_mac = true;
	memcpy(l.mac, "\x02\xaa\xaa\xaa\xaa\xaa", 6); /* the host side's: never used */
	return l;
}

static bool in_ports_map(uint32_t ifindex, struct vtep_port *out)
{
	return !bpf_map_lookup_elem(fds.ports, &ifindex, out);
}

static bool has_route(const char *a, struct vtep_route *out)
{
	struct vtep_route_key k = { .vni = 100, .ip = ip(a) };

	return !bpf_map_lookup_elem(fds.routes, &k, out);
}

/* Configured before its interface exists; attached when it appears,
 * withdrawn (but kept) when it goes, back when it returns. */
START_TEST(test_appear_disappear)
{
	struct cfg_port cp = cport("w1", "10.1.0.11", "02:00:00:00:00:11");
	struct netlink_link l = link_ev("w1", 7, "veth", false);
	struct vtep_port vp;
	struct vtep_route r;
	const struct port *p;

	ck_assert_int_eq(ports_add(ps, &cp), 0);
	ck_assert_int_eq(ports_add(ps, &cp), -EEXIST);
	p = ports_find(ps, "w1");
	ck_assert_ptr_nonnull(p);
	ck_assert(!p->attached);
	ck_assert(!in_ports_map(7, &vp));

	ports_link_event(ps, &l);
	ck_assert(p->attached);
	ck_assert_int_eq(p->ifindex, 7);
	ck_assert(in_ports_map(7, &vp));
	ck_assert_str_eq(vp.ifname, "w1");
	ck_assert_uint_eq(vp.flags, 0);
	ck_assert(has_route("10.1.0.11", &r));
	ck_assert_uint_eq(r.ifindex, 7);
	ck_assert_ptr_eq(ports_by_ifindex(ps, 7), p);

	l.deleted = true;
	ports_link_event(ps, &l);
	ck_assert(!p->attached);
	ck_assert(!in_ports_map(7, &vp));
	ck_assert(!has_route("10.1.0.11", &r));
	ck_assert_ptr_null(ports_by_ifindex(ps, 7));
	ck_assert_ptr_eq(ports_find(ps, "w1"), p);

	l = link_ev("w1", 9, "veth", false);
	ports_link_event(ps, &l);
	ck_assert(p->attached);
	ck_assert(in_ports_map(9, &vp));
	ck_assert(has_route("10.1.0.11", &r));
	ck_assert_uint_eq(r.ifindex, 9);

	ck_assert_int_eq(ports_del(ps, "w1"), 0);
	ck_assert_int_eq(ports_del(ps, "w1"), -ENOENT);
	ck_assert(!in_ports_map(9, &vp));
	ck_assert(!has_route("10.1.0.11", &r));
	ck_assert_uint_eq(ports_count(ps), 0);
}
END_TEST

/* A veth whose host end gets a root qdisc of someone's (the CNI bandwidth
 * plugin's tbf) is flagged VTEP_PORT_F_SHAPED, at attach and on the link
 * re-read after a qdisc event; noop (a down device's placeholder) and
 * noqueue (a veth's default) are not; a tap never is. */
START_TEST(test_shaped_qdisc)
{
	struct cfg_port cp = cport("w1", "10.1.0.11", "02:00:00:00:00:11");
	struct cfg_port ct = cport("t1", "10.1.0.12", "02:00:00:00:00:12");
	struct netlink_link l = link_ev("w1", 7, "veth", false);
	struct netlink_link t = link_ev("t1", 8, "tun", false);
	struct vtep_port vp;

	ck_assert_int_eq(ports_add(ps, &cp), 0);
	ck_assert_int_eq(ports_add(ps, &ct), 0);
	strcpy(l.qdisc, "noop");
	ports_link_event(ps, &l);
	ck_assert(in_ports_map(7, &vp));
	ck_assert_uint_eq(vp.flags, 0);
	strcpy(l.qdisc, "tbf");
	ports_link_event(ps, &l);
	ck_assert(in_ports_map(7, &vp));
	ck_assert_uint_eq(vp.flags, VTEP_PORT_F_SHAPED);
	ck_assert(vp.flags & VTEP_PORT_F_EGRESS);
	strcpy(l.qdisc, "noqueue");
	ports_link_event(ps, &l);
	ck_assert(in_ports_map(7, &vp));
	ck_assert_uint_eq(vp.flags, 0);

	/* attached with the qdisc already there (a vtepd restart's dump) */
	ck_assert_int_eq(ports_del(ps, "w1"), 0);
	ck_assert_int_eq(ports_add(ps, &cp), 0);
	strcpy(l.qdisc, "tbf");
	ports_link_event(ps, &l);
	ck_assert(in_ports_map(7, &vp));
	ck_assert_uint_eq(vp.flags, VTEP_PORT_F_SHAPED);

	strcpy(t.qdisc, "pfifo_fast");
	ports_link_event(ps, &t);
	ck_assert(in_ports_map(8, &vp));
	ck_assert_uint_eq(vp.flags, VTEP_PORT_F_TAP);
}
END_TEST

static bool rate_of(int rfd, uint32_t ifindex, struct vtep_port_rate *out)
{
	return !bpf_map_lookup_elem(rfd, &ifindex, out);
}

/* A pod's egress limit (cfg.egress_rate) in vtep_port_rates: written at
 * attach (the burst's default and minimum from lib/portrate.h), gone when
 * the interface goes and when the port is deleted; a bucket a previous
 * run left with the same limit is kept as it is (a restart does not
 * refill it), another limit's is rewritten full; a port without a limit
 * clears what its ifindex had; prune removes what no port owns. */
START_TEST(test_egress_rate)
{
	int rfd = mt_mkmap(BPF_MAP_TYPE_HASH, "vtep_port_rates", 4, sizeof(struct vtep_port_rate),
			   64, 0);
	struct cfg_port cp = cport("w1", "10.1.0.11", "02:00:00:00:00:11");
	struct cfg_port c2 = cport("w2", "10.1.0.12", "02:00:00:00:00:12");
	struct netlink_link l = link_ev("w1", 7, "veth", false);
	struct netlink_link l2 = link_ev("w2", 8, "veth", false);
	struct vtep_port_rate v, stale;
	uint32_t key;
	size_t removed;

	ports_set_rates_map(ps, rfd);
	cp.egress_rate = 10000000;      /* 10 Mbit/s: 100 ms is 125000 bytes, below the minimum */
	ck_assert_int_eq(ports_add(ps, &cp), 0);
	ck_assert(!rate_of(rfd, 7, &v));
	ports_link_event(ps, &l);
	ck_assert(rate_of(rfd, 7, &v));
	ck_assert_uint_eq(v.rate, 10000000);
	{
		/* the port entry says so: the program looks the bucket up */
		struct vtep_port vp;

		ck_assert(in_ports_map(7, &vp));
		ck_assert(vp.flags & VTEP_PORT_F_POLICED);
	}
	ck_assert_uint_eq(v.burst, PORTRATE_MIN_BURST);
	ck_assert_uint_eq(v.burst_ns, PORTRATE_MIN_BURST * 8 * 100);   /* 1e9 / 1e7 ns a bit */
	ck_assert_uint_eq(v.tokens_ns, v.burst_ns);

	/* the datapath spent the bucket; the same limit again keeps it */
	v.tokens_ns = 5;
	v.last_ns = 1234;
	key = 7;
	ck_assert_int_eq(bpf_map_update_elem(rfd, &key, &v, BPF_ANY), 0);
	ck_assert_int_eq(ports_del(ps, "w1"), 0);
	ck_assert(!rate_of(rfd, 7, &v));
	ck_assert_int_eq(bpf_map_update_elem(rfd, &key, &(struct vtep_port_rate){
		.rate = 10000000, .burst = PORTRATE_MIN_BURST,
		.burst_ns = PORTRATE_MIN_BURST * 800, .tokens_ns = 5, .last_ns = 1234 }, BPF_ANY), 0);
	ck_assert_int_eq(ports_add(ps, &cp), 0);
	ports_link_event(ps, &l);
	ck_assert(rate_of(rfd, 7, &v));
	ck_assert_uint_eq(v.tokens_ns, 5);
	ck_assert_uint_eq(v.last_ns, 1234);
	/* another limit (an explicit burst): rewritten, full */
	ck_assert_int_eq(ports_del(ps, "w1"), 0);
	cp.egress_burst = 8ULL * 1000000;
	ck_assert_int_eq(bpf_map_update_elem(rfd, &key, &(struct vtep_port_rate){
		.rate = 10000000, .burst = PORTRATE_MIN_BURST, .tokens_ns = 5 }, BPF_ANY), 0);
	ck_assert_int_eq(ports_add(ps, &cp), 0);
	ports_link_event(ps, &l);
	ck_assert(rate_of(rfd, 7, &v));
	ck_assert_uint_eq(v.burst, 1000000);
	ck_assert_uint_eq(v.tokens_ns, 800000000ULL);

	/* the interface goes: so does the limit; it comes back with it */
	l.deleted = true;
	ports_link_event(ps, &l);
	ck_assert(!rate_of(rfd, 7, &v));
	l = link_ev("w1", 9, "veth", false);
	ports_link_event(ps, &l);
	ck_assert(rate_of(rfd, 9, &v));

	/* a port without a limit on an ifindex with a leftover entry */
	key = 8;
	ck_assert_int_eq(bpf_map_update_elem(rfd, &key, &v, BPF_ANY), 0);
	ck_assert_int_eq(ports_add(ps, &c2), 0);
	ports_link_event(ps, &l2);
	ck_assert(!rate_of(rfd, 8, &stale));
	{
		struct vtep_port vp;

		ck_assert(in_ports_map(8, &vp));
		ck_assert(!(vp.flags & VTEP_PORT_F_POLICED));
	}

	/* prune: entries no attached port with a limit owns */
	key = 99;
	ck_assert_int_eq(bpf_map_update_elem(rfd, &key, &v, BPF_ANY), 0);
	key = 8;
	ck_assert_int_eq(bpf_map_update_elem(rfd, &key, &v, BPF_ANY), 0);
	ck_assert_int_eq(ports_rates_prune(ps, &removed), 0);
	ck_assert_uint_eq(removed, 2);
	ck_assert(rate_of(rfd, 9, &v));
	ck_assert(!rate_of(rfd, 99, &v));
	ck_assert(!rate_of(rfd, 8, &v));
	ck_assert_int_eq(ports_del(ps, "w1"), 0);
	ck_assert(!rate_of(rfd, 9, &v));
	ports_set_rates_map(ps, -1);
	close(rfd);
}
END_TEST

/* A rename away from the port's name withdraws it; other interfaces are
 * ignored. */
START_TEST(test_rename_and_strangers)
{
	struct cfg_port cp = cport("w2", "10.1.0.12", "02:00:00:00:00:12");
	struct netlink_link l = link_ev("w2", 5, "veth", false);
	struct netlink_link other = link_ev("eth9", 6, "veth", false);
	struct vtep_port vp;

	ck_assert_int_eq(ports_add(ps, &cp), 0);
	ports_link_event(ps, &other);
	ck_assert(!in_ports_map(6, &vp));
	ports_link_event(ps, &l);
	ck_assert(in_ports_map(5, &vp));
	strcpy(l.ifname, "w2-old");
	ports_link_event(ps, &l);
	ck_assert(!in_ports_map(5, &vp));
	ck_assert(!ports_find(ps, "w2")->attached);
}
END_TEST

/* A tap with an auto MAC has only its port entry (flags MAC_AUTO|TAP) until
 * the learn event; events for other IPs or ports, or multicast MACs, are
 * ignored; the learned MAC is then fixed. Never the host side's MAC. */
START_TEST(test_tap_mac_learn)
{
	struct cfg_port cp = cport("t1", "10.1.0.31", NULL);
	struct netlink_link l = link_ev("t1", 4, "tun", false);
	const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x31 }, other[6] = { 2, 0, 0, 0, 0, 0x99 };
	const uint8_t mcast[6] = { 1, 0, 0x5e, 0, 0, 1 };
	struct vtep_port vp;
	struct vtep_route r;
	const struct port *p;

	ck_assert_int_eq(ports_add(ps, &cp), 0);
	ports_link_event(ps, &l);
	p = ports_find(ps, "t1");
	ck_assert(p->attached && p->tap && !p->mac_known);
	ck_assert(in_ports_map(4, &vp));
	ck_assert_uint_eq(vp.flags, VTEP_PORT_F_MAC_AUTO | VTEP_PORT_F_TAP);
	ck_assert(addr_mac_is_zero(vp.mac));
	ck_assert(!has_route("10.1.0.31", &r));

	ports_mac_learned(ps, 4, ip("10.1.0.32"), mac);  /* not its IP */
	ports_mac_learned(ps, 5, ip("10.1.0.31"), mac);  /* not its port */
	ports_mac_learned(ps, 4, ip("10.1.0.31"), mcast);
	ck_assert(!p->mac_known);
	ports_mac_learned(ps, 4, ip("10.1.0.31"), mac);
	ck_assert(p->mac_known);
	ck_assert(in_ports_map(4, &vp));
	ck_assert_mem_eq(vp.mac, mac, 6);
	ck_assert(has_route("10.1.0.31", &r));
	ck_assert_mem_eq(r.mac, mac, 6);
	ports_mac_learned(ps, 4, ip("10.1.0.31"), other); /* fixed once learned */
	ck_assert_mem_eq(p->mac, mac, 6);
}
END_TEST

/* After a restart the learned MAC of the same port is adopted from the
 * pinned map, so the workload's routes never disappear. A map entry for a
 * different IP is not adopted. */
START_TEST(test_adopt_learned_mac)
{
	struct cfg_port cp = cport("t2", "10.1.0.41", NULL), cq = cport("t3", "10.1.0.42", NULL);
	struct netlink_link l = link_ev("t2", 11, "tun", false);
	struct netlink_link lq = link_ev("t3", 12, "tun", false);
	struct vtep_port prev = { .vni = 100, .ip = ip("10.1.0.41"), .mac = { 2, 0, 0, 0, 0, 0x41 },
				  .flags = VTEP_PORT_F_MAC_AUTO | VTEP_PORT_F_TAP, .ifname = "t2" };
	struct vtep_port wrong = { .vni = 100, .ip = ip("10.9.9.9"), .mac = { 2, 0, 0, 0, 0, 0x42 },
				   .ifname = "t3" };
	uint32_t k = 11, kq = 12;
	struct vtep_route r;

	ck_assert_int_eq(bpf_map_update_elem(fds.ports, &k, &prev, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.ports, &kq, &wrong, 0), 0);
	ck_assert_int_eq(ports_add(ps, &cp), 0);
	ck_assert_int_eq(ports_add(ps, &cq), 0);
	ports_link_event(ps, &l);
	ports_link_event(ps, &lq);
	ck_assert(ports_find(ps, "t2")->mac_known);
	ck_assert(has_route("10.1.0.41", &r));
	ck_assert_mem_eq(r.mac, prev.mac, 6);
	ck_assert(!ports_find(ps, "t3")->mac_known);
}
END_TEST

/* ---- IPv6 ------------------------------------------------------------------------ */

static void ip6(const char *s6, uint8_t out[16])
{
	ck_assert_int_eq(inet_pton(AF_INET6, s6, out), 1);
}

static bool has_route6(const char *a, struct vtep_route *out)
{
	struct vtep_route6_key k;

	memset(&k, 0, sizeof(k));
	k.vni = 100;
	ip6(a, k.ip);
	return !bpf_map_lookup_elem(fds.routes6, &k, out);
}

/* A dual-stack port: vtep_ports has ip6 and the EUI-64 link-local address
 * of the workload's MAC (RFC 4291 2.5.1), vtep_routes6 its /128; a
 * configured ip6_ll is kept as it is. */
START_TEST(test_dual_stack_port)
{
	struct cfg_port cp = cport("w6", "10.1.0.61", "02:00:00:00:00:61");
	struct cfg_port cq = cport("w7", "10.1.0.62", "02:00:00:00:00:62");
	struct netlink_link l = link_ev("w6", 21, "veth", false), lq = link_ev("w7", 22, "veth", false);
	struct vtep_port vp;
	struct vtep_route r;
	uint8_t want[16];

	ip6("2001:db8:100::61", cp.ip6);
	ip6("2001:db8:100::62", cq.ip6);
	ip6("fe80::62", cq.ip6_ll);
	ck_assert_int_eq(ports_add(ps, &cp), 0);
	ck_assert_int_eq(ports_add(ps, &cq), 0);
	ports_link_event(ps, &l);
	ports_link_event(ps, &lq);
	ck_assert(in_ports_map(21, &vp));
	ck_assert_mem_eq(vp.ip6, cp.ip6, 16);
	ip6("fe80::ff:fe00:61", want);
	ck_assert_mem_eq(vp.ip6_ll, want, 16);
	ck_assert(has_route6("2001:db8:100::61", &r));
	ck_assert_uint_eq(r.ifindex, 21);
	ck_assert_uint_eq(r.source, VTEP_SRC_LOCAL);
	ck_assert(has_route("10.1.0.61", &r));
	ck_assert(in_ports_map(22, &vp));
	ck_assert_mem_eq(vp.ip6_ll, cq.ip6_ll, 16);
	ck_assert_int_eq(ports_del(ps, "w6"), 0);
	ck_assert(!has_route6("2001:db8:100::61", &r));
	ck_assert(has_route6("2001:db8:100::62", &r));
}
END_TEST

/* An IPv6-only tap with an auto MAC: no IPv4 route, no link-local address
 * until the MAC is known; the learn event from its ip6 (family 6) fixes
 * it, one from another address (its would-be link-local one) does not. */
START_TEST(test_ipv6_only_mac_learn6)
{
	struct cfg_port cp = cport("t6", "10.1.0.1", NULL);
	struct netlink_link l = link_ev("t6", 23, "tun", false);
	const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x63 };
	struct vtep_port vp;
	struct vtep_route r;
	uint8_t a[16], want[16];
	const struct port *p;

	cp.ip = 0;
	ip6("2001:db8:100::63", cp.ip6);
	ck_assert_int_eq(ports_add(ps, &cp), 0);
	ports_link_event(ps, &l);
	p = ports_find(ps, "t6");
	ck_assert(p->attached && !p->mac_known);
	ck_assert(in_ports_map(23, &vp));
	ck_assert_uint_eq(vp.ip, 0);
	ck_assert_mem_eq(vp.ip6, cp.ip6, 16);
	ck_assert(addr_mac_is_zero(vp.mac) && vp.ip6_ll[0] == 0);
	ck_assert(!has_route6("2001:db8:100::63", &r));
	ip6("fe80::ff:fe00:63", a);
	ports_mac_learned6(ps, 23, a, mac);               /* not its ip6 */
	ports_mac_learned(ps, 23, 0, mac);                /* it has no IPv4 */
	ck_assert(!p->mac_known);
	ip6("2001:db8:100::63", a);
	ports_mac_learned6(ps, 24, a, mac);               /* not its port */
	ck_assert(!p->mac_known);
	ports_mac_learned6(ps, 23, a, mac);
	ck_assert(p->mac_known);
	ck_assert(in_ports_map(23, &vp));
	ck_assert_mem_eq(vp.mac, mac, 6);
	ip6("fe80::ff:fe00:63", want);
	ck_assert_mem_eq(vp.ip6_ll, want, 16);
	ck_assert(has_route6("2001:db8:100::63", &r));
	ck_assert_mem_eq(r.mac, mac, 6);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("ports");
	TCase *tc = tcase_create("events");

	log_level = LOG_LVL_ERR;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_appear_disappear);
	tcase_add_test(tc, test_rename_and_strangers);
	tcase_add_test(tc, test_shaped_qdisc);
	tcase_add_test(tc, test_egress_rate);
	tcase_add_test(tc, test_tap_mac_learn);
	tcase_add_test(tc, test_adopt_learned_mac);
	tcase_add_test(tc, test_dual_stack_port);
	tcase_add_test(tc, test_ipv6_only_mac_learn6);
	suite_add_tcase(s, tc);
	return s;
}
