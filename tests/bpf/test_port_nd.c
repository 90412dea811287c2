/* test_port_nd.c - vtep_port_ingress (bpf/port_tc.bpf.c, nd_proxy.h)
 * answering Neighbor Discovery for its workloads (RFC 4861, RFC 9161): NS
 * for the gateway (global and link-local, R flag), a local workload, a
 * remote host or router or prefix, in gateway and real mode (the O flag
 * set only for a target's own MAC); duplicate address detection answered
 * only for someone else's address; RS answered with an RA with and
 * without the prefix option; NAs from the workload (announcements,
 * answers to the host, the rest); every ND drop: hop limit, checksum,
 * truncation, an option of length 0, spoofed addresses. Each case: the
 * verdict, the exact frame (built independently with pkt.h) and the
 * counters (port_fixture.h); events are checked on their own.
 */
#include <check.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "port_fixture.h"
#include "port_fixture6.h"

/* ---- NS for a target of the VNI ------------------------------------- */

static void in_ns_gw(struct pkt *p) { ns_w1(p, GW_IP6); }
static void want_na_gw(struct pkt *p) { na_to_w1(p, GW_IP6, MAC_GW, NA_R | NA_S | NA_O); }
static void in_ns_gw_ll(struct pkt *p) { ns_w1(p, GW_LL); }
static void want_na_gw_ll(struct pkt *p) { na_to_w1(p, GW_LL, MAC_GW, NA_R | NA_S | NA_O); }
static void in_ns_local(struct pkt *p) { ns_w1(p, W2_IP6); }
static void want_na_local_gw(struct pkt *p) { na_to_w1(p, W2_IP6, MAC_GW, NA_S); }
static void want_na_local_real(struct pkt *p) { na_to_w1(p, W2_IP6, MAC_W2, NA_S | NA_O); }
static void in_ns_remote(struct pkt *p) { ns_w1(p, R21_IP6); }
static void want_na_remote_gw(struct pkt *p) { na_to_w1(p, R21_IP6, MAC_GW, NA_S); }
static void want_na_remote_real(struct pkt *p) { na_to_w1(p, R21_IP6, MAC_R21, NA_S | NA_O); }
static void in_ns_router(struct pkt *p) { ns_w1(p, RTR_IP6); }
static void want_na_router_gw(struct pkt *p) { na_to_w1(p, RTR_IP6, MAC_GW, NA_R | NA_S); }
static void want_na_router_real(struct pkt *p) { na_to_w1(p, RTR_IP6, MAC_RTR, NA_R | NA_S | NA_O); }
static void in_ns_prefix(struct pkt *p) { ns_w1(p, PFX_IP6); }
static void want_na_prefix(struct pkt *p) { na_to_w1(p, PFX_IP6, MAC_GW, NA_S); }

/* Neighbor unreachability detection: unicast to the target, no SLLAO. */
static void in_ns_nud_gw(struct pkt *p)
{
	ns_frame(p, MAC_GW, W1_IP6, GW_IP6, GW_IP6, 255, NULL);
}

/* From w1's link-local address: answered to it. */
static void in_ns_from_ll(struct pkt *p)
{
	uint8_t sn[16], mac[6];
	char dst[64];

	sol_node(GW_LL, sn, mac);
	inet_ntop(AF_INET6, sn, dst, sizeof(dst));
	ns_frame(p, mac, W1_LL, dst, GW_LL, 255, MAC_W1);
}

static void want_na_from_ll(struct pkt *p)
{
	na_frame(p, MAC_W1, MAC_GW, GW_LL, W1_LL, NA_R | NA_S | NA_O, GW_LL, MAC_GW);
}

/* A route whose MAC is not known yet: the gateway MAC in real mode too. */
static void prep_real(void)
{
	struct vtep_vni v;
	uint32_t k = VNI;

	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_VNIS], &k, &v), 0);
	v.arp_reply = VTEP_ARP_REPLY_REAL;
	ck_assert_int_eq(harness_vni_add(&h, VNI, &v), 0);
}

static void prep_real_nomac(void)
{
	struct vtep_route6_key k = { .vni = VNI };
	struct vtep_route r = { .vtep = IP("192.0.2.2"), .source = VTEP_SRC_BGP };

	prep_real();
	pkt_ip6(R21_IP6, k.ip);
	ck_assert_int_eq(harness_map_update(&h, HM_ROUTES6, &k, &r), 0);
}

static void prep_no_ipv6(void)
{
	struct vtep_vni v;
	uint32_t k = VNI;

	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_VNIS], &k, &v), 0);
	v.prefixlen6 = 0;
	ck_assert_int_eq(harness_vni_add(&h, VNI, &v), 0);
}

/* ---- duplicate address detection ------------------------------------- */

static void dad(struct pkt *p, const char *target)
{
	uint8_t sn[16], mac[6];
	char dst[64];

	sol_node(target, sn, mac);
	inet_ntop(AF_INET6, sn, dst, sizeof(dst));
	ns_frame(p, mac, "::", dst, target, 255, NULL);
}

static void in_dad_local(struct pkt *p) { dad(p, W2_IP6); }
static void want_dad_local(struct pkt *p)
{
	na_frame(p, MAC_ALLNODES, MAC_GW, W2_IP6, ALL_NODES, 0, W2_IP6, MAC_GW);
}
static void in_dad_gw(struct pkt *p) { dad(p, GW_IP6); }
static void want_dad_gw(struct pkt *p)
{
	na_frame(p, MAC_ALLNODES, MAC_GW, GW_IP6, ALL_NODES, NA_R | NA_O, GW_IP6, MAC_GW);
}
static void in_dad_self(struct pkt *p) { dad(p, W1_IP6); }
static void in_dad_self_ll(struct pkt *p) { dad(p, W1_LL); }
static void in_dad_free(struct pkt *p) { dad(p, NONE_IP6); }
static void in_ns_self(struct pkt *p) { ns_w1(p, W1_IP6); }
static void in_ns_unknown(struct pkt *p) { ns_w1(p, NONE_IP6); }

/* ---- router solicitation -------------------------------------------- */

static void in_rs(struct pkt *p) { rs_frame(p, W1_LL); }
static void want_ra(struct pkt *p) { ra_frame(p, MAC_W1, W1_LL, 1500, 0); }
static void want_ra_slaac(struct pkt *p) { ra_frame(p, MAC_W1, W1_LL, 1500, 1); }
static void want_ra_no_mtu(struct pkt *p) { ra_frame(p, MAC_W1, W1_LL, 0, 0); }
static void in_rs_unspec(struct pkt *p) { rs_frame(p, "::"); }
static void want_ra_allnodes(struct pkt *p) { ra_frame(p, MAC_ALLNODES, ALL_NODES, 1500, 0); }

static void prep_slaac(void)
{
	struct vtep_vni v;
	uint32_t k = VNI;

	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_VNIS], &k, &v), 0);
	v.flags |= VTEP_VNI_F_SLAAC;
	ck_assert_int_eq(harness_vni_add(&h, VNI, &v), 0);
}

/* ---- NAs from the workload -------------------------------------------- */

static void in_na_unsolicited(struct pkt *p)
{
	na_frame(p, MAC_ALLNODES, MAC_W1, W1_IP6, ALL_NODES, NA_O, W1_IP6, MAC_W1);
}

static void in_na_to_host(struct pkt *p)
{
	na_frame(p, PKT_MAC(2, 0, 0, 0, 0xaa, 1), MAC_W1, W1_IP6, HOST_IP6, NA_S | NA_O, W1_IP6,
		 MAC_W1);
}

static void in_na_to_ll(struct pkt *p)
{
	na_frame(p, PKT_MAC(2, 0, 0, 0, 0xaa, 1), MAC_W1, W1_LL, "fe80::aa:1", NA_S | NA_O, W1_LL,
		 MAC_W1);
}

static void in_na_to_remote(struct pkt *p)
{
	na_frame(p, MAC_R21, MAC_W1, W1_IP6, R21_IP6, NA_S | NA_O, W1_IP6, MAC_W1);
}

static void in_na_other(struct pkt *p)
{
	na_frame(p, MAC_ALLNODES, MAC_W1, W1_IP6, ALL_NODES, NA_O, W2_IP6, MAC_W1);
}

static void in_na_spoof_tlla(struct pkt *p)
{
	na_frame(p, MAC_ALLNODES, MAC_W1, W1_IP6, ALL_NODES, NA_O, W1_IP6, MAC_EVIL);
}

static void in_na_from_unspec(struct pkt *p)
{
	na_frame(p, MAC_ALLNODES, MAC_W1, "::", ALL_NODES, NA_O, W1_IP6, MAC_W1);
}

static void in_ra_from_workload(struct pkt *p)
{
	ip6_hdr(p, MAC_ALLNODES, MAC_W1, W1_LL, ALL_NODES, 58, 255);
	pkt_icmp6(p, 134, 0, 64u << 24 | 1800);
	pkt_put(p, "\0\0\0\0\0\0\0\0", 8);
	ck_assert_int_eq(pkt_finish(p), 0);
}

/* ---- malformed and forged ND --------------------------------------- */

static void in_ns_hoplimit(struct pkt *p)
{
	ns_frame(p, MAC_GW, W1_IP6, GW_IP6, GW_IP6, 64, MAC_W1);
}

static void in_ns_bad_csum(struct pkt *p)
{
	ns_w1(p, GW_IP6);
	p->buf[14 + 40 + 2] ^= 0x5a;
}

static void in_ns_opt_len0(struct pkt *p)
{
	ip6_hdr(p, MAC_GW, MAC_W1, W1_IP6, GW_IP6, 58, 255);
	pkt_icmp6(p, 135, 0, 0);
	pkt_nd_target(p, A6(GW_IP6));
	pkt_nd_lla(p, 1, MAC_W1);
	pkt_nd_opt(p, 14, 0);
	ck_assert_int_eq(pkt_finish(p), 0);
}

/* An option claiming 16 octets where the message has 8 left. */
static void in_ns_opt_past_end(struct pkt *p)
{
	ip6_hdr(p, MAC_GW, MAC_W1, W1_IP6, GW_IP6, 58, 255);
	pkt_icmp6(p, 135, 0, 0);
	pkt_nd_target(p, A6(GW_IP6));
	pkt_nd_opt(p, 14, 1);
	ck_assert_int_eq(pkt_finish(p), 0);
	p->buf[14 + 40 + 24 + 1] = 2;
	ck_assert_int_eq(pkt_finish(p), 0);
}

/* An NS whose message stops before its target (the frame agrees). */
static void in_ns_truncated(struct pkt *p)
{
	ip6_hdr(p, MAC_GW, MAC_W1, W1_IP6, GW_IP6, 58, 255);
	pkt_icmp6(p, 135, 0, 0);
	pkt_put(p, "\x20\x01\x0d\xb8", 4);
	ck_assert_int_eq(pkt_finish(p), 0);
}

static void in_ns_code1(struct pkt *p)
{
	ip6_hdr(p, MAC_GW, MAC_W1, W1_IP6, GW_IP6, 58, 255);
	pkt_icmp6(p, 135, 1, 0);
	pkt_nd_target(p, A6(GW_IP6));
	ck_assert_int_eq(pkt_finish(p), 0);
}

static void in_ns_mcast_target(struct pkt *p)
{
	ns_frame(p, MAC_GW, W1_IP6, GW_IP6, "ff02::1", 255, MAC_W1);
}

static void in_ns_lla_long(struct pkt *p)
{
	ip6_hdr(p, MAC_GW, MAC_W1, W1_IP6, GW_IP6, 58, 255);
	pkt_icmp6(p, 135, 0, 0);
	pkt_nd_target(p, A6(GW_IP6));
	pkt_nd_opt(p, 1, 2); /* a "source link-layer address" of 16 octets */
	ck_assert_int_eq(pkt_finish(p), 0);
}

static void in_dad_with_sllao(struct pkt *p)
{
	uint8_t sn[16], mac[6];
	char dst[64];

	sol_node(W2_IP6, sn, mac);
	inet_ntop(AF_INET6, sn, dst, sizeof(dst));
	ns_frame(p, mac, "::", dst, W2_IP6, 255, MAC_W1);
}

static void in_dad_unicast(struct pkt *p)
{
	ns_frame(p, MAC_GW, "::", W2_IP6, W2_IP6, 255, NULL);
}

static void in_ns_spoof_sllao(struct pkt *p)
{
	ns_frame(p, MAC_GW, W1_IP6, GW_IP6, GW_IP6, 255, MAC_EVIL);
}

static void in_ns_spoof_src(struct pkt *p)
{
	ns_frame(p, MAC_GW, W2_IP6, GW_IP6, GW_IP6, 255, MAC_W1);
}

static void in_ns_spoof_eth(struct pkt *p)
{
	ns_w1(p, GW_IP6);
	memcpy(p->buf + 6, MAC_EVIL, 6);
}

static const struct port_case cases[] = {
	/* the ND proxy, gateway mode */
	{ "ns gateway", in_ns_gw, want_na_gw, TC_ACT_REDIRECT, CTR1(nd_reply), NULL },
	{ "ns gateway link-local", in_ns_gw_ll, want_na_gw_ll, TC_ACT_REDIRECT, CTR1(nd_reply), NULL },
	{ "ns gateway unicast (NUD)", in_ns_nud_gw, want_na_gw, TC_ACT_REDIRECT, CTR1(nd_reply), NULL },
	{ "ns from the link-local address", in_ns_from_ll, want_na_from_ll, TC_ACT_REDIRECT, CTR1(nd_reply), NULL },
	{ "ns local workload", in_ns_local, want_na_local_gw, TC_ACT_REDIRECT, CTR1(nd_reply), NULL },
	{ "ns remote host", in_ns_remote, want_na_remote_gw, TC_ACT_REDIRECT, CTR1(nd_reply), NULL },
	{ "ns remote router", in_ns_router, want_na_router_gw, TC_ACT_REDIRECT, CTR1(nd_reply), NULL },
	{ "ns prefix", in_ns_prefix, want_na_prefix, TC_ACT_REDIRECT, CTR1(nd_reply), NULL },
	{ "ns own address", in_ns_self, NULL, TC_ACT_SHOT, CTR1(drop_nd_self), NULL },
	{ "ns unknown target", in_ns_unknown, NULL, TC_ACT_SHOT, CTR1(drop_nd_unknown), NULL },
	/* real mode */
	{ "real: ns gateway", in_ns_gw, want_na_gw, TC_ACT_REDIRECT, CTR1(nd_reply), prep_real },
	{ "real: ns local workload", in_ns_local, want_na_local_real, TC_ACT_REDIRECT, CTR1(nd_reply), prep_real },
	{ "real: ns remote host", in_ns_remote, want_na_remote_real, TC_ACT_REDIRECT, CTR1(nd_reply), prep_real },
	{ "real: ns remote router", in_ns_router, want_na_router_real, TC_ACT_REDIRECT, CTR1(nd_reply), prep_real },
	{ "real: ns prefix", in_ns_prefix, want_na_prefix, TC_ACT_REDIRECT, CTR1(nd_reply), prep_real },
	{ "real: route without a MAC", in_ns_remote, want_na_remote_gw, TC_ACT_REDIRECT, CTR1(nd_reply), prep_real_nomac },
	/* duplicate address detection */
	{ "dad for a local workload's address", in_dad_local, want_dad_local, TC_ACT_REDIRECT, CTR1(nd_reply), NULL },
	{ "dad for the gateway's address", in_dad_gw, want_dad_gw, TC_ACT_REDIRECT, CTR1(nd_reply), NULL },
	{ "dad for its own address", in_dad_self, NULL, TC_ACT_SHOT, CTR1(drop_nd_self), NULL },
	{ "dad for its own link-local address", in_dad_self_ll, NULL, TC_ACT_SHOT, CTR1(drop_nd_self), NULL },
	{ "dad for a free address", in_dad_free, NULL, TC_ACT_SHOT, CTR1(drop_nd_unknown), NULL },
	/* router solicitation */
	{ "rs", in_rs, want_ra, TC_ACT_REDIRECT, CTR1(ra_reply), NULL },
	{ "rs, slaac", in_rs, want_ra_slaac, TC_ACT_REDIRECT, CTR1(ra_reply), prep_slaac },
	{ "rs from ::", in_rs_unspec, want_ra_allnodes, TC_ACT_REDIRECT, CTR1(ra_reply), NULL },
	/* NAs and RAs from the workload */
	{ "unsolicited na, own address", in_na_unsolicited, NULL, TC_ACT_SHOT, CTR1(nd_announce), NULL },
	{ "na to a host address", in_na_to_host, NULL, TC_ACT_OK, CTR1(nd_pass), NULL },
	{ "na to a link-local address", in_na_to_ll, NULL, TC_ACT_OK, CTR1(nd_pass), NULL },
	{ "na to a remote workload", in_na_to_remote, NULL, TC_ACT_SHOT, CTR1(drop_nd_other), NULL },
	{ "unsolicited na, another's address", in_na_other, NULL, TC_ACT_SHOT, CTR1(drop_nd_other), NULL },
	{ "na with a spoofed tlla", in_na_spoof_tlla, NULL, TC_ACT_SHOT, CTR1(drop_spoof_mac), NULL },
	{ "na from ::", in_na_from_unspec, NULL, TC_ACT_SHOT, CTR1(drop_spoof_ip6), NULL },
	{ "ra from a workload", in_ra_from_workload, NULL, TC_ACT_SHOT, CTR1(drop_nd_other), NULL },
	/* malformed and forged */
	{ "ns hop limit 64", in_ns_hoplimit, NULL, TC_ACT_SHOT, CTR1(drop_nd_hoplimit), NULL },
	{ "ns bad checksum", in_ns_bad_csum, NULL, TC_ACT_SHOT, CTR1(drop_nd_malformed), NULL },
	{ "ns option of length 0", in_ns_opt_len0, NULL, TC_ACT_SHOT, CTR1(drop_nd_malformed), NULL },
	{ "ns option past the end", in_ns_opt_past_end, NULL, TC_ACT_SHOT, CTR1(drop_nd_malformed), NULL },
	{ "ns truncated", in_ns_truncated, NULL, TC_ACT_SHOT, CTR1(drop_nd_malformed), NULL },
	{ "ns code 1", in_ns_code1, NULL, TC_ACT_SHOT, CTR1(drop_nd_malformed), NULL },
	{ "ns multicast target", in_ns_mcast_target, NULL, TC_ACT_SHOT, CTR1(drop_nd_malformed), NULL },
	{ "ns 16-octet link-layer address", in_ns_lla_long, NULL, TC_ACT_SHOT, CTR1(drop_nd_malformed), NULL },
	{ "dad with a source link-layer address", in_dad_with_sllao, NULL, TC_ACT_SHOT, CTR1(drop_nd_malformed), NULL },
	{ "dad not to the solicited-node address", in_dad_unicast, NULL, TC_ACT_SHOT, CTR1(drop_nd_malformed), NULL },
	{ "ns spoofed sllao", in_ns_spoof_sllao, NULL, TC_ACT_SHOT, CTR1(drop_spoof_mac), NULL },
	{ "ns spoofed source address", in_ns_spoof_src, NULL, TC_ACT_SHOT, CTR1(drop_spoof_ip6), NULL },
	{ "ns spoofed ethernet source", in_ns_spoof_eth, NULL, TC_ACT_SHOT, CTR1(drop_spoof_mac), NULL },
	{ "ns, vni without ipv6", in_ns_gw, NULL, TC_ACT_SHOT, CTR1(drop_ethertype), prep_no_ipv6 },
};

START_TEST(test_table)
{
	port_case_run(&cases[_i]);
}
END_TEST

/* Every answer's ICMPv6 checksum, verified by pkt.c's own code. */
START_TEST(test_answer_checksums)
{
	void (*in[])(struct pkt *) = { in_ns_gw, in_dad_local, in_rs };
	struct harness_result r;
	struct pkt p;

	prep_slaac();
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		in[i](&p);
		run_w1(&p, &r);
		ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
		ck_assert_msg(pkt_ip6_l4_csum_ok(r.out + 14, r.out_len - 14), "answer %zu", i);
	}
}
END_TEST

/* An unsolicited NA for the port's address tells vtepd (MAC mobility). */
START_TEST(test_na_event)
{
	struct vtep_event ev[4];
	struct harness_result r;
	struct pkt in;

	ck_assert_int_eq(harness_events(&h, ev, 4), 0);
	in_na_unsolicited(&in);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	ck_assert_int_eq(harness_events(&h, ev, 4), 1);
	ck_assert_uint_eq(ev[0].type, VTEP_EV_GARP);
	ck_assert_uint_eq(ev[0].family, 6);
	ck_assert_uint_eq(ev[0].ifindex, (uint32_t)if_w1);
	ck_assert_uint_eq(ev[0].vni, VNI);
	ck_assert_uint_eq(ev[0].ip, 0);
	ck_assert_mem_eq(ev[0].ip6, A6(W1_IP6), 16);
	ck_assert_mem_eq(ev[0].mac, MAC_W1, 6);
}
END_TEST

/* An auto-MAC port learns its MAC from the first IPv6 frame from its own
 * address; a frame from another address names none. */
static void unlearn6(void)
{
	struct vtep_port p1 = { .vni = VNI, .flags = VTEP_PORT_F_MAC_AUTO };

	p1.ip = IP("10.1.0.11");
	pkt_ip6(W1_IP6, p1.ip6);
	ck_assert_int_eq(harness_port_add(&h, if_w1, &p1), 0);
}

START_TEST(test_learn_ipv6)
{
	const uint8_t *mac = PKT_MAC(2, 0, 0, 0, 0x77, 0x11);
	struct vtep_event ev[4];
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(mac_learn), C(drop_mac_unknown) };

	unlearn6();
	udp6_frame(&in, MAC_GW, mac, W1_IP6, W2_IP6, 32);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_counters(ctr, 2);
	ck_assert_int_eq(harness_events(&h, ev, 4), 1);
	ck_assert_uint_eq(ev[0].type, VTEP_EV_MAC_LEARN);
	ck_assert_uint_eq(ev[0].family, 6);
	ck_assert_uint_eq(ev[0].vni, VNI);
	ck_assert_mem_eq(ev[0].ip6, A6(W1_IP6), 16);
	ck_assert_mem_eq(ev[0].mac, mac, 6);
}
END_TEST

START_TEST(test_learn_ipv6_other_ip)
{
	const uint8_t *mac = PKT_MAC(2, 0, 0, 0, 0x77, 0x11);
	struct vtep_event ev[4];
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(drop_mac_unknown) };

	unlearn6();
	udp6_frame(&in, MAC_GW, mac, NONE_IP6, W2_IP6, 32);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	expect_counters(ctr, 1);
	ck_assert_int_eq(harness_events(&h, ev, 4), 0);
}
END_TEST

/* Without bpf_check_mtu (the loader's knob off) the RA leaves the MTU
 * option out (RFC 4861 4.2: it is optional), rather than guessing one. */
static const struct port_case no_mtu_cases[] = {
	{ "rs, no check_mtu", in_rs, want_ra_no_mtu, TC_ACT_REDIRECT, CTR1(ra_reply), NULL },
};

START_TEST(test_no_check_mtu)
{
	port_case_run(&no_mtu_cases[_i]);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_nd");
	TCase *tc = port_tcase("port");
	TCase *tn = port_tcase_no_check_mtu("port without check_mtu");

	tcase_add_loop_test(tc, test_table, 0, PORT_CASES(cases));
	tcase_add_test(tc, test_answer_checksums);
	tcase_add_test(tc, test_na_event);
	tcase_add_test(tc, test_learn_ipv6);
	tcase_add_test(tc, test_learn_ipv6_other_ip);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(tn, test_no_check_mtu, 0, PORT_CASES(no_mtu_cases));
	suite_add_tcase(s, tn);
	return s;
}
