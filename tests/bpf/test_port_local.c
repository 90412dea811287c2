/* test_port_local.c - vtep_port_ingress (bpf/port_tc.bpf.c) forwarding
 * without encapsulation: to another workload of this host (veth or tap,
 * with options or as a fragment), up to the host for the host's own
 * addresses (vtep_hostaddrs decides, not the FIB), and the drops when no
 * route exists (stale local route, unknown address, outside the VNI, no
 * default route).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "port_fixture.h"

static void want_udp_local(struct pkt *p)
{
	udp_frame(p, MAC_W2, MAC_W1, "10.1.0.11", "10.1.0.12", 1, 32);
}

static void in_opts_local(struct pkt *p) { opt_frame(p, MAC_GW, "10.1.0.12", 0); }
static void want_opts_local(struct pkt *p) { opt_frame(p, MAC_W2, "10.1.0.12", 0); }
static void in_frag_local(struct pkt *p) { frag_frame(p, "10.1.0.12", 100, 0); }

static void want_frag_local(struct pkt *p)
{
	frag_frame(p, "10.1.0.12", 100, 0);
	memcpy(p->buf, MAC_W2, 6);
}

static void in_host(struct pkt *p) { udp_w1(p, "192.0.2.1"); }
static void in_outside(struct pkt *p) { udp_w1(p, "8.8.8.8"); }

static void prep_w2_tap(void)
{
	struct vtep_port p2 = { .vni = VNI, .flags = VTEP_PORT_F_TAP };

	p2.ip = IP("10.1.0.12");
	memcpy(p2.mac, MAC_W2, 6);
	ck_assert_int_eq(harness_port_add(&h, if_w2, &p2), 0);
}

/* w2 a veth whose host end has a root qdisc (VTEP_PORT_F_SHAPED): the
 * frame is still delivered, the same bytes (BPF_PROG_TEST_RUN runs no
 * redirect, so which one, egress or peer, is shown by tests/net/
 * cni_bandwidth.sh's qdisc counters). */
static void prep_w2_shaped(void)
{
	struct vtep_port p2 = { .vni = VNI, .flags = VTEP_PORT_F_SHAPED | VTEP_PORT_F_POD };

	p2.ip = IP("10.1.0.12");
	memcpy(p2.mac, MAC_W2, 6);
	ck_assert_int_eq(harness_port_add(&h, if_w2, &p2), 0);
}

static void prep_stale_local(void)
{
	uint32_t k = if_w2;

	ck_assert_int_eq(harness_map_delete(&h, HM_PORTS, &k), 0);
}

/* An address vtepd has not listed (e.g. removed since) is not the host's,
 * whatever the FIB says. */
static void prep_hostaddr_unlisted(void)
{
	uint32_t ip = IP("192.0.2.1");

	ck_assert_int_eq(harness_map_delete(&h, HM_HOSTADDRS, &ip), 0);
}

/* A listed address is the host's, whatever the FIB says (here: a route
 * "unreachable 203.0.113.0/24"). */
static void prep_hostaddr_listed(void)
{
	ck_assert_int_eq(harness_hostaddr_add(&h, IP("203.0.113.77"), 1), 0);
}

static void in_host_listed(struct pkt *p) { udp_w1(p, "203.0.113.77"); }
static void in_host_uplink(struct pkt *p) { udp_w1(p, "198.51.100.1"); }

static const struct port_case cases[] = {
	/* forwarding */
	{ "local delivery", in_udp_local, want_udp_local, TC_ACT_REDIRECT, CTR1(fwd_local), NULL },
	{ "local delivery tap", in_udp_local, want_udp_local, TC_ACT_REDIRECT, CTR1(fwd_local), prep_w2_tap },
	{ "local delivery shaped veth", in_udp_local, want_udp_local, TC_ACT_REDIRECT, CTR1(fwd_local), prep_w2_shaped },
	{ "local options", in_opts_local, want_opts_local, TC_ACT_REDIRECT, CTR1(fwd_local), NULL },
	{ "local fragment", in_frag_local, want_frag_local, TC_ACT_REDIRECT, CTR1(fwd_local), NULL },
	{ "stale local route", in_udp_local, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_stale_local },
	{ "no route", in_no_route, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "outside the vni", in_outside, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "host address", in_host, NULL, TC_ACT_OK, CTR1(fwd_host), NULL },
	{ "host uplink address", in_host_uplink, NULL, TC_ACT_OK, CTR1(fwd_host), NULL },
	{ "host address, no default route", in_host, NULL, TC_ACT_OK, CTR1(fwd_host), prep_no_default_route },
	{ "no route at all (no default route)", in_outside, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_no_default_route },
	{ "no route in the vni, no default route", in_no_route, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_no_default_route },
	{ "host address not in vtep_hostaddrs", in_host, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_hostaddr_unlisted },
	{ "address in vtep_hostaddrs, FIB unreachable", in_host_listed, NULL, TC_ACT_OK, CTR1(fwd_host), prep_hostaddr_listed },
};

START_TEST(test_table)
{
	port_case_run(&cases[_i]);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_local");
	TCase *tc = port_tcase("port");

	tcase_add_loop_test(tc, test_table, 0, PORT_CASES(cases));
	suite_add_tcase(s, tc);
	return s;
}
