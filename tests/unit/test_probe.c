/* test_probe.c - agent/dp/probe.c and agent/dp/bpflog.c: the capability table,
 * the test-only override, the one-line summary, the probes on the running
 * kernel, and the verifier line kept as a refusal's reason. Needs root for
 * the BPF probes. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "check_main.h"
#include "bpflog.h"
#include "log.h"
#include "probe.h"

START_TEST(test_table)
{
	ck_assert_str_eq(probe_name(PROBE_F_xdp_meta), "xdp_meta");
	ck_assert_int_eq(probe_by_name("redirect_peer"), PROBE_F_redirect_peer);
	ck_assert_int_eq(probe_by_name("warp"), PROBE_F_COUNT);
	ck_assert_str_eq(probe_min_kernel(PROBE_F_ringbuf), "5.8");
	/* No fallback for these: vtepd stops without them. */
	ck_assert(probe_is_required(PROBE_F_btf) && probe_is_required(PROBE_F_ringbuf) &&
		  probe_is_required(PROBE_F_clsact) && probe_is_required(PROBE_F_fib_lookup));
	/* A fallback for these. */
	ck_assert(!probe_is_required(PROBE_F_redirect_peer) && !probe_is_required(PROBE_F_xdp_meta) &&
		  !probe_is_required(PROBE_F_xdp_frags) && !probe_is_required(PROBE_F_ktime_coarse));
}
END_TEST

START_TEST(test_override)
{
	struct probe_set s;
	char err[128];

	memset(&s, 0, sizeof(s));
	for (int f = 0; f < PROBE_F_COUNT; f++)
		s.have[f] = true;
	ck_assert_int_eq(probe_override(&s, "xdp_meta=0,redirect_peer=0", err, sizeof(err)), 0);
	ck_assert(!s.have[PROBE_F_xdp_meta] && s.forced_off[PROBE_F_xdp_meta]);
	ck_assert(!s.have[PROBE_F_redirect_peer]);
	ck_assert(s.have[PROBE_F_ringbuf] && !s.forced_off[PROBE_F_ringbuf]);
	ck_assert(strstr(s.note[PROBE_F_xdp_meta], "override"));
	/* Only off: turning on what the kernel lacks would load programs it
	 * refuses. */
	ck_assert_int_eq(probe_override(&s, "xdp_meta=1", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "only be turned off"), "%s", err);
	ck_assert_int_eq(probe_override(&s, "xdp_meta", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(probe_override(&s, "ringbuf=0,warp=0", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "\"warp\": no such capability"), "%s", err);
	ck_assert_int_eq(probe_required_missing(&s), PROBE_F_ringbuf);
}
END_TEST

START_TEST(test_format)
{
	struct probe_set s;
	char line[512];

	memset(&s, 0, sizeof(s));
	for (int f = 0; f < PROBE_F_COUNT; f++)
		s.have[f] = true;
	s.have[PROBE_F_xdp_meta] = false;
	strcpy(s.note[PROBE_F_xdp_meta], "cannot use helper");
	probe_format(&s, line, sizeof(line));
	ck_assert_msg(!strncmp(line, "btf clsact ringbuf", 18), "%s", line);
	ck_assert_msg(strstr(line, " -xdp_meta (cannot use helper) "), "%s", line);
	ck_assert_int_eq(probe_required_missing(&s), PROBE_F_COUNT);
	/* Truncated, never overrun. */
	probe_format(&s, line, 10);
	ck_assert_uint_lt(strlen(line), 10);
}
END_TEST

/* The running kernel: the suite itself needs every capability without a
 * fallback, so they must all be found; each missing one says why. */
START_TEST(test_probe_kernel)
{
	struct probe_set s;

	probe_kernel(&s);
	ck_assert_msg(probe_required_missing(&s) == PROBE_F_COUNT, "missing %s: %s",
		      probe_name(probe_required_missing(&s)),
		      s.note[probe_required_missing(&s)]);
	for (int f = 0; f < PROBE_F_COUNT; f++)
		ck_assert_msg(s.have[f] || s.note[f][0], "%s missing without a reason",
			      probe_name(f));
}
END_TEST

START_TEST(test_verifier_line)
{
	char out[200];

	ck_assert(bpflog_reason_from("libbpf: prog 'x': -- BEGIN PROG LOAD LOG --\n"
				     "0: R1=ctx() R10=fp0\n1: (85) call bpf_xdp_adjust_meta#54\n"
				     "program of this type cannot use helper bpf_xdp_adjust_meta#54\n"
				     "processed 2 insns (limit 1000000) max_states_per_insn 0\n"
				     "-- END PROG LOAD LOG --\n", out, sizeof(out)));
	ck_assert_str_eq(out, "program of this type cannot use helper bpf_xdp_adjust_meta#54");
	ck_assert(!bpflog_reason_from("libbpf: map 'x': failed to create", out, sizeof(out)));
	ck_assert(!bpflog_reason_from("-- BEGIN PROG LOAD LOG --\nprocessed 1 insns\n"
				      "-- END PROG LOAD LOG --", out, sizeof(out)));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("probe");

	log_level = LOG_LVL_ERR;
	bpflog_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_override);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_probe_kernel);
	tcase_add_test(tc, test_verifier_line);
	suite_add_tcase(s, tc);
	return s;
}
