/* config_test_util.c - see config_test_util.h. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>

#include "addr.h"
#include "config_test_util.h"

const char contract_json[] =
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

/* The contract config made dual-stack: VNI 100 with an IPv6 subnet, its
 * gateway and SLAAC, port w1 with an IPv6 address, and an IPv6 host route
 * and prefix. */
const char contract6_json[] =
"{\n"
"  \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"up0\", \"uplink_attach\": \"xdp\" },\n"
"  \"bpffs\": \"/run/vtepd-contract/bpf/h1\",\n"
"  \"control_socket\": \"/run/vtepd-contract/vtepd.sock\",\n"
"  \"state_dir\": \"/run/vtepd-contract/state\",\n"
"  \"limits\": { \"routes\": 4096, \"fdb\": 4096, \"ports\": 64 },\n"
"  \"bgp\": { \"asn\": 65101, \"router_id\": \"192.0.2.1\" },\n"
"  \"vnis\": [ { \"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\",\n"
"              \"gateway_mac\": \"02:00:00:00:01:00\", \"subnet6\": \"2001:db8:100::/64\",\n"
"              \"gateway_ip6\": \"2001:db8:100::1\", \"slaac\": true } ],\n"
"  \"ports\": [ { \"ifname\": \"w1\", \"vni\": 100, \"ip\": \"10.1.0.11\", \"mac\": \"02:00:00:00:00:11\",\n"
"               \"ip6\": \"2001:db8:100::11\" } ],\n"
"  \"routes\": [ { \"vni\": 100, \"prefix\": \"2001:db8:100::21/128\", \"vtep\": \"192.0.2.2\",\n"
"                \"mac\": \"02:00:00:00:00:21\" },\n"
"              { \"vni\": 100, \"prefix\": \"2001:db8:200::/48\", \"vtep\": \"192.0.2.3\",\n"
"                \"mac\": \"02:00:00:00:00:22\" } ]\n"
"}\n";

uint32_t ip(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

void mac_eq(const uint8_t m[6], const char *s)
{
	char b[ADDR_MAC_STRLEN];

	ck_assert_str_eq(addr_fmt_mac(m, b), s);
}

char *mutate(const char *base, const char *path, const char *value)
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

void expect_refused(const char *text, const char *want, const char *what)
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

void expect_mutation_refused(const char *path, const char *value, const char *want)
{
	char *text = mutate(contract_json, path, value);
	char what[512];

	snprintf(what, sizeof(what), "%s = %s", path, value ? value : "(removed)");
	expect_refused(text, want, what);
	free(text);
}

void expect_mutation_ok(const char *path, const char *value, struct vtep_config *c)
{
	char *text = mutate(contract_json, path, value);
	char err[CFG_ERR_LEN] = "";

	ck_assert_msg(config_parse(text, c, err) == 0, "%s = %s refused: %s", path, value, err);
	free(text);
}

void expect_bad_case(const struct bad_case *b)
{
	expect_mutation_refused(b->path, b->value, b->want);
}

void expect_bad6_case(const struct bad_case *b)
{
	char *text = mutate(contract6_json, b->path, b->value);
	char what[512];

	snprintf(what, sizeof(what), "(dual stack) %s = %s", b->path,
		 b->value ? b->value : "(removed)");
	expect_refused(text, b->want, what);
	free(text);
}

void expect6_ok(const char *path, const char *value, struct vtep_config *c)
{
	char *text = path ? mutate(contract6_json, path, value) : strdup(contract6_json);
	char err[CFG_ERR_LEN] = "";

	ck_assert_msg(config_parse(text, c, err) == 0, "(dual stack) %s = %s refused: %s",
		      path ? path : "-", value ? value : "(removed)", err);
	free(text);
}
