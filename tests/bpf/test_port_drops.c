/* test_port_drops.c - what vtep_port_ingress (bpf/port_tc.bpf.c) drops and
 * counts: forged source MAC or IP, broadcast and multicast IPv4, a port
 * whose VNI is gone, malformed IPv4 (header length, version, total
 * length, frames too short for their header), VLAN tags, other
 * ethertypes, and a device that is not a port.
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

static void in_spoof_mac(struct pkt *p)
{
	udp_frame(p, MAC_GW, MAC_EVIL, "10.1.0.11", "10.1.0.12", 1, 32);
}

static void in_spoof_ip(struct pkt *p)
{
	udp_frame(p, MAC_GW, MAC_W1, "10.1.0.12", "10.1.0.21", 1, 32);
}

static void in_bcast(struct pkt *p)
{
	udp_frame(p, PKT_MAC_BCAST, MAC_W1, "10.1.0.11", "10.1.255.255", 0, 32);
}

static void in_mcast(struct pkt *p)
{
	udp_frame(p, PKT_MAC(1, 0, 0x5e, 0, 0, 0xfb), MAC_W1, "10.1.0.11", "224.0.0.251", 0, 32);
}

static void in_ip_short(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	pkt_truncate(p, 14 + 19);
}

static void in_eth_only(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	pkt_truncate(p, 14);
}

static void in_ihl4(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	p->buf[14] = 0x44;
}

static void in_ihl15(struct pkt *p)
{
	/* Claims 60 bytes of header; the frame has 20 + 8. */
	pkt_init(p);
	pkt_eth(p, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.0.12"),
				      .proto = IPPROTO_UDP });
	pkt_udp(p, 1, 2);
	ck_assert_int_eq(pkt_finish(p), 0);
	p->buf[14] = 0x4f;
}

static void in_ver6(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	p->buf[14] = 0x65;
}

static void in_totlen_long(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	p->buf[16] = 0x05; /* tot_len 0x05xx > frame */
}

static void in_totlen_short(struct pkt *p)
{
	udp_w1(p, "10.1.0.12");
	p->buf[16] = 0;
	p->buf[17] = 19; /* below the header length */
}

static void in_vlan(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, MAC_GW, MAC_W1, 0x8100);
	pkt_vlan(p, 100, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("10.1.0.11"), .daddr = IP("10.1.0.12"),
				      .proto = IPPROTO_UDP });
	pkt_udp(p, 1, 2);
	ck_assert_int_eq(pkt_finish(p), 0);
}

static void in_qinq(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, PKT_MAC_BCAST, MAC_W1, 0x88a8);
	pkt_vlan(p, 7, 0x0806);
	pkt_arp(p, 1, MAC_W1, IP("10.1.0.11"), PKT_MAC_ZERO, IP("10.1.255.254"));
	ck_assert_int_eq(pkt_finish(p), 0);
}

static void in_ipv6(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, PKT_MAC(0x33, 0x33, 0, 0, 0, 1), MAC_W1, 0x86dd);
	pkt_pattern(p, 40);
	ck_assert_int_eq(pkt_finish(p), 0);
}

static void in_lldp(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, PKT_MAC(1, 0x80, 0xc2, 0, 0, 0xe), MAC_W1, 0x88cc);
	pkt_pattern(p, 46);
	ck_assert_int_eq(pkt_finish(p), 0);
}

static const struct port_case cases[] = {
	/* anti-spoofing and filters */
	{ "spoofed mac", in_spoof_mac, NULL, TC_ACT_SHOT, CTR1(drop_spoof_mac), NULL },
	{ "spoofed ip", in_spoof_ip, NULL, TC_ACT_SHOT, CTR1(drop_spoof_ip), NULL },
	{ "broadcast ipv4", in_bcast, NULL, TC_ACT_SHOT, CTR1(drop_bcast), NULL },
	{ "multicast ipv4", in_mcast, NULL, TC_ACT_SHOT, CTR1(drop_bcast), NULL },
	{ "ip no vni", in_udp_local, NULL, TC_ACT_SHOT, CTR1(drop_no_port), prep_no_vni },
	/* malformed */
	{ "ihl 4", in_ihl4, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "ihl 15 truncated", in_ihl15, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "version 6 in ipv4", in_ver6, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "tot_len past the end", in_totlen_long, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "tot_len below header", in_totlen_short, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "vlan tag", in_vlan, NULL, TC_ACT_SHOT, CTR1(drop_vlan), NULL },
	{ "802.1ad tag", in_qinq, NULL, TC_ACT_SHOT, CTR1(drop_vlan), NULL },
	{ "ipv6", in_ipv6, NULL, TC_ACT_SHOT, CTR1(drop_ethertype), NULL },
	{ "lldp", in_lldp, NULL, TC_ACT_SHOT, CTR1(drop_ethertype), NULL },
};

START_TEST(test_table)
{
	port_case_run(&cases[_i]);
}
END_TEST

/* Frames too short for their IPv4 header: this kernel's BPF_PROG_TEST_RUN
 * refuses to build such an skb (-EINVAL), so the program's own check can
 * only be exercised where the kernel lets the frame through. */
START_TEST(test_short_ipv4)
{
	void (*build[])(struct pkt *) = { in_eth_only, in_ip_short };
	size_t ctr[] = { C(drop_malformed) };

	for (int i = 0; i < 2; i++) {
		struct harness_result r;
		struct pkt in;
		int err;

		build[i](&in);
		err = harness_run_tc(prog_fd, if_w1, in.buf, in.len, &r);
		if (err == -EINVAL)
			continue;
		ck_assert_int_eq(err, 0);
		ck_assert_int_eq(r.retval, TC_ACT_SHOT);
		expect_counters(ctr, 1);
		ck_assert_int_eq(harness_map_delete(&h, HM_STATS, &(uint32_t){ 0 }), 0);
	}
}
END_TEST

START_TEST(test_unknown_port)
{
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(drop_no_port) };

	in_udp_local(&in);
	ck_assert_int_eq(harness_run_tc(prog_fd, if_up, in.buf, in.len, &r), 0);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_counters(ctr, 1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_drops");
	TCase *tc = port_tcase("port");

	tcase_add_loop_test(tc, test_table, 0, PORT_CASES(cases));
	tcase_add_test(tc, test_short_ipv4);
	tcase_add_test(tc, test_unknown_port);
	suite_add_tcase(s, tc);
	return s;
}
