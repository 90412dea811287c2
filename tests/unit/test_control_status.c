/* test_control_status.c - agent/ctl's read-only views of the host through
 * control_dispatch (no socket) and the fake daemon of control_test_util.h:
 * status (features, their notes, uplinks and their modes) and pods (sorted
 * by attachment, IPv4, dual stack and IPv6 only, nulls for what was not
 * said); neither takes an argument. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "control_test_util.h"
#include "log.h"

/* status: {version, features: {NAME: bool}, feature_notes, xdp_program,
 * test_override, uplinks: [{ifname, ifindex, attached, mode, generic,
 * reason}], route_lookup: {route_cache: {on, entries_per_cpu, gen},
 * flat_table: {on, lines, routes}}}; read only, so any argument is
 * refused. */
START_TEST(dispatch_status)
{
	struct json_object *root, *data, *v, *u, *w;
	const char *error;
	bool ok;

	ct_reset();
	root = ct_call("{\"cmd\":\"status\"}", &ok, &error, &data);
	ck_assert_msg(ok, "%s", error);
	ck_assert(json_object_object_get_ex(data, "features", &v));
	ck_assert_int_eq(json_object_object_length(v), PROBE_F_COUNT);
	ck_assert(json_object_object_get_ex(v, "xdp_meta", &u));
	ck_assert(json_object_is_type(u, json_type_boolean) && !json_object_get_boolean(u));
	ck_assert(json_object_object_get_ex(v, "ringbuf", &u) && json_object_get_boolean(u));
	ck_assert(json_object_object_get_ex(data, "feature_notes", &v));
	ck_assert_int_eq(json_object_object_length(v), 1);
	ck_assert(json_object_object_get_ex(v, "xdp_meta", &u));
	ck_assert_str_eq(json_object_get_string(u), "cannot use helper");
	ck_assert(json_object_object_get_ex(data, "uplinks", &v));
	ck_assert_int_eq(json_object_array_length(v), 1);
	u = json_object_array_get_idx(v, 0);
	ck_assert(json_object_object_get_ex(u, "mode", &v));
	ck_assert_str_eq(json_object_get_string(v), "tc");
	ck_assert(json_object_object_get_ex(u, "reason", &v));
	ck_assert_str_eq(json_object_get_string(v), "kernel lacks xdp_meta");
	ck_assert(json_object_object_get_ex(u, "ifname", &v));
	ck_assert_str_eq(json_object_get_string(v), "up0");
	/* route_lookup: the route cache on, the flat table off (as after it
	 * turned itself off), each with its figures. */
	ck_assert(json_object_object_get_ex(data, "route_lookup", &v));
	ck_assert(json_object_object_get_ex(v, "route_cache", &u));
	ck_assert(json_object_object_get_ex(u, "on", &w) && json_object_get_boolean(w));
	ck_assert(json_object_object_get_ex(u, "entries_per_cpu", &w));
	ck_assert_int_eq(json_object_get_int64(w), 32768);
	ck_assert(json_object_object_get_ex(u, "gen", &w));
	ck_assert_int_eq(json_object_get_int64(w), 5);
	ck_assert(json_object_object_get_ex(v, "flat_table", &u));
	ck_assert(json_object_object_get_ex(u, "on", &w));
	ck_assert(json_object_is_type(w, json_type_boolean) && !json_object_get_boolean(w));
	ck_assert(json_object_object_get_ex(u, "lines", &w));
	ck_assert_int_eq(json_object_get_int64(w), 466034);
	ck_assert(json_object_object_get_ex(u, "routes", &w));
	ck_assert_int_eq(json_object_get_int64(w), 0);
	json_object_put(root);
	ct_refused("{\"cmd\":\"status\",\"args\":{\"vni\":1}}", "unknown argument");
}
END_TEST

START_TEST(dispatch_pods)
{
	struct json_object *root, *data, *p, *v;
	const char *error;
	bool ok;

	ct_reset();
	ct_pod_v[0].ip = inet_addr("10.1.1.6");
	ct_pod_v[1].ip = inet_addr("10.1.1.5");
	root = ct_call("{\"cmd\":\"pods\"}", &ok, &error, &data);
	ck_assert(ok);
	ck_assert_int_eq((int)json_object_array_length(data), 2);
	p = json_object_array_get_idx(data, 0);
	ck_assert(json_object_object_get_ex(p, "container_id", &v));
	ck_assert_str_eq(json_object_get_string(v), "aa");
	ck_assert(json_object_object_get_ex(p, "ip", &v));
	ck_assert_str_eq(json_object_get_string(v), "10.1.1.5");
	ck_assert(json_object_object_get_ex(p, "k8s_name", &v));
	ck_assert_str_eq(json_object_get_string(v), "db-0");
	ck_assert(json_object_object_get_ex(p, "host_ifname", &v));
	ck_assert_str_eq(json_object_get_string(v), "vt00000000001");
	p = json_object_array_get_idx(data, 1);
	ck_assert(json_object_object_get_ex(p, "k8s_namespace", &v));
	ck_assert_ptr_null(v);   /* not said by CNI_ARGS: null */
	ck_assert(json_object_object_get_ex(p, "ip6", &v));
	ck_assert_ptr_null(v);   /* IPv4 only: null */
	json_object_put(root);
	/* dual stack and IPv6 only */
	inet_pton(AF_INET6, "2001:db8:1::5", ct_pod_v[1].ip6);
	ct_pod_v[0].ip = 0;
	inet_pton(AF_INET6, "2001:db8:1::6", ct_pod_v[0].ip6);
	root = ct_call("{\"cmd\":\"pods\"}", &ok, &error, &data);
	ck_assert(ok);
	p = json_object_array_get_idx(data, 0);
	ck_assert(json_object_object_get_ex(p, "ip6", &v));
	ck_assert_str_eq(json_object_get_string(v), "2001:db8:1::5");
	ck_assert(json_object_object_get_ex(p, "ip", &v));
	ck_assert_str_eq(json_object_get_string(v), "10.1.1.5");
	p = json_object_array_get_idx(data, 1);
	ck_assert(json_object_object_get_ex(p, "ip", &v));
	ck_assert_ptr_null(v);
	ck_assert(json_object_object_get_ex(p, "ip6", &v));
	ck_assert_str_eq(json_object_get_string(v), "2001:db8:1::6");
	json_object_put(root);
	memset(ct_pod_v[0].ip6, 0, 16);
	memset(ct_pod_v[1].ip6, 0, 16);
	ct_refused("{\"cmd\":\"pods\",\"args\":{\"x\":1}}", "unknown argument");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("control_status");
	TCase *d = tcase_create("dispatch");

	log_level = LOG_LVL_ERR;
	tcase_add_test(d, dispatch_pods);
	tcase_add_test(d, dispatch_status);
	suite_add_tcase(s, d);
	return s;
}
