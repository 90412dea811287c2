/* test_control_edits.c - agent/ctl's commands that change the daemon
 * (routes.add, routes.del, ports.add, ports.del, reload) through
 * control_dispatch (no socket) and the fake daemon of control_test_util.h:
 * the arguments reach it as parsed, IPv4 and IPv6 (with the IPv6 refusals),
 * and its failure comes back as the reply's error without being counted as
 * a malformed request. Arguments refused for every command:
 * test_control_refused.c. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>

#include "check_main.h"
#include "control_test_util.h"
#include "log.h"

START_TEST(dispatch_routes)
{
	ct_reset();
	ct_accepted("{\"cmd\":\"routes.add\",\"args\":{\"vni\":100,\"prefix\":\"10.1.0.22/32\","
		    "\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\"}}");
	ck_assert_int_eq(ct_rec.route_add, 1);
	ck_assert_uint_eq(ct_rec.r.vni, 100);
	ck_assert_uint_eq(ct_rec.r.prefix, inet_addr("10.1.0.22"));
	ck_assert_uint_eq(ct_rec.r.prefixlen, 32);
	ck_assert_uint_eq(ct_rec.r.vtep, inet_addr("192.0.2.2"));
	ck_assert_uint_eq(ct_rec.r.mac[5], 0x22);
	ct_accepted("{\"cmd\":\"routes.del\",\"args\":{\"vni\":100,\"prefix\":\"10.1.0.0/16\"}}");
	ck_assert_int_eq(ct_rec.route_del, 1);
	ck_assert_uint_eq(ct_rec.del_vni, 100);
	ck_assert_uint_eq(ct_rec.del_prefix, inet_addr("10.1.0.0"));
	ck_assert_uint_eq(ct_rec.del_len, 16);
	ck_assert_uint_eq(ct_errors, 0);
}
END_TEST

/* IPv6 arguments (control_args.c): a route of either family, a port with
 * ip6 and without ip; the IPv4 rules for hosts (no multicast, loopback,
 * unspecified) and link-local ones refused for host routes and ports. */
START_TEST(dispatch_ipv6)
{
	uint8_t a[16];

	ct_reset();
	ct_accepted("{\"cmd\":\"routes.add\",\"args\":{\"vni\":100,\"prefix\":\"2001:DB8::21/128\","
		    "\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:21\"}}");
	ck_assert_int_eq(ct_rec.route_add, 1);
	ck_assert(ct_rec.r.v6);
	ck_assert_uint_eq(ct_rec.r.prefixlen, 128);
	ck_assert_uint_eq(ct_rec.r.prefix, 0);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::21", a), 1);
	ck_assert_mem_eq(ct_rec.r.prefix6, a, 16);
	ct_accepted("{\"cmd\":\"routes.add\",\"args\":{\"vni\":100,\"prefix\":\"2001:db8:9::/48\","
		    "\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:21\"}}");
	ck_assert_uint_eq(ct_rec.r.prefixlen, 48);
	ct_accepted("{\"cmd\":\"routes.del\",\"args\":{\"vni\":100,\"prefix\":\"2001:db8::21\"}}");
	ck_assert_int_eq(ct_rec.route_del, 1);
	ck_assert(ct_rec.del.v6 && ct_rec.del.prefixlen == 128 && ct_rec.del.vni == 100);
	ck_assert_mem_eq(ct_rec.del.prefix6, a, 16);
	ct_accepted("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w6\",\"vni\":7,"
		    "\"ip6\":\"2001:db8::66\"}}");
	ck_assert_uint_eq(ct_rec.p.ip, 0);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::66", a), 1);
	ck_assert_mem_eq(ct_rec.p.ip6, a, 16);
	ct_accepted("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w7\",\"vni\":7,"
		    "\"ip\":\"10.1.0.17\",\"ip6\":\"2001:db8::67\",\"mac\":\"02:00:00:00:00:17\"}}");
	ck_assert_uint_eq(ct_rec.p.ip, inet_addr("10.1.0.17"));
	ck_assert_uint_eq(ct_rec.p.ip6[15], 0x67);
	ck_assert_uint_eq(ct_errors, 0);
#define RA6(p) "{\"cmd\":\"routes.add\",\"args\":{\"vni\":100,\"prefix\":\"" p "\"," \
	"\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:21\"}}"
	ct_refused(RA6("2001:db8::21/64"), "prefix");
	ct_refused(RA6("2001:db8::21/129"), "prefix");
	ct_refused(RA6("2001:db8::21%eth0"), "prefix");
	ct_refused(RA6("fe80::21"), "not a unicast host address");
	ct_refused(RA6("ff02::1"), "not a unicast host address");
	ct_refused(RA6("::1"), "not a unicast host address");
	ct_refused(RA6("::"), "not a unicast host address");
	ct_refused(RA6("::ffff:10.1.0.1"), "not a unicast host address");
	ct_refused(RA6("ff00::/8"), "multicast or link-local prefix");
	ct_refused(RA6("fe80::/64"), "multicast or link-local prefix");
#undef RA6
	ct_refused("{\"cmd\":\"routes.del\",\"args\":{\"vni\":100,\"prefix\":\"2001:db8::1:/64\"}}",
		   "prefix");
#define PA6(ip6) "{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w1\",\"vni\":1,\"ip6\":\"" ip6 "\"}}"
	ct_refused(PA6("fe80::1"), "ip6");
	ct_refused(PA6("ff02::1"), "ip6");
	ct_refused(PA6("::1"), "ip6");
	ct_refused(PA6("::"), "ip6");
	ct_refused(PA6("10.1.0.1"), "ip6");
	ct_refused(PA6("2001:db8::1/128"), "ip6");
#undef PA6
	ct_refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w1\",\"vni\":1}}",
		   "missing argument \"ip\"");
	ck_assert_int_eq(ct_rec.route_add, 2);
	ck_assert_int_eq(ct_rec.port_add, 2);
}
END_TEST

START_TEST(dispatch_ports_reload)
{
	ct_reset();
	ct_accepted("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w1\",\"vni\":7,\"ip\":\"10.1.0.11\"}}");
	ck_assert_int_eq(ct_rec.port_add, 1);
	ck_assert_str_eq(ct_rec.p.ifname, "w1");
	ck_assert(ct_rec.p.mac_auto);
	ct_accepted("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w2\",\"vni\":7,\"ip\":\"10.1.0.12\","
		    "\"mac\":\"02:00:00:00:00:12\"}}");
	ck_assert(!ct_rec.p.mac_auto);
	ck_assert_uint_eq(ct_rec.p.mac[5], 0x12);
	ct_accepted("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w3\",\"vni\":7,\"ip\":\"10.1.0.13\","
		    "\"mac\":\"auto\"}}");
	ck_assert(ct_rec.p.mac_auto);
	ct_accepted("{\"cmd\":\"ports.del\",\"args\":{\"ifname\":\"w1\"}}");
	ck_assert_str_eq(ct_rec.ifname, "w1");
	ct_accepted("{\"cmd\":\"reload\"}");
	ck_assert_int_eq(ct_rec.reload, 1);
	ck_assert_uint_eq(ct_errors, 0);
}
END_TEST

START_TEST(dispatch_daemon_failure)
{
	struct json_object *root, *data;
	const char *error;
	bool ok;

	ct_reset();
	ct_rec.fail = EEXIST;
	root = ct_call("{\"cmd\":\"reload\"}", &ok, &error, &data);
	ck_assert(!ok);
	ck_assert_str_eq(error, "fake failure 17");
	json_object_put(root);
	/* A failed operation is not a malformed request. */
	ck_assert_uint_eq(ct_errors, 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("control_edits");
	TCase *d = tcase_create("dispatch");

	log_level = LOG_LVL_ERR;
	tcase_add_test(d, dispatch_routes);
	tcase_add_test(d, dispatch_ipv6);
	tcase_add_test(d, dispatch_ports_reload);
	tcase_add_test(d, dispatch_daemon_failure);
	suite_add_tcase(s, d);
	return s;
}
