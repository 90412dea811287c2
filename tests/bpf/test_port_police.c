/* test_port_police.c - a port's egress limit (bpf/police.h): with a
 * vtep_port_rates entry for w1, frames past its bucket are dropped and
 * counted as drop_rate_limit, frames within it pass as before; the bucket
 * refills with time; a port without an entry (w2) is never limited.
 *
 * The bucket is written as vtepd writes it (lib/portrate.h: full, its
 * time at the rate). Frames are UDP w1 -> w2, 74 bytes each, delivered
 * locally (fwd_local). The rates are chosen so that the time the runs
 * themselves take refills less than one frame: counts, not timings, are
 * asserted (at 1000 bit/s a 74-byte frame takes 592 ms to earn).
 */
#include <check.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "port_fixture.h"
#include "portrate.h"

#define FRAME_LEN 74    /* Ethernet 14 + IPv4 20 + UDP 8 + 32 */

/* Sends n frames in through ifindex; returns how many passed. */
static int burst(int ifindex, const char *from, const char *to, const uint8_t *smac, int n)
{
	struct harness_result r;
	struct pkt in;
	int passed = 0;

	udp_frame(&in, MAC_GW, smac, from, to, 1, 32);
	ck_assert_int_eq(in.len, FRAME_LEN);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(harness_run_tc(prog_fd, ifindex, in.buf, in.len, &r), 0);
		ck_assert_msg(r.retval == TC_ACT_REDIRECT || r.retval == TC_ACT_SHOT,
			      "frame %d: verdict %u", i, r.retval);
		passed += r.retval == TC_ACT_REDIRECT;
	}
	return passed;
}

static int burst_w1(int n)
{
	return burst(if_w1, "10.1.0.11", "10.1.0.12", MAC_W1, n);
}

/* No entry: no limit, however many frames. */
START_TEST(test_no_entry_no_limit)
{
	ck_assert_int_eq(burst_w1(200), 200);
	ck_assert_uint_eq(harness_stat(&h, fwd_local), 200);
	ck_assert_uint_eq(harness_stat(&h, drop_rate_limit), 0);
}
END_TEST

/* A bucket without the port's VTEP_PORT_F_POLICED flag is not looked up:
 * only ports vtepd marked pay for the lookup (the flag is the switch). */
START_TEST(test_entry_without_flag_not_used)
{
	struct vtep_port p;
	__u32 key = if_w1;

	prep_rate_w1(1000, 1000);
	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_PORTS], &key, &p), 0);
	p.flags &= (__u8)~VTEP_PORT_F_POLICED;
	ck_assert_int_eq(harness_port_add(&h, key, &p), 0);
	ck_assert_int_eq(burst_w1(100), 100);
	ck_assert_uint_eq(harness_stat(&h, drop_rate_limit), 0);
}
END_TEST

/* A bucket of 1000 bytes at 1000 bit/s holds 13 frames of 74 bytes (962):
 * the 14th and the rest of the burst are dropped and counted. The runs
 * may take up to half a second before the 14th would be paid for: 13 or 14
 * pass, never more. */
START_TEST(test_burst_beyond_bucket_dropped)
{
	int passed;

	prep_rate_w1(1000, 1000);
	passed = burst_w1(40);
	ck_assert_msg(passed == 13 || passed == 14, "%d of 40 frames passed, want 13", passed);
	ck_assert_uint_eq(harness_stat(&h, fwd_local), passed);
	ck_assert_uint_eq(harness_stat(&h, drop_rate_limit), 40 - passed);
	ck_assert_uint_eq(harness_stat(&h, port_rx), 40);
}
END_TEST

/* Under the rate everything passes: 1 Gbit/s with a 128 KiB bucket takes
 * 1000 frames (74 kB) without a drop. */
START_TEST(test_under_rate_passes)
{
	prep_rate_w1(1000000000ULL, PORTRATE_MIN_BURST);
	ck_assert_int_eq(burst_w1(1000), 1000);
	ck_assert_uint_eq(harness_stat(&h, drop_rate_limit), 0);
}
END_TEST

/* The bucket refills: at 80 kbit/s (10 bytes/ms) an emptied 1000-byte
 * bucket earns a frame in 7.4 ms and is full again in 100 ms; after
 * 200 ms it holds its 1000 bytes (never more), so 13 frames pass again. */
START_TEST(test_bucket_refills)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	prep_rate_w1(80000ULL, 1000);
	ck_assert_int_eq(burst_w1(13), 13);
	/* right after: what the runs took to make earns a few at most */
	ck_assert_int_le(burst_w1(30), 5);
	nanosleep(&ts, NULL);
	ck_assert_int_eq(burst_w1(13), 13);
	ck_assert_uint_ge(harness_stat(&h, drop_rate_limit), 25);
}
END_TEST

/* w1's limit is w1's: w2 (no entry) sends freely meanwhile. */
START_TEST(test_other_port_unlimited)
{
	prep_rate_w1_tiny();
	ck_assert_int_eq(burst_w1(10), 0);
	ck_assert_int_eq(burst(if_w2, "10.1.0.12", "10.1.0.11", MAC_W2, 10), 10);
	ck_assert_uint_eq(harness_stat(&h, drop_rate_limit), 10);
	ck_assert_uint_eq(harness_stat(&h, fwd_local), 10);
}
END_TEST

/* vtepd's numbers: the default bucket, the minimum, the cap. */
START_TEST(test_portrate_numbers)
{
	struct vtep_port_rate v;

	ck_assert_uint_eq(portrate_burst_bytes(10000000ULL, 0), PORTRATE_MIN_BURST);
	ck_assert_uint_eq(portrate_burst_bytes(1000000000ULL, 0), 12500000ULL);
	ck_assert_uint_eq(portrate_burst_bytes(1000000ULL, 8ULL * 200000), 200000);
	ck_assert_uint_eq(portrate_burst_bytes(1000000ULL, 8), PORTRATE_MIN_BURST);
	ck_assert_uint_eq(portrate_burst_bytes(1000000ULL, UINT64_MAX), UINT32_MAX);
	portrate_value(1000, UINT32_MAX, &v);
	ck_assert_uint_eq(v.burst_ns, (uint64_t)UINT32_MAX * 8 * 1000000ULL);
	ck_assert_uint_eq(v.tokens_ns, v.burst_ns);
	portrate_value(8000000ULL, 1000, &v);
	ck_assert_uint_eq(v.burst_ns, 1000000ULL);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_police");
	TCase *tc = port_tcase("police");

	tcase_add_test(tc, test_no_entry_no_limit);
	tcase_add_test(tc, test_entry_without_flag_not_used);
	tcase_add_test(tc, test_burst_beyond_bucket_dropped);
	tcase_add_test(tc, test_under_rate_passes);
	tcase_add_test(tc, test_bucket_refills);
	tcase_add_test(tc, test_other_port_unlimited);
	tcase_add_test(tc, test_portrate_numbers);
	suite_add_tcase(s, tc);
	return s;
}
