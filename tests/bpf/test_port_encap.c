/* test_port_encap.c - vtep_port_ingress (bpf/port_tc.bpf.c) encapsulating
 * towards a remote VTEP (RFC 7348): every field of the 50 pushed octets and
 * the whole frame byte for byte, DF copied, a type-5 prefix route, an
 * unresolved next hop, the outer source port per flow (fragments share
 * one), an unreachable VTEP; and the underlay cache (vtep_underlay,
 * bpf/encap.h): what it holds, that it serves and expires, and that it
 * follows neighbour and route changes within its lifetime.
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

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Checks every field of the 50 pushed bytes and that the inner packet is
 * the original one; returns the outer UDP source port. */
static uint16_t check_encap(const struct pkt *in, const struct harness_result *r, int df,
			    int outer_macs)
{
	const uint8_t *o = r->out, *ip = o + 14, *udp = ip + 20, *vx = udp + 8, *ie = vx + 8;
	size_t ilen = in->len - 14;
	uint16_t sport;

	ck_assert_int_eq(r->retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r->out_len, in->len + 50);
	if (outer_macs) {
		ck_assert_mem_eq(o, MAC_NH, 6);
		ck_assert_mem_eq(o + 6, mac_up, 6);
	}
	ck_assert_uint_eq(get16(o + 12), 0x0800);
	/* outer IPv4 */
	ck_assert_uint_eq(ip[0], 0x45);
	ck_assert_uint_eq(ip[1], in->buf[15]);             /* TOS copied */
	ck_assert_uint_eq(get16(ip + 2), ilen + 50);
	ck_assert_uint_eq(get16(ip + 6), df ? 0x4000 : 0); /* DF copied */
	ck_assert_uint_eq(ip[8], 64);
	ck_assert_uint_eq(ip[9], 17);
	ck_assert(pkt_ipv4_csum_ok(ip));
	ck_assert_mem_eq(ip + 12, &(uint32_t){ IP("192.0.2.1") }, 4);
	ck_assert_mem_eq(ip + 16, &(uint32_t){ IP("192.0.2.2") }, 4);
	/* UDP */
	sport = get16(udp);
	ck_assert_uint_ge(sport, 49152);
	ck_assert_uint_eq(get16(udp + 2), 4789);
	ck_assert_uint_eq(get16(udp + 4), ilen + 30);
	ck_assert_uint_eq(get16(udp + 6), 0);
	/* VXLAN: I flag, reserved zero, VNI 100 */
	ck_assert_mem_eq(vx, "\x08\x00\x00\x00\x00\x00\x64\x00", 8);
	/* inner Ethernet + the original packet */
	ck_assert_mem_eq(ie, MAC_R21, 6);
	ck_assert_mem_eq(ie + 6, MAC_W1, 6);
	ck_assert_uint_eq(get16(ie + 12), 0x0800);
	ck_assert_mem_eq(ie + 14, in->buf + 14, ilen);
	return sport;
}

/* The whole frame, byte for byte, as the builder makes it. */
static void want_encap(struct pkt *p, const struct pkt *in, uint16_t sport, int df)
{
	pkt_init(p);
	pkt_eth(p, MAC_NH, mac_up, 0x0800);
	pkt_ipv4(p, &(struct pkt_ip){ .saddr = IP("192.0.2.1"), .daddr = IP("192.0.2.2"),
				      .proto = IPPROTO_UDP, .df = df, .tos = in->buf[15],
				      .id = get16(in->buf + 18) });
	pkt_udp(p, sport, 4789);
	pkt_vxlan(p, VNI);
	pkt_eth(p, MAC_R21, MAC_W1, 0x0800);
	pkt_put(p, in->buf + 14, in->len - 14);
	ck_assert_int_eq(pkt_finish(p), 0);
}

/* Fragments of one packet share a source port: ports are only in the
 * first, so no fragment's hash uses them (bpf/encap.h encap_flow_hash);
 * an unfragmented packet of the same flow hashes its ports too. */
static uint16_t sport_of(const struct pkt_ip *ip, int with_udp)
{
	struct harness_result r;
	struct pkt in;

	pkt_init(&in);
	pkt_eth(&in, MAC_GW, MAC_W1, 0x0800);
	pkt_ipv4(&in, ip);
	if (with_udp)
		pkt_udp(&in, 1000, 2000);
	pkt_pattern(&in, 24);
	ck_assert_int_eq(pkt_finish(&in), 0);
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, in.len + 50);
	return get16(r.out + 34);
}

static struct vtep_underlay_key ul_key(void)
{
	return (struct vtep_underlay_key){ .vtep = IP("192.0.2.2"), .ifindex = (uint32_t)if_w1 };
}

static int ul_fd(void)
{
	return bpf_map__fd(skel->maps.vtep_underlay);
}

/* Runs one encapsulated frame from w1 to 10.1.0.21 and returns its outer
 * destination MAC in dmac (the frame must be an encapsulation). */
static void encap_dmac(uint8_t dmac[6], uint8_t smac[6])
{
	struct harness_result r;
	struct pkt in;

	udp_w1(&in, "10.1.0.21");
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, in.len + 50);
	memcpy(dmac, r.out, 6);
	if (smac)
		memcpy(smac, r.out + 6, 6);
}

/* Polls (2 s deadline) until the encapsulated frame's outer destination
 * MAC is want: the cache entry must expire by itself. */
static int encap_dmac_becomes(const uint8_t *want)
{
	struct timespec t0, t;
	uint8_t dmac[6];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		encap_dmac(dmac, NULL);
		if (!memcmp(dmac, want, 6))
			return 1;
		usleep(2000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
	return 0;
}

/* The route's VTEP has no route in the underlay: dropped, drop_fib. */
static const struct port_case unreachable =
	{ "underlay unreachable", in_udp_remote, NULL, TC_ACT_SHOT, CTR1(drop_fib), prep_remote_unreachable };

START_TEST(test_underlay_unreachable)
{
	port_case_run(&unreachable);
}
END_TEST

START_TEST(test_encap)
{
	struct harness_result r;
	struct pkt in, want;
	size_t ctr[] = { C(fwd_encap) };
	uint16_t sport;

	udp_frame(&in, MAC_GW, MAC_W1, "10.1.0.11", "10.1.0.21", 1, 100);
	run_w1(&in, &r);
	sport = check_encap(&in, &r, 1, 1);
	want_encap(&want, &in, sport, 1);
	expect_bytes(&r, &want);
	expect_counters(ctr, 1);
}
END_TEST

START_TEST(test_encap_no_df)
{
	struct harness_result r;
	struct pkt in, want;
	uint16_t sport;

	udp_frame(&in, MAC_GW, MAC_W1, "10.1.0.11", "10.1.0.21", 0, 100);
	run_w1(&in, &r);
	sport = check_encap(&in, &r, 0, 1);
	want_encap(&want, &in, sport, 0);
	expect_bytes(&r, &want);
}
END_TEST

/* A type-5 prefix route encapsulates like a host route. */
START_TEST(test_encap_prefix)
{
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(fwd_encap) };

	udp_w1(&in, "10.1.128.7");
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_uint_eq(r.out_len, in.len + 50);
	ck_assert_mem_eq(r.out + 50, PKT_MAC(2, 0, 0, 0, 0, 0xfe), 6);
	expect_counters(ctr, 1);
}
END_TEST

/* Next hop without a neighbour entry: bpf_redirect_neigh resolves it. */
START_TEST(test_encap_no_neigh)
{
	struct harness_result r;
	struct pkt in;
	size_t ctr[] = { C(fwd_encap) };

	ck_assert_int_eq(harness_sh("ip neigh del 198.51.100.2 dev ta-up"), 0);
	udp_frame(&in, MAC_GW, MAC_W1, "10.1.0.11", "10.1.0.21", 1, 100);
	run_w1(&in, &r);
	check_encap(&in, &r, 1, 0);
	expect_counters(ctr, 1);
}
END_TEST

/* The source port follows the inner flow: stable for one flow, spread in
 * 49152-65535 over many. */
START_TEST(test_encap_sport)
{
	struct harness_result r;
	uint16_t first = 0, seen_other = 0;
	struct pkt in;

	for (int i = 0; i < 32; i++) {
		uint16_t sport;

		udp_frame(&in, MAC_GW, MAC_W1, "10.1.0.11", "10.1.0.21", 1, 20);
		in.buf[14 + 20] = (uint8_t)i; /* UDP source port high byte */
		ck_assert_int_eq(pkt_finish(&in), 0);
		run_w1(&in, &r);
		ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
		sport = get16(r.out + 34);
		ck_assert_uint_ge(sport, 49152);
		if (i == 0)
			first = sport;
		else if (sport != first)
			seen_other = 1;
		run_w1(&in, &r);
		ck_assert_uint_eq(get16(r.out + 34), sport);
	}
	ck_assert_msg(seen_other, "32 flows all got source port %u", first);
}
END_TEST

START_TEST(test_encap_sport_fragments)
{
	struct pkt_ip ip = { .saddr = IP("10.1.0.11"), .daddr = IP("10.1.0.21"),
			     .proto = IPPROTO_UDP, .id = 0x77 };
	uint16_t whole, first, second;

	whole = sport_of(&ip, 1);
	ip.mf = 1;
	first = sport_of(&ip, 1);
	ip.mf = 0;
	ip.frag_off = 4;
	second = sport_of(&ip, 0);
	ck_assert_uint_ge(first, 49152);
	ck_assert_uint_eq(first, second);
	ck_assert_uint_ne(whole, first);
}
END_TEST

/* A resolved answer is cached: egress, both MACs, the route's MTU, and a
 * deadline at most VTEP_UNDERLAY_TTL_NS away. */
START_TEST(test_underlay_cached)
{
	struct vtep_underlay_key k = ul_key();
	struct vtep_underlay c;
	struct timespec now;
	uint64_t now_ns;
	uint8_t dmac[6];

	ck_assert_int_ne(bpf_map_lookup_elem(ul_fd(), &k, &c), 0);
	encap_dmac(dmac, NULL);
	ck_assert_mem_eq(dmac, MAC_NH, 6);
	ck_assert_int_eq(bpf_map_lookup_elem(ul_fd(), &k, &c), 0);
	ck_assert_uint_eq(c.ifindex, (uint32_t)if_up);
	ck_assert_uint_eq(c.mtu, 1500);
	ck_assert_mem_eq(c.dmac, MAC_NH, 6);
	ck_assert_mem_eq(c.smac, mac_up, 6);
	/* bpf_ktime_get_coarse_ns() is CLOCK_MONOTONIC_COARSE. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	ck_assert_uint_gt(c.expires_ns, now_ns);
	ck_assert_uint_le(c.expires_ns, now_ns + VTEP_UNDERLAY_TTL_NS);
}
END_TEST

/* The cache serves packets: a (planted) entry's MACs are used as they are,
 * and once it has expired the kernel's answer is back. */
START_TEST(test_underlay_serves_and_expires)
{
	struct vtep_underlay_key k = ul_key();
	const uint8_t *fake = PKT_MAC(2, 0, 0, 0, 0x77, 0x77);
	struct vtep_underlay c;
	uint8_t dmac[6];

	encap_dmac(dmac, NULL);
	ck_assert_int_eq(bpf_map_lookup_elem(ul_fd(), &k, &c), 0);
	memcpy(c.dmac, fake, 6);
	ck_assert_int_eq(bpf_map_update_elem(ul_fd(), &k, &c, BPF_EXIST), 0);
	encap_dmac(dmac, NULL);
	ck_assert_mem_eq(dmac, fake, 6);
	/* Past its deadline: asked again, and cached again. */
	c.expires_ns = 1;
	ck_assert_int_eq(bpf_map_update_elem(ul_fd(), &k, &c, BPF_EXIST), 0);
	encap_dmac(dmac, NULL);
	ck_assert_mem_eq(dmac, MAC_NH, 6);
	ck_assert_int_eq(bpf_map_lookup_elem(ul_fd(), &k, &c), 0);
	ck_assert_mem_eq(c.dmac, MAC_NH, 6);
}
END_TEST

/* The next hop's MAC changes: the new one is used right after vtepd empties
 * the map, and within the lifetime when nobody does. */
START_TEST(test_underlay_neigh_change)
{
	const uint8_t *nh2 = PKT_MAC(2, 0, 0, 0, 0x99, 0x03), *nh3 = PKT_MAC(2, 0, 0, 0, 0x99, 0x04);
	struct vtep_underlay_key k = ul_key();
	uint8_t dmac[6];

	encap_dmac(dmac, NULL);
	ck_assert_mem_eq(dmac, MAC_NH, 6);
	ck_assert_int_eq(harness_sh("ip neigh replace 198.51.100.2 lladdr 02:00:00:00:99:03 "
				    "dev ta-up nud permanent"), 0);
	ck_assert_int_eq(bpf_map_delete_elem(ul_fd(), &k), 0);
	encap_dmac(dmac, NULL);
	ck_assert_mem_eq(dmac, nh2, 6);
	ck_assert_int_eq(harness_sh("ip neigh replace 198.51.100.2 lladdr 02:00:00:00:99:04 "
				    "dev ta-up nud permanent"), 0);
	ck_assert_msg(encap_dmac_becomes(nh3), "the old next-hop MAC outlived the cache lifetime");
}
END_TEST

/* The route to the VTEP moves to another uplink: outer source MAC and next
 * hop follow within the lifetime. */
START_TEST(test_underlay_route_change)
{
	const uint8_t *nh_b = PKT_MAC(2, 0, 0, 0, 0x98, 0x02);
	uint8_t dmac[6], smac[6], mac_b[6];

	ck_assert_int_gt(harness_veth(&h, "ta-upb", "ta-upbp"), 0);
	ck_assert_int_eq(harness_ifmac("ta-upb", mac_b), 0);
	ck_assert_int_eq(harness_sh("ip addr add 198.51.101.1/24 dev ta-upb && "
				    "ip neigh replace 198.51.101.2 lladdr 02:00:00:00:98:02 "
				    "dev ta-upb nud permanent"), 0);
	encap_dmac(dmac, smac);
	ck_assert_mem_eq(dmac, MAC_NH, 6);
	ck_assert_mem_eq(smac, mac_up, 6);
	ck_assert_int_eq(harness_sh("ip route replace 192.0.2.2/32 via 198.51.101.2"), 0);
	ck_assert_msg(encap_dmac_becomes(nh_b), "the old route outlived the cache lifetime");
	encap_dmac(dmac, smac);
	ck_assert_mem_eq(smac, mac_b, 6);
}
END_TEST

/* An unresolved next hop is never cached (bpf_redirect_neigh resolves it
 * on every packet until the kernel has the neighbour). */
START_TEST(test_underlay_no_neigh_not_cached)
{
	struct vtep_underlay_key k = ul_key();
	struct vtep_underlay c;
	struct harness_result r;
	struct pkt in;

	ck_assert_int_eq(harness_sh("ip neigh del 198.51.100.2 dev ta-up"), 0);
	udp_w1(&in, "10.1.0.21");
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_int_ne(bpf_map_lookup_elem(ul_fd(), &k, &c), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_encap");
	TCase *tc = port_tcase("port");

	tcase_add_test(tc, test_encap);
	tcase_add_test(tc, test_encap_no_df);
	tcase_add_test(tc, test_encap_prefix);
	tcase_add_test(tc, test_encap_no_neigh);
	tcase_add_test(tc, test_encap_sport);
	tcase_add_test(tc, test_encap_sport_fragments);
	tcase_add_test(tc, test_underlay_unreachable);
	tcase_add_test(tc, test_underlay_cached);
	tcase_add_test(tc, test_underlay_serves_and_expires);
	tcase_add_test(tc, test_underlay_neigh_change);
	tcase_add_test(tc, test_underlay_route_change);
	tcase_add_test(tc, test_underlay_no_neigh_not_cached);
	suite_add_tcase(s, tc);
	return s;
}
