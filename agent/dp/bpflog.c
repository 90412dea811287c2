/* bpflog.c - see bpflog.h. */
#include "bpflog.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "log.h"

#define BPFLOG_REASON_LEN 200

static bool capturing, quiet;
static char reason[BPFLOG_REASON_LEN];

bool bpflog_reason_from(const char *msg, char *out, size_t len)
{
	const char *p = strstr(msg, "-- BEGIN PROG LOAD LOG --");
	const char *end, *line, *best = NULL;
	size_t best_len = 0;

	if (!p)
		return false;
	p = strchr(p, '\n');
	end = strstr(msg, "-- END PROG LOAD LOG --");
	if (!p || !end)
		return false;
	for (line = p + 1; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);

		if (n && strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17)) {
			best = line;
			best_len = n;
		}
		line += n + 1;
	}
	if (!best)
		return false;
	snprintf(out, len, "%.*s", (int)best_len, best);
	return true;
}

/* Keeps the most telling line of a warning: the verifier's, which wins over
 * anything else, or else the first warning of the load. */
static void keep_reason(const char *msg)
{
	char line[BPFLOG_REASON_LEN];

	if (bpflog_reason_from(msg, line, sizeof(line))) {
		snprintf(reason, sizeof(reason), "%s", line);
		return;
	}
	if (!reason[0])
		snprintf(reason, sizeof(reason), "%s", strncmp(msg, "libbpf: ", 8) ? msg : msg + 8);
}

/* Unbounded vasprintf: a verifier log's last lines are the ones that
 * matter. The netlink "Exclusivity flag on" note is what an existing clsact
 * qdisc answers to bpf_tc_hook_create: expected, not a warning. */
static int bpflog_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *buf = NULL;
	size_t n;

	if (vasprintf(&buf, fmt, ap) < 0)
		return 0;
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (level == LIBBPF_WARN && capturing)
		keep_reason(buf);
	if (level == LIBBPF_DEBUG || quiet || strstr(buf, "Exclusivity flag on") ||
	    strstr(buf, "Cannot find specified filter chain"))
		log_debug("%s", buf);
	else
		log_msg(level == LIBBPF_WARN ? LOG_LVL_WARN : LOG_LVL_INFO, "%s", buf);
	free(buf);
	return 0;
}

void bpflog_init(void)
{
	libbpf_set_print(bpflog_print);
}

void bpflog_capture_begin(int q)
{
	capturing = true;
	quiet = q;
	reason[0] = '\0';
}

void bpflog_capture_end(char *buf, size_t len)
{
	capturing = false;
	quiet = false;
	snprintf(buf, len, "%s", reason);
	reason[0] = '\0';
}
