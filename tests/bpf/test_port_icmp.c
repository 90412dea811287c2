/* test_port_icmp.c - vtep_port_ingress (bpf/port_tc.bpf.c) as the VNI's
 * gateway: an echo request answered by the program (checksums verified
 * independently, a fresh TTL), a truncated one dropped, and everything
 * else for the gateway address dropped: other ICMP, UDP, options,
 * fragments. Frag-needed is in test_port_mtu.c.
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

static void in_frag_last_gw(struct pkt *p) { frag_frame(p, "10.1.255.254", 100, 0); }
static void in_udp_gw(struct pkt *p) { udp_w1(p, "10.1.255.254"); }

static void in_icmp_unreach_gw(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.255.254"),
				      .proto = IPPROTO_ICMP });
	pkt_icmp(p, 3, 3, 0);
	ck_assert_int_eq(pkt_finish(p), 0);
}

static void in_echo_gw(struct pkt *p)
{
	icmp_echo_frame(p, MAC_GW, MAC_W1, "10.1.0.11", "10.1.255.254", 8, 63);
}

static void want_echo_gw(struct pkt *p)
{
	icmp_echo_frame(p, MAC_W1, MAC_GW, "10.1.255.254", "10.1.0.11", 0, 64);
}

static void in_echo_gw_short(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.255.254"),
				      .proto = IPPROTO_ICMP });
	pkt_put(p, "\x08\x00\x00", 3);
	ck_assert_int_eq(pkt_finish(p), 0);
}

static const struct port_case cases[] = {
	/* the gateway */
	{ "echo to gateway", in_echo_gw, want_echo_gw, TC_ACT_REDIRECT, CTR1(icmp_echo_reply), NULL },
	{ "echo to gateway short", in_echo_gw_short, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "icmp unreach to gateway", in_icmp_unreach_gw, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "udp to gateway", in_udp_gw, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "options to gateway", in_opts_gw, NULL, TC_ACT_SHOT, CTR1(drop_ip_options), NULL },
	{ "first fragment to gateway", in_frag_first_gw, NULL, TC_ACT_SHOT, CTR1(drop_frag), NULL },
	{ "last fragment to gateway", in_frag_last_gw, NULL, TC_ACT_SHOT, CTR1(drop_frag), NULL },
};

START_TEST(test_table)
{
	port_case_run(&cases[_i]);
}
END_TEST

START_TEST(test_echo_checksums)
{
	struct harness_result r;
	struct pkt in;

	in_echo_gw(&in);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, in.len);
	ck_assert(pkt_ipv4_csum_ok(r.out + 14));
	ck_assert(pkt_l4_csum_ok(r.out + 14, r.out_len - 14));
	ck_assert_uint_eq(r.out[14 + 20], 0);       /* echo reply */
	ck_assert_uint_eq(r.out[14 + 8], 64);       /* fresh TTL */
	ck_assert_mem_eq(r.out + 14 + 20 + 4, in.buf + 14 + 20 + 4, 4 + 56); /* id, seq, data */
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_icmp");
	TCase *tc = port_tcase("port");

	tcase_add_loop_test(tc, test_table, 0, PORT_CASES(cases));
	tcase_add_test(tc, test_echo_checksums);
	suite_add_tcase(s, tc);
	return s;
}
