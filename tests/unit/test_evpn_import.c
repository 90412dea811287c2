/* test_evpn_import.c - agent/rib/evpn_import: which VNI a route's route targets
 * (and label) put it in, for explicit and "auto" route targets in all three
 * RFC 4360 / RFC 5668 forms and RFC 8365's auto-derived form. Table-driven. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "bgp_attr.h"
#include "config.h"
#include "evpn_import.h"
#include "log.h"

/* 100 auto; 200 and 300 share an explicit target; 400 explicit IP form;
 * 70000 auto (needs an explicit RD: "auto" RDs are 2-octet numbered). */
static const char import_json[] =
	"{ \"vtep\": {\"ip\": \"192.0.2.1\", \"uplink\": \"eth0\"},"
	"\"bgp\": {\"asn\": 65001, \"router_id\": \"192.0.2.1\","
	"  \"neighbors\": [{\"address\":\"198.51.100.1\",\"asn\":65000}]},"
	"\"vnis\": ["
	" {\"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
	"  \"gateway_mac\": \"02:00:00:00:01:00\", \"route_target\": \"auto\"},"
	" {\"vni\": 200, \"subnet\": \"10.2.0.0/16\", \"gateway_ip\": \"10.2.255.254\","
	"  \"gateway_mac\": \"02:00:00:00:02:00\", \"route_target\": \"65000:200\"},"
	" {\"vni\": 300, \"subnet\": \"10.3.0.0/16\", \"gateway_ip\": \"10.3.255.254\","
	"  \"gateway_mac\": \"02:00:00:00:03:00\", \"route_target\": \"65000:200\"},"
	" {\"vni\": 400, \"subnet\": \"10.4.0.0/16\", \"gateway_ip\": \"10.4.255.254\","
	"  \"gateway_mac\": \"02:00:00:00:04:00\", \"route_target\": \"192.0.2.9:400\"},"
	" {\"vni\": 70000, \"subnet\": \"10.7.0.0/16\", \"gateway_ip\": \"10.7.255.254\","
	"  \"gateway_mac\": \"02:00:00:00:07:00\", \"route_target\": \"auto\","
	"  \"rd\": \"192.0.2.1:7\"} ] }";

static struct vtep_config cfg;
static struct evpn_import *imp;

static void setup(void)
{
	char err[CFG_ERR_LEN] = "";

	ck_assert_msg(config_parse(import_json, &cfg, err) == 0, "%s", err);
	ck_assert_int_eq(evpn_import_new(&cfg, &imp), 0);
}

static void teardown(void)
{
	evpn_import_free(imp);
	config_free(&cfg);
}

/* One extended community in text form: "as2:A:N", "as4:A:N", "ip:a.b.c.d:N",
 * "auto8365:A:VNI" (RFC 8365 5.1.2.1: A=0, Type=1, D-ID 0), "encap". */
static void mkext(const char *s, uint8_t out[8])
{
	unsigned long a, n;
	char ip[32];

	memset(out, 0, 8);
	if (sscanf(s, "as2:%lu:%lu", &a, &n) == 2) {
		bgp_ext_rt_as2(out, (uint16_t)a, (uint32_t)n);
	} else if (sscanf(s, "as4:%lu:%lu", &a, &n) == 2) {
		bgp_ext_rt_as4(out, (uint32_t)a, (uint16_t)n);
	} else if (sscanf(s, "ip:%31[0-9.]:%lu", ip, &n) == 2) {
		uint32_t v;

		ck_assert_int_eq(inet_pton(AF_INET, ip, &v), 1);
		bgp_ext_rt_ip4(out, v, (uint16_t)n);
	} else if (sscanf(s, "auto8365:%lu:%lu", &a, &n) == 2) {
		bgp_ext_rt_as2(out, (uint16_t)a, 0x10000000u | (uint32_t)n);
	} else if (!strcmp(s, "encap")) {
		bgp_ext_encap(out, BGP_TUNNEL_VXLAN);
	} else if (!strcmp(s, "encap100")) {
		/* An opaque community whose last octets spell 100: not a target. */
		bgp_ext_encap(out, 100);
	} else {
		ck_abort_msg("bad ext %s", s);
	}
}

static const struct {
	const char *name;
	const char *ext[4];
	uint32_t label;
	uint32_t want;
} cases[] = {
	{ "auto: AS2 target, our AS", { "as2:65001:100" }, 100, 100 },
	{ "auto: AS2 target, any AS (eBGP fabric)", { "as2:65099:100" }, 100, 100 },
	{ "auto: AS4 target", { "as4:4200000000:100" }, 100, 100 },
	{ "auto: IPv4 target", { "ip:10.0.0.1:100" }, 100, 100 },
	{ "auto: RFC 8365 auto-derived target", { "auto8365:65000:100" }, 100, 100 },
	{ "auto: VNI above 65535 in an AS2 target", { "as2:65000:70000" }, 70000, 70000 },
	{ "auto: label does not matter", { "as2:65000:100" }, 555, 100 },
	{ "explicit target", { "as2:65000:200" }, 200, 200 },
	{ "explicit target shared: label picks 300", { "as2:65000:200" }, 300, 300 },
	{ "explicit target shared: no label, first VNI", { "as2:65000:200" }, 0, 200 },
	{ "explicit target, other AS: not ours", { "as2:65001:200" }, 200, 0 },
	{ "explicit IPv4 target", { "ip:192.0.2.9:400" }, 400, 400 },
	{ "explicit IPv4 target, other address", { "ip:192.0.2.8:400" }, 400, 0 },
	{ "no VNI has it", { "as2:65000:101" }, 101, 0 },
	{ "no route target at all", { "encap" }, 100, 0 },
	{ "a non-target community is not a target", { "encap100" }, 100, 0 },
	{ "first importable target wins", { "encap", "as2:65000:999", "as2:65000:100" }, 0, 100 },
	{ "two VNIs import: label decides", { "as2:65000:100", "as2:65000:70000" }, 70000,
	  70000 },
	{ "two VNIs import, no label: first in config", { "as2:65000:70000", "as2:65000:100" },
	  0, 100 },
	{ "two VNIs import, mixed explicit/auto: label", { "as2:65000:200", "as2:65000:100" },
	  100, 100 },
};

START_TEST(test_import_table)
{
	uint8_t ext[4][8];
	size_t n = 0;

	while (n < 4 && cases[_i].ext[n]) {
		mkext(cases[_i].ext[n], ext[n]);
		n++;
	}
	ck_assert_msg(evpn_import_vni(imp, &ext[0][0], n, cases[_i].label) == cases[_i].want,
		      "%s: got %u want %u", cases[_i].name,
		      evpn_import_vni(imp, &ext[0][0], n, cases[_i].label), cases[_i].want);
}
END_TEST

START_TEST(test_helpers)
{
	struct evpn_import *other;
	struct vtep_config c2;
	const uint32_t *vnis;
	uint8_t rt[8];
	char err[CFG_ERR_LEN];
	char *json = strdup(import_json), *p;

	ck_assert_uint_eq(evpn_import_vnis(imp, &vnis), 5);
	ck_assert_uint_eq(vnis[0], 100);
	ck_assert_uint_eq(vnis[4], 70000);
	ck_assert(evpn_import_has_vni(imp, 400));
	ck_assert(!evpn_import_has_vni(imp, 401));
	mkext("as2:65000:200", rt);
	ck_assert(evpn_import_vni_has_rt(imp, 300, rt));
	ck_assert(!evpn_import_vni_has_rt(imp, 100, rt));
	ck_assert(evpn_import_equal(imp, imp));
	/* The same file with one target changed is a different policy. */
	p = strstr(json, "192.0.2.9:400");
	ck_assert_ptr_nonnull(p);
	p[8] = '8';
	ck_assert_msg(config_parse(json, &c2, err) == 0, "%s", err);
	ck_assert_int_eq(evpn_import_new(&c2, &other), 0);
	ck_assert(!evpn_import_equal(imp, other));
	mkext("ip:192.0.2.8:400", rt);
	ck_assert_uint_eq(evpn_import_vni(other, rt, 1, 400), 400);
	evpn_import_free(other);
	config_free(&c2);
	free(json);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("evpn_import");
	TCase *tc = tcase_create("import");

	log_level = LOG_LVL_ERR;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_import_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_helpers);
	suite_add_tcase(s, tc);
	return s;
}
