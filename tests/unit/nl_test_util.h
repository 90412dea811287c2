/* nl_test_util.h - helpers for the unit tests that drive agent code with
 * real netlink events in a network namespace of their own: run an `ip`
 * command line, and poll a netlink socket until a condition holds or a
 * deadline passes (never a blind sleep). */
#ifndef NL_TEST_UTIL_H
#define NL_TEST_UTIL_H

#include <check.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Runs a printf-formatted shell command; the test fails if it does. */
static inline void __attribute__((format(printf, 1, 2))) nt_sh(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "'%s' failed", cmd);
}

/* Calls step (which handles the pending events on fd and says whether the
 * awaited state is there) until it returns true, waiting on fd in between,
 * for up to secs seconds. 1 when the state came, 0 at the deadline. */
static inline int nt_poll_until(int fd, bool (*step)(void *ctx), void *ctx, int secs)
{
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += secs;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left;

		if (step(ctx))
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return 0;
		poll(&p, 1, (int)left);
	}
}

#endif /* NL_TEST_UTIL_H */
