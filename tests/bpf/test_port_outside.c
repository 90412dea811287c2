/* test_port_outside.c - vtep_port_ingress (bpf/port_tc.bpf.c) for what is
 * outside the VNI and for the host's own path into it (bpf/outside.h,
 * bpf/ctsteer.h; docs/kubernetes.md):
 *   - outside "drop" (the default) drops; outside "host" passes to the host
 *     what matches nothing and lies outside the subnet (fwd_outside), also
 *     with no route at all (the host answers), but never an unknown
 *     address inside the subnet, nor what the host's FIB would send into
 *     another VNI's port (drop_outside_vni);
 *   - a host link's datapath end takes from the host its own address, the
 *     VNI's sources (forwarded after a DNAT) and the host's addresses, and
 *     nothing else (drop_hostlink_src); it never sends outside back up;
 *   - a local delivery of a flow the host's conntrack holds NATed goes up
 *     to the host instead (ct_nat_host); a tracked flow without NAT, or
 *     any flow in a VNI with outside "drop", is delivered directly.
 * Conntrack entries are made with conntrack(8) in the test's namespace.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "port_fixture.h"

static void prep_outside_host_no_default(void)
{
	prep_outside_host();
	prep_no_default_route();
}

/* VNI 200's host link on this host: its host end ta-w3 holds the route
 * to 10.2.0.0/16 (vtep_hostlinks' VTEP_HOSTLINK_IF key names it). */
static void prep_other_vni_hostlink(void)
{
	struct vtep_hostlink hl = { .ifindex = 4242, .ip = IP("10.2.1.1") };
	uint32_t key;
	int if_w3;

	prep_outside_host();
	if_w3 = harness_veth(&h, "ta-w3", "ta-w3p");
	ck_assert_int_gt(if_w3, 0);
	key = VTEP_HOSTLINK_IF | (uint32_t)if_w3;
	ck_assert_int_eq(harness_map_update(&h, HM_HOSTLINKS, &key, &hl), 0);
	ck_assert_int_eq(harness_sh("ip route add 10.2.0.0/16 via 10.2.255.254 dev ta-w3 onlink"), 0);
}

static void in_other_vni_remote(struct pkt *p) { udp_w1(p, "10.2.2.10"); }
static void in_outside(struct pkt *p) { udp_w1(p, "8.8.8.8"); }
static void in_other_vni(struct pkt *p) { udp_w1(p, "10.2.0.13"); }
/* Frames the host sends into its link (source MAC: the host end's). */
static void in_hl_pod_src(struct pkt *p) { udp_frame(p, MAC_GW, MAC_W1, "10.1.0.50", "10.1.0.12", 1, 32); }
static void want_hl_pod_src(struct pkt *p) { udp_frame(p, MAC_W2, MAC_W1, "10.1.0.50", "10.1.0.12", 1, 32); }
static void in_hl_host_src(struct pkt *p) { udp_frame(p, MAC_GW, MAC_W1, "198.51.100.1", "10.1.0.12", 1, 32); }
static void want_hl_host_src(struct pkt *p) { udp_frame(p, MAC_W2, MAC_W1, "198.51.100.1", "10.1.0.12", 1, 32); }
static void in_hl_other_vni(struct pkt *p) { udp_frame(p, MAC_GW, MAC_W1, "10.2.0.13", "10.1.0.12", 1, 32); }
static void in_hl_world(struct pkt *p) { udp_frame(p, MAC_GW, MAC_W1, "8.8.8.8", "10.1.0.12", 1, 32); }

static const struct port_case cases[] = {
	{ "outside drop: 8.8.8.8", in_outside, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "outside host: 8.8.8.8 to the host", in_outside, NULL, TC_ACT_OK, CTR1(fwd_outside), prep_outside_host },
	{ "outside host, no route at all: the host answers", in_outside, NULL, TC_ACT_OK, CTR1(fwd_outside), prep_outside_host_no_default },
	{ "outside host, unknown address inside the subnet", in_no_route, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_outside_host },
	{ "outside host: the host would route it into VNI 200's port", in_other_vni, NULL, TC_ACT_SHOT, CTR1(drop_outside_vni), prep_other_vni_port },
	{ "outside host: the host would route it into VNI 200's host link", in_other_vni_remote, NULL, TC_ACT_SHOT, CTR1(drop_outside_vni), prep_other_vni_hostlink },
	{ "host link: a pod's source (after DNAT) is forwarded", in_hl_pod_src, want_hl_pod_src, TC_ACT_REDIRECT, CTR1(fwd_local), prep_hostlink },
	{ "host link: a host address as source is forwarded", in_hl_host_src, want_hl_host_src, TC_ACT_REDIRECT, CTR1(fwd_local), prep_hostlink },
	{ "host link: another VNI's source is dropped", in_hl_other_vni, NULL, TC_ACT_SHOT, CTR1(drop_hostlink_src), prep_hostlink },
	{ "host link: a source outside every VNI is dropped", in_hl_world, NULL, TC_ACT_SHOT, CTR1(drop_hostlink_src), prep_hostlink },
	{ "host link: outside the VNI never goes back up", in_outside, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_hostlink },
};

START_TEST(test_table)
{
	port_case_run(&cases[_i]);
}
END_TEST

/* ---- conntrack: replies of NATed flows ---------------------------------- */

/* The reply w2 (10.1.0.12:2000) sends to w1 (10.1.0.11:1000). */
static void reply_w2(struct pkt *p)
{
	udp_frame(p, MAC_GW, MAC_W2, "10.1.0.12", "10.1.0.11", 1, 32);
	/* udp_frame writes ports 1000 -> 2000: swap them. */
	p->buf[34] = 2000 >> 8; p->buf[35] = 2000 & 0xff;
	p->buf[36] = 1000 >> 8; p->buf[37] = 1000 & 0xff;
}

/* w1 asked 10.96.0.10:2000 (a ClusterIP); the host DNATed it to w2. */
static void ct_dnat(void)
{
	ck_assert_int_eq(harness_sh("conntrack -I -p udp -s 10.1.0.11 -d 10.96.0.10 --sport 1000 "
				    "--dport 2000 --dst-nat 10.1.0.12:2000 -t 60 >/dev/null 2>&1"), 0);
}

/* The same flow tracked without NAT (the host only forwarded it). */
static void ct_plain(void)
{
	ck_assert_int_eq(harness_sh("conntrack -I -p udp -s 10.1.0.11 -d 10.1.0.12 --sport 1000 "
				    "--dport 2000 -t 60 >/dev/null 2>&1"), 0);
}

static void run_w2_reply(uint32_t want_verdict, size_t ctr)
{
	struct harness_result r;
	struct pkt in;

	reply_w2(&in);
	ck_assert_int_eq(harness_run_tc(prog_fd, if_w2, in.buf, in.len, &r), 0);
	ck_assert_int_eq(r.retval, want_verdict);
	expect_counters(&ctr, 1);
}

START_TEST(test_ct_nat_reply_goes_up)
{
	prep_outside_host();
	ct_dnat();
	run_w2_reply(TC_ACT_OK, C(ct_nat_host));
}
END_TEST

START_TEST(test_ct_plain_flow_delivered)
{
	prep_outside_host();
	ct_plain();
	run_w2_reply(TC_ACT_REDIRECT, C(fwd_local));
}
END_TEST

START_TEST(test_ct_untracked_delivered)
{
	prep_outside_host();
	run_w2_reply(TC_ACT_REDIRECT, C(fwd_local));
}
END_TEST

START_TEST(test_ct_outside_drop_never_looks)
{
	ct_dnat();
	run_w2_reply(TC_ACT_REDIRECT, C(fwd_local));
}
END_TEST

/* The host link's packets came from the host (which NATed them): never
 * sent back, or they would loop. */
START_TEST(test_ct_hostlink_not_sent_back)
{
	struct harness_result r;
	struct pkt in;
	size_t ctr = C(fwd_local);

	prep_hostlink();
	ck_assert_int_eq(harness_sh("conntrack -I -p udp -s 10.1.0.50 -d 10.96.0.10 --sport 1000 "
				    "--dport 2000 --dst-nat 10.1.0.12:2000 -t 60 >/dev/null 2>&1"), 0);
	udp_frame(&in, MAC_GW, MAC_W1, "10.1.0.50", "10.1.0.12", 1, 32);
	ck_assert_int_eq(harness_run_tc(prog_fd, if_w1, in.buf, in.len, &r), 0);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	expect_counters(&ctr, 1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_outside");
	TCase *tc = port_tcase("port");

	tcase_add_loop_test(tc, test_table, 0, PORT_CASES(cases));
	tcase_add_test(tc, test_ct_nat_reply_goes_up);
	tcase_add_test(tc, test_ct_plain_flow_delivered);
	tcase_add_test(tc, test_ct_untracked_delivered);
	tcase_add_test(tc, test_ct_outside_drop_never_looks);
	tcase_add_test(tc, test_ct_hostlink_not_sent_back);
	suite_add_tcase(s, tc);
	return s;
}
