/* uplink_decap.c - test_uplink's table of packets (uplink_cases) through the
 * program of each uplink mode: the XDP half of xdp mode (native and generic
 * builds: verdict, output bytes, the metadata naming the port), tc mode's
 * vtep_uplink_tc (verdict, output bytes, an ARP reply sent back out of the
 * uplink) and xdp mode's TC half on frames without metadata (untouched and
 * uncounted). Every run checks the whole counter struct.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "uplink_fixture.h"

/* xdp mode, the XDP half: XDP_PASS untouched, XDP_DROP, or XDP_PASS with the
 * inner frame and the metadata naming the port. */
START_TEST(test_xdp_case)
{
	const struct ucase *c = &uplink_cases[_i];
	struct vtep_stats want;
	uint8_t inner[PKT_BUF];
	struct vtep_xdp_meta meta;
	struct xrun r;
	struct pkt p;
	size_t ilen;

	build(c, &p);
	run_xdp(NULL, 0, p.buf, p.len, &r);
	switch (c->out) {
	case O_PASS:
		ck_assert_msg(r.retval == XDP_PASS, "%s: verdict %u", c->name, r.retval);
		ck_assert_uint_eq(r.meta_len, 0);
		assert_bytes(c->name, p.buf, p.len, r.out, r.out_len);
		break;
	case O_DROP:
		ck_assert_msg(r.retval == XDP_DROP, "%s: verdict %u", c->name, r.retval);
		break;
	case O_ARP_REPLY:
		/* The reply, and the metadata that has the TC half send it
		 * back out of the uplink. */
		ck_assert_msg(r.retval == XDP_PASS, "%s: verdict %u", c->name, r.retval);
		ck_assert_uint_eq(r.meta_len, sizeof(meta));
		memcpy(&meta, r.out, sizeof(meta));
		ck_assert_uint_eq(meta.magic, VTEP_META_MAGIC_TX);
		ck_assert_uint_eq(meta.ifindex, (uint32_t)if_up);
		assert_reply(c, r.out + r.meta_len, r.out_len - r.meta_len);
		break;
	case O_DELIVER:
		ck_assert_msg(r.retval == XDP_PASS, "%s: verdict %u", c->name, r.retval);
		ck_assert_uint_eq(r.meta_len, sizeof(meta));
		memcpy(&meta, r.out, sizeof(meta));
		ck_assert_uint_eq(meta.magic, VTEP_META_MAGIC);
		ck_assert_uint_eq(meta.ifindex, (uint32_t)case_ifindex(c));
		ilen = expected_inner(c, &p, inner);
		assert_bytes(c->name, inner, ilen, r.out + r.meta_len, r.out_len - r.meta_len);
		break;
	}
	expected_stats(c, &want);
	assert_stats(c->name, &want);
}
END_TEST

/* tc mode, vtep_uplink_tc alone: TC_ACT_OK untouched, TC_ACT_SHOT, or
 * TC_ACT_REDIRECT with exactly the inner frame. */
START_TEST(test_tc_case)
{
	const struct ucase *c = &uplink_cases[_i];
	struct harness_result r;
	struct vtep_stats want;
	uint8_t inner[PKT_BUF];
	struct pkt p;
	size_t ilen;

	build(c, &p);
	run_tc(p.buf, p.len, &r);
	switch (c->out) {
	case O_PASS:
		ck_assert_msg(r.retval == TC_ACT_OK, "%s: verdict %u", c->name, r.retval);
		assert_bytes(c->name, p.buf, p.len, r.out, r.out_len);
		break;
	case O_DROP:
		ck_assert_msg(r.retval == TC_ACT_SHOT, "%s: verdict %u", c->name, r.retval);
		break;
	case O_ARP_REPLY:
		ck_assert_msg(r.retval == TC_ACT_REDIRECT, "%s: verdict %u", c->name, r.retval);
		assert_reply(c, r.out, r.out_len);
		break;
	case O_DELIVER:
		ck_assert_msg(r.retval == TC_ACT_REDIRECT, "%s: verdict %u", c->name, r.retval);
		ilen = expected_inner(c, &p, inner);
		assert_bytes(c->name, inner, ilen, r.out, r.out_len);
		break;
	}
	expected_stats(c, &want);
	assert_stats(c->name, &want);
}
END_TEST

/* xdp mode, the TC half (vtep_uplink_xtc), on what arrives without
 * metadata (everything the XDP half passed, and whatever it would have
 * dropped): untouched, uncounted, never redirected. */
START_TEST(test_tc_xdp_mode_without_meta)
{
	const struct ucase *c = &uplink_cases[_i];
	struct harness_result r;
	struct vtep_stats zero;
	struct pkt p;

	build(c, &p);
	run_xtc(p.buf, p.len, &r);
	ck_assert_msg(r.retval == TC_ACT_OK, "%s: verdict %u", c->name, r.retval);
	assert_bytes(c->name, p.buf, p.len, r.out, r.out_len);
	memset(&zero, 0, sizeof(zero));
	assert_stats(c->name, &zero);
}
END_TEST

void uplink_decap_add(Suite *s, bool xdp)
{
	TCase *tc = uplink_tcase("decap-tc", UPLINK_TC);
	TCase *xtc = uplink_tcase("decap-xtc", UPLINK_TC);

	tcase_add_loop_test(tc, test_tc_case, 0, uplink_ncases);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(xtc, test_tc_xdp_mode_without_meta, 0, uplink_ncases);
	suite_add_tcase(s, xtc);
	if (xdp) {
		TCase *x = uplink_tcase("decap-xdp", UPLINK_XDP);
		TCase *g = uplink_tcase("decap-xdp-generic", UPLINK_GEN);

		tcase_add_loop_test(x, test_xdp_case, 0, uplink_ncases);
		suite_add_tcase(s, x);
		tcase_add_loop_test(g, test_xdp_case, 0, uplink_ncases);
		suite_add_tcase(s, g);
	}
}
