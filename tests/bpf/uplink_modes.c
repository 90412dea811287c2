/* uplink_modes.c - one program per uplink mode, no flag: the same frames
 * through vtep_uplink_xtc (xdp mode's TC half: passes what carries no
 * metadata of the XDP half) and vtep_uplink_tc (tc mode: decapsulates
 * them); and metadata the XDP half did not write never reaches the TC half
 * as ours.
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

/* One frame, both TC programs: the mode is the program, not a flag. VXLAN
 * for a local workload with no XDP metadata (as it arrives in xdp mode when
 * the XDP half was detached, or was never there): vtep_uplink_xtc leaves it
 * to the host byte for byte with no counter moved (in xdp mode the XDP half
 * counts every frame, so a count here would count it twice); vtep_uplink_tc
 * on the very same bytes decapsulates and delivers it. The
 * second frame is an inner ARP request for the workload: xtc passes it
 * untouched, tc answers it out of the uplink. */
START_TEST(test_tc_program_per_mode)
{
	const struct ucase *c[] = { &uplink_cases[0], &uplink_cases[2] }; /* deliver, ARP reply */
	struct harness_result r;
	struct vtep_stats zero, want;
	uint8_t inner[PKT_BUF];
	struct pkt p;
	size_t ilen;

	ck_assert_int_eq(c[0]->out, O_DELIVER);
	ck_assert_int_eq(c[1]->out, O_ARP_REPLY);
	memset(&zero, 0, sizeof(zero));
	for (size_t i = 0; i < 2; i++) {
		build(c[i], &p);
		stats_reset();
		run_xtc(p.buf, p.len, &r);
		ck_assert_msg(r.retval == TC_ACT_OK, "xtc, %s: verdict %u", c[i]->name, r.retval);
		assert_bytes(c[i]->name, p.buf, p.len, r.out, r.out_len);
		assert_stats(c[i]->name, &zero);

		run_tc(p.buf, p.len, &r);
		expected_stats(c[i], &want);
		assert_stats(c[i]->name, &want);
		ck_assert_msg(r.retval == TC_ACT_REDIRECT, "tc, %s: verdict %u", c[i]->name,
			      r.retval);
		if (c[i]->out == O_ARP_REPLY) {
			assert_reply(c[i], r.out, r.out_len);
		} else {
			ilen = expected_inner(c[i], &p, inner);
			assert_bytes(c[i]->name, inner, ilen, r.out, r.out_len);
		}
	}
}
END_TEST

/* Metadata the XDP half did not write must never reach the TC half as ours:
 * on a frame it passes, our magics are wiped; on a delivery, ours replaces
 * whatever was there. */
START_TEST(test_xdp_foreign_meta)
{
	struct vtep_xdp_meta tx = { .magic = VTEP_META_MAGIC_TX, .ifindex = 0 };
	struct vtep_xdp_meta meta = { .magic = VTEP_META_MAGIC, .ifindex = 0 };
	uint32_t big[4] = { VTEP_META_MAGIC, 999, 7, 7 };
	struct vtep_xdp_meta got;
	struct xrun r;
	struct pkt p;

	meta.ifindex = (uint32_t)if_w1;
	pkt_init(&p);
	b_forged(&p);
	ck_assert_int_eq(pkt_finish(&p), 0);
	run_xdp(&meta, sizeof(meta), p.buf, p.len, &r);
	ck_assert_uint_eq(r.retval, XDP_PASS);
	ck_assert_uint_eq(r.meta_len, sizeof(meta));
	memcpy(&got, r.out, sizeof(got));
	ck_assert_uint_ne(got.magic, VTEP_META_MAGIC);
	assert_bytes("forged frame", p.buf, p.len, r.out + r.meta_len, r.out_len - r.meta_len);

	tx.ifindex = (uint32_t)if_up;
	run_xdp(&tx, sizeof(tx), p.buf, p.len, &r);
	ck_assert_uint_eq(r.retval, XDP_PASS);
	ck_assert_uint_eq(r.meta_len, sizeof(tx));
	memcpy(&got, r.out, sizeof(got));
	ck_assert_uint_ne(got.magic, VTEP_META_MAGIC_TX);

	pkt_init(&p);
	b_mac(&p);
	ck_assert_int_eq(pkt_finish(&p), 0);
	run_xdp(big, sizeof(big), p.buf, p.len, &r);
	ck_assert_uint_eq(r.retval, XDP_PASS);
	ck_assert_uint_eq(r.meta_len, sizeof(got));
	memcpy(&got, r.out, sizeof(got));
	ck_assert_uint_eq(got.magic, VTEP_META_MAGIC);
	ck_assert_uint_eq(got.ifindex, (uint32_t)if_w1);
}
END_TEST

void uplink_modes_add(Suite *s, bool xdp)
{
	TCase *tc = uplink_tcase("modes-tc", UPLINK_TC);

	tcase_add_test(tc, test_tc_program_per_mode);
	suite_add_tcase(s, tc);
	if (xdp) {
		TCase *x = uplink_tcase("modes-xdp", UPLINK_XDP);
		TCase *g = uplink_tcase("modes-xdp-generic", UPLINK_GEN);

		tcase_add_test(x, test_xdp_foreign_meta);
		suite_add_tcase(s, x);
		tcase_add_test(g, test_xdp_foreign_meta);
		suite_add_tcase(s, g);
	}
}
