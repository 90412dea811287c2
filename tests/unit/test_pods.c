/* test_pods.c - agent/conf/pods*.c: the CNI's pods in memory and in
 * pods.json: a round trip through the file, one record per attachment,
 * and a damaged file refused with the field named (vtepd must not start
 * and forget pods). */
#include <check.h>
#include "check_main.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "addr6.h"
#include "pods.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vtepd-pods-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, PODS_FILE);
	unlink(p);
	rmdir(dir);
}

static struct pod pod(const char *cid, const char *ip)
{
	struct pod p = { .ifname = "eth0", .netns = "/run/netns/x", .network = "pods",
			 .host_ifname = "vt0123456789a", .vni = 100, .mac = { 2, 1, 2, 3, 4, 5 },
			 .mtu = 1450, .k8s_namespace = "web", .k8s_name = "db-0" };

	snprintf(p.container_id, sizeof(p.container_id), "%s", cid);
	p.ip = inet_addr(ip);
	return p;
}

static void write_text(const char *text)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, PODS_FILE);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(round_trip)
{
	struct pods a = { 0 }, b;
	struct pod p1 = pod("c1", "10.1.1.5"), p2 = pod("c2", "10.1.1.6");
	char err[CFG_ERR_LEN] = "";

	ck_assert_int_eq(pods_load(dir, &b, err), 0);   /* no file: no pods */
	ck_assert_uint_eq(b.n, 0);
	ck_assert_int_eq(pods_put(&a, &p1), 0);
	ck_assert_int_eq(pods_put(&a, &p2), 0);
	p1.mtu = 1400;
	ck_assert_int_eq(pods_put(&a, &p1), 0);          /* same attachment: replaced */
	ck_assert_uint_eq(a.n, 2);
	ck_assert_int_eq(pods_save(dir, &a, err), 0);
	ck_assert_msg(pods_load(dir, &b, err) == 0, "%s", err);
	ck_assert_uint_eq(b.n, 2);
	ck_assert_uint_eq(pods_find(&b, "c1", "eth0")->mtu, 1400);
	ck_assert_str_eq(pods_by_ip(&b, inet_addr("10.1.1.6"))->container_id, "c2");
	ck_assert_str_eq(pods_find(&b, "c2", "eth0")->k8s_name, "db-0");
	ck_assert_ptr_null(pods_find(&b, "c2", "eth1"));
	ck_assert(pods_remove(&b, "c1", "eth0"));
	ck_assert(!pods_remove(&b, "c1", "eth0"));
	ck_assert_uint_eq(b.n, 1);
	pods_free(&a);
	pods_free(&b);
}
END_TEST

/* Dual-stack and IPv6-only pods: ip6 round-trips in RFC 5952 form, "ip"
 * is left out of an IPv6-only record, lookups by either family; a file
 * without "ip6" (written by an earlier vtepd) reads as IPv4-only. */
START_TEST(round_trip_ipv6)
{
	struct pods a = { 0 }, b;
	struct pod p1 = pod("c1", "10.1.1.5"), p2 = pod("c2", "10.1.1.6");
	uint8_t six[16], none[16] = { 0 };
	char err[CFG_ERR_LEN] = "", path[128], text[2048];
	FILE *f;
	size_t n;

	addr6_parse("2001:db8:1::5", p1.ip6);
	addr6_parse("2001:db8:1::6", p2.ip6);
	p2.ip = 0;
	p2.host_ifname[2] = 'x';
	ck_assert_int_eq(pods_put(&a, &p1), 0);
	ck_assert_int_eq(pods_put(&a, &p2), 0);
	ck_assert_int_eq(pods_save(dir, &a, err), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, PODS_FILE);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "\"ip6\": \"2001:db8:1::5\""));
	ck_assert_ptr_null(strstr(strstr(text, "\"c2\""), "\"ip\":"));   /* IPv6 only */
	ck_assert_msg(pods_load(dir, &b, err) == 0, "%s", err);
	ck_assert_uint_eq(b.n, 2);
	ck_assert_uint_eq(pods_find(&b, "c2", "eth0")->ip, 0);
	addr6_parse("2001:db8:1::6", six);
	ck_assert_str_eq(pods_by_ip6(&b, six)->container_id, "c2");
	ck_assert_ptr_null(pods_by_ip6(&b, none));
	ck_assert_ptr_null(pods_by_ip(&b, 0));
	ck_assert_str_eq(pods_by_ip(&b, inet_addr("10.1.1.5"))->container_id, "c1");
	ck_assert(!memcmp(pods_find(&b, "c1", "eth0")->ip6, p1.ip6, 16));
	pods_free(&a);
	pods_free(&b);
	/* the earlier format */
	write_text("{\"version\": 1, \"pods\": [{\"container_id\": \"c\", \"ifname\": \"eth0\", "
		   "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, \"ip\": \"10.0.0.1\", "
		   "\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1450}]}");
	ck_assert_msg(pods_load(dir, &b, err) == 0, "%s", err);
	ck_assert(addr6_is_zero(b.v[0].ip6));
	pods_free(&b);
}
END_TEST

/* The egress limit (runtimeConfig.bandwidth): kept across a save and a
 * load (a vtepd restart keeps every pod's limit), written only for a pod
 * that has one; a record without it reads as unlimited. */
START_TEST(round_trip_egress)
{
	struct pods a = { 0 }, b;
	struct pod p1 = pod("c1", "10.1.1.5"), p2 = pod("c2", "10.1.1.6"), p3 = pod("c3", "10.1.1.7");
	char err[CFG_ERR_LEN] = "", path[128], text[4096];
	FILE *f;
	size_t n;

	p1.egress_rate = 10000000;
	p1.egress_burst = 800000;
	p2.egress_rate = 1000000000000000ULL;   /* the default burst: none written */
	p2.host_ifname[2] = 'x';
	p3.host_ifname[2] = 'y';
	ck_assert_int_eq(pods_put(&a, &p1), 0);
	ck_assert_int_eq(pods_put(&a, &p2), 0);
	ck_assert_int_eq(pods_put(&a, &p3), 0);
	ck_assert_int_eq(pods_save(dir, &a, err), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, PODS_FILE);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "\"egress_rate\": 10000000,"));
	ck_assert_ptr_nonnull(strstr(text, "\"egress_burst\": 800000"));
	ck_assert_ptr_null(strstr(strstr(text, "\"c3\""), "egress"));
	ck_assert_msg(pods_load(dir, &b, err) == 0, "%s", err);
	ck_assert_uint_eq(pods_find(&b, "c1", "eth0")->egress_rate, 10000000);
	ck_assert_uint_eq(pods_find(&b, "c1", "eth0")->egress_burst, 800000);
	ck_assert_uint_eq(pods_find(&b, "c2", "eth0")->egress_rate, 1000000000000000ULL);
	ck_assert_uint_eq(pods_find(&b, "c2", "eth0")->egress_burst, 0);
	ck_assert_uint_eq(pods_find(&b, "c3", "eth0")->egress_rate, 0);
	pods_free(&a);
	pods_free(&b);
}
END_TEST

START_TEST(damaged_files_refused)
{
	static const struct { const char *text, *want; } t[] = {
		{ "{\"version\": 2, \"pods\": []}", "version" },
		{ "{\"version\": 1, \"pods\": [{}]}", "pods[0].container_id" },
		{ "{\"version\": 1, \"pods\": [], \"x\": 1}", "x" },
		{ "{\"version\": 1, \"pods\": [{\"container_id\": \"c\", \"ifname\": \"eth0\", "
		  "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, \"ip\": \"10.0.0.1\", "
		  "\"mac\": \"01:00:00:00:00:01\", \"mtu\": 1450}]}", "pods[0].mac" },
		{ "{\"version\": 1, \"pods\": [{\"container_id\": \"-c\", \"ifname\": \"eth0\", "
		  "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, \"ip\": \"10.0.0.1\", "
		  "\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1450}]}", "container_id" },
		{ "{\"version\": 1, \"pods\": [{\"container_id\": \"c\", \"ifname\": \"eth0\", "
		  "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, \"ip\": \"10.0.0.1\", "
		  "\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1450}, {\"container_id\": \"c\", "
		  "\"ifname\": \"eth0\", \"network\": \"n\", \"host_ifname\": \"vt2\", \"vni\": 1, "
		  "\"ip\": \"10.0.0.2\", \"mac\": \"02:00:00:00:00:02\", \"mtu\": 1450}]}", "twice" },
		{ "{\"version\": 1, \"pods\": [", "JSON" },
		/* no address of either family; a bad or non-host ip6 */
		{ "{\"version\": 1, \"pods\": [{\"container_id\": \"c\", \"ifname\": \"eth0\", "
		  "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, "
		  "\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1450}]}", "pods[0].ip: required" },
		{ "{\"version\": 1, \"pods\": [{\"container_id\": \"c\", \"ifname\": \"eth0\", "
		  "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, \"ip6\": \"2001:db8::x\", "
		  "\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1450}]}", "pods[0].ip6" },
		{ "{\"version\": 1, \"pods\": [{\"container_id\": \"c\", \"ifname\": \"eth0\", "
		  "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, \"ip6\": \"fe80::1\", "
		  "\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1450}]}", "ip6: not a unicast host" },
		/* an egress limit out of bounds, a burst without a rate */
		{ "{\"version\": 1, \"pods\": [{\"container_id\": \"c\", \"ifname\": \"eth0\", "
		  "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, \"ip\": \"10.0.0.1\", "
		  "\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1450, \"egress_rate\": 999}]}",
		  "pods[0].egress_rate" },
		{ "{\"version\": 1, \"pods\": [{\"container_id\": \"c\", \"ifname\": \"eth0\", "
		  "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, \"ip\": \"10.0.0.1\", "
		  "\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1450, \"egress_rate\": \"1M\"}]}",
		  "pods[0].egress_rate" },
		{ "{\"version\": 1, \"pods\": [{\"container_id\": \"c\", \"ifname\": \"eth0\", "
		  "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, \"ip\": \"10.0.0.1\", "
		  "\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1450, \"egress_burst\": 8000}]}",
		  "egress_burst: not 1..34359738360 bits with an egress_rate" },
		{ "{\"version\": 1, \"pods\": [{\"container_id\": \"c\", \"ifname\": \"eth0\", "
		  "\"network\": \"n\", \"host_ifname\": \"vt1\", \"vni\": 1, \"ip\": \"10.0.0.1\", "
		  "\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1450, \"egress_rate\": 1000000, "
		  "\"egress_burst\": 34359738361}]}", "pods[0].egress_burst" },
	};
	char err[CFG_ERR_LEN];
	struct pods b;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		write_text(t[i].text);
		err[0] = '\0';
		ck_assert_msg(pods_load(dir, &b, err) != 0, "case %zu accepted", i);
		ck_assert_msg(strstr(err, t[i].want), "case %zu: %s", i, err);
		ck_assert_uint_eq(b.n, 0);
	}
}
END_TEST

START_TEST(check_fields)
{
	struct pod p = pod("c1", "10.1.1.5");
	char err[CFG_ERR_LEN];

	ck_assert_int_eq(pods_check(&p, err), 0);
	p.mtu = 60;
	ck_assert_int_eq(pods_check(&p, err), -EINVAL);
	p = pod("c1", "10.1.1.5");
	snprintf(p.k8s_name, sizeof(p.k8s_name), "a\nb");
	ck_assert_int_eq(pods_check(&p, err), -EINVAL);
	p = pod("c1", "10.1.1.5");
	snprintf(p.netns, sizeof(p.netns), "relative");
	ck_assert_int_eq(pods_check(&p, err), -EINVAL);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("pods");
	TCase *t = tcase_create("pods");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, round_trip);
	tcase_add_test(t, round_trip_ipv6);
	tcase_add_test(t, round_trip_egress);
	tcase_add_test(t, damaged_files_refused);
	tcase_add_test(t, check_fields);
	suite_add_tcase(s, t);
	return s;
}
