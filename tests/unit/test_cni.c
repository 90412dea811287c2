/* test_cni.c - the plugin's readers and writers (cni/): CNI_* variables,
 * CNI_ARGS, the network configuration, versions, the result per cniVersion
 * with and without a prevResult, the IPAM result's address, the error
 * format, and the bounded stdin reader. No vtepd, no IPAM plugin: each
 * function is called on its own, as cni_run() calls it. */
#include <check.h>
#include "check_main.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "addr6.h"
#include "cni_args.h"
#include "cni_client.h"
#include "cni_cmd.h"
#include "cni_conf.h"
#include "cni_env.h"
#include "cni_exec.h"
#include "cni_input.h"
#include "cni_result.h"
#include "cni_ver.h"

/* ---- environment through a table ---- */

static const char *const *env_tab;

static const char *tab_get(const char *name)
{
	size_t n = strlen(name);

	for (const char *const *e = env_tab; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static int env_with(const char *const *tab, struct cni_env *env, struct cni_err *e)
{
	env_tab = tab;
	memset(e, 0, sizeof(*e));
	return cni_env_read(tab_get, env, e);
}

START_TEST(env_add_complete)
{
	static const char *const t[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=abc_1.2-x",
		"CNI_NETNS=/run/netns/p", "CNI_IFNAME=eth0", "CNI_PATH=/opt/cni/bin",
		"CNI_ARGS=IgnoreUnknown=1", NULL };
	struct cni_env env;
	struct cni_err e;

	ck_assert_int_eq(env_with(t, &env, &e), 0);
	ck_assert_int_eq(env.cmd, CNI_CMD_ADD);
	ck_assert_str_eq(env.container_id, "abc_1.2-x");
	ck_assert_str_eq(env.netns, "/run/netns/p");
	ck_assert_str_eq(env.path, "/opt/cni/bin");
}
END_TEST

START_TEST(env_refusals_name_the_variable)
{
	static const char *const cases[][6] = {
		{ "CNI_COMMAND", NULL },
		{ "CNI_COMMAND=FROB", NULL },
		{ "CNI_COMMAND=ADD", "CNI_NETNS=/n", "CNI_IFNAME=eth0", NULL },
		{ "CNI_COMMAND=ADD", "CNI_CONTAINERID=_x", "CNI_NETNS=/n", "CNI_IFNAME=eth0", NULL },
		{ "CNI_COMMAND=ADD", "CNI_CONTAINERID=x", "CNI_NETNS=/n", NULL },
		{ "CNI_COMMAND=ADD", "CNI_CONTAINERID=x", "CNI_NETNS=/n", "CNI_IFNAME=a:b", NULL },
		{ "CNI_COMMAND=ADD", "CNI_CONTAINERID=x", "CNI_NETNS=/n", "CNI_IFNAME=..", NULL },
		{ "CNI_COMMAND=ADD", "CNI_CONTAINERID=x", "CNI_IFNAME=eth0", NULL },
		{ "CNI_COMMAND=CHECK", "CNI_CONTAINERID=x", "CNI_NETNS=rel", "CNI_IFNAME=eth0", NULL },
	};
	static const char *const var[] = { "CNI_COMMAND", "CNI_COMMAND", "CNI_CONTAINERID",
		"CNI_CONTAINERID", "CNI_IFNAME", "CNI_IFNAME", "CNI_IFNAME", "CNI_NETNS", "CNI_NETNS" };
	struct cni_env env;
	struct cni_err e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(env_with(cases[i], &env, &e), -CNI_EENV);
		ck_assert_int_eq(e.code, 4);
		ck_assert_msg(strstr(e.details, var[i]), "case %zu: %s", i, e.details);
	}
}
END_TEST

START_TEST(env_del_without_netns_and_oversized_values)
{
	static const char *const del[] = { "CNI_COMMAND=DEL", "CNI_CONTAINERID=x",
					   "CNI_IFNAME=eth0", NULL };
	static char big[CNI_ENV_MAX + 32];
	const char *const huge[] = { "CNI_COMMAND=VERSION", big, NULL };
	struct cni_env env;
	struct cni_err e;

	ck_assert_int_eq(env_with(del, &env, &e), 0);
	ck_assert_ptr_null(env.netns);   /* the spec lets DEL go without one */
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "CNI_ARGS=", 9);
	ck_assert_int_eq(env_with(huge, &env, &e), -CNI_EENV);
	ck_assert_ptr_nonnull(strstr(e.details, "CNI_ARGS"));
}
END_TEST

/* ---- CNI_ARGS ---- */

START_TEST(args_kubelet)
{
	struct cni_args a;
	struct cni_err e = { 0 };

	ck_assert_int_eq(cni_args_parse("IgnoreUnknown=1;K8S_POD_NAMESPACE=web;K8S_POD_NAME=db-0;"
					"K8S_POD_INFRA_CONTAINER_ID=3f69;K8S_POD_UID=1-2-3;X=y",
					&a, &e), 0);
	ck_assert(a.ignore_unknown);
	ck_assert_str_eq(a.k8s_namespace, "web");
	ck_assert_str_eq(a.k8s_name, "db-0");
	ck_assert_str_eq(a.k8s_uid, "1-2-3");
	ck_assert_int_eq(cni_args_parse(NULL, &a, &e), 0);
	ck_assert_int_eq(cni_args_parse("", &a, &e), 0);
	/* IgnoreUnknown applies to keys before it too */
	ck_assert_int_eq(cni_args_parse("FOO=1;IgnoreUnknown=true", &a, &e), 0);
}
END_TEST

START_TEST(args_refusals)
{
	struct cni_args a;
	struct cni_err e;

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(cni_args_parse("FOO=bar", &a, &e), -CNI_EFIELD);
	ck_assert_ptr_nonnull(strstr(e.details, "FOO=bar"));
	ck_assert_int_eq(cni_args_parse("IgnoreUnknown=0;FOO=bar", &a, &e), -CNI_EFIELD);
	ck_assert_int_eq(cni_args_parse("K8S_POD_NAME", &a, &e), -CNI_EENV);
	ck_assert_int_eq(cni_args_parse("=x", &a, &e), -CNI_EENV);
	ck_assert_int_eq(cni_args_parse("K8S_POD_NAME=a;K8S_POD_NAME=b", &a, &e), -CNI_EENV);
	ck_assert_int_eq(cni_args_parse("IgnoreUnknown=maybe", &a, &e), -CNI_EENV);
	ck_assert_int_eq(cni_args_parse("K8S_POD_NAMESPACE=a=b", &a, &e), -CNI_EENV);
	{
		char s[400] = "K8S_POD_NAMESPACE=";

		memset(s + strlen(s), 'n', 100);
		ck_assert_int_eq(cni_args_parse(s, &a, &e), -CNI_EENV);   /* > 63 */
	}
}
END_TEST

/* ---- configuration ---- */

#define BASE "\"cniVersion\":\"1.0.0\",\"name\":\"pods\",\"type\":\"vtepd-cni\",\"vni\":100," \
	     "\"ipam\":{\"type\":\"host-local\"}"

static int conf(const char *json, enum cni_cmd cmd, struct cni_conf *c, struct cni_err *e)
{
	memset(e, 0, sizeof(*e));
	return cni_conf_parse(json, strlen(json), cmd, c, e);
}

START_TEST(conf_full)
{
	const char *j = "{" BASE ",\"socket\":\"/run/x.sock\",\"mtu\":1400,"
			"\"dns\":{\"nameservers\":[\"10.0.0.10\"],\"domain\":\"c.l\",\"search\":[\"a\"],"
			"\"options\":[\"ndots:5\"]},\"args\":{\"cni\":{}},\"runtimeConfig\":{},"
			"\"cni.dev/other\":1,\"ipMasq\":false,\"cniVersions\":[\"1.0.0\"]}";
	struct cni_conf c;
	struct cni_err e;

	ck_assert_int_eq(conf(j, CNI_CMD_ADD, &c, &e), 0);
	ck_assert_str_eq(c.version, "1.0.0");
	ck_assert_int_eq(c.vnum, CNI_V100);
	ck_assert_uint_eq(c.vni, 100);
	ck_assert_uint_eq(c.mtu, 1400);
	ck_assert_str_eq(c.socket, "/run/x.sock");
	ck_assert_str_eq(c.ipam_type, "host-local");
	ck_assert_ptr_nonnull(c.dns);
	cni_conf_free(&c);
	ck_assert_int_eq(conf("{" BASE "}", CNI_CMD_ADD, &c, &e), 0);
	ck_assert_str_eq(c.socket, CNI_DEFAULT_SOCKET);
	ck_assert_uint_eq(c.mtu, 0);
	cni_conf_free(&c);
}
END_TEST

START_TEST(conf_codes)
{
	static const struct { const char *json; enum cni_cmd cmd; int code; const char *word; } t[] = {
		{ "{" BASE ",", CNI_CMD_ADD, 6, "JSON" },
		{ "{" BASE "} x", CNI_CMD_ADD, 6, "JSON" },
		{ "[]", CNI_CMD_ADD, 6, "object" },
		{ "{" BASE ",\"x\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
		  "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
		  "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}}}}}}"
		  "}}}}}}}}}}}}}}}}}}}}", CNI_CMD_ADD, 6, "JSON" },
		{ "{\"cniVersion\":\"2.0.0\",\"name\":\"p\",\"type\":\"t\",\"vni\":1}", CNI_CMD_ADD, 1, "2.0.0" },
		{ "{\"cniVersion\":\"1.0\",\"name\":\"p\"}", CNI_CMD_ADD, 6, "cniVersion" },
		{ "{\"name\":\"p\"}", CNI_CMD_ADD, 7, "cniVersion" },
		{ "{" BASE ",\"bridge\":\"cni0\"}", CNI_CMD_ADD, 2, "\"bridge\": \"cni0\"" },
		{ "{" BASE ",\"ipMasq\":true}", CNI_CMD_ADD, 2, "ipMasq" },
		{ "{" BASE ",\"dns\":{\"servers\":[]}}", CNI_CMD_ADD, 2, "dns.servers" },
		{ "{" BASE ",\"dns\":{\"nameservers\":[1]}}", CNI_CMD_ADD, 7, "nameservers[0]" },
		{ "{" BASE ",\"mtu\":67}", CNI_CMD_ADD, 7, "mtu" },
		{ "{" BASE ",\"mtu\":\"1500\"}", CNI_CMD_ADD, 7, "mtu" },
		{ "{" BASE ",\"socket\":\"rel.sock\"}", CNI_CMD_ADD, 7, "socket" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"p\",\"type\":\"t\",\"vni\":16777216}", CNI_CMD_DEL, 7, "vni" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"-p\",\"type\":\"t\",\"vni\":1}", CNI_CMD_DEL, 7, "name" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"p\",\"type\":\"t\",\"vni\":1}", CNI_CMD_ADD, 7, "ipam" },
		{ "{\"cniVersion\":\"0.3.1\",\"name\":\"p\",\"type\":\"t\",\"vni\":1}", CNI_CMD_CHECK, 1, "CHECK" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"p\",\"type\":\"t\",\"vni\":1}", CNI_CMD_STATUS, 1, "STATUS" },
		{ "{\"cniVersion\":\"1.1.0\",\"name\":\"p\",\"type\":\"t\",\"vni\":1}", CNI_CMD_GC, 7, "valid-attachments" },
		{ "{\"cniVersion\":\"1.1.0\",\"name\":\"p\",\"type\":\"t\",\"vni\":1,"
		  "\"cni.dev/valid-attachments\":[{\"containerID\":\"a\"}]}", CNI_CMD_GC, 7, "[0]" },
		{ "{" BASE ",\"prevResult\":[]}", CNI_CMD_DEL, 7, "prevResult" },
	};
	struct cni_conf c;
	struct cni_err e;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_msg(conf(t[i].json, t[i].cmd, &c, &e) == -t[i].code,
			      "case %zu: code %d (%s), want %d", i, e.code, e.details, t[i].code);
		ck_assert_msg(strstr(e.details, t[i].word), "case %zu: %s", i, e.details);
		ck_assert_ptr_null(c.root);
	}
}
END_TEST

/* runtimeConfig.bandwidth (cni_bw.h): the egress pair taken, the ingress
 * pair's shape checked and left to the bandwidth plugin; 0 is "none". */
START_TEST(conf_bandwidth)
{
	static const struct {
		const char *rc;
		uint64_t rate, burst;
	} ok[] = {
		{ "{}", 0, 0 },
		{ "{\"portMappings\":[]}", 0, 0 },
		{ "{\"bandwidth\":null}", 0, 0 },
		{ "{\"bandwidth\":{}}", 0, 0 },
		{ "{\"bandwidth\":{\"egressRate\":10000000}}", 10000000, 0 },
		{ "{\"bandwidth\":{\"egressRate\":10000000,\"egressBurst\":800000}}", 10000000, 800000 },
		/* containerd: every key, its own burst, rate 0 for what the pod
		 * has no annotation for */
		{ "{\"bandwidth\":{\"ingressRate\":1000000,\"ingressBurst\":4294967295,"
		  "\"egressRate\":0,\"egressBurst\":4294967295}}", 0, 0 },
		{ "{\"bandwidth\":{\"ingressRate\":0,\"ingressBurst\":4294967295,"
		  "\"egressRate\":5000000,\"egressBurst\":4294967295}}", 5000000, 4294967295ULL },
		{ "{\"bandwidth\":{\"egressRate\":1000}}", 1000, 0 },
		{ "{\"bandwidth\":{\"egressRate\":1000000000000000,\"egressBurst\":34359738360}}",
		  1000000000000000ULL, 34359738360ULL },
	};
	char j[512];
	struct cni_conf c;
	struct cni_err e;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(j, sizeof(j), "{" BASE ",\"runtimeConfig\":%s}", ok[i].rc);
		ck_assert_msg(conf(j, CNI_CMD_ADD, &c, &e) == 0, "case %zu: %s", i, e.details);
		ck_assert_msg(c.bandwidth.egress_rate == ok[i].rate &&
			      c.bandwidth.egress_burst == ok[i].burst, "case %zu: %llu %llu", i,
			      (unsigned long long)c.bandwidth.egress_rate,
			      (unsigned long long)c.bandwidth.egress_burst);
		cni_conf_free(&c);
		ck_assert_int_eq(conf(j, CNI_CMD_CHECK, &c, &e), 0);
		ck_assert_uint_eq(c.bandwidth.egress_rate, ok[i].rate);
		cni_conf_free(&c);
	}
}
END_TEST

/* Bad values: code 7, naming the key; nothing of them on DEL, whose
 * config is the failed ADD's (it must still succeed). */
START_TEST(conf_bandwidth_codes)
{
	static const struct { const char *rc; const char *word; } bad[] = {
		{ "{\"bandwidth\":[]}", "runtimeConfig.bandwidth: expected an object" },
		{ "{\"bandwidth\":\"10M\"}", "runtimeConfig.bandwidth: expected an object" },
		{ "{\"bandwidth\":{\"egressRate\":-1}}", "bandwidth.egressRate" },
		{ "{\"bandwidth\":{\"egressRate\":\"10M\"}}", "bandwidth.egressRate: expected an integer" },
		{ "{\"bandwidth\":{\"egressRate\":1.5e6}}", "bandwidth.egressRate: expected an integer" },
		{ "{\"bandwidth\":{\"egressRate\":999}}", "below the smallest" },
		{ "{\"bandwidth\":{\"egressRate\":1000000000000001}}", "bandwidth.egressRate: 1000000000000001" },
		{ "{\"bandwidth\":{\"egressRate\":18446744073709551615}}", "bandwidth.egressRate" },
		{ "{\"bandwidth\":{\"egressRate\":1000000,\"egressBurst\":34359738361}}", "bandwidth.egressBurst" },
		{ "{\"bandwidth\":{\"egressRate\":1000000,\"egressBurst\":-8}}", "bandwidth.egressBurst" },
		{ "{\"bandwidth\":{\"ingressRate\":-5}}", "bandwidth.ingressRate" },
		{ "{\"bandwidth\":{\"ingressBurst\":true}}", "bandwidth.ingressBurst" },
		{ "{\"bandwidth\":{\"egressrate\":1000000}}", "unknown key \"egressrate\"" },
	};
	char j[512];
	struct cni_conf c;
	struct cni_err e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(j, sizeof(j), "{" BASE ",\"runtimeConfig\":%s}", bad[i].rc);
		ck_assert_msg(conf(j, CNI_CMD_ADD, &c, &e) == -CNI_ECONFIG, "case %zu: code %d (%s)",
			      i, e.code, e.details);
		ck_assert_msg(strstr(e.details, bad[i].word), "case %zu: %s", i, e.details);
		ck_assert_ptr_null(c.root);
		ck_assert_int_eq(conf(j, CNI_CMD_CHECK, &c, &e), -CNI_ECONFIG);
		ck_assert_msg(conf(j, CNI_CMD_DEL, &c, &e) == 0, "case %zu: DEL %s", i, e.details);
		ck_assert_uint_eq(c.bandwidth.egress_rate, 0);
		cni_conf_free(&c);
	}
}
END_TEST

START_TEST(conf_gc_attachments_and_version_only)
{
	const char *gc = "{\"cniVersion\":\"1.1.0\",\"name\":\"p\",\"type\":\"t\",\"vni\":1,"
			 "\"cni.dev/attachments\":[{\"containerID\":\"old\",\"ifname\":\"x\"}],"
			 "\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"},"
			 "{\"containerID\":\"b\",\"ifname\":\"net1\"}]}";
	struct cni_conf c;
	struct cni_err e;

	ck_assert_int_eq(conf(gc, CNI_CMD_GC, &c, &e), 0);
	ck_assert_uint_eq(c.n_valid, 2);
	ck_assert_str_eq(c.valid[1].container_id, "b");
	ck_assert_str_eq(c.valid[1].ifname, "net1");
	cni_conf_free(&c);
	/* VERSION: any version string is answered in itself; nothing else needed */
	ck_assert_int_eq(conf("{\"cniVersion\":\"0.1.0\"}", CNI_CMD_VERSION, &c, &e), 0);
	ck_assert_str_eq(c.version, "0.1.0");
	cni_conf_free(&c);
	ck_assert_int_eq(cni_conf_parse("", 0, CNI_CMD_VERSION, &c, &e), 0);
	ck_assert_str_eq(c.version, "1.1.0");
}
END_TEST

START_TEST(versions)
{
	ck_assert_int_eq(cni_ver_num("1.1.0"), 10100);
	ck_assert_int_eq(cni_ver_num("0.3.1"), 301);
	ck_assert_int_eq(cni_ver_num("1.01.0"), -1);
	ck_assert_int_eq(cni_ver_num("1.1"), -1);
	ck_assert_int_eq(cni_ver_num("1.1.0-rc1"), -1);
	ck_assert_int_eq(cni_ver_num("100.1.0"), -1);
	ck_assert(cni_ver_is_supported("0.3.1"));
	ck_assert(cni_ver_is_supported("0.4.0"));
	ck_assert(!cni_ver_is_supported("0.2.0"));
	ck_assert(!cni_ver_is_supported("1.2.0"));
}
END_TEST

/* ---- results ---- */

/* The result of an ADD whose vtepd reply had IPv4 (ip4), IPv6 (ip6) or
 * both. */
static struct json_object *build_fam(const char *version, const char *prev, bool ip4, bool ip6)
{
	char j[1024];
	struct cni_conf c;
	struct cni_err e;
	struct cni_env env = { .cmd = CNI_CMD_ADD, .container_id = "c1", .netns = "/run/netns/p",
			       .ifname = "eth0" };
	struct cni_attach_info info = { .host_ifname = "vt0123456789a", .host_mac = "02:00:00:00:00:01",
					.mac = "02:00:00:00:00:02", .mtu = 1450 };
	struct json_object *r;

	if (ip4) {
		addr_parse_ip("10.1.1.5", &info.ip);
		addr_parse_ip("10.1.255.254", &info.gateway);
	}
	if (ip6) {
		addr6_parse("2001:db8:1:0:0:0:0:5", info.ip6);
		addr6_parse("fe80::ff:fe00:1", info.gateway6);
	}
	snprintf(j, sizeof(j), "{\"cniVersion\":\"%s\",\"name\":\"p\",\"type\":\"vtepd-cni\",\"vni\":1,"
		 "\"ipam\":{\"type\":\"host-local\"},\"dns\":{\"nameservers\":[\"10.0.0.10\"]}%s%s}",
		 version, prev ? ",\"prevResult\":" : "", prev ? prev : "");
	ck_assert_int_eq(conf(j, CNI_CMD_ADD, &c, &e), 0);
	r = cni_result_build(&c, &env, &info, NULL);
	ck_assert_ptr_nonnull(r);
	cni_conf_free(&c);
	return r;
}

static struct json_object *build(const char *version, const char *prev)
{
	return build_fam(version, prev, true, false);
}

static const char *js(struct json_object *o, const char *path)
{
	struct json_object *v = o;
	char buf[128], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save)) {
		if (*tok >= '0' && *tok <= '9')
			v = json_object_array_get_idx(v, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(v, tok, &v))
			v = NULL;
	}
	return v ? json_object_get_string(v) : NULL;
}

START_TEST(result_1_1_0)
{
	struct json_object *r = build("1.1.0", NULL);

	ck_assert_str_eq(js(r, "cniVersion"), "1.1.0");
	ck_assert_str_eq(js(r, "interfaces.0.name"), "vt0123456789a");
	ck_assert_ptr_null(js(r, "interfaces.0.sandbox"));
	ck_assert_str_eq(js(r, "interfaces.1.sandbox"), "/run/netns/p");
	ck_assert_str_eq(js(r, "interfaces.1.mac"), "02:00:00:00:00:02");
	ck_assert_str_eq(js(r, "interfaces.1.mtu"), "1450");
	ck_assert_str_eq(js(r, "ips.0.address"), "10.1.1.5/32");
	ck_assert_str_eq(js(r, "ips.0.gateway"), "10.1.255.254");
	ck_assert_str_eq(js(r, "ips.0.interface"), "1");
	ck_assert_ptr_null(js(r, "ips.0.version"));
	ck_assert_str_eq(js(r, "routes.0.dst"), "0.0.0.0/0");
	ck_assert_str_eq(js(r, "routes.0.gw"), "10.1.255.254");
	ck_assert_str_eq(js(r, "dns.nameservers.0"), "10.0.0.10");
	json_object_put(r);
}
END_TEST

START_TEST(result_older_versions)
{
	struct json_object *r = build("1.0.0", NULL);

	ck_assert_ptr_null(js(r, "interfaces.1.mtu"));     /* mtu is 1.1.0's */
	ck_assert_ptr_null(js(r, "ips.0.version"));
	json_object_put(r);
	r = build("0.4.0", NULL);
	ck_assert_str_eq(js(r, "cniVersion"), "0.4.0");
	ck_assert_str_eq(js(r, "ips.0.version"), "4");     /* 0.3.x and 0.4.0 carry it */
	json_object_put(r);
	r = build("0.3.1", NULL);
	ck_assert_str_eq(js(r, "ips.0.version"), "4");
	json_object_put(r);
}
END_TEST

/* A dual-stack pod: both addresses on the pod end, IPv4 first, the IPv6
 * one a /128 in RFC 5952 form with the gateway's link-local address, both
 * default routes; "version" per address before 1.0.0 only. */
START_TEST(result_dual_stack)
{
	struct json_object *r = build_fam("1.1.0", NULL, true, true);

	ck_assert_str_eq(js(r, "ips.0.address"), "10.1.1.5/32");
	ck_assert_str_eq(js(r, "ips.1.address"), "2001:db8:1::5/128");
	ck_assert_str_eq(js(r, "ips.1.gateway"), "fe80::ff:fe00:1");
	ck_assert_str_eq(js(r, "ips.1.interface"), "1");
	ck_assert_ptr_null(js(r, "ips.1.version"));
	ck_assert_str_eq(js(r, "routes.0.dst"), "0.0.0.0/0");
	ck_assert_str_eq(js(r, "routes.1.dst"), "::/0");
	ck_assert_str_eq(js(r, "routes.1.gw"), "fe80::ff:fe00:1");
	ck_assert_ptr_null(js(r, "ips.2"));
	json_object_put(r);
	r = build_fam("0.4.0", NULL, true, true);
	ck_assert_str_eq(js(r, "ips.0.version"), "4");
	ck_assert_str_eq(js(r, "ips.1.version"), "6");
	json_object_put(r);
	r = build_fam("0.3.1", NULL, false, true);   /* IPv6 only */
	ck_assert_str_eq(js(r, "ips.0.version"), "6");
	ck_assert_str_eq(js(r, "ips.0.address"), "2001:db8:1::5/128");
	ck_assert_str_eq(js(r, "routes.0.dst"), "::/0");
	ck_assert_ptr_null(js(r, "ips.1"));
	ck_assert_ptr_null(js(r, "routes.1"));
	json_object_put(r);
}
END_TEST

START_TEST(result_prev_passed_through)
{
	const char *prev = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"lo\",\"sandbox\":\"/x\"}],"
			   "\"ips\":[{\"address\":\"127.0.0.1/8\",\"interface\":0}],"
			   "\"dns\":{\"domain\":\"kept\"},\"custom\":1}";
	struct json_object *r = build("1.0.0", prev);

	ck_assert_str_eq(js(r, "interfaces.0.name"), "lo");
	ck_assert_str_eq(js(r, "interfaces.1.name"), "vt0123456789a");
	ck_assert_str_eq(js(r, "interfaces.2.name"), "eth0");
	ck_assert_str_eq(js(r, "ips.0.address"), "127.0.0.1/8");
	ck_assert_str_eq(js(r, "ips.1.interface"), "2");  /* shifted past prevResult's */
	ck_assert_str_eq(js(r, "custom"), "1");
	ck_assert_str_eq(js(r, "dns.nameservers.0"), "10.0.0.10");  /* the config's wins */
	json_object_put(r);
}
END_TEST

START_TEST(result_find_for_check)
{
	const char *p = "{\"interfaces\":[{\"name\":\"vt1\"},{\"name\":\"eth0\",\"sandbox\":\"/n\"}],"
			"\"ips\":[{\"address\":\"fd00::1/128\",\"interface\":1},"
			"{\"address\":\"fd00::9/128\",\"interface\":1},"
			"{\"address\":\"192.0.2.1/32\",\"interface\":0},"
			"{\"address\":\"10.1.1.7/32\",\"interface\":1}]}";
	struct json_object *o = json_tokener_parse(p);
	struct cni_err e = { 0 };
	struct cni_addrs ips;
	char a[ADDR6_STRLEN];

	ck_assert_int_eq(cni_result_find(o, "eth0", "/n", &ips, &e), 0);
	ck_assert_str_eq(addr_fmt_ip(ips.ip, a), "10.1.1.7");
	ck_assert_str_eq(addr6_fmt(ips.ip6, a), "fd00::1");   /* the first */
	ck_assert_uint_eq(ips.plen6, 128);
	ck_assert_int_eq(cni_result_find(o, "eth0", "/other", &ips, &e), -CNI_ECONFIG);
	ck_assert_int_eq(cni_result_find(NULL, "eth0", "/n", &ips, &e), -CNI_ECONFIG);
	json_object_put(o);
	/* IPv6 only */
	o = json_tokener_parse("{\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/n\"}],"
			       "\"ips\":[{\"version\":\"6\",\"address\":\"fd00::2/128\",\"interface\":0}]}");
	ck_assert_int_eq(cni_result_find(o, "eth0", "/n", &ips, &e), 0);
	ck_assert_uint_eq(ips.ip, 0);
	ck_assert_str_eq(addr6_fmt(ips.ip6, a), "fd00::2");
	json_object_put(o);
	/* a version that contradicts the address, a malformed IPv6 one */
	o = json_tokener_parse("{\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/n\"}],"
			       "\"ips\":[{\"version\":\"4\",\"address\":\"fd00::2/128\",\"interface\":0}]}");
	ck_assert_int_eq(cni_result_find(o, "eth0", "/n", &ips, &e), -CNI_ECONFIG);
	ck_assert_ptr_nonnull(strstr(e.details, "version"));
	json_object_put(o);
	o = json_tokener_parse("{\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/n\"}],"
			       "\"ips\":[{\"address\":\"fd00::g/128\",\"interface\":0}]}");
	ck_assert_int_eq(cni_result_find(o, "eth0", "/n", &ips, &e), -CNI_ECONFIG);
	json_object_put(o);
}
END_TEST

START_TEST(ipam_result_address)
{
	struct json_object *o;
	struct cni_err e = { 0 };
	struct cni_addrs ips;
	char a[ADDR6_STRLEN];

	/* host-local with two ranges (0.3.1 marks the versions) */
	o = json_tokener_parse("{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"6\",\"address\":"
			       "\"fd00::2/64\"},{\"version\":\"4\",\"address\":\"10.1.1.9/16\","
			       "\"gateway\":\"10.1.0.1\"},{\"version\":\"6\",\"address\":\"fd00::3/64\"}]}");
	ck_assert_int_eq(cni_ipam_addrs(o, &ips, &e), 0);
	ck_assert_str_eq(addr_fmt_ip(ips.ip, a), "10.1.1.9");
	ck_assert_uint_eq(ips.plen, 16);
	ck_assert_str_eq(addr6_fmt(ips.ip6, a), "fd00::2");
	ck_assert_uint_eq(ips.plen6, 64);
	json_object_put(o);
	o = json_tokener_parse("{\"ips\":[{\"address\":\"fd00::2/64\"}]}");   /* IPv6 only */
	ck_assert_int_eq(cni_ipam_addrs(o, &ips, &e), 0);
	ck_assert_uint_eq(ips.ip, 0);
	ck_assert_str_eq(addr6_fmt(ips.ip6, a), "fd00::2");
	json_object_put(o);
	o = json_tokener_parse("{\"ips\":[{\"address\":\"10.1.1.9/16\"}]}");   /* IPv4 only */
	ck_assert_int_eq(cni_ipam_addrs(o, &ips, &e), 0);
	ck_assert(addr6_is_zero(ips.ip6));
	json_object_put(o);
	o = json_tokener_parse("{\"ips\":[]}");
	ck_assert_int_eq(cni_ipam_addrs(o, &ips, &e), -CNI_ECONFIG);
	json_object_put(o);
	o = json_tokener_parse("{\"ips\":[{\"address\":\"10.1.1.300/16\"}]}");
	ck_assert_int_eq(cni_ipam_addrs(o, &ips, &e), -CNI_ECONFIG);
	json_object_put(o);
	o = json_tokener_parse("{\"ips\":[{\"address\":\"fd00::2/129\"}]}");
	ck_assert_int_eq(cni_ipam_addrs(o, &ips, &e), -CNI_ECONFIG);
	ck_assert_ptr_nonnull(strstr(e.details, "IPv6"));
	json_object_put(o);
	o = json_tokener_parse("{\"ips\":[{\"version\":\"6\",\"address\":\"10.1.1.9/16\"}]}");
	ck_assert_int_eq(cni_ipam_addrs(o, &ips, &e), -CNI_ECONFIG);
	json_object_put(o);
}
END_TEST

START_TEST(vtepd_reply_checked)
{
	struct json_object *o;
	struct cni_attach_info i;
	struct cni_err e = { 0 };

	o = json_tokener_parse("{\"host_ifname\":\"vt0\",\"host_mac\":\"02:00:00:00:00:01\","
			       "\"mac\":\"02:00:00:00:00:02\",\"mtu\":1450,\"ip\":\"10.1.1.5\","
			       "\"gateway\":\"10.1.255.254\"}");
	ck_assert_int_eq(cni_info_from_reply(o, &i, &e), 0);
	ck_assert_uint_eq(i.mtu, 1450);
	json_object_object_add(o, "mtu", json_object_new_int(20));
	ck_assert_int_eq(cni_info_from_reply(o, &i, &e), -CNI_EVTEPD);
	json_object_object_add(o, "mtu", json_object_new_int(1450));
	json_object_object_add(o, "host_ifname", json_object_new_string("much-too-long-name"));
	ck_assert_int_eq(cni_info_from_reply(o, &i, &e), -CNI_EVTEPD);
	json_object_put(o);
	/* dual stack, IPv6 only; a pair is both keys or neither */
	o = json_tokener_parse("{\"host_ifname\":\"vt0\",\"host_mac\":\"02:00:00:00:00:01\","
			       "\"mac\":\"02:00:00:00:00:02\",\"mtu\":1450,\"ip\":\"10.1.1.5\","
			       "\"gateway\":\"10.1.255.254\",\"ip6\":\"2001:db8:1::5\","
			       "\"gateway6\":\"fe80::ff:fe00:1\"}");
	ck_assert_int_eq(cni_info_from_reply(o, &i, &e), 0);
	ck_assert_uint_ne(i.ip, 0);
	ck_assert_uint_eq(i.ip6[15], 5);
	ck_assert_uint_eq(i.gateway6[0], 0xfe);
	json_object_object_del(o, "ip");
	ck_assert_int_eq(cni_info_from_reply(o, &i, &e), -CNI_EVTEPD);   /* gateway alone */
	json_object_object_del(o, "gateway");
	ck_assert_int_eq(cni_info_from_reply(o, &i, &e), 0);
	ck_assert_uint_eq(i.ip, 0);
	json_object_object_add(o, "gateway6", json_object_new_string("fe80::zz"));
	ck_assert_int_eq(cni_info_from_reply(o, &i, &e), -CNI_EVTEPD);
	json_object_object_del(o, "gateway6");
	json_object_object_del(o, "ip6");
	ck_assert_int_eq(cni_info_from_reply(o, &i, &e), -CNI_EVTEPD);   /* no address */
	json_object_put(o);
}
END_TEST

/* ---- errors and input ---- */

START_TEST(error_format)
{
	struct cni_err e = { 0 };
	struct json_object *o;
	char *s;

	cni_fail(&e, CNI_EENV, "CNI_IFNAME: not set");
	s = cni_err_json(&e);
	o = json_tokener_parse(s);
	ck_assert_str_eq(js(o, "cniVersion"), "1.1.0");   /* before the request's is known */
	ck_assert_str_eq(js(o, "code"), "4");
	ck_assert_str_eq(js(o, "msg"), "invalid environment variables");
	ck_assert_str_eq(js(o, "details"), "CNI_IFNAME: not set");
	json_object_put(o);
	free(s);
	snprintf(e.version, sizeof(e.version), "0.4.0");
	cni_fail_msg(&e, 999, "from the delegate", "x");
	s = cni_err_json(&e);
	o = json_tokener_parse(s);
	ck_assert_str_eq(js(o, "cniVersion"), "0.4.0");
	ck_assert_str_eq(js(o, "msg"), "from the delegate");
	json_object_put(o);
	free(s);
}
END_TEST

START_TEST(read_all_capped)
{
	int p[2];
	char *buf, chunk[4096];
	size_t len;

	memset(chunk, 'x', sizeof(chunk));
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], chunk, 3000), 3000);
	close(p[1]);
	ck_assert_int_eq(cni_read_all(p[0], 3000, &buf, &len), 0);   /* exactly the cap */
	ck_assert_uint_eq(len, 3000);
	free(buf);
	close(p[0]);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], chunk, 3001), 3001);
	close(p[1]);
	ck_assert_int_eq(cni_read_all(p[0], 3000, &buf, &len), -EFBIG);   /* one byte more */
	ck_assert_ptr_null(buf);
	close(p[0]);
}
END_TEST

START_TEST(parse_object_refuses_nul_and_trailing)
{
	struct json_object *o;
	struct cni_err e = { 0 };

	ck_assert_int_eq(cni_parse_object("{\"a\":1}\n", 8, "x", CNI_EDECODE, &o, &e), 0);
	json_object_put(o);
	ck_assert_int_eq(cni_parse_object("{\"a\":1}\0{", 9, "x", CNI_EDECODE, &o, &e), -CNI_EDECODE);
	ck_assert_int_eq(cni_parse_object("{\"a\":1}{}", 9, "x", CNI_EDECODE, &o, &e), -CNI_EDECODE);
	ck_assert_int_eq(cni_parse_object("{'a':1}", 7, "x", CNI_EDECODE, &o, &e), -CNI_EDECODE);
	ck_assert_int_eq(cni_parse_object("", 0, "x", CNI_EDECODE, &o, &e), -CNI_EDECODE);
}
END_TEST

START_TEST(run_version_and_env_first)
{
	static const char *const v[] = { "CNI_COMMAND=VERSION", NULL };
	static const char *const bad[] = { "CNI_COMMAND=ADD", NULL };
	struct json_object *r = NULL;
	struct cni_err e = { 0 };
	const char *in = "{\"cniVersion\":\"1.0.0\"}";

	env_tab = v;
	ck_assert_int_eq(cni_run(tab_get, in, strlen(in), &r, &e), 0);
	ck_assert_str_eq(js(r, "cniVersion"), "1.0.0");
	ck_assert_str_eq(js(r, "supportedVersions.4"), "1.1.0");
	json_object_put(r);
	/* the environment is read before the (here invalid) config */
	env_tab = bad;
	ck_assert_int_eq(cni_run(tab_get, "{", 1, &r, &e), -CNI_EENV);
}
END_TEST

/* ---- found by tests/fuzz/fuzz_cni.c (inputs in tests/fuzz/regress/cni/) ---- */

static bool printable_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* regress/cni/cni_args_newline_in_details: CNI_ARGS "\n\n\x0e" was quoted
 * into details as it was, breaking main()'s one-line log and the runtime's
 * message; so did a delegate's msg. */
START_TEST(fuzz_details_newline_from_cni_args)
{
	struct cni_exec x = { .type = "host-local", .command = "ADD" };
	static const char out[] = "{\"code\":11,\"msg\":\"no\\naddress\\u001b[2J\"}";
	struct json_object *res;
	struct cni_args a;
	struct cni_err e = { 0 };

	ck_assert_int_eq(cni_args_parse("\n\n\x0e", &a, &e), -CNI_EENV);
	ck_assert(printable_line(e.details));
	ck_assert_ptr_nonnull(strstr(e.details, "\"???\""));
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(cni_exec_output(&x, 1 << 8, out, sizeof(out) - 1, &res, &e), -11);
	ck_assert_str_eq(e.msg, "no?address?[2J");
	ck_assert(printable_line(e.details));
}
END_TEST

/* regress/cni/ipam_code_12_not_in_spec: an IPAM plugin's (or vtepd's) code
 * 12, which SPEC.md section 5 does not define, became ours; it is 101
 * (100 for vtepd) now, the spec's own codes and 100+ pass. */
START_TEST(fuzz_code_not_in_spec_not_passed_on)
{
	struct cni_exec x = { .type = "host-local", .command = "ADD" };
	static const char c12[] = "{\"code\":12,\"msg\":\"m\"}", c11[] = "{\"code\":11}";
	static const char r42[] = "{\"ok\":false,\"error\":\"e\",\"code\":42}\n";
	static const char r7[] = "{\"ok\":false,\"error\":\"e\",\"code\":7}\n";
	struct json_object *res;
	struct cni_reply r;
	struct cni_err e = { 0 };

	ck_assert_int_eq(cni_exec_output(&x, 1 << 8, c12, sizeof(c12) - 1, &res, &e), -CNI_EIPAM);
	ck_assert_str_eq(e.msg, "m");
	ck_assert_int_eq(cni_exec_output(&x, 1 << 8, c11, sizeof(c11) - 1, &res, &e),
			 -CNI_ETRYAGAIN);
	ck_assert_int_eq(cni_reply_parse(r42, sizeof(r42) - 1, "cni.add", &r, &e), -CNI_EVTEPD);
	ck_assert_int_eq(cni_reply_parse(r7, sizeof(r7) - 1, "cni.add", &r, &e), -CNI_ECONFIG);
	ck_assert_int_eq(cni_code_of(1000, 100), 100);
	ck_assert_int_eq(cni_code_of(150, 100), 150);
}
END_TEST

/* regress/cni/ipam_error_empty_msg: an IPAM error result with "msg": ""
 * (or "\u0000...") gave an error result with an empty msg; the code's
 * standard text is used instead. */
START_TEST(fuzz_delegate_empty_msg)
{
	struct cni_exec x = { .type = "host-local", .command = "ADD" };
	static const char empty[] = "{\"code\":11,\"msg\":\"\"}";
	static const char nul[] = "{\"code\":7,\"msg\":\"\\u0000x\"}";
	struct json_object *res;
	struct cni_err e = { 0 };

	ck_assert_int_eq(cni_exec_output(&x, 1 << 8, empty, sizeof(empty) - 1, &res, &e),
			 -CNI_ETRYAGAIN);
	ck_assert_str_eq(e.msg, "try again later");
	ck_assert_int_eq(cni_exec_output(&x, 1 << 8, nul, sizeof(nul) - 1, &res, &e), -CNI_ECONFIG);
	ck_assert_str_eq(e.msg, "invalid network config");
}
END_TEST

/* regress/cni/prevresult_interfaces_not_a_list: a prevResult whose
 * "interfaces" was a string passed the parse, then ADD could not build its
 * result and said "out of memory" (code 5); it is a config error (7). */
START_TEST(fuzz_prevresult_lists_checked)
{
	static const char *const bad[] = { "{\"interfaces\":\"x\"}", "{\"ips\":{}}",
		"{\"routes\":1}", "{\"dns\":[]}" };
	char json[256];
	struct cni_conf c;
	struct cni_err e = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json), "{\"cniVersion\":\"1.0.0\",\"name\":\"pods\","
			 "\"type\":\"vtepd-cni\",\"vni\":100,\"prevResult\":%s}", bad[i]);
		ck_assert_int_eq(conf(json, CNI_CMD_CHECK, &c, &e), -CNI_ECONFIG);
		ck_assert_ptr_nonnull(strstr(e.details, "prevResult."));
	}
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("cni");
	TCase *t = tcase_create("plugin");

	tcase_add_test(t, env_add_complete);
	tcase_add_test(t, env_refusals_name_the_variable);
	tcase_add_test(t, env_del_without_netns_and_oversized_values);
	tcase_add_test(t, args_kubelet);
	tcase_add_test(t, args_refusals);
	tcase_add_test(t, conf_full);
	tcase_add_test(t, conf_codes);
	tcase_add_test(t, conf_bandwidth);
	tcase_add_test(t, conf_bandwidth_codes);
	tcase_add_test(t, conf_gc_attachments_and_version_only);
	tcase_add_test(t, versions);
	tcase_add_test(t, result_1_1_0);
	tcase_add_test(t, result_older_versions);
	tcase_add_test(t, result_dual_stack);
	tcase_add_test(t, result_prev_passed_through);
	tcase_add_test(t, result_find_for_check);
	tcase_add_test(t, ipam_result_address);
	tcase_add_test(t, vtepd_reply_checked);
	tcase_add_test(t, error_format);
	tcase_add_test(t, read_all_capped);
	tcase_add_test(t, parse_object_refuses_nul_and_trailing);
	tcase_add_test(t, run_version_and_env_first);
	tcase_add_test(t, fuzz_details_newline_from_cni_args);
	tcase_add_test(t, fuzz_code_not_in_spec_not_passed_on);
	tcase_add_test(t, fuzz_delegate_empty_msg);
	tcase_add_test(t, fuzz_prevresult_lists_checked);
	suite_add_tcase(s, t);
	return s;
}
