/* test_port_ipv6.c - vtep_port_ingress (bpf/port_tc.bpf.c, port6.h)
 * forwarding IPv6 by IPv4's rules: local delivery by vtep_routes6, VXLAN
 * encapsulation of an IPv6 inner packet (every byte; the outer DF, the
 * traffic class, the source port from the flow label and ports), a type-5
 * prefix, ICMPv6 echo to the gateway answered, Packet Too Big with the
 * usable MTU (the exact frame), GSO judged per segment, the host's own
 * addresses, and "no route, no pass".
 */
#include <check.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "port_fixture.h"
#include "port_fixture6.h"

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void in_udp6_local(struct pkt *p) { udp6_w1(p, W2_IP6); }
static void want_udp6_local(struct pkt *p) { udp6_frame(p, MAC_W2, MAC_W1, W1_IP6, W2_IP6, 32); }
static void in_udp6_host(struct pkt *p) { udp6_w1(p, HOST_IP6); }
static void in_udp6_none(struct pkt *p) { udp6_w1(p, NONE_IP6); }
static void in_udp6_outside(struct pkt *p) { udp6_w1(p, "2001:db8:99::1"); }
static void in_echo_gw(struct pkt *p) { echo6_frame(p, MAC_GW, MAC_W1, W1_IP6, GW_IP6, 128, 63); }
static void want_echo_gw(struct pkt *p) { echo6_frame(p, MAC_W1, MAC_GW, GW_IP6, W1_IP6, 129, 64); }
static void in_echo_gw_ll(struct pkt *p) { echo6_frame(p, MAC_GW, MAC_W1, W1_LL, GW_LL, 128, 64); }
static void want_echo_gw_ll(struct pkt *p) { echo6_frame(p, MAC_W1, MAC_GW, GW_LL, W1_LL, 129, 64); }
static void in_udp6_gw(struct pkt *p) { udp6_w1(p, GW_IP6); }
static void in_echo_reply_gw(struct pkt *p) { echo6_frame(p, MAC_GW, MAC_W1, W1_IP6, GW_IP6, 129, 64); }

/* A route whose port is gone. */
static void prep_stale_local(void)
{
	uint32_t k = (uint32_t)if_w2;

	ck_assert_int_eq(harness_map_delete(&h, HM_PORTS, &k), 0);
}

static const struct port_case cases[] = {
	{ "ipv6 local delivery", in_udp6_local, want_udp6_local, TC_ACT_REDIRECT, CTR1(fwd_local), NULL },
	{ "ipv6 stale local route", in_udp6_local, NULL, TC_ACT_SHOT, CTR1(drop_no_route), prep_stale_local },
	{ "ipv6 host address", in_udp6_host, NULL, TC_ACT_OK, CTR1(fwd_host), NULL },
	{ "ipv6 no route", in_udp6_none, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "ipv6 outside the vni", in_udp6_outside, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "echo to the gateway", in_echo_gw, want_echo_gw, TC_ACT_REDIRECT, CTR1(icmp6_echo_reply), NULL },
	{ "echo to the gateway's link-local", in_echo_gw_ll, want_echo_gw_ll, TC_ACT_REDIRECT, CTR1(icmp6_echo_reply), NULL },
	{ "udp to the gateway", in_udp6_gw, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
	{ "echo reply to the gateway", in_echo_reply_gw, NULL, TC_ACT_SHOT, CTR1(drop_no_route), NULL },
};

START_TEST(test_table)
{
	port_case_run(&cases[_i]);
}
END_TEST

START_TEST(test_echo_checksum)
{
	struct harness_result r;
	struct pkt in;

	in_echo_gw(&in);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert(pkt_ip6_l4_csum_ok(r.out + 14, r.out_len - 14));
}
END_TEST

/* The whole encapsulated frame, byte for byte, built independently: outer
 * IPv4 with DF, id 0 and the inner traffic class (0xa8, udp6_frame()) as
 * TOS, UDP to 4789 with checksum 0, VXLAN I + VNI 100, inner Ethernet to
 * the route's MAC with ethertype 0x86dd, the IPv6 packet untouched. */
static void want_encap6(struct pkt *p, const struct pkt *in, uint16_t sport, const uint8_t *imac)
{
	pkt_init(p);
	pkt_eth(p, MAC_NH, mac_up, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("192.0.2.1"), .daddr = IP("192.0.2.2"),
				      .proto = IPPROTO_UDP, .df = 1, .tos = 0xa8, .id = 0 });
	pkt_udp(p, sport, 4789);
	pkt_vxlan(p, VNI);
	pkt_eth(p, imac, MAC_W1, 0x86dd);
	pkt_put(p, in->buf + 14, in->len - 14);
	ck_assert_int_eq(pkt_finish(p), 0);
}

START_TEST(test_encap6)
{
	struct harness_result r;
	struct pkt in, want;
	size_t ctr[] = { C(fwd_encap) };
	uint16_t sport;

	udp6_frame(&in, MAC_GW, MAC_W1, W1_IP6, R21_IP6, 100);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, in.len + 50);
	sport = get16(r.out + 34);
	ck_assert_uint_ge(sport, 49152);
	want_encap6(&want, &in, sport, MAC_R21);
	expect_bytes(&r, &want);
	ck_assert(pkt_ipv4_csum_ok(r.out + 14));
	expect_counters(ctr, 1);
}
END_TEST

START_TEST(test_encap6_prefix)
{
	struct harness_result r;
	struct pkt in, want;

	udp6_w1(&in, PFX_IP6);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	want_encap6(&want, &in, get16(r.out + 34), PKT_MAC(2, 0, 0, 0, 0, 0xfe));
	expect_bytes(&r, &want);
}
END_TEST

/* The outer source port follows the flow: stable for one, another for
 * another UDP port or another flow label. */
static uint16_t sport_of(uint16_t uport, uint8_t label_low)
{
	struct harness_result r;
	struct pkt in;

	udp6_w1(&in, R21_IP6);
	in.buf[17] = label_low;
	in.buf[14 + 40] = (uint8_t)(uport >> 8);
	in.buf[14 + 41] = (uint8_t)uport;
	ck_assert_int_eq(pkt_finish(&in), 0);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	return get16(r.out + 34);
}

START_TEST(test_encap6_sport)
{
	uint16_t a = sport_of(1000, 0x45);

	ck_assert_uint_eq(sport_of(1000, 0x45), a);
	ck_assert_uint_ne(sport_of(1001, 0x45), a);
	ck_assert_uint_ne(sport_of(1000, 0x46), a);
}
END_TEST

/* Packet Too Big: 1450 bytes of IPv6 + 50 fit a 1500 uplink; 1451 get
 * the gateway's answer with MTU 1450, quoting the IPv6 header and 8
 * octets, from the gateway's address to the sender. */
static void big_udp6(struct pkt *p, size_t ip_len)
{
	udp6_frame(p, MAC_GW, MAC_W1, W1_IP6, R21_IP6, ip_len - 48);
}

static void want_ptb(struct pkt *p, const struct pkt *in, uint32_t mtu, size_t quote)
{
	ip6_hdr(p, MAC_W1, MAC_GW, GW_IP6, W1_IP6, 58, 64);
	pkt_icmp6(p, 2, 0, mtu);
	pkt_put(p, in->buf + 14, quote);
	ck_assert_int_eq(pkt_finish(p), 0);
}

START_TEST(test_mtu6_fits)
{
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(fwd_encap) };

	big_udp6(&in, 1450);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, 14 + 1500);
	expect_counters(ctr, 1);
}
END_TEST

START_TEST(test_packet_too_big)
{
	struct harness_result r;
	struct pkt in, want;
	size_t ctr[] = { C(icmp6_too_big) };

	big_udp6(&in, 1451);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	want_ptb(&want, &in, 1450, 40 + 8);
	expect_bytes(&r, &want);
	ck_assert(pkt_ip6_l4_csum_ok(r.out + 14, r.out_len - 14));
	expect_counters(ctr, 1);
}
END_TEST

/* TCP: the whole TCP header quoted; a route MTU honoured. */
START_TEST(test_packet_too_big_tcp_route_mtu)
{
	struct harness_result r;
	struct pkt in, want;

	ck_assert_int_eq(harness_sh("ip route replace 192.0.2.2/32 via 198.51.100.2 mtu lock 1400"),
			 0);
	ip6_hdr(&in, MAC_GW, MAC_W1, W1_IP6, R21_IP6, 6, 64);
	pkt_tcp(&in, 40000, 80, 12345, PKT_TCP_ACK);
	pkt_pattern(&in, 1400);
	ck_assert_int_eq(pkt_finish(&in), 0);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	want_ptb(&want, &in, 1350, 40 + 20);
	expect_bytes(&r, &want);
}
END_TEST

/* An underlay too small for IPv6's 1280 still gets 1280 (RFC 8201 s.4:
 * hosts ignore less). */
START_TEST(test_packet_too_big_floor)
{
	struct harness_result r;
	struct pkt in, want;

	ck_assert_int_eq(harness_sh("ip route replace 192.0.2.2/32 via 198.51.100.2 mtu lock 1300"),
			 0);
	big_udp6(&in, 1300);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	want_ptb(&want, &in, 1280, 48);
	expect_bytes(&r, &want);
}
END_TEST

/* The gateway has no global address: the answer comes from its link-local
 * one. */
START_TEST(test_packet_too_big_ll)
{
	struct harness_result r;
	struct pkt in, want;
	struct vtep_vni v;
	uint32_t k = VNI;

	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_VNIS], &k, &v), 0);
	memset(v.gateway_ip6, 0, 16);
	ck_assert_int_eq(harness_vni_add(&h, VNI, &v), 0);
	big_udp6(&in, 1451);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ip6_hdr(&want, MAC_W1, MAC_GW, GW_LL, W1_IP6, 58, 64);
	pkt_icmp6(&want, 2, 0, 1450);
	pkt_put(&want, in.buf + 14, 48);
	ck_assert_int_eq(pkt_finish(&want), 0);
	expect_bytes(&r, &want);
}
END_TEST

/* GSO: judged per segment (MSS 1440 fits after the 50 bytes; 1500 does
 * not and is answered). BPF_PROG_TEST_RUN cannot set gso_type, so the
 * kernel refuses to encapsulate the fake GSO skb that fits
 * (bpf_skb_net_grow: not TCP GSO); what counts is that the MTU check let
 * it through. */
static void gso6_run(uint32_t gso_size, struct pkt *in, struct harness_result *r)
{
	struct __sk_buff ctx = { .ifindex = if_w1, .ingress_ifindex = if_w1,
				 .gso_size = gso_size, .gso_segs = 2 };

	ip6_hdr(in, MAC_GW, MAC_W1, W1_IP6, R21_IP6, 6, 64);
	pkt_tcp(in, 40000, 80, 1, PKT_TCP_ACK);
	pkt_pattern(in, 2 * gso_size < 3000 ? 2 * gso_size : 3000);
	ck_assert_int_eq(pkt_finish(in), 0);
	ck_assert_int_eq(harness_run_tc_ctx(prog_fd, &ctx, in->buf, in->len, r), 0);
}

START_TEST(test_gso6_fits)
{
	struct harness_result r;
	struct pkt in;

	gso6_run(1440, &in, &r);
	ck_assert_uint_eq(harness_stat(&h, icmp6_too_big), 0);
	ck_assert_uint_eq(harness_stat(&h, drop_mtu), 0);
}
END_TEST

START_TEST(test_gso6_too_big)
{
	struct harness_result r;
	struct pkt in, want;

	gso6_run(1500, &in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	want_ptb(&want, &in, 1450, 60);
	expect_bytes(&r, &want);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_ipv6");
	TCase *tc = port_tcase("port");

	tcase_add_loop_test(tc, test_table, 0, PORT_CASES(cases));
	tcase_add_test(tc, test_echo_checksum);
	tcase_add_test(tc, test_encap6);
	tcase_add_test(tc, test_encap6_prefix);
	tcase_add_test(tc, test_encap6_sport);
	tcase_add_test(tc, test_mtu6_fits);
	tcase_add_test(tc, test_packet_too_big);
	tcase_add_test(tc, test_packet_too_big_tcp_route_mtu);
	tcase_add_test(tc, test_packet_too_big_floor);
	tcase_add_test(tc, test_packet_too_big_ll);
	tcase_add_test(tc, test_gso6_fits);
	tcase_add_test(tc, test_gso6_too_big);
	suite_add_tcase(s, tc);
	return s;
}
