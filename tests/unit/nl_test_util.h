/* nl_test_util.h - helpers for the unit tests that drive agent code with
 * real netlink events in a network namespace of their own: run an `ip`
 * command line (and read what it prints), and poll a netlink socket until a condition holds or a
 * deadline passes (never a blind sleep). The code is in nl_test_util.c. */
#ifndef NL_TEST_UTIL_H
#define NL_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Runs a printf-formatted shell command; the test fails if it does. */
void nt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a printf-formatted shell command and returns its standard output
 * in out (at most n - 1 bytes, NUL-terminated; the rest is dropped); the
 * test fails if the command does. */
char *nt_out(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Calls step (which handles the pending events on fd and says whether the
 * awaited state is there) until it returns true, waiting on fd in between,
 * for up to secs seconds. 1 when the state came, 0 at the deadline. */
int nt_poll_until(int fd, bool (*step)(void *ctx), void *ctx, int secs);

#endif /* NL_TEST_UTIL_H */
