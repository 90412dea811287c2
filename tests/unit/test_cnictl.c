/* test_cnictl.c - agent/ctl/cnictl.c: the CNI socket's request validation
 * and replies through a fake ops table. A request that is malformed never
 * reaches the daemon, is counted, and carries code 7; the daemon's own
 * errors map to the CNI codes vtepd-cni passes on (3, 7, 11, 100). */
#include <check.h>
#include "check_main.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "addr.h"
#include "addr6.h"
#include "cnictl.h"
#include "control.h"
#include "ctlproto.h"
#include "log.h"

static struct {
	int add, del, check, gc;
	struct pod last;
	int fail;
	size_t nvalid;
	char network[POD_NET_LEN];
} rec;

static int f_add(struct daemon *d, const struct pod *req, struct cnictl_made *out,
		 char err[CFG_ERR_LEN])
{
	(void)d;
	rec.add++;
	rec.last = *req;
	if (rec.fail)
		return snprintf(err, CFG_ERR_LEN, "fake"), -rec.fail;
	memset(out, 0, sizeof(*out));
	snprintf(out->host_ifname, sizeof(out->host_ifname), "vt0123456789a");
	out->mac[0] = 2;
	out->host_mac[0] = 2;
	out->mtu = req->mtu ? req->mtu : 1450;
	out->ip = req->ip;
	if (req->ip)
		addr_parse_ip("10.1.255.254", &out->gateway);
	memcpy(out->ip6, req->ip6, 16);
	if (!addr6_is_zero(req->ip6))
		addr6_parse("fe80::ff:fe00:1", out->gateway6);
	return 0;
}

static int f_del(struct daemon *d, const char *cid, const char *ifname, bool *removed,
		 char err[CFG_ERR_LEN])
{
	(void)d; (void)err;
	rec.del++;
	snprintf(rec.last.container_id, sizeof(rec.last.container_id), "%s", cid);
	snprintf(rec.last.ifname, sizeof(rec.last.ifname), "%s", ifname);
	*removed = true;
	return rec.fail ? -rec.fail : 0;
}

static int f_check(struct daemon *d, const struct pod *req, char err[CFG_ERR_LEN])
{
	(void)d;
	rec.check++;
	rec.last = *req;
	return rec.fail ? snprintf(err, CFG_ERR_LEN, "fake check"), -rec.fail : 0;
}

static int f_gc(struct daemon *d, const char *network, const struct cnictl_attachment *valid,
		size_t n, cnictl_removed_fn removed, void *ctx, char err[CFG_ERR_LEN])
{
	struct pod gone = { .container_id = "old", .ifname = "eth0" };

	(void)d; (void)valid; (void)err;
	rec.gc++;
	rec.nvalid = n;
	snprintf(rec.network, sizeof(rec.network), "%s", network);
	removed(ctx, &gone);
	return 0;
}

static size_t f_count(const struct daemon *d)
{
	(void)d;
	return 3;
}

static const struct cnictl_ops ops = { f_add, f_del, f_check, f_gc, f_count };

/* Sends one request; returns the decoded reply (caller puts). */
static struct json_object *ask_from(const char *req, uint64_t *errors, bool gone)
{
	char *reply = cnictl_dispatch(NULL, &ops, req, strlen(req), errors, gone);
	struct json_object *o;

	ck_assert_ptr_nonnull(reply);
	o = json_tokener_parse(reply);
	ck_assert_ptr_nonnull(o);
	free(reply);
	return o;
}

static struct json_object *ask(const char *req, uint64_t *errors)
{
	return ask_from(req, errors, false);
}

static bool ok_of(struct json_object *o)
{
	struct json_object *v;

	return json_object_object_get_ex(o, "ok", &v) && json_object_get_boolean(v);
}

static int code_of(struct json_object *o)
{
	struct json_object *v;

	return json_object_object_get_ex(o, "code", &v) ? json_object_get_int(v) : 0;
}

#define ADD_ARGS "\"container_id\":\"c1\",\"ifname\":\"eth0\",\"netns\":\"/run/netns/p\"," \
		 "\"network\":\"pods\",\"vni\":100,\"ip\":\"10.1.1.5\""

START_TEST(add_valid)
{
	uint64_t errors = 0;
	struct json_object *o, *d, *v;

	memset(&rec, 0, sizeof(rec));
	o = ask("{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"mtu\":1400,\"k8s\":{\"namespace\":"
		"\"web\",\"name\":\"db-0\",\"uid\":\"u\"}}}", &errors);
	ck_assert(ok_of(o));
	ck_assert_int_eq(rec.add, 1);
	ck_assert_str_eq(rec.last.container_id, "c1");
	ck_assert_str_eq(rec.last.netns, "/run/netns/p");
	ck_assert_str_eq(rec.last.network, "pods");
	ck_assert_str_eq(rec.last.k8s_name, "db-0");
	ck_assert_uint_eq(rec.last.mtu, 1400);
	ck_assert(json_object_object_get_ex(o, "data", &d));
	ck_assert(json_object_object_get_ex(d, "gateway", &v));
	ck_assert_str_eq(json_object_get_string(v), "10.1.255.254");
	ck_assert(json_object_object_get_ex(d, "mtu", &v));
	ck_assert_int_eq(json_object_get_int(v), 1400);
	ck_assert_uint_eq(errors, 0);
	json_object_put(o);
}
END_TEST

START_TEST(add_refusals_never_reach_the_daemon)
{
	static const char *const bad[] = {
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"extra\":1}}",
		"{\"cmd\":\"cni.add\",\"args\":{\"ifname\":\"eth0\",\"netns\":\"/n\",\"network\":\"p\","
		"\"vni\":1,\"ip\":\"10.1.1.5\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{\"container_id\":\"-c\",\"ifname\":\"eth0\","
		"\"netns\":\"/n\",\"network\":\"p\",\"vni\":1,\"ip\":\"10.1.1.5\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{\"container_id\":\"c\",\"ifname\":\"a/b\","
		"\"netns\":\"/n\",\"network\":\"p\",\"vni\":1,\"ip\":\"10.1.1.5\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{\"container_id\":\"c\",\"ifname\":\"eth0\","
		"\"netns\":\"rel\",\"network\":\"p\",\"vni\":1,\"ip\":\"10.1.1.5\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{\"container_id\":\"c\",\"ifname\":\"eth0\","
		"\"netns\":\"/n\",\"network\":\"p\",\"vni\":0,\"ip\":\"10.1.1.5\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{\"container_id\":\"c\",\"ifname\":\"eth0\","
		"\"netns\":\"/n\",\"network\":\"p\",\"vni\":1,\"ip\":\"224.0.0.1\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"mtu\":67}}",
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"k8s\":{\"namespace\":\"a\\u0001\"}}}",
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"k8s\":{\"labels\":{}}}}",
		"{\"cmd\":\"cni.add\",\"args\":{\"container_id\":\"c\",\"ifname\":\"eth0\","
		"\"netns\":\"/n\",\"network\":\"\",\"vni\":1,\"ip\":\"10.1.1.5\"}}",
		"{\"cmd\":\"cni.frob\"}",
		"{\"cmd\":\"cni.add\",\"args\":",
	};
	uint64_t errors = 0;

	memset(&rec, 0, sizeof(rec));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *o = ask(bad[i], &errors);

		ck_assert_msg(!ok_of(o), "case %zu accepted", i);
		ck_assert_int_eq(code_of(o), 7);
		json_object_put(o);
	}
	ck_assert_int_eq(rec.add, 0);
	ck_assert_uint_eq(errors, sizeof(bad) / sizeof(bad[0]));
}
END_TEST

/* The egress limit (runtimeConfig.bandwidth's egress pair): reaches the
 * daemon on ADD and CHECK as given (bits/s, bits), absent is none; out of
 * bounds, a burst without a rate, a non-integer: code 7, never the daemon. */
START_TEST(add_egress_limit)
{
	static const char *const bad[] = {
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"egress_rate\":999}}",
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"egress_rate\":1000000000000001}}",
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"egress_rate\":-1}}",
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"egress_rate\":\"10M\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"egress_rate\":1e7}}",
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"egress_burst\":8000}}",
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"egress_rate\":1000000,"
		"\"egress_burst\":0}}",
		"{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"egress_rate\":1000000,"
		"\"egress_burst\":34359738361}}",
		"{\"cmd\":\"cni.check\",\"args\":{" ADD_ARGS ",\"egress_rate\":5}}",
	};
	uint64_t errors = 0;
	struct json_object *o;

	memset(&rec, 0, sizeof(rec));
	o = ask("{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"egress_rate\":10000000,"
		"\"egress_burst\":800000}}", &errors);
	ck_assert(ok_of(o));
	json_object_put(o);
	ck_assert_uint_eq(rec.last.egress_rate, 10000000);
	ck_assert_uint_eq(rec.last.egress_burst, 800000);
	o = ask("{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"egress_rate\":1000000000000000}}",
		&errors);
	ck_assert(ok_of(o));
	json_object_put(o);
	ck_assert_uint_eq(rec.last.egress_rate, 1000000000000000ULL);
	ck_assert_uint_eq(rec.last.egress_burst, 0);
	o = ask("{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS "}}", &errors);
	ck_assert(ok_of(o));
	json_object_put(o);
	ck_assert_uint_eq(rec.last.egress_rate, 0);
	o = ask("{\"cmd\":\"cni.check\",\"args\":{" ADD_ARGS ",\"egress_rate\":2000}}", &errors);
	ck_assert(ok_of(o));
	json_object_put(o);
	ck_assert_int_eq(rec.check, 1);
	ck_assert_uint_eq(rec.last.egress_rate, 2000);
	ck_assert_int_eq(rec.add, 3);
	ck_assert_uint_eq(errors, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = ask(bad[i], &errors);
		ck_assert_msg(!ok_of(o), "case %zu accepted", i);
		ck_assert_int_eq(code_of(o), 7);
		json_object_put(o);
	}
	ck_assert_int_eq(rec.add, 3);
	ck_assert_int_eq(rec.check, 1);
	ck_assert_uint_eq(errors, sizeof(bad) / sizeof(bad[0]));
}
END_TEST

static const char *data_str(struct json_object *o, const char *key)
{
	struct json_object *d, *v;

	ck_assert(json_object_object_get_ex(o, "data", &d));
	return json_object_object_get_ex(d, key, &v) ? json_object_get_string(v) : NULL;
}

#define POD_ARGS "\"container_id\":\"c1\",\"ifname\":\"eth0\",\"netns\":\"/run/netns/p\"," \
		 "\"network\":\"pods\",\"vni\":100"

/* A dual-stack and an IPv6-only pod: ip6 reaches the daemon, the reply
 * carries each family's pair only when the pod has it; ip6 is checked as
 * vtepctl's host addresses are. */
START_TEST(add_ipv6)
{
	static const char *const bad[] = {
		"{\"cmd\":\"cni.add\",\"args\":{" POD_ARGS "}}",   /* neither */
		"{\"cmd\":\"cni.add\",\"args\":{" POD_ARGS ",\"ip6\":\"fe80::1\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{" POD_ARGS ",\"ip6\":\"ff02::1\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{" POD_ARGS ",\"ip6\":\"::1\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{" POD_ARGS ",\"ip6\":\"::\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{" POD_ARGS ",\"ip6\":\"2001:db8::1/64\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{" POD_ARGS ",\"ip6\":\"10.1.1.5\"}}",
		"{\"cmd\":\"cni.add\",\"args\":{" POD_ARGS ",\"ip6\":6}}",
		"{\"cmd\":\"cni.check\",\"args\":{" POD_ARGS ",\"ip6\":\"fe80::1\"}}",
	};
	uint64_t errors = 0;
	struct json_object *o;
	char a[ADDR6_STRLEN];

	memset(&rec, 0, sizeof(rec));
	o = ask("{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS ",\"ip6\":\"2001:DB8:1:0::5\"}}", &errors);
	ck_assert(ok_of(o));
	ck_assert_str_eq(addr6_fmt(rec.last.ip6, a), "2001:db8:1::5");
	ck_assert_str_eq(data_str(o, "ip"), "10.1.1.5");
	ck_assert_str_eq(data_str(o, "ip6"), "2001:db8:1::5");
	ck_assert_str_eq(data_str(o, "gateway6"), "fe80::ff:fe00:1");
	json_object_put(o);
	o = ask("{\"cmd\":\"cni.add\",\"args\":{" POD_ARGS ",\"ip6\":\"2001:db8:1::6\"}}", &errors);
	ck_assert(ok_of(o));
	ck_assert_uint_eq(rec.last.ip, 0);
	ck_assert_ptr_null(data_str(o, "ip"));
	ck_assert_ptr_null(data_str(o, "gateway"));
	ck_assert_str_eq(data_str(o, "ip6"), "2001:db8:1::6");
	json_object_put(o);
	o = ask("{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS "}}", &errors);   /* IPv4 only */
	ck_assert(ok_of(o));
	ck_assert_ptr_null(data_str(o, "ip6"));
	ck_assert_ptr_null(data_str(o, "gateway6"));
	json_object_put(o);
	o = ask("{\"cmd\":\"cni.check\",\"args\":{" POD_ARGS ",\"ip6\":\"2001:db8:1::6\"}}", &errors);
	ck_assert(ok_of(o));
	ck_assert_int_eq(rec.check, 1);
	ck_assert_uint_eq(rec.last.ip6[15], 6);
	json_object_put(o);
	ck_assert_uint_eq(errors, 0);
	memset(&rec, 0, sizeof(rec));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = ask(bad[i], &errors);
		ck_assert_msg(!ok_of(o), "case %zu accepted", i);
		ck_assert_int_eq(code_of(o), 7);
		json_object_put(o);
	}
	ck_assert_int_eq(rec.add + rec.check, 0);
}
END_TEST

START_TEST(daemon_errors_map_to_cni_codes)
{
	static const struct { int err, code; } t[] = {
		{ EINVAL, 7 }, { EEXIST, 7 }, { ENOENT, 3 }, { EAGAIN, 11 }, { EIO, 100 }, { ENOMEM, 100 },
	};
	uint64_t errors = 0;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct json_object *o;

		memset(&rec, 0, sizeof(rec));
		rec.fail = t[i].err;
		o = ask("{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS "}}", &errors);
		ck_assert(!ok_of(o));
		ck_assert_int_eq(code_of(o), t[i].code);
		json_object_put(o);
		o = ask("{\"cmd\":\"cni.check\",\"args\":{" ADD_ARGS "}}", &errors);
		ck_assert_int_eq(code_of(o), t[i].code);
		json_object_put(o);
	}
	ck_assert_uint_eq(errors, 0);   /* the daemon's errors are not bad requests */
}
END_TEST

START_TEST(del_gc_status)
{
	uint64_t errors = 0;
	struct json_object *o, *d, *v;

	memset(&rec, 0, sizeof(rec));
	o = ask("{\"cmd\":\"cni.del\",\"args\":{\"container_id\":\"c1\",\"ifname\":\"eth0\"}}",
		&errors);
	ck_assert(ok_of(o));
	ck_assert_int_eq(rec.del, 1);
	json_object_put(o);
	o = ask("{\"cmd\":\"cni.gc\",\"args\":{\"network\":\"pods\",\"valid\":[{\"container_id\":"
		"\"a\",\"ifname\":\"eth0\"},{\"container_id\":\"not a cni id!\",\"ifname\":\"x\"}]}}",
		&errors);
	ck_assert(ok_of(o));
	ck_assert_uint_eq(rec.nvalid, 2);
	ck_assert_str_eq(rec.network, "pods");
	ck_assert(json_object_object_get_ex(o, "data", &d));
	ck_assert(json_object_object_get_ex(d, "removed", &v));
	ck_assert_int_eq((int)json_object_array_length(v), 1);
	json_object_put(o);
	o = ask("{\"cmd\":\"cni.gc\",\"args\":{\"network\":\"pods\",\"valid\":[{\"ifname\":1}]}}",
		&errors);
	ck_assert(!ok_of(o));
	json_object_put(o);
	o = ask("{\"cmd\":\"cni.status\"}", &errors);
	ck_assert(ok_of(o));
	ck_assert(json_object_object_get_ex(o, "data", &d));
	ck_assert(json_object_object_get_ex(d, "pods", &v));
	ck_assert_int_eq(json_object_get_int(v), 3);
	json_object_put(o);
	o = ask("{\"cmd\":\"cni.status\",\"args\":{\"x\":1}}", &errors);
	ck_assert(!ok_of(o));
	json_object_put(o);
	ck_assert_uint_eq(errors, 2);
}
END_TEST

/* A refused request is logged at info level with its command and error:
 * control characters in either are written as \xNN, so a request cannot
 * forge a log line or a terminal escape (as the control socket's, found by
 * fuzz_control). */
START_TEST(refusal_logged_on_one_line)
{
	static const char *const reqs[] = {
		"{\"cmd\":\"cni.add\\n1 vtepd error: forged\\u001b[2J\"}",
		"{\"cmd\":\"cni.del\",\"args\":{\"container_id\":\"c1\",\"ifname\":\"e\\nx\"}}",
		"{\"cmd\":\"cni.status\",\"args\":{\"a\\u001bb\":1}}",
	};
	char log[1024];
	uint64_t errors = 0;

	memset(&rec, 0, sizeof(rec));
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		FILE *f = tmpfile();
		int saved = dup(2);
		char *reply;
		size_t n;

		ck_assert_ptr_nonnull(f);
		log_level = LOG_LVL_INFO;
		fflush(stderr);
		dup2(fileno(f), 2);
		reply = cnictl_dispatch(NULL, &ops, reqs[i], strlen(reqs[i]), &errors, false);
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		log_level = LOG_LVL_ERR;
		ck_assert_ptr_nonnull(reply);
		free(reply);
		rewind(f);
		n = fread(log, 1, sizeof(log) - 1, f);
		fclose(f);
		log[n] = '\0';
		ck_assert_msg(n > 0 && strchr(log, '\n') == log + n - 1, "%zu: log: %s", i, log);
		ck_assert_msg(!strchr(log, 0x1b), "%zu: log: %s", i, log);
		ck_assert_msg(strstr(log, "refused"), "%zu: log: %s", i, log);
	}
	ck_assert_uint_eq(errors, 3);
	ck_assert_int_eq(rec.add + rec.del, 0);
}
END_TEST

/* The plugin gave up at its deadline and closed its socket before vtepd
 * read its ADD: it has released the address and failed the ADD, so vtepd
 * must not make the pod (it would hold an address IPAM hands out again).
 * A DEL from a plugin that left still runs: DEL must never be lost. */
START_TEST(add_from_a_gone_plugin_is_not_done)
{
	uint64_t errors = 0;
	struct json_object *o, *e;

	memset(&rec, 0, sizeof(rec));
	o = ask_from("{\"cmd\":\"cni.add\",\"args\":{" ADD_ARGS "}}", &errors, true);
	ck_assert(!ok_of(o));
	ck_assert_int_eq(code_of(o), 11);
	ck_assert(json_object_object_get_ex(o, "error", &e));
	ck_assert_ptr_nonnull(strstr(json_object_get_string(e), "c1/eth0: not done"));
	ck_assert_int_eq(rec.add, 0);
	json_object_put(o);
	o = ask_from("{\"cmd\":\"cni.del\",\"args\":{\"container_id\":\"c1\",\"ifname\":\"eth0\"}}",
		     &errors, true);
	ck_assert(ok_of(o));
	ck_assert_int_eq(rec.del, 1);
	json_object_put(o);
	ck_assert_uint_eq(errors, 0);
}
END_TEST

/* control_peer_gone() on real sockets: a peer that only shut down its
 * write side (one request, then SHUT_WR) still reads the reply; a closed
 * one does not. */
START_TEST(peer_gone_on_a_socket)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert(!control_peer_gone(sv[0]));
	ck_assert_int_eq(shutdown(sv[1], SHUT_WR), 0);
	ck_assert(!control_peer_gone(sv[0]));
	close(sv[1]);
	ck_assert(control_peer_gone(sv[0]));
	close(sv[0]);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("cnictl");
	TCase *t = tcase_create("dispatch");

	tcase_add_test(t, add_valid);
	tcase_add_test(t, add_refusals_never_reach_the_daemon);
	tcase_add_test(t, add_egress_limit);
	tcase_add_test(t, add_ipv6);
	tcase_add_test(t, daemon_errors_map_to_cni_codes);
	tcase_add_test(t, del_gc_status);
	tcase_add_test(t, refusal_logged_on_one_line);
	tcase_add_test(t, add_from_a_gone_plugin_is_not_done);
	tcase_add_test(t, peer_gone_on_a_socket);
	suite_add_tcase(s, t);
	return s;
}
