/* test_config.c - agent/conf/config: DESIGN.md's "vtepd -c FILE" table as a
 * contract. Every key's default, every key accepted, at least one bad value
 * per key whose error names the field, unknown keys at every level, strict
 * JSON, the DESIGN.md example and the contract script's config, RT/RD
 * encodings byte for byte.
 *
 * Bad-value cases are mutations of the contract config (one value replaced
 * or removed through json-c), so each case differs from a valid file in
 * exactly the field under test.
 */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "check_main.h"
#include "addr.h"
#include "config.h"

/* ../shared/contract/check.sh's config, $R = /run/vtepd-contract */
static const char contract_json[] =
"{\n"
"  \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"up0\", \"uplink_attach\": \"xdp\" },\n"
"  \"bpffs\": \"/run/vtepd-contract/bpf/h1\",\n"
"  \"control_socket\": \"/run/vtepd-contract/vtepd.sock\",\n"
"  \"state_dir\": \"/run/vtepd-contract/state\",\n"
"  \"metrics\": \"127.0.0.1:9469\",\n"
"  \"limits\": { \"routes\": 4096, \"fdb\": 4096, \"ports\": 64 },\n"
"  \"bgp\": { \"asn\": 65101, \"router_id\": \"192.0.2.1\", \"graceful_restart_s\": 120,\n"
"           \"dad\": { \"moves\": 5, \"window_s\": 180 },\n"
"           \"neighbors\": [ { \"address\": \"198.51.100.1\", \"asn\": 65001, \"port\": 179, \"password\": null,\n"
"                            \"ttl_security\": false, \"max_prefixes\": 0, \"passive\": false,\n"
"                            \"hold_time_s\": 90, \"keepalive_s\": 30 } ] },\n"
"  \"vnis\": [ { \"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\",\n"
"              \"gateway_mac\": \"02:00:00:00:01:00\", \"route_target\": \"auto\", \"rd\": \"auto\",\n"
"              \"arp_reply\": \"gateway\", \"flood\": false } ],\n"
"  \"ports\": [ { \"ifname\": \"w1\", \"vni\": 100, \"ip\": \"10.1.0.11\", \"mac\": \"02:00:00:00:00:11\" } ],\n"
"  \"routes\": [ { \"vni\": 100, \"prefix\": \"10.1.0.21/32\", \"vtep\": \"192.0.2.2\", \"mac\": \"02:00:00:00:00:21\" } ]\n"
"}\n";

/* DESIGN.md's example */
static const char design_json[] =
"{\n"
"  \"vtep\":    { \"ip\": \"192.0.2.1\", \"uplink\": \"eth0\" },\n"
"  \"bpffs\":   \"/sys/fs/bpf/vtepd\",\n"
"  \"bgp\": { \"asn\": 65101, \"router_id\": \"192.0.2.1\",\n"
"           \"neighbors\": [ { \"address\": \"198.51.100.1\", \"asn\": 65001 } ] },\n"
"  \"vnis\":  [ { \"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\",\n"
"               \"gateway_mac\": \"02:00:00:00:01:00\", \"route_target\": \"auto\", \"arp_reply\": \"gateway\" } ],\n"
"  \"ports\": [ { \"ifname\": \"w1\", \"vni\": 100, \"ip\": \"10.1.0.11\", \"mac\": \"auto\" } ]\n"
"}\n";

static const char minimal_json[] = "{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"eth0\" } }";

static uint32_t ip(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void mac_eq(const uint8_t m[6], const char *s)
{
	char b[ADDR_MAC_STRLEN];

	ck_assert_str_eq(addr_fmt_mac(m, b), s);
}

/* --------------------------------------------------- JSON path mutation */

/* Sets (value != NULL; "null" is JSON null) or removes (value == NULL) the
 * member at path ("vnis[0].vni", "colour") of the JSON text base; returns
 * the new text (malloc'ed). */
static char *mutate(const char *base, const char *path, const char *value)
{
	struct json_object *root = json_tokener_parse(base), *cur = root, *nv = NULL;
	char buf[256], *tok, *save = NULL, *res;
	const char *out;

	ck_assert_ptr_nonnull(root);
	if (value && strcmp(value, "null")) {
		nv = json_tokener_parse(value);
		ck_assert_msg(nv != NULL, "test value %s is not JSON", value);
	}
	snprintf(buf, sizeof(buf), "%s", path);
	tok = strtok_r(buf, ".", &save);
	while (tok) {
		char *next = strtok_r(NULL, ".", &save);
		char *br = strchr(tok, '[');
		int idx = -1;

		if (br) {
			idx = atoi(br + 1);
			*br = '\0';
		}
		if (!next && idx < 0) {
			if (value)
				json_object_object_add(cur, tok, nv);
			else
				json_object_object_del(cur, tok);
			break;
		}
		ck_assert_msg(json_object_object_get_ex(cur, tok, &cur), "no %s in base", tok);
		if (idx >= 0) {
			if (!next) {
				ck_assert_msg(value != NULL, "cannot delete array element");
				json_object_array_put_idx(cur, (size_t)idx, nv);
				break;
			}
			cur = json_object_array_get_idx(cur, (size_t)idx);
			ck_assert_ptr_nonnull(cur);
		}
		tok = next;
	}
	out = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	res = strdup(out);
	json_object_put(root);
	return res;
}

/* Parses text and expects a refusal whose message starts with want. */
static void expect_refused(const char *text, const char *want, const char *what)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN] = "";
	int ret;

	memset(&c, 0xa5, sizeof(c));
	ret = config_parse(text, &c, err);
	ck_assert_msg(ret == -EINVAL, "%s: accepted (ret %d)", what, ret);
	ck_assert_msg(!strncmp(err, want, strlen(want)),
		      "%s: error \"%s\" does not start with \"%s\"", what, err, want);
	/* a refused config owns nothing (config.h) */
	ck_assert_ptr_null(c.vnis);
	ck_assert_ptr_null(c.ports);
	ck_assert_ptr_null(c.routes);
	ck_assert_ptr_null(c.bgp.neighbors);
	ck_assert_uint_eq(c.n_vnis, 0);
}

static void expect_mutation_refused(const char *path, const char *value, const char *want)
{
	char *text = mutate(contract_json, path, value);
	char what[512];

	snprintf(what, sizeof(what), "%s = %s", path, value ? value : "(removed)");
	expect_refused(text, want, what);
	free(text);
}

static void expect_mutation_ok(const char *path, const char *value, struct vtep_config *c)
{
	char *text = mutate(contract_json, path, value);
	char err[CFG_ERR_LEN] = "";

	ck_assert_msg(config_parse(text, c, err) == 0, "%s = %s refused: %s", path, value, err);
	free(text);
}

/* ------------------------------------------------------------ the files */

START_TEST(test_contract_config)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN] = "";
	const struct cfg_neighbor *n;

	ck_assert_msg(config_parse(contract_json, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.vtep_ip, ip("192.0.2.1"));
	ck_assert_uint_eq(c.n_uplinks, 1);
	ck_assert_str_eq(c.uplinks[0], "up0");
	ck_assert_int_eq(c.uplink_attach, CFG_ATTACH_XDP);
	ck_assert_str_eq(c.bpffs, "/run/vtepd-contract/bpf/h1");
	ck_assert_str_eq(c.control_socket, "/run/vtepd-contract/vtepd.sock");
	ck_assert_str_eq(c.state_dir, "/run/vtepd-contract/state");
	ck_assert(c.metrics_enabled);
	ck_assert_str_eq(c.metrics_addr, "127.0.0.1");
	ck_assert_uint_eq(c.metrics_port, 9469);
	ck_assert_uint_eq(c.limit_routes, 4096);
	ck_assert_uint_eq(c.limit_fdb, 4096);
	ck_assert_uint_eq(c.limit_ports, 64);
	ck_assert(c.bgp.enabled);
	ck_assert_uint_eq(c.bgp.asn, 65101);
	ck_assert_uint_eq(c.bgp.router_id, ip("192.0.2.1"));
	ck_assert_uint_eq(c.bgp.graceful_restart_s, 120);
	ck_assert_uint_eq(c.bgp.dad_moves, 5);
	ck_assert_uint_eq(c.bgp.dad_window_s, 180);
	ck_assert_uint_eq(c.bgp.n_neighbors, 1);
	n = &c.bgp.neighbors[0];
	ck_assert_uint_eq(n->address, ip("198.51.100.1"));
	ck_assert_uint_eq(n->asn, 65001);
	ck_assert_uint_eq(n->port, 179);
	ck_assert_ptr_null(n->password);
	ck_assert(!n->ttl_security);
	ck_assert_uint_eq(n->max_prefixes, 0);
	ck_assert(!n->passive);
	ck_assert_uint_eq(n->hold_time_s, 90);
	ck_assert_uint_eq(n->keepalive_s, 30);
	ck_assert_uint_eq(c.n_vnis, 1);
	ck_assert_uint_eq(c.vnis[0].vni, 100);
	ck_assert_uint_eq(c.vnis[0].subnet, ip("10.1.0.0"));
	ck_assert_uint_eq(c.vnis[0].prefixlen, 16);
	ck_assert_uint_eq(c.vnis[0].gateway_ip, ip("10.1.255.254"));
	mac_eq(c.vnis[0].gateway_mac, "02:00:00:00:01:00");
	ck_assert(c.vnis[0].rt_auto);
	ck_assert(c.vnis[0].rd_auto);
	ck_assert_int_eq(c.vnis[0].arp_reply, CFG_ARP_GATEWAY);
	ck_assert(!c.vnis[0].flood);
	ck_assert_uint_eq(c.n_ports, 1);
	ck_assert_str_eq(c.ports[0].ifname, "w1");
	ck_assert_uint_eq(c.ports[0].vni, 100);
	ck_assert_uint_eq(c.ports[0].ip, ip("10.1.0.11"));
	ck_assert(!c.ports[0].mac_auto);
	mac_eq(c.ports[0].mac, "02:00:00:00:00:11");
	ck_assert_uint_eq(c.n_routes, 1);
	ck_assert_uint_eq(c.routes[0].vni, 100);
	ck_assert_uint_eq(c.routes[0].prefix, ip("10.1.0.21"));
	ck_assert_uint_eq(c.routes[0].prefixlen, 32);
	ck_assert_uint_eq(c.routes[0].vtep, ip("192.0.2.2"));
	mac_eq(c.routes[0].mac, "02:00:00:00:00:21");
	ck_assert_ptr_eq(config_find_vni(&c, 100), &c.vnis[0]);
	ck_assert_ptr_null(config_find_vni(&c, 101));
	ck_assert_ptr_eq(config_find_port(&c, "w1"), &c.ports[0]);
	ck_assert_ptr_null(config_find_port(&c, "w2"));
	config_free(&c);
	ck_assert_ptr_null(c.vnis);
	config_free(&c);   /* twice is harmless */
}
END_TEST

START_TEST(test_design_example)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN] = "";

	ck_assert_msg(config_parse(design_json, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.vtep_ip, ip("192.0.2.1"));
	ck_assert_str_eq(c.uplinks[0], "eth0");
	ck_assert_str_eq(c.bpffs, "/sys/fs/bpf/vtepd");
	ck_assert_uint_eq(c.bgp.asn, 65101);
	ck_assert_uint_eq(c.bgp.n_neighbors, 1);
	ck_assert_uint_eq(c.bgp.neighbors[0].asn, 65001);
	ck_assert_uint_eq(c.n_vnis, 1);
	ck_assert(c.vnis[0].rt_auto);
	ck_assert_uint_eq(c.n_ports, 1);
	ck_assert(c.ports[0].mac_auto);
	ck_assert_uint_eq(c.n_routes, 0);
	config_free(&c);
}
END_TEST

/* The two refusals the contract script checks, word for word. */
START_TEST(test_contract_refusals)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN];
	char *t;

	t = mutate(contract_json, "vnis[0].vni", "\"hundred\"");
	ck_assert_int_eq(config_parse(t, &c, err), -EINVAL);
	ck_assert_str_eq(err, "vnis[0].vni: expected an integer 1..16777215, got \"hundred\"");
	free(t);
	t = mutate(contract_json, "vnis[0].colour", "\"blue\"");
	ck_assert_int_eq(config_parse(t, &c, err), -EINVAL);
	ck_assert_str_eq(err, "vnis[0].colour: unknown key");
	free(t);
}
END_TEST

/* ------------------------------------------------------------- defaults */

START_TEST(test_defaults)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN] = "";

	ck_assert_msg(config_parse(minimal_json, &c, err) == 0, "%s", err);
	ck_assert_int_eq(c.uplink_attach, CFG_ATTACH_AUTO);
	ck_assert_str_eq(c.bpffs, "/sys/fs/bpf/vtepd");
	ck_assert_str_eq(c.control_socket, "/run/vtepd/vtepd.sock");
	ck_assert_str_eq(c.state_dir, "/var/lib/vtepd");
	ck_assert(c.metrics_enabled);
	ck_assert_str_eq(c.metrics_addr, "127.0.0.1");
	ck_assert_uint_eq(c.metrics_port, 9469);
	ck_assert_uint_eq(c.limit_routes, 1048576);
	ck_assert_uint_eq(c.limit_fdb, 1048576);
	ck_assert_uint_eq(c.limit_ports, 4096);
	ck_assert(!c.bgp.enabled);
	ck_assert_uint_eq(c.bgp.n_neighbors, 0);
	ck_assert_uint_eq(c.n_vnis, 0);
	ck_assert_uint_eq(c.n_ports, 0);
	ck_assert_uint_eq(c.n_routes, 0);
	config_free(&c);
}
END_TEST

START_TEST(test_nested_defaults)
{
	static const char text[] =
		"{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"eth0\" },"
		"  \"bgp\": { \"asn\": 65101, \"router_id\": \"192.0.2.1\","
		"           \"neighbors\": [ { \"address\": \"198.51.100.1\", \"asn\": 65001 } ] },"
		"  \"limits\": {},"
		"  \"vnis\": [ { \"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
		"              \"gateway_mac\": \"02:00:00:00:01:00\" } ],"
		"  \"ports\": [ { \"ifname\": \"w1\", \"vni\": 100, \"ip\": \"10.1.0.11\" } ] }";
	struct vtep_config c;
	char err[CFG_ERR_LEN] = "";
	const struct cfg_neighbor *n;

	ck_assert_msg(config_parse(text, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.limit_routes, 1048576);
	ck_assert(c.bgp.enabled);
	ck_assert_uint_eq(c.bgp.graceful_restart_s, 120);
	ck_assert_uint_eq(c.bgp.dad_moves, 5);
	ck_assert_uint_eq(c.bgp.dad_window_s, 180);
	n = &c.bgp.neighbors[0];
	ck_assert_uint_eq(n->port, 179);
	ck_assert_ptr_null(n->password);
	ck_assert(!n->ttl_security);
	ck_assert_uint_eq(n->max_prefixes, 0);
	ck_assert(!n->passive);
	ck_assert_uint_eq(n->hold_time_s, 90);
	ck_assert_uint_eq(n->keepalive_s, 30);
	ck_assert(c.vnis[0].rt_auto);
	ck_assert(c.vnis[0].rd_auto);
	ck_assert_int_eq(c.vnis[0].arp_reply, CFG_ARP_GATEWAY);
	ck_assert(!c.vnis[0].flood);
	ck_assert(c.ports[0].mac_auto);
	config_free(&c);
}
END_TEST

/* ---------------------------------------------- every key, other values */

START_TEST(test_every_key_accepted)
{
	static const char text[] =
		"{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": [ \"eth0\", \"eth1\" ], \"uplink_attach\": \"tc\" },"
		"  \"bpffs\": \"/sys/fs/bpf/other\", \"control_socket\": \"/run/x.sock\","
		"  \"state_dir\": \"/var/lib/x\", \"metrics\": \"0.0.0.0:19469\","
		"  \"limits\": { \"routes\": 16777216, \"fdb\": 1, \"ports\": 65536 },"
		"  \"bgp\": { \"asn\": 4294967295, \"router_id\": \"10.0.0.1\", \"graceful_restart_s\": 0,"
		"           \"dad\": { \"moves\": 1000, \"window_s\": 86400 },"
		"           \"neighbors\": [ { \"address\": \"198.51.100.1\", \"asn\": 1, \"port\": 1179,"
		"                              \"password\": \"s3cret\", \"ttl_security\": true,"
		"                              \"max_prefixes\": 4294967295, \"passive\": true,"
		"                              \"hold_time_s\": 0, \"keepalive_s\": 0 },"
		"                            { \"address\": \"127.0.0.1\", \"asn\": 65001, \"hold_time_s\": 3,"
		"                              \"keepalive_s\": 2 } ] },"
		"  \"vnis\": [ { \"vni\": 16777215, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.0.1\","
		"              \"gateway_mac\": \"02:00:00:00:01:00\", \"route_target\": \"65000:16777215\","
		"              \"rd\": \"192.0.2.1:7\", \"arp_reply\": \"real\", \"flood\": true },"
		"            { \"vni\": 1, \"subnet\": \"10.2.0.0/31\", \"gateway_ip\": \"10.2.0.0\","
		"              \"gateway_mac\": \"02:00:00:00:02:00\", \"route_target\": \"192.0.2.1:1\","
		"              \"rd\": \"4200000000:1\" } ],"
		"  \"ports\": [ { \"ifname\": \"tap-vm.1\", \"vni\": 16777215, \"ip\": \"10.1.0.11\", \"mac\": \"auto\" },"
		"             { \"ifname\": \"w2\", \"vni\": 1, \"ip\": \"10.2.0.1\", \"mac\": \"0A:00:00:00:00:02\" } ],"
		"  \"routes\": [ { \"vni\": 16777215, \"prefix\": \"10.1.0.21\", \"vtep\": \"192.0.2.2\","
		"                \"mac\": \"02:00:00:00:00:21\" },"
		"              { \"vni\": 16777215, \"prefix\": \"10.1.1.0/24\", \"vtep\": \"192.0.2.3\","
		"                \"mac\": \"02:00:00:00:00:22\" } ] }";
	static const uint8_t rt0[8] = { 0x00, 0x02, 0xfd, 0xe8, 0x00, 0xff, 0xff, 0xff };
	static const uint8_t rd0[8] = { 0x00, 0x01, 192, 0, 2, 1, 0x00, 0x07 };
	static const uint8_t rt1[8] = { 0x01, 0x02, 192, 0, 2, 1, 0x00, 0x01 };
	static const uint8_t rd1[8] = { 0x00, 0x02, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x01 };
	struct vtep_config c;
	char err[CFG_ERR_LEN] = "";

	ck_assert_msg(config_parse(text, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n_uplinks, 2);
	ck_assert_str_eq(c.uplinks[1], "eth1");
	ck_assert_int_eq(c.uplink_attach, CFG_ATTACH_TC);
	ck_assert_str_eq(c.bpffs, "/sys/fs/bpf/other");
	ck_assert_str_eq(c.control_socket, "/run/x.sock");
	ck_assert_str_eq(c.state_dir, "/var/lib/x");
	ck_assert(c.metrics_enabled);
	ck_assert_str_eq(c.metrics_addr, "0.0.0.0");
	ck_assert_uint_eq(c.metrics_port, 19469);
	ck_assert_uint_eq(c.limit_routes, 16777216);
	ck_assert_uint_eq(c.limit_fdb, 1);
	ck_assert_uint_eq(c.limit_ports, 65536);
	ck_assert_uint_eq(c.bgp.asn, 4294967295u);
	ck_assert_uint_eq(c.bgp.router_id, ip("10.0.0.1"));
	ck_assert_uint_eq(c.bgp.graceful_restart_s, 0);
	ck_assert_uint_eq(c.bgp.dad_moves, 1000);
	ck_assert_uint_eq(c.bgp.dad_window_s, 86400);
	ck_assert_uint_eq(c.bgp.n_neighbors, 2);
	ck_assert_uint_eq(c.bgp.neighbors[0].port, 1179);
	ck_assert_str_eq(c.bgp.neighbors[0].password, "s3cret");
	ck_assert(c.bgp.neighbors[0].ttl_security);
	ck_assert_uint_eq(c.bgp.neighbors[0].max_prefixes, 4294967295u);
	ck_assert(c.bgp.neighbors[0].passive);
	ck_assert_uint_eq(c.bgp.neighbors[0].hold_time_s, 0);
	ck_assert_uint_eq(c.bgp.neighbors[0].keepalive_s, 0);
	ck_assert_uint_eq(c.bgp.neighbors[1].address, ip("127.0.0.1"));
	ck_assert_uint_eq(c.bgp.neighbors[1].hold_time_s, 3);
	ck_assert_uint_eq(c.bgp.neighbors[1].keepalive_s, 2);
	ck_assert_uint_eq(c.vnis[0].vni, 16777215);
	ck_assert(!c.vnis[0].rt_auto);
	ck_assert_mem_eq(c.vnis[0].route_target, rt0, 8);
	ck_assert(!c.vnis[0].rd_auto);
	ck_assert_mem_eq(c.vnis[0].rd, rd0, 8);
	ck_assert_int_eq(c.vnis[0].arp_reply, CFG_ARP_REAL);
	ck_assert(c.vnis[0].flood);
	ck_assert_uint_eq(c.vnis[1].prefixlen, 31);
	ck_assert_mem_eq(c.vnis[1].route_target, rt1, 8);
	ck_assert_mem_eq(c.vnis[1].rd, rd1, 8);
	ck_assert_str_eq(c.ports[0].ifname, "tap-vm.1");
	ck_assert(c.ports[0].mac_auto);
	ck_assert(!c.ports[1].mac_auto);
	mac_eq(c.ports[1].mac, "0a:00:00:00:00:02");
	ck_assert_uint_eq(c.routes[0].prefixlen, 32);
	ck_assert_uint_eq(c.routes[1].prefix, ip("10.1.1.0"));
	ck_assert_uint_eq(c.routes[1].prefixlen, 24);
	config_free(&c);
}
END_TEST

START_TEST(test_metrics_null_disables)
{
	struct vtep_config c;

	expect_mutation_ok("metrics", "null", &c);
	ck_assert(!c.metrics_enabled);
	config_free(&c);
}
END_TEST

/* RFC 4271 s.10: a third of the hold time; DESIGN.md: 30 s by default. */
START_TEST(test_keepalive_follows_hold_time)
{
	struct vtep_config c;
	char *t;

	t = mutate(contract_json, "bgp.neighbors[0].keepalive_s", NULL);
	expect_mutation_ok("bgp.neighbors[0].keepalive_s", "30", &c);
	config_free(&c);
	{
		char *u = mutate(t, "bgp.neighbors[0].hold_time_s", "9");
		char err[CFG_ERR_LEN];

		ck_assert_msg(config_parse(u, &c, err) == 0, "%s", err);
		ck_assert_uint_eq(c.bgp.neighbors[0].hold_time_s, 9);
		ck_assert_uint_eq(c.bgp.neighbors[0].keepalive_s, 3);
		config_free(&c);
		free(u);
		u = mutate(t, "bgp.neighbors[0].hold_time_s", "240");
		ck_assert_msg(config_parse(u, &c, err) == 0, "%s", err);
		ck_assert_uint_eq(c.bgp.neighbors[0].keepalive_s, 30);
		config_free(&c);
		free(u);
	}
	free(t);
}
END_TEST

/* ----------------------------------------------------- bad values, table */

struct bad_case {
	const char *path;
	const char *value;   /* JSON text; NULL removes the key */
	const char *want;    /* the error starts with this */
};

#define NINE_UPLINKS "[\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"a6\",\"a7\",\"a8\",\"a9\"]"
#define LONG_NAME "\"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""

static const struct bad_case bad_cases[] = {
	/* top level and vtep */
	{ "vtep", "\"192.0.2.1\"", "vtep: expected an object" },
	{ "vtep.ip", "\"192.0.2\"", "vtep.ip: expected an IPv4 address, got \"192.0.2\"" },
	{ "vtep.ip", "\"0.0.0.0\"", "vtep.ip: expected a unicast address" },
	{ "vtep.ip", "\"127.0.0.1\"", "vtep.ip: expected a unicast address" },
	{ "vtep.ip", "\"239.1.1.1\"", "vtep.ip: expected a unicast address" },
	{ "vtep.ip", "\"255.255.255.255\"", "vtep.ip: expected a unicast address" },
	{ "vtep.ip", "3221225985", "vtep.ip: expected an IPv4 address" },
	{ "vtep.ip", "null", "vtep.ip: expected an IPv4 address, got null" },
	/* a NUL inside a string must not cut it short */
	{ "vtep.ip", "\"192.0.2.1\\u0000x\"", "vtep.ip: expected an IPv4 address" },
	{ "vtep.uplink", "\"up0\\u0000x\"", "vtep.uplink: expected an interface name" },
	{ "state_dir", "\"/var/lib\\u0000/x\"", "state_dir: expected an absolute path" },
	{ "metrics", "\"127.0.0.1:9469\\u0000\"", "metrics: expected \"ADDR:PORT\"" },
	{ "vnis[0].subnet", "\"10.1.0.0/16\\u0000\"", "vnis[0].subnet: expected a subnet" },
	{ "vnis[0].route_target", "\"auto\\u0000\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].arp_reply", "\"real\\u0000\"", "vnis[0].arp_reply: expected \"gateway\" or \"real\"" },
	{ "ports[0].mac", "\"auto\\u0000\"", "ports[0].mac: expected \"auto\" or a MAC address" },
	{ "routes[0].prefix", "\"10.1.0.21\\u0000/8\"", "routes[0].prefix: expected A.B.C.D" },
	{ "routes[0].mac", "\"02:00:00:00:00:21\\u0000\"", "routes[0].mac: expected a MAC address" },
	{ "vtep.uplink", "\"\"", "vtep.uplink: expected an interface name" },
	{ "vtep.uplink", "\"uplink-too-long0\"", "vtep.uplink: expected an interface name" },
	{ "vtep.uplink", "\"a/b\"", "vtep.uplink: expected an interface name" },
	{ "vtep.uplink", "\"a b\"", "vtep.uplink: expected an interface name" },
	{ "vtep.uplink", "\"..\"", "vtep.uplink: expected an interface name" },
	{ "vtep.uplink", "[]", "vtep.uplink: expected an interface name or a non-empty array" },
	{ "vtep.uplink", "7", "vtep.uplink: expected an interface name or a non-empty array" },
	{ "vtep.uplink", "[\"eth0\", 7]", "vtep.uplink[1]: expected an interface name" },
	{ "vtep.uplink", "[\"eth0\", \"eth0\"]", "vtep.uplink[1]: eth0 is listed twice" },
	{ "vtep.uplink", NINE_UPLINKS, "vtep.uplink: 9 entries, at most 8" },
	{ "vtep.uplink_attach", "\"XDP\"", "vtep.uplink_attach: expected \"xdp\", \"tc\" or \"auto\", got \"XDP\"" },
	{ "vtep.uplink_attach", "1", "vtep.uplink_attach: expected \"xdp\", \"tc\" or \"auto\"" },
	{ "bpffs", "\"sys/fs/bpf\"", "bpffs: expected an absolute path" },
	{ "bpffs", "\"\"", "bpffs: expected an absolute path" },
	{ "bpffs", "null", "bpffs: expected an absolute path" },
	{ "control_socket", "\"vtepd.sock\"", "control_socket: expected an absolute path" },
	/* 121 bytes: a Unix socket path must fit sun_path (108) */
	{ "control_socket", LONG_NAME, "control_socket: expected an absolute path shorter than 108 bytes" },
	{ "state_dir", "\"./state\"", "state_dir: expected an absolute path" },
	{ "state_dir", "[\"/x\"]", "state_dir: expected an absolute path" },
	{ "metrics", "\"127.0.0.1\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\"127.0.0.1:\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\"127.0.0.1:0\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\"127.0.0.1:65536\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\"127.0.0.1:+80\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\"localhost:9469\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\":9469\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "9469", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "false", "metrics: expected \"ADDR:PORT\"" },
	{ "limits", "[]", "limits: expected an object" },
	{ "limits.routes", "0", "limits.routes: expected an integer 1..16777216, got 0" },
	{ "limits.routes", "16777217", "limits.routes: expected an integer 1..16777216" },
	{ "limits.routes", "\"4096\"", "limits.routes: expected an integer" },
	{ "limits.routes", "4096.0", "limits.routes: expected an integer" },
	{ "limits.routes", "4e3", "limits.routes: expected an integer" },
	{ "limits.fdb", "-1", "limits.fdb: expected an integer 1..16777216, got -1" },
	{ "limits.fdb", "18446744073709551616", "limits.fdb: expected an integer" },
	{ "limits.ports", "0", "limits.ports: expected an integer 1..65536" },
	{ "limits.ports", "65537", "limits.ports: expected an integer 1..65536" },
	{ "limits.ports", "true", "limits.ports: expected an integer" },
	/* bgp */
	{ "bgp", "true", "bgp: expected an object" },
	{ "bgp.asn", "0", "bgp.asn: expected an integer 1..4294967295, got 0" },
	{ "bgp.asn", "4294967296", "bgp.asn: expected an integer 1..4294967295" },
	{ "bgp.asn", "\"65101\"", "bgp.asn: expected an integer" },
	{ "bgp.router_id", "\"0.0.0.0\"", "bgp.router_id: expected a non-zero IPv4 address" },
	{ "bgp.router_id", "\"router1\"", "bgp.router_id: expected an IPv4 address" },
	{ "bgp.graceful_restart_s", "4096", "bgp.graceful_restart_s: expected an integer 0..4095" },
	{ "bgp.graceful_restart_s", "-1", "bgp.graceful_restart_s: expected an integer 0..4095" },
	{ "bgp.dad", "5", "bgp.dad: expected an object" },
	{ "bgp.dad.moves", "0", "bgp.dad.moves: expected an integer 1..1000" },
	{ "bgp.dad.moves", "\"5\"", "bgp.dad.moves: expected an integer" },
	{ "bgp.dad.window_s", "0", "bgp.dad.window_s: expected an integer 1..86400" },
	{ "bgp.dad.window_s", "86401", "bgp.dad.window_s: expected an integer 1..86400" },
	{ "bgp.neighbors", "{}", "bgp.neighbors: expected an array" },
	{ "bgp.neighbors[0]", "\"198.51.100.1\"", "bgp.neighbors[0]: expected an object" },
	{ "bgp.neighbors[0].address", "\"198.51.100\"", "bgp.neighbors[0].address: expected an IPv4 address" },
	{ "bgp.neighbors[0].address", "\"0.0.0.0\"", "bgp.neighbors[0].address: expected a unicast address" },
	{ "bgp.neighbors[0].address", "\"224.0.0.5\"", "bgp.neighbors[0].address: expected a unicast address" },
	{ "bgp.neighbors[0].asn", "0", "bgp.neighbors[0].asn: expected an integer 1..4294967295" },
	{ "bgp.neighbors[0].asn", "65001.5", "bgp.neighbors[0].asn: expected an integer" },
	{ "bgp.neighbors[0].port", "0", "bgp.neighbors[0].port: expected an integer 1..65535" },
	{ "bgp.neighbors[0].port", "65536", "bgp.neighbors[0].port: expected an integer 1..65535" },
	{ "bgp.neighbors[0].port", "\"bgp\"", "bgp.neighbors[0].port: expected an integer" },
	{ "bgp.neighbors[0].password", "\"\"", "bgp.neighbors[0].password: expected a string of 1..80 bytes" },
	{ "bgp.neighbors[0].password",
	  "\"123456789012345678901234567890123456789012345678901234567890123456789012345678901\"",
	  "bgp.neighbors[0].password: expected a string of 1..80 bytes" },
	{ "bgp.neighbors[0].password", "12345", "bgp.neighbors[0].password: expected a string" },
	{ "bgp.neighbors[0].password", "\"a\\u0000b\"", "bgp.neighbors[0].password: expected a string without NUL" },
	{ "bgp.neighbors[0].ttl_security", "\"false\"", "bgp.neighbors[0].ttl_security: expected true or false, got \"false\"" },
	{ "bgp.neighbors[0].ttl_security", "0", "bgp.neighbors[0].ttl_security: expected true or false" },
	{ "bgp.neighbors[0].max_prefixes", "-1", "bgp.neighbors[0].max_prefixes: expected an integer 0..4294967295" },
	{ "bgp.neighbors[0].max_prefixes", "4294967296", "bgp.neighbors[0].max_prefixes: expected an integer 0..4294967295" },
	{ "bgp.neighbors[0].passive", "1", "bgp.neighbors[0].passive: expected true or false" },
	{ "bgp.neighbors[0].passive", "null", "bgp.neighbors[0].passive: expected true or false, got null" },
	{ "bgp.neighbors[0].hold_time_s", "1", "bgp.neighbors[0].hold_time_s: expected 0 or an integer 3..65535" },
	{ "bgp.neighbors[0].hold_time_s", "2", "bgp.neighbors[0].hold_time_s: expected 0 or an integer 3..65535" },
	{ "bgp.neighbors[0].hold_time_s", "65536", "bgp.neighbors[0].hold_time_s: expected 0 or an integer 3..65535" },
	{ "bgp.neighbors[0].hold_time_s", "\"90\"", "bgp.neighbors[0].hold_time_s: expected 0 or an integer" },
	{ "bgp.neighbors[0].keepalive_s", "90", "bgp.neighbors[0].keepalive_s: expected an integer 1..89 (below hold_time_s)" },
	{ "bgp.neighbors[0].keepalive_s", "0", "bgp.neighbors[0].keepalive_s: expected an integer 1..89" },
	{ "bgp.neighbors[0].keepalive_s", "30.0", "bgp.neighbors[0].keepalive_s: expected an integer" },
	/* vnis */
	{ "vnis", "{}", "vnis: expected an array" },
	{ "vnis[0]", "100", "vnis[0]: expected an object" },
	{ "vnis[0].vni", "0", "vnis[0].vni: expected an integer 1..16777215, got 0" },
	{ "vnis[0].vni", "16777216", "vnis[0].vni: expected an integer 1..16777215, got 16777216" },
	{ "vnis[0].vni", "100.0", "vnis[0].vni: expected an integer 1..16777215, got 100.0" },
	{ "vnis[0].subnet", "\"10.1.0.0\"", "vnis[0].subnet: expected a subnet A.B.C.D/LEN with LEN 1..31" },
	{ "vnis[0].subnet", "\"10.1.0.0/32\"", "vnis[0].subnet: expected a subnet A.B.C.D/LEN with LEN 1..31" },
	{ "vnis[0].subnet", "\"0.0.0.0/0\"", "vnis[0].subnet: expected a subnet A.B.C.D/LEN with LEN 1..31" },
	{ "vnis[0].subnet", "\"10.1.0.0/33\"", "vnis[0].subnet: expected a subnet" },
	{ "vnis[0].subnet", "\"10.1.0.0/ 16\"", "vnis[0].subnet: expected a subnet" },
	{ "vnis[0].subnet", "\"10.1.0.1/16\"", "vnis[0].subnet: expected a subnet without host bits (10.1.0.0/16)" },
	{ "vnis[0].subnet", "16", "vnis[0].subnet: expected a subnet" },
	{ "vnis[0].gateway_ip", "\"10.2.0.1\"", "vnis[0].gateway_ip: expected an address inside the subnet 10.1.0.0/16" },
	{ "vnis[0].gateway_ip", "\"10.1.0.0\"", "vnis[0].gateway_ip: expected a host address of 10.1.0.0/16" },
	{ "vnis[0].gateway_ip", "\"10.1.255.255\"", "vnis[0].gateway_ip: expected a host address of 10.1.0.0/16" },
	{ "vnis[0].gateway_ip", "\"gw\"", "vnis[0].gateway_ip: expected an IPv4 address" },
	{ "vnis[0].gateway_mac", "\"01:00:5e:00:00:01\"", "vnis[0].gateway_mac: expected a unicast MAC address" },
	{ "vnis[0].gateway_mac", "\"ff:ff:ff:ff:ff:ff\"", "vnis[0].gateway_mac: expected a unicast MAC address" },
	{ "vnis[0].gateway_mac", "\"00:00:00:00:00:00\"", "vnis[0].gateway_mac: expected a non-zero MAC address" },
	{ "vnis[0].gateway_mac", "\"02:00:00:00:01\"", "vnis[0].gateway_mac: expected a MAC address" },
	{ "vnis[0].gateway_mac", "\"02-00-00-00-01-00\"", "vnis[0].gateway_mac: expected a MAC address" },
	{ "vnis[0].gateway_mac", "\"auto\"", "vnis[0].gateway_mac: expected a MAC address" },
	{ "vnis[0].route_target", "\"AUTO\"", "vnis[0].route_target: expected \"auto\", \"ASN:NN\" or \"IP:NN\"" },
	{ "vnis[0].route_target", "\"65101\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "\"0:100\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "\"65101:4294967296\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "\"4200000000:65536\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "\"192.0.2.1:65536\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "\"65101:100:1\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "6510100100", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].rd", "\"router:1\"", "vnis[0].rd: expected \"auto\", \"ASN:NN\" or \"IP:NN\"" },
	{ "vnis[0].rd", "\"192.0.2:1\"", "vnis[0].rd: expected \"auto\"" },
	{ "vnis[0].rd", "null", "vnis[0].rd: expected \"auto\"" },
	{ "vnis[0].arp_reply", "\"proxy\"", "vnis[0].arp_reply: expected \"gateway\" or \"real\", got \"proxy\"" },
	{ "vnis[0].arp_reply", "true", "vnis[0].arp_reply: expected \"gateway\" or \"real\"" },
	{ "vnis[0].flood", "\"false\"", "vnis[0].flood: expected true or false" },
	{ "vnis[0].flood", "0", "vnis[0].flood: expected true or false" },
	/* ports */
	{ "ports", "{}", "ports: expected an array" },
	{ "ports[0]", "\"w1\"", "ports[0]: expected an object" },
	{ "ports[0].ifname", "\"\"", "ports[0].ifname: expected an interface name" },
	{ "ports[0].ifname", "\"0123456789abcdef\"", "ports[0].ifname: expected an interface name (1..15 characters" },
	{ "ports[0].ifname", "\"w:1\"", "ports[0].ifname: expected an interface name" },
	{ "ports[0].ifname", "\"up0\"", "ports[0].ifname: up0 is an uplink" },
	{ "ports[0].ifname", "1", "ports[0].ifname: expected an interface name" },
	{ "ports[0].vni", "200", "ports[0].vni: VNI 200 is not in vnis" },
	{ "ports[0].vni", "\"100\"", "ports[0].vni: expected an integer 1..16777215" },
	{ "ports[0].ip", "\"10.2.0.11\"", "ports[0].ip: 10.2.0.11 is outside VNI 100's subnet 10.1.0.0/16" },
	{ "ports[0].ip", "\"10.1.255.254\"", "ports[0].ip: 10.1.255.254 is VNI 100's gateway_ip" },
	{ "ports[0].ip", "\"10.1.0.0\"", "ports[0].ip: 10.1.0.0 is the network or broadcast address" },
	{ "ports[0].ip", "\"10.1.255.255\"", "ports[0].ip: 10.1.255.255 is the network or broadcast address" },
	{ "ports[0].ip", "\"10.1.0.11/32\"", "ports[0].ip: expected an IPv4 address" },
	{ "ports[0].mac", "\"01:00:00:00:00:11\"", "ports[0].mac: expected a unicast MAC address" },
	{ "ports[0].mac", "\"00:00:00:00:00:00\"", "ports[0].mac: expected a non-zero MAC address" },
	{ "ports[0].mac", "\"02:00:00:00:01:00\"", "ports[0].mac: is VNI 100's gateway_mac" },
	{ "ports[0].mac", "\"AUTO\"", "ports[0].mac: expected \"auto\" or a MAC address" },
	{ "ports[0].mac", "null", "ports[0].mac: expected \"auto\" or a MAC address" },
	/* routes */
	{ "routes", "{}", "routes: expected an array" },
	{ "routes[0]", "[]", "routes[0]: expected an object" },
	{ "routes[0].vni", "200", "routes[0].vni: VNI 200 is not in vnis" },
	{ "routes[0].vni", "-100", "routes[0].vni: expected an integer 1..16777215" },
	{ "routes[0].prefix", "\"10.1.0.21/24\"", "routes[0].prefix: expected a prefix without host bits (10.1.0.0/24)" },
	{ "routes[0].prefix", "\"10.1.0.21/33\"", "routes[0].prefix: expected A.B.C.D or A.B.C.D/LEN" },
	{ "routes[0].prefix", "\"host\"", "routes[0].prefix: expected A.B.C.D or A.B.C.D/LEN" },
	{ "routes[0].prefix", "\"10.1.255.254\"", "routes[0].prefix: 10.1.255.254/32 is VNI 100's gateway_ip" },
	{ "routes[0].prefix", "\"10.1.0.11\"", "routes[0].prefix: 10.1.0.11/32 is the address of ports[0] (w1)" },
	{ "routes[0].vtep", "\"192.0.2.1\"", "routes[0].vtep: 192.0.2.1 is our own vtep.ip" },
	{ "routes[0].vtep", "\"127.0.0.2\"", "routes[0].vtep: expected a unicast address" },
	{ "routes[0].vtep", "\"0.0.0.0\"", "routes[0].vtep: expected a unicast address" },
	{ "routes[0].vtep", "\"vtep2\"", "routes[0].vtep: expected an IPv4 address" },
	{ "routes[0].mac", "\"00:00:00:00:00:00\"", "routes[0].mac: expected a non-zero MAC address" },
	{ "routes[0].mac", "\"03:00:00:00:00:21\"", "routes[0].mac: expected a unicast MAC address" },
	{ "routes[0].mac", "\"02:00:00:00:01:00\"", "routes[0].mac: is VNI 100's gateway_mac" },
	{ "routes[0].mac", "\"auto\"", "routes[0].mac: expected a MAC address" },
	/* required keys */
	{ "vtep", NULL, "vtep: required" },
	{ "vtep.ip", NULL, "vtep.ip: required" },
	{ "vtep.uplink", NULL, "vtep.uplink: required" },
	{ "bgp.asn", NULL, "bgp.asn: required" },
	{ "bgp.router_id", NULL, "bgp.router_id: required" },
	{ "bgp.neighbors[0].address", NULL, "bgp.neighbors[0].address: required" },
	{ "bgp.neighbors[0].asn", NULL, "bgp.neighbors[0].asn: required" },
	{ "vnis[0].vni", NULL, "vnis[0].vni: required" },
	{ "vnis[0].subnet", NULL, "vnis[0].subnet: required" },
	{ "vnis[0].gateway_ip", NULL, "vnis[0].gateway_ip: required" },
	{ "vnis[0].gateway_mac", NULL, "vnis[0].gateway_mac: required" },
	{ "ports[0].ifname", NULL, "ports[0].ifname: required" },
	{ "ports[0].vni", NULL, "ports[0].vni: required" },
	{ "ports[0].ip", NULL, "ports[0].ip: required" },
	{ "routes[0].vni", NULL, "routes[0].vni: required" },
	{ "routes[0].prefix", NULL, "routes[0].prefix: required" },
	{ "routes[0].vtep", NULL, "routes[0].vtep: required" },
	{ "routes[0].mac", NULL, "routes[0].mac: required" },
	/* without vnis, the port's and the route's VNI are unknown */
	{ "vnis", NULL, "ports[0].vni: VNI 100 is not in vnis" },
	/* unknown keys at every level */
	{ "colour", "\"blue\"", "colour: unknown key" },
	{ "vtep.colour", "\"blue\"", "vtep.colour: unknown key" },
	{ "limits.colour", "1", "limits.colour: unknown key" },
	{ "bgp.colour", "1", "bgp.colour: unknown key" },
	{ "bgp.dad.colour", "1", "bgp.dad.colour: unknown key" },
	{ "bgp.neighbors[0].colour", "1", "bgp.neighbors[0].colour: unknown key" },
	{ "bgp.neighbors[0].Address", "\"198.51.100.1\"", "bgp.neighbors[0].Address: unknown key" },
	{ "vnis[0].colour", "\"blue\"", "vnis[0].colour: unknown key" },
	{ "ports[0].colour", "null", "ports[0].colour: unknown key" },
	{ "routes[0].colour", "{}", "routes[0].colour: unknown key" },
	{ "routes[0].nexthop", "\"192.0.2.2\"", "routes[0].nexthop: unknown key" },
};

START_TEST(test_bad_value)
{
	const struct bad_case *b = &bad_cases[_i];

	expect_mutation_refused(b->path, b->value, b->want);
}
END_TEST

/* The message quotes the bad value, shortened when long. */
START_TEST(test_error_quotes_long_value_shortened)
{
	char val[300], *t;
	struct vtep_config c;
	char err[CFG_ERR_LEN];

	memset(val, 'x', sizeof(val));
	val[0] = '"';
	val[sizeof(val) - 2] = '"';
	val[sizeof(val) - 1] = '\0';
	t = mutate(contract_json, "vtep.ip", val);
	ck_assert_int_eq(config_parse(t, &c, err), -EINVAL);
	ck_assert_msg(strstr(err, "vtep.ip: expected an IPv4 address, got \"xxx") == err, "%s", err);
	ck_assert_msg(strstr(err, "...") != NULL, "%s", err);
	ck_assert_uint_lt(strlen(err), 120);
	free(t);
}
END_TEST

/* ---------------------------------------------------- cross-entry rules */

START_TEST(test_duplicates)
{
	static const char vni2[] =
		"{ \"vni\": 100, \"subnet\": \"10.2.0.0/16\", \"gateway_ip\": \"10.2.0.1\","
		"  \"gateway_mac\": \"02:00:00:00:02:00\" }";
	static const char vni200[] =
		"{ \"vni\": 200, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
		"  \"gateway_mac\": \"02:00:00:00:02:00\" }";
	char *t, *u;

	t = mutate(contract_json, "vnis[1]", vni2);
	expect_refused(t, "vnis[1].vni: VNI 100 is already vnis[0]", "duplicate vni");
	free(t);

	t = mutate(contract_json, "ports[1]", "{ \"ifname\": \"w1\", \"vni\": 100, \"ip\": \"10.1.0.12\" }");
	expect_refused(t, "ports[1].ifname: w1 is already ports[0]", "duplicate ifname");
	free(t);

	t = mutate(contract_json, "ports[1]", "{ \"ifname\": \"w2\", \"vni\": 100, \"ip\": \"10.1.0.11\" }");
	expect_refused(t, "ports[1].ip: 10.1.0.11 is already ports[0] (w1)", "duplicate ip");
	free(t);

	/* one IP, two VNIs: still one host route, so still refused */
	u = mutate(contract_json, "vnis[1]", vni200);
	t = mutate(u, "ports[1]", "{ \"ifname\": \"w2\", \"vni\": 200, \"ip\": \"10.1.0.11\" }");
	expect_refused(t, "ports[1].ip: 10.1.0.11 is already ports[0] (w1)", "duplicate ip across VNIs");
	free(t);
	free(u);

	t = mutate(contract_json, "ports[1]",
		   "{ \"ifname\": \"w2\", \"vni\": 100, \"ip\": \"10.1.0.12\", \"mac\": \"02:00:00:00:00:11\" }");
	expect_refused(t, "ports[1].mac: 02:00:00:00:00:11 is already ports[0] (w1) in VNI 100",
		       "duplicate mac");
	free(t);

	t = mutate(contract_json, "routes[1]",
		   "{ \"vni\": 100, \"prefix\": \"10.1.0.21\", \"vtep\": \"192.0.2.3\", \"mac\": \"02:00:00:00:00:31\" }");
	expect_refused(t, "routes[1].prefix: 10.1.0.21/32 in VNI 100 is already routes[0]", "duplicate route");
	free(t);

	t = mutate(contract_json, "bgp.neighbors[1]", "{ \"address\": \"198.51.100.1\", \"asn\": 65002 }");
	expect_refused(t, "bgp.neighbors[1].address: 198.51.100.1 is already bgp.neighbors[0]",
		       "duplicate neighbor");
	free(t);
}
END_TEST

START_TEST(test_valid_neighbours_of_duplicates)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN];
	char *t, *u;

	/* same MAC in different VNIs, same prefix in different VNIs, two auto
	 * MACs, a /24 over a port's /32 (longest match decides): all fine */
	t = mutate(contract_json, "vnis[1]",
		   "{ \"vni\": 200, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
		   "  \"gateway_mac\": \"02:00:00:00:02:00\" }");
	u = mutate(t, "ports[1]", "{ \"ifname\": \"w2\", \"vni\": 200, \"ip\": \"10.1.0.12\", \"mac\": \"02:00:00:00:00:11\" }");
	free(t);
	t = mutate(u, "ports[2]", "{ \"ifname\": \"w3\", \"vni\": 200, \"ip\": \"10.1.0.13\" }");
	free(u);
	u = mutate(t, "ports[3]", "{ \"ifname\": \"w4\", \"vni\": 200, \"ip\": \"10.1.0.14\" }");
	free(t);
	t = mutate(u, "routes[1]", "{ \"vni\": 200, \"prefix\": \"10.1.0.21/32\", \"vtep\": \"192.0.2.2\", \"mac\": \"02:00:00:00:00:21\" }");
	free(u);
	u = mutate(t, "routes[2]", "{ \"vni\": 100, \"prefix\": \"10.1.0.0/24\", \"vtep\": \"192.0.2.2\", \"mac\": \"02:00:00:00:00:21\" }");
	free(t);
	ck_assert_msg(config_parse(u, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n_ports, 4);
	ck_assert_uint_eq(c.n_routes, 3);
	config_free(&c);
	free(u);
}
END_TEST

START_TEST(test_limits_bound_entries)
{
	char *t, *u;

	t = mutate(contract_json, "limits.ports", "1");
	u = mutate(t, "ports[1]", "{ \"ifname\": \"w2\", \"vni\": 100, \"ip\": \"10.1.0.12\" }");
	expect_refused(u, "ports: 2 ports exceed limits.ports (1)", "limits.ports");
	free(t);
	free(u);
	t = mutate(contract_json, "limits.routes", "1");
	expect_refused(t, "routes: 1 ports and 1 routes exceed limits.routes (1)", "limits.routes");
	free(t);
}
END_TEST

/* RD "auto" is router_id:VNI, a type 1 RD with a 2-octet number; RT "auto"
 * with a 4-octet ASN has a 2-octet number too (RFC 4364, RFC 5668). */
START_TEST(test_auto_rt_rd_range)
{
	struct vtep_config c;
	char *t, *u;

	t = mutate(contract_json, "vnis[0].vni", "70000");
	u = mutate(t, "ports", "[]");
	free(t);
	t = mutate(u, "routes", "[]");
	free(u);
	expect_refused(t, "vnis[0].rd: \"auto\" (router_id:VNI) cannot encode VNI 70000", "rd auto");
	u = mutate(t, "vnis[0].rd", "\"65101:70000\"");
	free(t);
	/* 2-octet ASN: the RT has room for the VNI */
	{
		char err[CFG_ERR_LEN];

		ck_assert_msg(config_parse(u, &c, err) == 0, "%s", err);
		config_free(&c);
	}
	t = mutate(u, "bgp.asn", "4200000000");
	free(u);
	expect_refused(t, "vnis[0].route_target: \"auto\" (ASN:VNI) cannot encode VNI 70000", "rt auto");
	/* without bgp neither auto is ever encoded */
	u = mutate(t, "bgp", NULL);
	{
		char err[CFG_ERR_LEN];

		ck_assert_msg(config_parse(u, &c, err) == 0, "%s", err);
		config_free(&c);
	}
	free(t);
	free(u);
}
END_TEST

/* ------------------------------------------------------------ strict JSON */

START_TEST(test_json_syntax)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "", "line 1, column 1: invalid JSON" },
		{ "   \n ", "line 2, column 2: invalid JSON" },
		{ "{ \"vtep\": ", "line 1, column 11: invalid JSON" },
		{ "[]", "the configuration must be a JSON object" },
		{ "\"vtep\"", "the configuration must be a JSON object" },
		{ "{ \"vtep\": {} } x", "line 1, column 16: invalid JSON" },
		{ "{ \"vtep\": {} } {}", "line 1, column 16: invalid JSON" },
		{ "{ \"vtep\": {}, }", "line 1, column 15: invalid JSON" },
		{ "{ // comment\n \"vtep\": {} }", "line 1, column 3: invalid JSON" },
		{ "{ /* c */ \"vtep\": {} }", "line 1, column 3: invalid JSON" },
		{ "{ 'vtep': {} }", "line 1, column 3: invalid JSON: strings must be in double quotes" },
		{ "{ \"vtep\": { \"ip\": '192.0.2.1' } }", "line 1, column 19: invalid JSON" },
		{ "{ vtep: {} }", "line 1, column 3: invalid JSON" },
		{ "{ \"limits\": { \"ports\": 012 } }", "line 1, column 27: invalid JSON" },
		{ "{ \"vtep\": { \"ip\": NaN } }", "vtep.ip: expected an IPv4 address, got NaN" },
		{ "{ \"vtep\": { \"ip\": \"\xff\" } }", "line 1, column 20: invalid JSON: invalid utf-8" },
		{ "{ \"vtep\": {}, \"vtep\": {} }", "vtep: duplicate key" },
		{ "{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"e\", \"ip\": \"192.0.2.2\" } }",
		  "vtep.ip: duplicate key" },
		{ "{ \"vnis\": [ {}, { \"vni\": 1, \"vni\": 2 } ] }", "vnis[1].vni: duplicate key" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].text, cases[i].want, cases[i].text);
}
END_TEST

/* Order of members and white space are free; keys in strings are not keys. */
START_TEST(test_json_freedom)
{
	static const char text[] =
		"\n\t{\"vnis\":[{\"gateway_mac\":\"02:00:00:00:01:00\",\"gateway_ip\":\"10.1.255.254\","
		"\"subnet\":\"10.1.0.0/16\",\"vni\":100}],\r\n\"vtep\":{\"uplink\":\"eth0\","
		"\"ip\":\"192.0.2.1\"},\"bgp\":{\"asn\":1,\"router_id\":\"1.1.1.1\",\"neighbors\":[{\"address\":"
		"\"198.51.100.1\",\"asn\":2,\"password\":\"\\\"asn\\\": 3, {[\"}]}}\n\n";
	struct vtep_config c;
	char err[CFG_ERR_LEN];

	ck_assert_msg(config_parse(text, &c, err) == 0, "%s", err);
	ck_assert_str_eq(c.bgp.neighbors[0].password, "\"asn\": 3, {[");
	config_free(&c);
}
END_TEST

/* ------------------------------------------------------------ config_load */

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

START_TEST(test_load)
{
	char dir[] = "/tmp/vtepd-test-config.XXXXXX", path[64], err[CFG_ERR_LEN];
	struct vtep_config c;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vtepd.json", dir);

	/* missing file: -ENOENT and strerror (callers print the path) */
	ck_assert_int_eq(config_load(path, &c, err), -ENOENT);
	ck_assert_str_eq(err, "cannot read: No such file or directory");
	/* a directory */
	ck_assert_int_eq(config_load(dir, &c, err), -EISDIR);
	ck_assert_str_eq(err, "cannot read: Is a directory");

	write_file(path, contract_json, strlen(contract_json));
	ck_assert_msg(config_load(path, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n_ports, 1);
	config_free(&c);

	/* a NUL byte in the file is refused, not read as the end */
	write_file(path, "{ \"vtep\": {}\0 }", 15);
	ck_assert_int_eq(config_load(path, &c, err), -EINVAL);
	ck_assert_msg(strstr(err, "line 1, column 13: invalid JSON: NUL byte"), "%s", err);

	/* content errors come from the same parser */
	write_file(path, design_json, strlen(design_json) - 3);
	ck_assert_int_eq(config_load(path, &c, err), -EINVAL);
	ck_assert_msg(strstr(err, "invalid JSON"), "%s", err);

	unlink(path);
	rmdir(dir);
}
END_TEST

/* -------------------------------------------------------------- RT / RD */

struct enc_case {
	const char *text;
	uint8_t bytes[8];
};

/* RFC 4360 s.3.1, 3.2, RFC 5668 s.2: type, sub-type 0x02, value */
static const struct enc_case rt_cases[] = {
	{ "65101:100",        { 0x00, 0x02, 0xfe, 0x4d, 0x00, 0x00, 0x00, 0x64 } },
	{ "1:0",              { 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 } },
	{ "65535:4294967295", { 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	{ "192.0.2.1:5",      { 0x01, 0x02, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x05 } },
	{ "10.0.0.1:65535",   { 0x01, 0x02, 0x0a, 0x00, 0x00, 0x01, 0xff, 0xff } },
	{ "65536:1",          { 0x02, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01 } },
	{ "4200000000:100",   { 0x02, 0x02, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x64 } },
	{ "4294967295:65535", { 0x02, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
};

/* RFC 4364 s.4.2: 2-octet type, then the value */
static const struct enc_case rd_cases[] = {
	{ "65101:100",        { 0x00, 0x00, 0xfe, 0x4d, 0x00, 0x00, 0x00, 0x64 } },
	{ "65535:4294967295", { 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	{ "192.0.2.1:100",    { 0x00, 0x01, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x64 } },
	{ "4200000000:7",     { 0x00, 0x02, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x07 } },
	{ "65536:65535",      { 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0xff, 0xff } },
};

static const char *const rt_bad[] = {
	"", ":", "65101", "65101:", ":100", "0:1", "65101:-1", "-1:1", "+1:1", "65101:+1",
	"65101: 1", " 65101:1", "65101:1 ", "1.2.3.4:65536", "4200000000:65536",
	"4294967296:1", "12345678901:1", "a:1", "65101:1a", "1:2:3", "1.2.3.256:1", "1.2.3:1",
	"65101:4294967296", "0x10:1", "auto",
};

START_TEST(test_rt_rd_encodings)
{
	uint8_t b[8];
	char s[CFG_RT_STRLEN];

	for (size_t i = 0; i < sizeof(rt_cases) / sizeof(rt_cases[0]); i++) {
		memset(b, 0xee, 8);
		ck_assert_msg(config_parse_rt(rt_cases[i].text, b) == 0, "rt %s", rt_cases[i].text);
		ck_assert_mem_eq(b, rt_cases[i].bytes, 8);
		ck_assert_int_eq(config_fmt_rt(b, s), 0);
		ck_assert_str_eq(s, rt_cases[i].text);
	}
	for (size_t i = 0; i < sizeof(rd_cases) / sizeof(rd_cases[0]); i++) {
		memset(b, 0xee, 8);
		ck_assert_msg(config_parse_rd(rd_cases[i].text, b) == 0, "rd %s", rd_cases[i].text);
		ck_assert_mem_eq(b, rd_cases[i].bytes, 8);
		ck_assert_int_eq(config_fmt_rd(b, s), 0);
		ck_assert_str_eq(s, rd_cases[i].text);
	}
	for (size_t i = 0; i < sizeof(rt_bad) / sizeof(rt_bad[0]); i++) {
		ck_assert_msg(config_parse_rt(rt_bad[i], b) == -EINVAL, "rt accepted \"%s\"", rt_bad[i]);
		ck_assert_msg(config_parse_rd(rt_bad[i], b) == -EINVAL, "rd accepted \"%s\"", rt_bad[i]);
	}
	ck_assert_int_eq(config_parse_rt(NULL, b), -EINVAL);
}
END_TEST

START_TEST(test_rt_rd_fmt_unknown)
{
	static const uint8_t soo[8] = { 0x00, 0x03, 0xfe, 0x4d, 0, 0, 0, 1 };  /* site of origin */
	static const uint8_t rd9[8] = { 0x00, 0x09, 1, 2, 3, 4, 5, 6 };
	char s[CFG_RT_STRLEN];

	ck_assert_int_eq(config_fmt_rt(soo, s), -EINVAL);
	ck_assert_str_eq(s, "0x0003fe4d00000001");
	ck_assert_int_eq(config_fmt_rd(rd9, s), -EINVAL);
	ck_assert_str_eq(s, "0x0009010203040506");
}
END_TEST

START_TEST(test_vni_auto_rt_rd)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN];
	uint8_t b[8];
	static const uint8_t rt[8] = { 0x00, 0x02, 0xfe, 0x4d, 0x00, 0x00, 0x00, 0x64 };
	static const uint8_t rd[8] = { 0x00, 0x01, 192, 0, 2, 1, 0x00, 0x64 };
	static const uint8_t rt4[8] = { 0x02, 0x02, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x64 };
	char *t;

	ck_assert_msg(config_parse(contract_json, &c, err) == 0, "%s", err);
	ck_assert_int_eq(config_vni_rt(&c, &c.vnis[0], b), 0);
	ck_assert_mem_eq(b, rt, 8);
	ck_assert_int_eq(config_vni_rd(&c, &c.vnis[0], b), 0);
	ck_assert_mem_eq(b, rd, 8);
	config_free(&c);

	t = mutate(contract_json, "bgp.asn", "4200000000");
	ck_assert_msg(config_parse(t, &c, err) == 0, "%s", err);
	ck_assert_int_eq(config_vni_rt(&c, &c.vnis[0], b), 0);
	ck_assert_mem_eq(b, rt4, 8);
	config_free(&c);
	free(t);

	/* explicit values are returned as configured */
	t = mutate(contract_json, "vnis[0].route_target", "\"192.0.2.9:7\"");
	ck_assert_msg(config_parse(t, &c, err) == 0, "%s", err);
	ck_assert_int_eq(config_vni_rt(&c, &c.vnis[0], b), 0);
	ck_assert_mem_eq(b, c.vnis[0].route_target, 8);
	config_free(&c);
	free(t);

	/* no bgp: nothing to derive from */
	t = mutate(contract_json, "bgp", NULL);
	ck_assert_msg(config_parse(t, &c, err) == 0, "%s", err);
	ck_assert_int_eq(config_vni_rt(&c, &c.vnis[0], b), -EINVAL);
	ck_assert_int_eq(config_vni_rd(&c, &c.vnis[0], b), -EINVAL);
	config_free(&c);
	free(t);
}
END_TEST

/* DESIGN.md: "auto" imports any RT whose administrator-assigned part is
 * the VNI, whatever the ASN; an explicit RT imports only itself. */
START_TEST(test_rt_import)
{
	struct cfg_vni v = { .vni = 100, .rt_auto = true };
	uint8_t b[8];
	static const uint8_t rfc8365[8] = { 0x00, 0x02, 0xfe, 0x4d, 0x10, 0x00, 0x00, 0x64 };
	static const uint8_t rfc8365_other[8] = { 0x00, 0x02, 0xfe, 0x4d, 0x10, 0x00, 0x00, 0x65 };
	static const uint8_t soo[8] = { 0x00, 0x03, 0xfe, 0x4d, 0x00, 0x00, 0x00, 0x64 };

	ck_assert_int_eq(config_parse_rt("65001:100", b), 0);
	ck_assert(config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("65101:100", b), 0);
	ck_assert(config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("4200000000:100", b), 0);
	ck_assert(config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("192.0.2.1:100", b), 0);
	ck_assert(config_vni_imports_rt(&v, b));
	ck_assert(config_vni_imports_rt(&v, rfc8365));
	ck_assert(!config_vni_imports_rt(&v, rfc8365_other));
	ck_assert(!config_vni_imports_rt(&v, soo));
	ck_assert_int_eq(config_parse_rt("65001:101", b), 0);
	ck_assert(!config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("65001:4294967295", b), 0);
	ck_assert(!config_vni_imports_rt(&v, b));

	v.rt_auto = false;
	ck_assert_int_eq(config_parse_rt("65000:7", v.route_target), 0);
	ck_assert_int_eq(config_parse_rt("65000:7", b), 0);
	ck_assert(config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("65001:7", b), 0);
	ck_assert(!config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("65000:100", b), 0);
	ck_assert(!config_vni_imports_rt(&v, b));
}
END_TEST

/* ------------------------------------------------ run-time entry checks */

START_TEST(test_check_runtime_entries)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN];
	struct cfg_port p = { .ifname = "w9", .vni = 100, .mac_auto = true };
	struct cfg_route r = { .vni = 100, .prefixlen = 32, .mac = { 2, 0, 0, 0, 0, 0x99 } };

	ck_assert_msg(config_parse(contract_json, &c, err) == 0, "%s", err);
	p.ip = ip("10.1.0.99");
	ck_assert_msg(config_check_port(&c, &p, "", err) == 0, "%s", err);
	p.ip = ip("10.9.0.99");
	ck_assert_int_eq(config_check_port(&c, &p, "", err), -EINVAL);
	ck_assert_str_eq(err, "ip: 10.9.0.99 is outside VNI 100's subnet 10.1.0.0/16");
	p.ip = ip("10.1.0.99");
	p.vni = 7;
	ck_assert_int_eq(config_check_port(&c, &p, "args", err), -EINVAL);
	ck_assert_str_eq(err, "args.vni: VNI 7 is not in vnis");
	p.vni = 100;
	snprintf(p.ifname, sizeof(p.ifname), "a/b");
	ck_assert_int_eq(config_check_port(&c, &p, "", err), -EINVAL);
	ck_assert_msg(!strncmp(err, "ifname: expected an interface name", 34), "%s", err);

	r.prefix = ip("10.1.0.99");
	r.vtep = ip("192.0.2.7");
	ck_assert_msg(config_check_route(&c, &r, "", err) == 0, "%s", err);
	r.prefixlen = 24;
	ck_assert_int_eq(config_check_route(&c, &r, "", err), -EINVAL);
	ck_assert_str_eq(err, "prefix: expected a prefix without host bits");
	r.prefixlen = 32;
	r.vtep = c.vtep_ip;
	ck_assert_int_eq(config_check_route(&c, &r, "", err), -EINVAL);
	ck_assert_str_eq(err, "vtep: 192.0.2.1 is our own vtep.ip");
	config_free(&c);
}
END_TEST

START_TEST(test_entries_from_json)
{
	struct json_object *o;
	struct cfg_port p;
	struct cfg_route r;
	char err[CFG_ERR_LEN];

	o = json_tokener_parse("{ \"ifname\": \"w5\", \"vni\": 100, \"ip\": \"10.1.0.15\" }");
	ck_assert_int_eq(config_port_from_json(o, "args", &p, err), 0);
	ck_assert_str_eq(p.ifname, "w5");
	ck_assert(p.mac_auto);
	json_object_put(o);
	o = json_tokener_parse("{ \"ifname\": \"w5\", \"vni\": 100, \"ip\": \"10.1.0.15\", \"x\": 1 }");
	ck_assert_int_eq(config_port_from_json(o, "args", &p, err), -EINVAL);
	ck_assert_str_eq(err, "args.x: unknown key");
	json_object_put(o);
	o = json_tokener_parse("{ \"vni\": 100, \"prefix\": \"10.1.0.22/32\", \"vtep\": \"192.0.2.2\","
			       "  \"mac\": \"02:00:00:00:00:22\" }");
	ck_assert_int_eq(config_route_from_json(o, "", &r, err), 0);
	ck_assert_uint_eq(r.prefix, ip("10.1.0.22"));
	ck_assert_uint_eq(r.prefixlen, 32);
	json_object_put(o);
	o = json_tokener_parse("{ \"vni\": 100, \"prefix\": \"10.1.0.22/32\", \"vtep\": \"192.0.2.2\" }");
	ck_assert_int_eq(config_route_from_json(o, "", &r, err), -EINVAL);
	ck_assert_str_eq(err, "mac: required");
	json_object_put(o);
}
END_TEST

START_TEST(test_conflict_finder)
{
	struct cfg_port p[4] = {
		{ .ifname = "a", .vni = 1, .ip = 1, .mac_auto = true },
		{ .ifname = "b", .vni = 1, .ip = 2, .mac = { 2, 0, 0, 0, 0, 1 } },
		{ .ifname = "c", .vni = 2, .ip = 3, .mac = { 2, 0, 0, 0, 0, 1 } },
		{ .ifname = "d", .vni = 1, .ip = 4, .mac_auto = true },
	};
	struct cfg_route r[3] = {
		{ .vni = 1, .prefix = 10, .prefixlen = 32 },
		{ .vni = 2, .prefix = 10, .prefixlen = 32 },
		{ .vni = 1, .prefix = 10, .prefixlen = 31 },
	};
	struct cfg_conflict c;
	char buf[CFG_ERR_LEN];

	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 0);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_NONE);
	ck_assert_int_eq(config_find_conflict(NULL, 0, NULL, 0, &c), 0);

	/* the earliest repeat wins, whatever its kind */
	p[3].ip = 2;                        /* d repeats b's IP */
	p[2].vni = 1;                       /* c repeats b's MAC in VNI 1: earlier */
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_MAC);
	ck_assert_uint_eq(c.first, 1);
	ck_assert_uint_eq(c.second, 2);
	config_fmt_conflict(&c, p, r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ports b and c have the same MAC 02:00:00:00:00:01 in VNI 1");
	p[2].vni = 2;
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_IP);
	ck_assert_uint_eq(c.first, 1);
	ck_assert_uint_eq(c.second, 3);
	p[3].ip = 4;
	snprintf(p[3].ifname, sizeof(p[3].ifname), "a");
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_IFNAME);
	ck_assert_uint_eq(c.first, 0);
	ck_assert_uint_eq(c.second, 3);
	snprintf(p[3].ifname, sizeof(p[3].ifname), "d");

	/* routes: a repeat, and a /32 onto a port's address in its VNI */
	r[2].prefixlen = 32;
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_ROUTE);
	ck_assert_uint_eq(c.first, 0);
	ck_assert_uint_eq(c.second, 2);
	r[1].prefix = 3;                    /* port c's IP, VNI 2: earlier */
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_ROUTE_PORT);
	ck_assert_uint_eq(c.first, 2);
	ck_assert_uint_eq(c.second, 1);
	r[1].vni = 1;                       /* same IP, other VNI: no conflict */
	r[2].prefixlen = 31;
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("config");
	TCase *files = tcase_create("files");
	TCase *bad = tcase_create("bad_values");
	TCase *rules = tcase_create("rules");
	TCase *rtrd = tcase_create("rt_rd");

	tcase_add_test(files, test_contract_config);
	tcase_add_test(files, test_design_example);
	tcase_add_test(files, test_contract_refusals);
	tcase_add_test(files, test_defaults);
	tcase_add_test(files, test_nested_defaults);
	tcase_add_test(files, test_every_key_accepted);
	tcase_add_test(files, test_metrics_null_disables);
	tcase_add_test(files, test_keepalive_follows_hold_time);
	tcase_add_test(files, test_json_syntax);
	tcase_add_test(files, test_json_freedom);
	tcase_add_test(files, test_load);
	tcase_add_loop_test(bad, test_bad_value, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(bad, test_error_quotes_long_value_shortened);
	tcase_add_test(rules, test_duplicates);
	tcase_add_test(rules, test_valid_neighbours_of_duplicates);
	tcase_add_test(rules, test_limits_bound_entries);
	tcase_add_test(rules, test_auto_rt_rd_range);
	tcase_add_test(rules, test_check_runtime_entries);
	tcase_add_test(rules, test_entries_from_json);
	tcase_add_test(rules, test_conflict_finder);
	tcase_add_test(rtrd, test_rt_rd_encodings);
	tcase_add_test(rtrd, test_rt_rd_fmt_unknown);
	tcase_add_test(rtrd, test_vni_auto_rt_rd);
	tcase_add_test(rtrd, test_rt_import);
	suite_add_tcase(s, files);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, rules);
	suite_add_tcase(s, rtrd);
	return s;
}
