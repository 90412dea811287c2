/* test_control_refused.c - what agent/ctl/control_dispatch.c refuses before
 * the daemon sees it, through the fake daemon of control_test_util.h (no
 * socket): garbage (empty, truncated, not JSON, no or an unknown command,
 * NUL, too long) and bad arguments of every command, each counted and none
 * reaching the daemon; and what the log says of a refused request (one
 * printable line, control characters escaped; nothing at info level). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "control_test_util.h"
#include "log.h"

START_TEST(dispatch_garbage)
{
	char *big;

	ct_reset();
	ct_refused("", "empty");
	ct_refused("{", "truncated");
	ct_refused("{\"cmd\":\"routes.add\",\"args\":{\"vni\":1", "truncated");
	ct_refused("not json", "invalid JSON");
	ct_refused("{\"cmd\":\"peers\"} trailing", "invalid JSON");
	ct_refused("[]", "not a JSON object");
	ct_refused("{\"args\":{}}", "cmd");
	ct_refused("{\"cmd\":null}", "cmd");
	ct_refused("{\"cmd\":\"peers\",\"args\":7}", "args");
	ct_refused("{\"cmd\":\"frobnicate\"}", "unknown command \"frobnicate\"");
	ct_refused("{\"cmd\":\"\"}", "unknown command");
	ct_refused("{\"cmd\":\"routes.add\\u0000\"}", "NUL");
	big = malloc(CTLPROTO_MAX_MSG + 2);
	memset(big, ' ', CTLPROTO_MAX_MSG + 1);
	big[CTLPROTO_MAX_MSG + 1] = '\0';
	big[0] = '{';
	ct_refused(big, "longer than");
	free(big);
	ck_assert_int_eq(ct_rec.route_add + ct_rec.route_del + ct_rec.port_add + ct_rec.port_del +
			 ct_rec.reload, 0);
}
END_TEST

START_TEST(dispatch_bad_arguments)
{
	ct_reset();
#define RA(args) "{\"cmd\":\"routes.add\",\"args\":{" args "}}"
	ct_refused(RA(""), "missing argument \"vni\"");
	ct_refused(RA("\"vni\":100"), "missing argument \"prefix\"");
	ct_refused(RA("\"vni\":0,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	ct_refused(RA("\"vni\":16777216,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	ct_refused(RA("\"vni\":1e3,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	ct_refused(RA("\"vni\":\"100\",\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	ct_refused(RA("\"vni\":99999999999999999999,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	ct_refused(RA("\"vni\":-5,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	ct_refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/16\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "prefix");
	ct_refused(RA("\"vni\":100,\"prefix\":22,\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "prefix");
	ct_refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"0.0.0.0\",\"mac\":\"02:00:00:00:00:22\""), "vtep");
	ct_refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"239.1.1.1\",\"mac\":\"02:00:00:00:00:22\""), "vtep");
	ct_refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2\",\"mac\":\"02:00:00:00:00:22\""), "vtep");
	ct_refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"01:00:5e:00:00:01\""), "unicast");
	ct_refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"00:00:00:00:00:00\""), "unicast");
	ct_refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02-00-00-00-00-22\""), "mac");
	ct_refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\",\"colour\":1"), "colour");
#undef RA
	ct_refused("{\"cmd\":\"routes.del\",\"args\":{\"vni\":100}}", "prefix");
	ct_refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"\",\"vni\":1,\"ip\":\"10.1.0.1\"}}", "ifname");
	ct_refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"0123456789abcdef\",\"vni\":1,\"ip\":\"10.1.0.1\"}}", "ifname");
	ct_refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"../x\",\"vni\":1,\"ip\":\"10.1.0.1\"}}", "ifname");
	ct_refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w1\",\"vni\":1,\"ip\":\"255.255.255.255\"}}", "ip");
	ct_refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w1\",\"vni\":1,\"ip\":\"10.1.0.1\",\"mac\":7}}", "mac");
	ct_refused("{\"cmd\":\"ports.del\",\"args\":{}}", "ifname");
	ct_refused("{\"cmd\":\"ports.del\",\"args\":{\"ifname\":\"w1\\u0000x\"}}", "NUL");
	ct_refused("{\"cmd\":\"ports.del\",\"args\":{\"ifname\":[\"w1\"]}}", "ifname");
	ct_refused("{\"cmd\":\"reload\",\"args\":{\"now\":true}}", "now");
	ct_refused("{\"cmd\":\"peers\",\"args\":{\"all\":true}}", "all");
	ct_refused("{\"cmd\":\"bgp.routes\",\"args\":{\"peer\":\"x\"}}", "peer");
	ck_assert_int_eq(ct_rec.route_add + ct_rec.route_del + ct_rec.port_add + ct_rec.port_del +
			 ct_rec.reload, 0);
}
END_TEST

/* Runs one request with the log at lvl and returns what it logged (the
 * reply is freed). */
static size_t dispatch_logged(const char *msg, enum log_level lvl, char *log, size_t cap)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	char *reply;
	size_t n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(saved, 0);
	log_level = lvl;
	fflush(stderr);
	dup2(fileno(f), 2);
	reply = control_dispatch(ct_daemon, &ct_ops, msg, strlen(msg), &ct_errors);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_level = LOG_LVL_ERR;
	free(reply);
	rewind(f);
	n = fread(log, 1, cap - 1, f);
	fclose(f);
	log[n] = '\0';
	return n;
}

/* Regression (tests/fuzz/regress/control/log_line_control_chars_in_mac, found
 * by fuzz_control): a refused request is logged (debug) with its error,
 * which quotes the bad value; a "\u000a" or "\u001b" in it went into the
 * log as a raw line break or terminal escape, so a request could forge log
 * lines. Now every control character is written as \xNN, in the command
 * too. At info level a refused request is not logged at all (never as
 * "done"). */
START_TEST(dispatch_log_escapes_request_text)
{
	static const char msg[] = "{\"cmd\":\"routes.add\",\"args\":{\"vni\":100,"
		"\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\","
		"\"mac\":\"02:00\\n1 vtepd error: forged\\u001b[2J\"}}";
	static const char cmd[] = "{\"cmd\":\"x\\ny\\u001b\"}";
	char log[1024];
	size_t n;

	ct_reset();
	n = dispatch_logged(msg, LOG_LVL_DEBUG, log, sizeof(log));
	/* One line, ending in the one '\n' log_msg adds. */
	ck_assert_msg(n > 0 && strchr(log, '\n') == log + n - 1, "log: %s", log);
	ck_assert_ptr_null(strchr(log, 0x1b));
	ck_assert_ptr_nonnull(strstr(log, "02:00\\x0a1 vtepd error: forged\\x1b[2J"));
	ck_assert_uint_eq(ct_errors, 1);
	n = dispatch_logged(cmd, LOG_LVL_DEBUG, log, sizeof(log));
	ck_assert_msg(n > 0 && strchr(log, '\n') == log + n - 1, "log: %s", log);
	ck_assert_msg(strstr(log, "control: x\\x0ay\\x1b refused: unknown command "
			     "\"x\\x0ay\\x1b\""), "log: %s", log);
	ck_assert_uint_eq(ct_errors, 2);
	ck_assert_uint_eq(dispatch_logged(msg, LOG_LVL_INFO, log, sizeof(log)), 0);
	ck_assert_int_eq(ct_rec.route_add, 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("control_refused");
	TCase *d = tcase_create("dispatch");

	log_level = LOG_LVL_ERR;
	tcase_add_test(d, dispatch_garbage);
	tcase_add_test(d, dispatch_bad_arguments);
	tcase_add_test(d, dispatch_log_escapes_request_text);
	suite_add_tcase(s, d);
	return s;
}
