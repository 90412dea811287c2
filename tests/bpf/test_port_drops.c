/* test_port_drops.c - what vtep_port_ingress (bpf/port_tc.bpf.c) drops and
 * counts: forged source MAC or IP, broadcast and multicast IPv4, a port
 * whose VNI is gone, malformed IPv4 (header length, version, total
 * length, frames too short for their header), VLAN tags, other
 * ethertypes, and a device that is not a port; the same for IPv6 (a
 * forged source, multicast, a payload length past the frame); and every
 * drop reason of
 * the port program (the drop_* counters of include/vtep_counters.h), each
 * hit by a frame of its own and counted under its own counter alone.
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
#include "counters.h"
#include "port_fixture.h"
#include "port_fixture6.h"

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

/* 40 bytes of pattern behind ethertype 0x86dd: version 0. */
static void in_ipv6_garbage(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, PKT_MAC(0x33, 0x33, 0, 0, 0, 1), MAC_W1, 0x86dd);
	pkt_pattern(p, 40);
	ck_assert_int_eq(pkt_finish(p), 0);
}

/* An IPv6 header whose payload length runs past the frame. */
static void in_ipv6_plen_long(struct pkt *p)
{
	udp6_w1(p, W2_IP6);
	p->buf[14 + 4] = 0x05;
}

static void in_udp6_spoof(struct pkt *p) { udp6_frame(p, MAC_GW, MAC_W1, W2_IP6, R21_IP6, 32); }
static void in_udp6_unspec(struct pkt *p) { udp6_frame(p, MAC_GW, MAC_W1, "::", R21_IP6, 32); }
static void in_udp6_mcast(struct pkt *p)
{
	udp6_frame(p, PKT_MAC(0x33, 0x33, 0, 0, 0, 0xfb), MAC_W1, W1_LL, "ff02::fb", 32);
}
static void in_udp6_spoof_mac(struct pkt *p) { udp6_frame(p, MAC_GW, MAC_EVIL, W1_IP6, R21_IP6, 32); }

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
	{ "ipv6 version 0", in_ipv6_garbage, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "ipv6 payload past the frame", in_ipv6_plen_long, NULL, TC_ACT_SHOT, CTR1(drop_malformed), NULL },
	{ "spoofed ipv6 source", in_udp6_spoof, NULL, TC_ACT_SHOT, CTR1(drop_spoof_ip6), NULL },
	{ "ipv6 from :: (not ND)", in_udp6_unspec, NULL, TC_ACT_SHOT, CTR1(drop_spoof_ip6), NULL },
	{ "ipv6 spoofed mac", in_udp6_spoof_mac, NULL, TC_ACT_SHOT, CTR1(drop_spoof_mac), NULL },
	{ "multicast ipv6", in_udp6_mcast, NULL, TC_ACT_SHOT, CTR1(drop_bcast), NULL },
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

/* ---- every drop reason of the port, each under its own counter --------
 *
 * The program returns a drop as DROP(reason) and counts it at one exit
 * (bpf/drop.h). This walks the drop_* counters of the port side as
 * counter_descs[] lists them (generated from include/vtep_counters.h; the
 * uplink's are drop_vx_*): for each, a frame crafted to hit exactly that
 * reason must be dropped and move that counter and port_rx, nothing else. A
 * new port drop reason without a frame here fails (drop_frames has no entry
 * for it), as does a reason counted under another counter.
 */

struct drop_frame {
	const char *counter;
	void (*in)(struct pkt *p);
	void (*prep)(void); /* extra map/netns state, or NULL */
	int on_uplink;      /* run on ta-up, which is no port */
};

static void in_mac_unknown(struct pkt *p)
{
	/* From another IP than the port's: no learn event either. */
	udp_frame(p, MAC_GW, PKT_MAC(2, 0, 0, 0, 0x77, 0x11), "10.1.0.99", "10.1.0.12", 1, 32);
}
static void in_big_no_df(struct pkt *p) { udp_frame(p, MAC_GW, MAC_W1, "10.1.0.11", "10.1.0.21", 0, 1451 - 28); }
/* Outside the VNI, to a workload of VNI 200 on this host. */
static void in_to_other_vni(struct pkt *p) { udp_w1(p, "10.2.0.13"); }
/* Into the host link from a source of another VNI. */
static void in_hostlink_foreign_src(struct pkt *p)
{
	udp_frame(p, MAC_GW, MAC_W1, "10.2.0.13", "10.1.0.12", 1, 32);
}
/* No VTEP IP configured: nothing to encapsulate from. */
static void prep_no_vtep_ip(void) { ck_assert_int_eq(harness_global_set(&h, 0, 4789), 0); }
/* ND: an NS with a broken checksum, one that crossed a router (hop limit
 * 64), for nobody's address, for the asker's own; an RA from a workload. */
static void in_nd_bad_csum(struct pkt *p)
{
	ns_w1(p, GW_IP6);
	p->buf[14 + 40 + 2] ^= 0x5a;
}
static void in_nd_hoplimit(struct pkt *p) { ns_frame(p, MAC_GW, W1_IP6, GW_IP6, GW_IP6, 64, MAC_W1); }
static void in_nd_unknown(struct pkt *p) { ns_w1(p, NONE_IP6); }
static void in_nd_self(struct pkt *p) { ns_w1(p, W1_IP6); }
static void in_nd_ra(struct pkt *p)
{
	ip6_hdr(p, MAC_ALLNODES, MAC_W1, W1_LL, ALL_NODES, 58, 255);
	pkt_icmp6(p, 134, 0, 64u << 24 | 1800);
	pkt_put(p, "\0\0\0\0\0\0\0\0", 8);
	ck_assert_int_eq(pkt_finish(p), 0);
}

static const struct drop_frame drop_frames[] = {
	{ "drop_no_port",     in_udp_local,              NULL, 1 },
	{ "drop_malformed",   in_ihl4,                   NULL, 0 },
	{ "drop_vlan",        in_vlan,                   NULL, 0 },
	{ "drop_ethertype",   in_lldp,                   NULL, 0 },
	{ "drop_bcast",       in_bcast,                  NULL, 0 },
	{ "drop_spoof_mac",   in_spoof_mac,              NULL, 0 },
	{ "drop_spoof_ip",    in_spoof_ip,               NULL, 0 },
	{ "drop_mac_unknown", in_mac_unknown,            unlearn_w1, 0 },
	{ "drop_arp_unknown", in_arp_unknown,            NULL, 0 },
	{ "drop_arp_self",    in_probe_self,             NULL, 0 },
	{ "drop_arp_other",   in_arp_op3,                NULL, 0 },
	{ "drop_ip_options",  in_opts_gw,                NULL, 0 },
	{ "drop_frag",        in_frag_first_gw,          NULL, 0 },
	{ "drop_no_route",    in_no_route,               NULL, 0 },
	{ "drop_fib",         in_udp_remote,             prep_remote_unreachable, 0 },
	{ "drop_mtu",         in_big_no_df,              NULL, 0 },
	{ "drop_encap",       in_udp_remote,             prep_no_vtep_ip, 0 },
	{ "drop_arp_reply",   in_arp_reply_to_linklocal, NULL, 0 },
	{ "drop_outside_vni", in_to_other_vni,           prep_other_vni_port, 0 },
	{ "drop_hostlink_src", in_hostlink_foreign_src,  prep_hostlink, 0 },
	{ "drop_nd_malformed", in_nd_bad_csum,           NULL, 0 },
	{ "drop_nd_hoplimit", in_nd_hoplimit,            NULL, 0 },
	{ "drop_nd_unknown",  in_nd_unknown,             NULL, 0 },
	{ "drop_nd_self",     in_nd_self,                NULL, 0 },
	{ "drop_nd_other",    in_nd_ra,                  NULL, 0 },
	{ "drop_spoof_ip6",   in_udp6_spoof,             NULL, 0 },
	{ "drop_rate_limit",  in_udp_local,              prep_rate_w1_tiny, 0 },
};
#define N_DROP_FRAMES (sizeof(drop_frames) / sizeof(drop_frames[0]))

static int is_port_drop(const char *name)
{
	return !strncmp(name, "drop_", 5) && strncmp(name, "drop_vx_", 8);
}

/* counter_descs[] indexes of the port's drop_* counters, filled by
 * test_suite() before the loop test is added. */
static size_t port_drops[64];
static int n_port_drops;

START_TEST(test_drop_reason)
{
	const struct counter_desc *want = &counter_descs[port_drops[_i]];
	const struct drop_frame *f = NULL;
	struct harness_result r;
	struct vtep_stats s;
	struct pkt in;

	for (size_t i = 0; i < N_DROP_FRAMES; i++)
		if (!strcmp(drop_frames[i].counter, want->name))
			f = &drop_frames[i];
	ck_assert_msg(f != NULL, "%s: no frame in drop_frames[] hits this port drop reason",
		      want->name);
	if (f->prep)
		f->prep();
	f->in(&in);
	ck_assert_int_eq(harness_run_tc(prog_fd, f->on_uplink ? if_up : if_w1, in.buf, in.len,
					&r), 0);
	ck_assert_msg(r.retval == TC_ACT_SHOT, "%s: verdict %u, want TC_ACT_SHOT", want->name,
		      r.retval);
	/* Dropped as it came: every reason is decided before a byte changes. */
	ck_assert_msg(!pkt_hexdiff(stderr, in.buf, in.len, r.out, r.out_len),
		      "%s: the dropped frame was changed", want->name);
	ck_assert_int_eq(harness_stats(&h, &s), 0);
	for (size_t i = 0; i < counter_count; i++) {
		const char *name = counter_descs[i].name;
		uint64_t expect = (&counter_descs[i] == want || !strcmp(name, "port_rx")) ? 1 : 0;

		if (counter_value(&s, i) != expect) {
			harness_stats_dump(&h, stderr);
			ck_abort_msg("%s: counter %s is %llu, want %llu", want->name, name,
				     (unsigned long long)counter_value(&s, i),
				     (unsigned long long)expect);
		}
	}
}
END_TEST

/* The other direction: every frame above names a port drop counter. */
START_TEST(test_drop_frames_named)
{
	for (size_t i = 0; i < N_DROP_FRAMES; i++) {
		int found = 0;

		for (int j = 0; j < n_port_drops; j++)
			found |= !strcmp(counter_descs[port_drops[j]].name, drop_frames[i].counter);
		ck_assert_msg(found, "drop_frames[%zu]: %s is no drop_* counter of the port", i,
			      drop_frames[i].counter);
	}
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_drops");
	TCase *tc = port_tcase("port");

	tcase_add_loop_test(tc, test_table, 0, PORT_CASES(cases));
	tcase_add_test(tc, test_short_ipv4);
	tcase_add_test(tc, test_unknown_port);
	for (size_t i = 0; i < counter_count; i++) {
		if (!is_port_drop(counter_descs[i].name))
			continue;
		if (n_port_drops == (int)(sizeof(port_drops) / sizeof(port_drops[0]))) {
			fprintf(stderr, "test_port_drops: more port drop reasons than "
				"port_drops[] holds\n");
			exit(EXIT_FAILURE);
		}
		port_drops[n_port_drops++] = i;
	}
	tcase_add_loop_test(tc, test_drop_reason, 0, n_port_drops);
	tcase_add_test(tc, test_drop_frames_named);
	suite_add_tcase(s, tc);
	return s;
}
