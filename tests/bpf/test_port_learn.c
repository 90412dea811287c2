/* test_port_learn.c - what vtep_port_ingress (bpf/port_tc.bpf.c) tells
 * vtepd through the ring buffer: a gratuitous ARP (request or reply) from a
 * workload, for MAC mobility, and the MAC of a port in "mac: auto" learned
 * from its first ARP or IPv4 frame (a frame from another IP names none).
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

static void garp(int op)
{
	struct vtep_event ev[4];
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(arp_garp) };

	arp_frame(&in, PKT_MAC_BCAST, MAC_W1, op, MAC_W1, "10.1.0.11",
		  op == 1 ? PKT_MAC_ZERO : PKT_MAC_BCAST, "10.1.0.11");
	ck_assert_int_eq(harness_events(&h, ev, 4), 0);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_counters(ctr, 1);
	ck_assert_int_eq(harness_events(&h, ev, 4), 1);
	ck_assert_uint_eq(ev[0].type, VTEP_EV_GARP);
	ck_assert_uint_eq(ev[0].ifindex, (uint32_t)if_w1);
	ck_assert_uint_eq(ev[0].vni, VNI);
	ck_assert_uint_eq(ev[0].ip, IP("10.1.0.11"));
	ck_assert_mem_eq(ev[0].mac, MAC_W1, 6);
}

static void expect_learn(const struct pkt *in, const uint8_t *mac)
{
	struct vtep_event ev[4];
	struct harness_result r;
	size_t ctr[] = { C(mac_learn), C(drop_mac_unknown) };

	run_w1(in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_counters(ctr, 2);
	ck_assert_int_eq(harness_events(&h, ev, 4), 1);
	ck_assert_uint_eq(ev[0].type, VTEP_EV_MAC_LEARN);
	ck_assert_uint_eq(ev[0].ifindex, (uint32_t)if_w1);
	ck_assert_uint_eq(ev[0].vni, VNI);
	ck_assert_uint_eq(ev[0].ip, IP("10.1.0.11"));
	ck_assert_mem_eq(ev[0].mac, mac, 6);
}

START_TEST(test_garp_request) { garp(1); }
END_TEST

START_TEST(test_garp_reply) { garp(2); }
END_TEST

START_TEST(test_learn_arp)
{
	const uint8_t *mac = PKT_MAC(2, 0, 0, 0, 0x77, 0x11);
	struct pkt in;

	unlearn_w1();
	arp_frame(&in, PKT_MAC_BCAST, mac, 1, mac, "10.1.0.11", PKT_MAC_ZERO, "10.1.255.254");
	expect_learn(&in, mac);
}
END_TEST

START_TEST(test_learn_ipv4)
{
	const uint8_t *mac = PKT_MAC(2, 0, 0, 0, 0x77, 0x11);
	struct pkt in;

	unlearn_w1();
	udp_frame(&in, MAC_GW, mac, "10.1.0.11", "10.1.0.12", 1, 32);
	expect_learn(&in, mac);
}
END_TEST

/* A frame from another IP names no MAC: dropped, no event. */
START_TEST(test_learn_other_ip)
{
	const uint8_t *mac = PKT_MAC(2, 0, 0, 0, 0x77, 0x11);
	struct vtep_event ev[4];
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(drop_mac_unknown) };

	unlearn_w1();
	udp_frame(&in, MAC_GW, mac, "10.1.0.99", "10.1.0.12", 1, 32);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_counters(ctr, 1);
	ck_assert_int_eq(harness_events(&h, ev, 4), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_learn");
	TCase *tc = port_tcase("port");

	tcase_add_test(tc, test_garp_request);
	tcase_add_test(tc, test_garp_reply);
	tcase_add_test(tc, test_learn_arp);
	tcase_add_test(tc, test_learn_ipv4);
	tcase_add_test(tc, test_learn_other_ip);
	suite_add_tcase(s, tc);
	return s;
}
