/* uplink_ctsteer.c - test_uplink's cases for the replies of flows the host
 * NATed (bpf/ctsteer.h): in a VNI with outside "host" and a host link, a
 * decapsulated frame whose 5-tuple the host's conntrack holds with a NAT
 * binding goes to the host link's datapath end (redirected to its egress,
 * addressed to the host end's MAC) instead of the workload; a tracked flow
 * without NAT, an untracked one, or a VNI without a host link is delivered
 * to the workload as always.
 *
 * The inner frame of b_gw() is UDP 10.1.0.21:1000 -> 10.1.0.11:2000: the
 * reply to W1's 10.1.0.11:2000 -> 10.96.0.10:1000 (a ClusterIP) that the
 * host DNATed to the remote 10.1.0.21:1000. Entries are made with
 * conntrack(8) in the test's namespace.
 */
#include <check.h>
#include <string.h>
#include <bpf/bpf.h>

#include "uplink_fixture.h"

#define HL      "tu-hl"
#define HL_PEER "tu-hlp"
#define HL_MAC  PKT_MAC(0x02, 0, 0, 0, 0x48, 0x4c)

static int if_hl;

/* VNI 100 with outside "host" and its host link tu-hl (host_ip 10.1.0.1). */
static void hostlink(void)
{
	struct vtep_port port = { .vni = 100, .flags = VTEP_PORT_F_HOSTLINK };
	struct vtep_hostlink hl;
	struct vtep_vni v;
	uint32_t vni = 100;

	if_hl = harness_veth(&h, HL, HL_PEER);
	ck_assert_int_gt(if_hl, 0);
	port.ip = pkt_ip("10.1.0.1");
	memcpy(port.mac, HL_MAC, 6);
	snprintf(port.ifname, sizeof(port.ifname), "%s", HL);
	ck_assert_int_eq(harness_port_add(&h, (uint32_t)if_hl, &port), 0);
	hl = (struct vtep_hostlink){ .ifindex = (uint32_t)if_hl, .ip = port.ip };
	ck_assert_int_eq(harness_map_update(&h, HM_HOSTLINKS, &vni, &hl), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_VNIS], &vni, &v), 0);
	v.flags |= VTEP_VNI_F_OUTSIDE_HOST;
	ck_assert_int_eq(harness_vni_add(&h, 100, &v), 0);
}

static void ct_insert(int nat)
{
	ck_assert_int_eq(harness_sh("conntrack -I -p udp -s %s -d %s --sport 2000 --dport 1000 "
				    "%s -t 60 >/dev/null 2>&1", W1_IP,
				    nat ? "10.96.0.10" : R_IP,
				    nat ? "--dst-nat " R_IP ":1000" : ""), 0);
}

/* Runs b_gw() through vtep_uplink_tc; the verdict must be a redirect and
 * the frame the inner one with destination MAC dst. */
static void run_expect(const uint8_t *dst, size_t steered)
{
	struct harness_result r;
	struct pkt p;
	size_t off;

	pkt_init(&p);
	b_gw(&p);
	ck_assert_int_eq(pkt_finish(&p), 0);
	run_tc(p.buf, p.len, &r);
	ck_assert_uint_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_gt(r.out_len, 14);
	ck_assert_uint_lt(r.out_len, p.len);
	off = p.len - r.out_len; /* the outer headers stripped */
	ck_assert_mem_eq(r.out, dst, 6);
	ck_assert_mem_eq(r.out + 6, p.buf + off + 6, r.out_len - 6);
	ck_assert_uint_eq(harness_stat(&h, decap_deliver), 1);
	ck_assert_uint_eq(harness_stat(&h, ct_nat_host), steered);
}

START_TEST(test_nat_reply_to_hostlink)
{
	hostlink();
	ct_insert(1);
	run_expect(HL_MAC, 1);
}
END_TEST

START_TEST(test_plain_flow_to_workload)
{
	hostlink();
	ct_insert(0);
	run_expect(W1_MAC, 0);
}
END_TEST

START_TEST(test_untracked_to_workload)
{
	hostlink();
	run_expect(W1_MAC, 0);
}
END_TEST

/* outside "drop" (no host link): nothing is looked up. */
START_TEST(test_no_hostlink_to_workload)
{
	ct_insert(1);
	run_expect(W1_MAC, 0);
}
END_TEST

void uplink_ctsteer_add(Suite *s, bool xdp)
{
	TCase *tc = uplink_tcase("ctsteer-tc", UPLINK_TC);

	(void)xdp; /* the TC half steers in both modes; tc mode is run here */
	tcase_add_test(tc, test_nat_reply_to_hostlink);
	tcase_add_test(tc, test_plain_flow_to_workload);
	tcase_add_test(tc, test_untracked_to_workload);
	tcase_add_test(tc, test_no_hostlink_to_workload);
	suite_add_tcase(s, tc);
}
