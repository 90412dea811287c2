/* uplink_cuts.c - frames that are not whole or not in one buffer: a VXLAN
 * packet cut at every length (pass until the UDP header is complete, then
 * malformed VXLAN for our VTEP) through the XDP half and vtep_uplink_tc;
 * and multi-buffer frames (jumbo VXLAN, a trailer in the last fragment, a
 * padded ARP request) decapsulated whole by the native XDP build, with one
 * page or only 1024 bytes linear.
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

/* Cut a VXLAN packet at every length: until the UDP header is complete
 * nothing says it is VXLAN (pass; the host drops the runt), from there on it
 * is malformed VXLAN for our VTEP. Both inner kinds the classifier reads
 * into (IPv4 routed by the gateway MAC, ARP). An skb test run refuses an
 * IPv4 frame shorter than Ethernet + IPv4 header (EINVAL), so TC starts
 * there. */
static void truncations(int tc_mode)
{
	void (*builders[])(struct pkt *) = { b_gw, b_arp_req };
	const size_t udp_end = ETH_HLEN + 20 + 8;
	struct harness_result tr;
	struct vtep_stats want;
	struct xrun xr;
	struct pkt p;

	for (size_t b = 0; b < 2; b++) {
		pkt_init(&p);
		builders[b](&p);
		ck_assert_int_eq(pkt_finish(&p), 0);
		for (size_t len = tc_mode ? ETH_HLEN + 20 : ETH_HLEN; len < p.len; len++) {
			int pass = len < udp_end;
			uint32_t verdict;

			stats_reset();
			if (tc_mode) {
				run_tc(p.buf, len, &tr);
				verdict = tr.retval;
				ck_assert_msg(verdict == (pass ? TC_ACT_OK : TC_ACT_SHOT),
					      "builder %zu cut at %zu: verdict %u", b, len, verdict);
				if (pass)
					assert_bytes("truncated pass", p.buf, len, tr.out, tr.out_len);
			} else {
				run_xdp(NULL, 0, p.buf, len, &xr);
				verdict = xr.retval;
				ck_assert_msg(verdict == (pass ? XDP_PASS : XDP_DROP),
					      "builder %zu cut at %zu: verdict %u", b, len, verdict);
				if (pass)
					assert_bytes("truncated pass", p.buf, len, xr.out, xr.out_len);
			}
			memset(&want, 0, sizeof(want));
			want.uplink_rx = 1;
			if (pass) {
				want.uplink_pass = 1;
			} else {
				want.vxlan_rx = 1;
				want.drop_vx_malformed = 1;
			}
			assert_stats("truncated", &want);
		}
	}
}

START_TEST(test_xdp_truncated)
{
	truncations(0);
}
END_TEST

START_TEST(test_tc_truncated)
{
	truncations(1);
}
END_TEST

/* The native build takes the multi-buffer frame and decapsulates it whole:
 * the inner frame byte for byte (the lengths are the whole frame's, from
 * bpf_xdp_get_buff_len(): with data_end - data the IPv4 total length would
 * not fit and the frame would be dropped as malformed), the trailer trimmed
 * off the last fragment, the padded request cut down to the one-buffer
 * reply. (BPF_PROG_TEST_RUN builds fragments for any XDP program; the
 * frags flag matters at attach time, see test_live_jumbo.) */
START_TEST(test_xdp_multibuf)
{
	const struct ucase *c = &mb_cases[_i / 2];
	struct vtep_xdp_meta meta;
	static uint8_t inner[PKT_BUF];
	static struct xrun r;
	struct vtep_stats want;
	static struct pkt p;
	size_t ilen;

	build(c, &p);
	ck_assert_uint_gt(p.len, 4096);
	/* Odd runs: only 1024 bytes linear (a NIC's 2k buffer, a veth's
	 * page-pool fragment), the rest in fragments; even runs: as much
	 * linear as fits one page (about 3.5k). */
	xlinear = _i % 2 ? 1024 : 0;

	run_xdp(NULL, 0, p.buf, p.len, &r);
	ck_assert_msg(r.retval == XDP_PASS, "%s: verdict %u", c->name, r.retval);
	ck_assert_uint_eq(r.meta_len, sizeof(meta));
	memcpy(&meta, r.out, sizeof(meta));
	if (c->out == O_ARP_REPLY) {
		ck_assert_uint_eq(meta.magic, VTEP_META_MAGIC_TX);
		ck_assert_uint_eq(meta.ifindex, (uint32_t)if_up);
		assert_reply(c, r.out + r.meta_len, r.out_len - r.meta_len);
	} else {
		ck_assert_uint_eq(meta.magic, VTEP_META_MAGIC);
		ck_assert_uint_eq(meta.ifindex, (uint32_t)if_w1);
		ilen = expected_inner(c, &p, inner);
		ck_assert_uint_gt(ilen, 4096);
		assert_bytes(c->name, inner, ilen, r.out + r.meta_len, r.out_len - r.meta_len);
	}
	expected_stats(c, &want);
	assert_stats(c->name, &want);
}
END_TEST

void uplink_cuts_add(Suite *s, bool xdp)
{
	TCase *tc = uplink_tcase("cuts-tc", UPLINK_TC);

	tcase_add_test(tc, test_tc_truncated);
	suite_add_tcase(s, tc);
	if (xdp) {
		TCase *x = uplink_tcase("cuts-xdp", UPLINK_XDP);
		TCase *g = uplink_tcase("cuts-xdp-generic", UPLINK_GEN);

		tcase_add_test(x, test_xdp_truncated);
		/* Each frame twice: one page linear, then 1024 bytes. */
		tcase_add_loop_test(x, test_xdp_multibuf, 0, 2 * mb_ncases);
		suite_add_tcase(s, x);
		tcase_add_test(g, test_xdp_truncated);
		suite_add_tcase(s, g);
	}
}
