/* check_main.h - the one main() of every Check test binary, unit tests
 * (tests/unit) and BPF program tests (tests/bpf) alike: check_main.c.
 *
 * A test file exports its suite, and nothing else, through test_suite():
 *
 *	Suite *test_suite(void)
 *	{
 *		Suite *s = suite_create("name");
 *		... tcases, fixtures, timeouts; process-wide set-up such as
 *		    log_level, or SKIP lines for cases left out ...
 *		return s;
 *	}
 *
 * main() calls it once, in the parent, before any case is forked, so what
 * test_suite() sets up holds for every case; then runs every case
 * (CK_NORMAL: Check's summary line, and each failure) and exits 0 when all
 * passed, 1 otherwise. CK_DEFAULT_TIMEOUT and the other CK_* variables work
 * as for any Check runner (tests/run-unit.sh sets the timeout).
 */
#ifndef VTEP_CHECK_MAIN_H
#define VTEP_CHECK_MAIN_H

#include <check.h>

/* Defined by each test binary: its suite, made ready to run. */
Suite *test_suite(void);

/* fn runs in the runner's own process after every case has run (and
 * never in a forked case): for what test_suite() set up for the whole
 * run, such as a bpffs mounted once. One function; a second call
 * replaces it. */
void check_main_at_end(void (*fn)(void));

#endif /* VTEP_CHECK_MAIN_H */
