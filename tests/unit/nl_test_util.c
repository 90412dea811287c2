/* nl_test_util.c - see nl_test_util.h. */
#include <check.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nl_test_util.h"

void nt_sh(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "'%s' failed", cmd);
}

char *nt_out(char *out, size_t n, const char *fmt, ...)
{
	char cmd[256];
	size_t len = 0, got;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	ck_assert_msg(f != NULL, "'%s' cannot run", cmd);
	while (len + 1 < n && (got = fread(out + len, 1, n - 1 - len, f)) > 0)
		len += got;
	out[len] = '\0';
	while (fgetc(f) != EOF)
		;
	ck_assert_msg(pclose(f) == 0, "'%s' failed", cmd);
	return out;
}

int nt_poll_until(int fd, bool (*step)(void *ctx), void *ctx, int secs)
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
