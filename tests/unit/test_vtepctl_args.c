/* test_vtepctl_args.c - vtepctl's grammar (cli/cmdline.c): every command
 * of DESIGN.md "vtepctl", its defaults, and the usage errors that make
 * vtepctl exit 2. vtepctl's objects are not linked into unit tests, so the
 * parser's source is compiled in here. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "../../cli/cmdline.c"

static struct cmdline c;
static char err[256];

/* Parses the NULL-terminated words after "vtepctl". */
static int parse(const char *first, ...)
{
	char *argv[64] = { "vtepctl" };
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (const char *w = first; w; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	return cmdline_parse(argc, argv, &c, err, sizeof(err));
}

#define OK(...)    ck_assert_msg(parse(__VA_ARGS__, NULL) == 0, "refused: %s", err)
#define USAGE(...) ck_assert_msg(parse(__VA_ARGS__, NULL) == -EINVAL && err[0], "accepted")

static uint32_t ip(const char *s)
{
	return inet_addr(s);
}

START_TEST(defaults)
{
	OK("routes");
	ck_assert_int_eq(c.obj, OBJ_ROUTES);
	ck_assert_int_eq(c.verb, VERB_SHOW);
	ck_assert(!c.json && !c.pretty && !c.all);
	ck_assert_str_eq(c.sock, "/run/vtepd/vtepd.sock");
	ck_assert_str_eq(c.bpffs, "/sys/fs/bpf/vtepd");
	ck_assert(!c.has_vni && !c.has_prefix);
}
END_TEST

START_TEST(options)
{
	OK("-j", "-p", "-s", "/tmp/x.sock", "-b", "/tmp/bpf", "routes");
	ck_assert(c.json && c.pretty);
	ck_assert_str_eq(c.sock, "/tmp/x.sock");
	ck_assert_str_eq(c.bpffs, "/tmp/bpf");
	OK("-jp", "-a", "stats");
	ck_assert(c.json && c.pretty && c.all);
	OK("-p", "vnis");
	ck_assert(c.json && c.pretty);
	OK("--json", "--socket=/a", "--bpffs", "/b", "fdb");
	ck_assert(c.json);
	ck_assert_str_eq(c.sock, "/a");
	ck_assert_str_eq(c.bpffs, "/b");
	OK("-s/attached", "-jb/bb", "neigh");
	ck_assert_str_eq(c.sock, "/attached");
	ck_assert_str_eq(c.bpffs, "/bb");
	ck_assert(c.json);
	OK("-V");
	ck_assert_int_eq(c.obj, OBJ_VERSION);
	OK("version");
	ck_assert_int_eq(c.obj, OBJ_VERSION);
	USAGE("-x", "routes");
	USAGE("--frob", "routes");
	USAGE("-s");
	USAGE("-s", "", "routes");
	USAGE("--socket=", "routes");
	USAGE("--socketx=/a", "routes");
	USAGE("-j");
}
END_TEST

/* Global options after the object, as users type them (issue 4). */
START_TEST(options_after_object)
{
	OK("stats", "-a");
	ck_assert_int_eq(c.obj, OBJ_STATS);
	ck_assert(c.all && !c.json);
	OK("stats", "show", "--all", "-j");
	ck_assert(c.all && c.json);
	OK("routes", "-j");
	ck_assert(c.json);
	OK("routes", "vni", "100", "-jp", "prefix", "10.1.0.0/24");
	ck_assert(c.json && c.pretty && c.has_vni && c.has_prefix);
	ck_assert_uint_eq(c.vni, 100);
	OK("peers", "-s", "/tmp/a.sock", "-b/tmp/b");
	ck_assert_str_eq(c.sock, "/tmp/a.sock");
	ck_assert_str_eq(c.bpffs, "/tmp/b");
	OK("bgp", "routes", "--socket=/x", "peer", "10.0.0.1");
	ck_assert_int_eq(c.obj, OBJ_BGP_ROUTES);
	ck_assert_str_eq(c.sock, "/x");
	ck_assert(c.has_peer);
	OK("-j", "ports", "add", "tap0", "-p", "vni", "5", "ip", "10.0.0.2");
	ck_assert_int_eq(c.verb, VERB_ADD);
	ck_assert_str_eq(c.ifname, "tap0");
	ck_assert(c.pretty && c.has_vni && c.has_ip);
	/* Before and after mix; the later -s wins. */
	OK("-s", "/one", "fdb", "-s", "/two");
	ck_assert_str_eq(c.sock, "/two");
	/* After "--" words are arguments, even if they start with '-'. */
	OK("ports", "del", "--", "-x");
	ck_assert_int_eq(c.verb, VERB_DEL);
	ck_assert_str_eq(c.ifname, "-x");
	OK("--", "ports", "del", "-x");
	ck_assert_str_eq(c.ifname, "-x");
	USAGE("ports", "del", "-x");
	/* -h / -V after the object win, as before it. */
	OK("stats", "-jh");
	ck_assert_int_eq(c.verb, VERB_HELP);
	ck_assert_int_eq(c.obj, OBJ_STATS);
	OK("routes", "-V");
	ck_assert_int_eq(c.obj, OBJ_VERSION);
	/* Bad options after the object are still usage errors. */
	USAGE("stats", "-x");
	USAGE("stats", "--frob");
	USAGE("peers", "-s");
	USAGE("peers", "-s", "");
	USAGE("stats", "-a", "reset");
	USAGE("routes", "vni", "-j");
}
END_TEST

START_TEST(help)
{
	static const char *objs[] = { "routes", "ports", "neigh", "fdb", "vnis", "stats",
				      "peers", "reload", "version" };

	OK("help");
	ck_assert_int_eq(c.verb, VERB_HELP);
	ck_assert_int_eq(c.obj, OBJ_NONE);
	OK("--help");
	ck_assert_int_eq(c.verb, VERB_HELP);
	OK("-h");
	ck_assert_int_eq(c.verb, VERB_HELP);
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		OK(objs[i], "help");
		ck_assert_int_eq(c.verb, VERB_HELP);
		ck_assert_int_ne(c.obj, OBJ_NONE);
		OK(objs[i], "--help");
		ck_assert_int_eq(c.verb, VERB_HELP);
		OK("help", objs[i]);
		ck_assert_int_eq(c.verb, VERB_HELP);
		ck_assert_str_eq(cmdline_object_name(c.obj), objs[i]);
	}
	OK("bgp", "routes", "help");
	ck_assert_int_eq(c.obj, OBJ_BGP_ROUTES);
	ck_assert_int_eq(c.verb, VERB_HELP);
	OK("bgp", "help");
	ck_assert_int_eq(c.verb, VERB_HELP);
	/* help after a bad argument still helps */
	OK("routes", "add", "vni", "x", "help");
	ck_assert_int_eq(c.verb, VERB_HELP);
	USAGE("help", "nothing");
}
END_TEST

START_TEST(object_names)
{
	USAGE(NULL);   /* no object at all */
	USAGE("route");
	USAGE("ROUTES");
	USAGE("frobnicate");
	OK("ports");
	ck_assert_int_eq(c.obj, OBJ_PORTS);
	OK("ports", "show");
	ck_assert_int_eq(c.verb, VERB_SHOW);
	USAGE("ports", "show", "x");
	USAGE("ports", "list");
	OK("neigh");
	ck_assert_int_eq(c.obj, OBJ_NEIGH);
	OK("fdb", "show");
	ck_assert_int_eq(c.obj, OBJ_FDB);
	OK("vnis");
	ck_assert_int_eq(c.obj, OBJ_VNIS);
	OK("stats");
	ck_assert_int_eq(c.obj, OBJ_STATS);
	OK("peers");
	ck_assert_int_eq(c.obj, OBJ_PEERS);
	USAGE("neigh", "vni", "100");
	USAGE("stats", "reset");
	USAGE("peers", "x");
	OK("reload");
	ck_assert_int_eq(c.obj, OBJ_RELOAD);
	ck_assert_int_eq(c.verb, VERB_RUN);
	USAGE("reload", "now");
	USAGE("version", "x");
}
END_TEST

START_TEST(routes_show)
{
	OK("routes", "show");
	ck_assert_int_eq(c.verb, VERB_SHOW);
	OK("routes", "vni", "100");
	ck_assert(c.has_vni && c.vni == 100 && !c.has_prefix);
	OK("routes", "show", "prefix", "10.1.0.0/16", "vni", "16777215");
	ck_assert(c.has_vni && c.vni == 16777215);
	ck_assert(c.has_prefix && c.prefix == ip("10.1.0.0") && c.prefixlen == 16);
	OK("routes", "prefix", "10.1.0.11");
	ck_assert_uint_eq(c.prefixlen, 32);
	USAGE("routes", "frobnicate");
	USAGE("routes", "vni");
	USAGE("routes", "vni", "0");
	USAGE("routes", "vni", "16777216");
	USAGE("routes", "vni", "-1");
	USAGE("routes", "vni", "1e3");
	USAGE("routes", "vni", "1", "vni", "2");
	USAGE("routes", "prefix", "10.1.0.1/16");   /* host bits */
	USAGE("routes", "prefix", "10.1.0.0/33");
	USAGE("routes", "prefix", "10.1.0");
	USAGE("routes", "vtep", "192.0.2.2");        /* not a show filter */
	USAGE("routes", "show", "show");
}
END_TEST

START_TEST(routes_add_del)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x22 };

	OK("routes", "add", "vni", "100", "prefix", "10.1.0.22/32", "vtep", "192.0.2.2",
	   "mac", "02:00:00:00:00:22");
	ck_assert_int_eq(c.verb, VERB_ADD);
	ck_assert_uint_eq(c.vni, 100);
	ck_assert_uint_eq(c.prefix, ip("10.1.0.22"));
	ck_assert_uint_eq(c.prefixlen, 32);
	ck_assert_uint_eq(c.vtep, ip("192.0.2.2"));
	ck_assert_mem_eq(c.mac, mac, 6);
	/* keyword order is free */
	OK("routes", "add", "mac", "02:00:00:00:00:22", "vtep", "192.0.2.2", "prefix",
	   "10.1.0.22/32", "vni", "100");
	ck_assert_uint_eq(c.vni, 100);
	USAGE("routes", "add");
	USAGE("routes", "add", "vni", "100", "prefix", "10.1.0.22/32", "vtep", "192.0.2.2");
	USAGE("routes", "add", "vni", "100", "prefix", "10.1.0.22/32", "mac", "02:00:00:00:00:22");
	USAGE("routes", "add", "vni", "100", "prefix", "10.1.0.22/32", "vtep", "192.0.2",
	      "mac", "02:00:00:00:00:22");
	USAGE("routes", "add", "vni", "100", "prefix", "10.1.0.22/32", "vtep", "192.0.2.2",
	      "mac", "02:00:00:00:00");
	USAGE("routes", "add", "vni", "100", "prefix", "10.1.0.22/32", "vtep", "192.0.2.2",
	      "mac", "auto");
	USAGE("routes", "add", "vni", "100", "prefix", "10.1.0.22/32", "vtep", "192.0.2.2",
	      "mac", "02:00:00:00:00:22", "extra");
	USAGE("routes", "add", "vni", "100", "prefix", "10.1.0.22/32", "vtep", "192.0.2.2",
	      "mac", "02:00:00:00:00:22", "ip", "1.2.3.4");

	OK("routes", "del", "vni", "100", "prefix", "10.1.0.22/32");
	ck_assert_int_eq(c.verb, VERB_DEL);
	ck_assert(c.has_vni && c.has_prefix);
	USAGE("routes", "del", "vni", "100");
	USAGE("routes", "del", "prefix", "10.1.0.22/32");
	USAGE("routes", "del", "vni", "100", "prefix", "10.1.0.22/32", "vtep", "192.0.2.2");
}
END_TEST

START_TEST(ports_add_del)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x11 };

	OK("ports", "add", "w1", "vni", "100", "ip", "10.1.0.11");
	ck_assert_int_eq(c.verb, VERB_ADD);
	ck_assert_str_eq(c.ifname, "w1");
	ck_assert_uint_eq(c.vni, 100);
	ck_assert_uint_eq(c.ip, ip("10.1.0.11"));
	ck_assert(c.mac_auto);
	OK("ports", "add", "w1", "vni", "100", "ip", "10.1.0.11", "mac", "auto");
	ck_assert(c.mac_auto);
	OK("ports", "add", "tap-vm-12345678", "ip", "10.1.0.11", "vni", "7", "mac",
	   "02:00:00:00:00:11");
	ck_assert(!c.mac_auto);
	ck_assert_mem_eq(c.mac, mac, 6);
	ck_assert_str_eq(c.ifname, "tap-vm-12345678");
	USAGE("ports", "add");
	USAGE("ports", "add", "w1");
	USAGE("ports", "add", "w1", "vni", "100");
	USAGE("ports", "add", "w1", "ip", "10.1.0.11");
	USAGE("ports", "add", "tap-vm-1234567890", "vni", "100", "ip", "10.1.0.11");
	USAGE("ports", "add", "a/b", "vni", "100", "ip", "10.1.0.11");
	USAGE("ports", "add", "a b", "vni", "100", "ip", "10.1.0.11");
	USAGE("ports", "add", "..", "vni", "100", "ip", "10.1.0.11");
	USAGE("ports", "add", "", "vni", "100", "ip", "10.1.0.11");
	USAGE("ports", "add", "w1", "vni", "100", "ip", "10.1.0.300");
	USAGE("ports", "add", "w1", "vni", "100", "ip", "10.1.0.11", "mac", "zz:00:00:00:00:11");
	USAGE("ports", "add", "w1", "vni", "100", "ip", "10.1.0.11", "prefix", "10.0.0.0/8");

	OK("ports", "del", "w1");
	ck_assert_int_eq(c.verb, VERB_DEL);
	ck_assert_str_eq(c.ifname, "w1");
	USAGE("ports", "del");
	USAGE("ports", "del", "w1", "w2");
}
END_TEST

/* IPv6: routes of either family (RFC 5952 or any RFC 4291 text), ports
 * with ip6 and without ip. */
START_TEST(ipv6_args)
{
	uint8_t a[16];

	OK("routes", "add", "vni", "100", "prefix", "2001:db8::21/128", "vtep", "192.0.2.2",
	   "mac", "02:00:00:00:00:21");
	ck_assert(c.prefix_v6 && c.prefixlen == 128);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::21", a), 1);
	ck_assert_mem_eq(c.prefix6, a, 16);
	OK("routes", "del", "vni", "100", "prefix", "2001:DB8:0::21");
	ck_assert(c.prefix_v6 && c.prefixlen == 128);
	ck_assert_mem_eq(c.prefix6, a, 16);
	OK("routes", "prefix", "2001:db8::/32");
	ck_assert(c.prefix_v6 && c.prefixlen == 32);
	OK("routes", "prefix", "10.1.0.0/16");
	ck_assert(!c.prefix_v6);
	USAGE("routes", "prefix", "2001:db8::1/32");     /* host bits */
	USAGE("routes", "prefix", "2001:db8::/129");
	USAGE("routes", "prefix", "2001:db8:::1");
	USAGE("routes", "prefix", "fe80::1%eth0");

	OK("ports", "add", "w6", "vni", "100", "ip6", "2001:db8::66");
	ck_assert(c.has_ip6 && !c.has_ip);
	ck_assert_uint_eq(c.ip6[15], 0x66);
	OK("ports", "add", "w6", "vni", "100", "ip", "10.1.0.66", "ip6", "2001:db8::66", "mac",
	   "auto");
	ck_assert(c.has_ip && c.has_ip6 && c.mac_auto);
	USAGE("ports", "add", "w6", "vni", "100");
	USAGE("ports", "add", "w6", "vni", "100", "ip6", "2001:db8::66/128");
	USAGE("ports", "add", "w6", "vni", "100", "ip6", "10.1.0.66");
	USAGE("ports", "add", "w6", "vni", "100", "ip6", "2001:db8::66", "ip6", "2001:db8::67");
	USAGE("routes", "add", "vni", "100", "prefix", "2001:db8::21", "vtep", "192.0.2.2", "mac",
	      "02:00:00:00:00:21", "ip6", "2001:db8::1");
}
END_TEST

START_TEST(bgp_routes)
{
	OK("bgp", "routes");
	ck_assert_int_eq(c.obj, OBJ_BGP_ROUTES);
	ck_assert(!c.has_vni && !c.has_peer);
	OK("bgp", "routes", "vni", "100", "peer", "198.51.100.1");
	ck_assert(c.has_vni && c.vni == 100);
	ck_assert(c.has_peer && c.peer == ip("198.51.100.1"));
	OK("bgp", "routes", "show", "peer", "198.51.100.1");
	OK("bgp", "routes", "prefix", "10.1.0.11/32");
	ck_assert(c.has_prefix && c.prefix == ip("10.1.0.11") && c.prefixlen == 32);
	USAGE("bgp");
	USAGE("bgp", "peers");
	USAGE("bgp", "routes", "prefix", "10.0.0.1/8");
	USAGE("bgp", "routes", "mac", "02:00:00:00:00:01");
	USAGE("bgp", "routes", "peer", "fe80::1");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("vtepctl_args");
	TCase *tc = tcase_create("grammar");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, options);
	tcase_add_test(tc, options_after_object);
	tcase_add_test(tc, help);
	tcase_add_test(tc, object_names);
	tcase_add_test(tc, routes_show);
	tcase_add_test(tc, routes_add_del);
	tcase_add_test(tc, ipv6_args);
	tcase_add_test(tc, ports_add_del);
	tcase_add_test(tc, bgp_routes);
	suite_add_tcase(s, tc);
	return s;
}
