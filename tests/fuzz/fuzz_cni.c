/* fuzz_cni.c - libFuzzer target for the plugin side of the CNI socket
 * (cni/): everything vtepd-cni parses from outside, called directly (no
 * exec, no socket, no network):
 *   - the environment: cni_env_read (CNI_COMMAND, CNI_CONTAINERID,
 *     CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH) and cni_args_parse
 *     (K8S_POD_*, IgnoreUnknown);
 *   - the network configuration on stdin: cni_conf_parse (cni_input's
 *     bounded strict JSON, cniVersion through cni_ver, ipam, dns,
 *     prevResult, runtimeConfig, cni.dev/valid-attachments);
 *   - vtepd's reply line: cni_reply_parse (what cni_call decodes) and
 *     cni_info_from_reply (cni.add's data);
 *   - the IPAM plugin's stdout: cni_exec_output (a result, nothing, or its
 *     error result), cni_ipam_addrs, cni_exec_pick_version (its VERSION
 *     result);
 *   - what the plugin builds from them: cni_result_build (ADD),
 *     cni_result_find (CHECK), cni_version_result, cni_err_json.
 *
 * One input:
 *   byte 0     selector: bits 0-2 (mod 6) the command the configuration is
 *              parsed for when the environment gives none; bit 3: the IPAM
 *              plugin exited with status 1 (its stdout is an error result);
 *              bit 4: the reply answers cni.status instead of cni.add
 *   then four parts separated by 0x1e (ASCII RS, which valid JSON never
 *   holds outside strings nor raw inside them), missing ones empty:
 *     config   the bytes on stdin
 *     env      NAME=VALUE entries separated by NUL, as /proc/PID/environ
 *              (so a value may hold a newline); the first of a name wins
 *     reply    vtepd's reply line (lib/ctlproto.h)
 *     ipam     the IPAM plugin's stdout
 *
 * Invariants (a broken one traps, so libFuzzer reports it with the input):
 *   - every parse succeeds with its fields in their documented bounds (the
 *     spec's CNI_IFNAME and CNI_CONTAINERID rules, SPEC.md section 2; a
 *     cniVersion among supportedVersions; vni 1..2^24-1; MTU 68..65535;
 *     addresses non-zero, prefix lengths in range) or fails with a code of
 *     the spec's error table (SPEC.md section 5: 1-7, 11, 50, 51) or ours
 *     (100-999), and a msg and details that are one printable line: both
 *     reach stderr's log line and the runtime's error message;
 *   - a result built from parsed data is JSON that parses back as one
 *     object in the request's cniVersion, as is the error result;
 *   - nothing reads past the input (ASan).
 * Seeds: tests/fuzz/corpus/cni/ (make_seeds.py: the configurations and
 * environments of tests/net/cni_*.sh and tests/unit/test_cni.c, prevResults,
 * host-local results with one and two ranges, vtepd's replies).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "addr6.h"
#include "cni_args.h"
#include "cni_client.h"
#include "cni_conf.h"
#include "cni_env.h"
#include "cni_err.h"
#include "cni_exec.h"
#include "cni_input.h"
#include "cni_result.h"
#include "cni_ver.h"
#include "cniname.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#define SEP 0x1e
#define N_PARTS 4
#define MAX_ENV 64

struct part {
	const char *p;
	size_t n;
};

/* The environment of one input (NUL-terminated copies). */
static char *env_buf;
static const char *env_v[MAX_ENV];
static size_t n_env;

static const char *tab_get(const char *name)
{
	size_t k = strlen(name);

	for (size_t i = 0; i < n_env; i++)
		if (!strncmp(env_v[i], name, k) && env_v[i][k] == '=')
			return env_v[i] + k + 1;
	return NULL;
}

static void split(const uint8_t *d, size_t n, struct part parts[N_PARTS])
{
	size_t k = 0, start = 0;

	for (k = 0; k < N_PARTS; k++)
		parts[k] = (struct part){ "", 0 };
	k = 0;
	for (size_t i = 0; i <= n && k < N_PARTS; i++)
		if (i == n || (d[i] == SEP && k < N_PARTS - 1)) {
			parts[k++] = (struct part){ (const char *)d + start, i - start };
			start = i + 1;
		}
}

static void env_load(struct part p)
{
	char *s;

	n_env = 0;
	env_buf = malloc(p.n + 1);
	CHECK(env_buf);
	memcpy(env_buf, p.p, p.n);
	env_buf[p.n] = '\0';
	for (s = env_buf; s < env_buf + p.n && n_env < MAX_ENV; s += strlen(s) + 1)
		if (*s)
			env_v[n_env++] = s;
}

/* One printable line: what the log line and the runtime show. */
static bool one_line(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	CHECK(n < cap);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* SPEC.md section 5: 1-99 are the spec's (only those it lists), 100+ the
 * plugin's own. */
static bool code_ok(int code)
{
	return (code >= 1 && code <= 7) || code == 11 || code == 50 || code == 51 ||
	       (code >= 100 && code < 1000);
}

static void check_err(const struct cni_err *e, int ret)
{
	char *j;
	struct json_object *o = NULL, *v;
	struct cni_err ignore = { 0 };

	CHECK(ret < 0 && -ret == e->code);
	CHECK(code_ok(e->code));
	CHECK(e->msg[0] && one_line(e->msg, sizeof(e->msg)));
	CHECK(one_line(e->details, sizeof(e->details)));
	/* The error result parses back with its cniVersion and code. */
	j = cni_err_json(e);
	CHECK(j);
	CHECK(!cni_parse_object(j, strlen(j), "error", CNI_EDECODE, &o, &ignore));
	CHECK(json_object_object_get_ex(o, "cniVersion", &v));
	CHECK(!strcmp(json_object_get_string(v), e->version[0] ? e->version : CNI_VER_NEWEST));
	CHECK(json_object_object_get_ex(o, "code", &v) && json_object_get_int(v) == e->code);
	json_object_put(o);
	free(j);
}

/* SPEC.md section 2, CNI_CONTAINERID: "must not be empty. Must start with
 * an alphanumeric character, optionally followed by any combination of one
 * or more alphanumeric characters, underscore (), dot (.) or hyphen (-)". */
static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > CNINAME_ID_MAX || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/* CNI_IFNAME: Linux's rules (section 2 refers to them). */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]))
			return false;
	return true;
}

static int fuzz_env(struct cni_env *env)
{
	struct cni_err e = { 0 };
	int ret = cni_env_read(tab_get, env, &e);

	if (ret) {
		check_err(&e, ret);
		CHECK(e.code == CNI_EENV);
		return ret;
	}
	CHECK(env->cmd <= CNI_CMD_VERSION);
	if (env->cmd == CNI_CMD_ADD || env->cmd == CNI_CMD_CHECK || env->cmd == CNI_CMD_DEL) {
		CHECK(env->container_id && id_ok(env->container_id));
		CHECK(env->ifname && ifname_ok(env->ifname));
	}
	if (env->cmd == CNI_CMD_ADD || env->cmd == CNI_CMD_CHECK)
		CHECK(env->netns);
	if (env->netns)
		CHECK(env->netns[0] == '/' && strlen(env->netns) < CNI_PATH_MAX);
	CHECK(!env->args || strlen(env->args) <= CNI_ENV_MAX);
	CHECK(!env->path || strlen(env->path) <= CNI_ENV_MAX);
	return 0;
}

static void check_arg(const char *v, size_t size)
{
	size_t n = strnlen(v, size);

	CHECK(n < size);
	for (size_t i = 0; i < n; i++)
		CHECK(isprint((unsigned char)v[i]) && v[i] != '=' && v[i] != ';');
}

static void fuzz_args(const char *s)
{
	struct cni_err e = { 0 };
	struct cni_args a;
	int ret = cni_args_parse(s, &a, &e);

	if (ret) {
		check_err(&e, ret);
		CHECK(e.code == CNI_EENV || e.code == CNI_EFIELD);
		return;
	}
	check_arg(a.k8s_namespace, sizeof(a.k8s_namespace));
	check_arg(a.k8s_name, sizeof(a.k8s_name));
	check_arg(a.k8s_uid, sizeof(a.k8s_uid));
	check_arg(a.k8s_infra_id, sizeof(a.k8s_infra_id));
}

static void check_conf(const struct cni_conf *c, enum cni_cmd cmd)
{
	CHECK(c->version && cni_ver_num(c->version) == c->vnum && c->vnum >= 0);
	if (cmd == CNI_CMD_VERSION)
		return;
	CHECK(cni_ver_is_supported(c->version));
	CHECK(c->name && isalnum((unsigned char)c->name[0]) && c->type && c->type[0]);
	CHECK(c->vni >= 1 && c->vni <= CNI_VNI_MAX);
	CHECK(c->mtu == 0 || (c->mtu >= 68 && c->mtu <= 65535));
	CHECK(c->socket[0] == '/' && strnlen(c->socket, sizeof(c->socket)) < sizeof(c->socket));
	CHECK(!c->ipam || (c->ipam_type && c->ipam_type[0] && !strchr(c->ipam_type, '/')));
	CHECK(cmd != CNI_CMD_ADD || c->ipam);
	CHECK(cmd != CNI_CMD_GC || c->valid);
	for (size_t i = 0; i < c->n_valid; i++)
		CHECK(c->valid[i].container_id && c->valid[i].ifname);
	CHECK(!c->prev_result || json_object_is_type(c->prev_result, json_type_object));
}

/* The VERSION result (always buildable) parses back in its version. */
static void check_round_trip(struct json_object *r, const char *version)
{
	const char *s = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	struct json_object *back = NULL, *v;
	struct cni_err e = { 0 };

	CHECK(s);
	CHECK(!strchr(s, '\n'));   /* one line on stdout */
	CHECK(!cni_parse_object(s, strlen(s), "result", CNI_EDECODE, &back, &e));
	CHECK(json_object_object_get_ex(back, "cniVersion", &v));
	CHECK(json_object_is_type(v, json_type_string) && !strcmp(json_object_get_string(v), version));
	json_object_put(back);
}

static int fuzz_conf(struct part p, enum cni_cmd cmd, struct cni_conf *c)
{
	struct cni_err e = { 0 };
	int ret = cni_conf_parse(p.p, p.n, cmd, c, &e);

	if (ret) {
		check_err(&e, ret);
		CHECK(e.code == CNI_EDECODE || e.code == CNI_EVERSION || e.code == CNI_EFIELD ||
		      e.code == CNI_ECONFIG || e.code == CNI_EIO);
		CHECK(!c->root && !c->valid);
		return ret;
	}
	check_conf(c, cmd);
	if (cmd == CNI_CMD_VERSION) {
		struct json_object *r = cni_version_result(c->version);

		CHECK(r);
		check_round_trip(r, c->version);
		json_object_put(r);
	}
	return 0;
}

static void check_info(const struct cni_attach_info *i)
{
	uint8_t mac[6];

	CHECK(i->host_ifname[0] && strnlen(i->host_ifname, sizeof(i->host_ifname)) < 16);
	CHECK(!addr_parse_mac(i->mac, mac) && !addr_parse_mac(i->host_mac, mac));
	CHECK(i->mtu >= 68 && i->mtu <= 65535);
	CHECK(i->ip || !addr6_is_zero(i->ip6));
}

/* vtepd's reply; 0 with info when it is a good cni.add reply. */
static int fuzz_reply(struct part p, bool status, struct cni_attach_info *info)
{
	struct cni_err e = { 0 };
	struct cni_reply r;
	int ret = cni_reply_parse(p.p, p.n, status ? "cni.status" : "cni.add", &r, &e);

	if (ret) {
		check_err(&e, ret);
		CHECK(!r.root);
		return ret;
	}
	CHECK(r.root);
	if (!status) {
		memset(&e, 0, sizeof(e));
		ret = cni_info_from_reply(r.data, info, &e);
		if (ret) {
			check_err(&e, ret);
			CHECK(e.code == CNI_EVTEPD);
		} else {
			check_info(info);
		}
	}
	cni_reply_free(&r);
	return ret;
}

static void check_addrs(const struct cni_addrs *a)
{
	CHECK(a->ip || !addr6_is_zero(a->ip6));
	CHECK(!a->ip || a->plen <= 32);
	CHECK(addr6_is_zero(a->ip6) || a->plen6 <= 128);
}

/* The IPAM plugin's stdout; its result (or NULL) in *res. */
static void fuzz_ipam(struct part p, bool failed, const char *version, struct json_object **res)
{
	struct cni_exec x = { .type = "host-local", .command = "ADD" };
	struct cni_err e = { 0 };
	struct cni_addrs a;
	char v[16];
	int ret = cni_exec_output(&x, failed ? 1 << 8 : 0, p.p, p.n, res, &e);

	if (ret) {
		check_err(&e, ret);
		CHECK(!*res);
		return;
	}
	CHECK(!failed);
	if (!*res)
		return;
	memset(&e, 0, sizeof(e));
	ret = cni_ipam_addrs(*res, &a, &e);
	if (ret) {
		check_err(&e, ret);
		CHECK(e.code == CNI_ECONFIG);
	} else {
		check_addrs(&a);
	}
	/* The same bytes as the delegate's VERSION result. */
	cni_exec_pick_version(*res, version, v);
	CHECK(!v[0] || (cni_ver_num(v) >= CNI_V030 && cni_ver_num(v) <= cni_ver_num(version)));
}

/* ADD's result from everything that parsed. */
static void fuzz_build(const struct cni_conf *c, const struct cni_env *env,
		       const struct cni_attach_info *info, struct json_object *ipam_res)
{
	struct cni_env dflt = { .cmd = CNI_CMD_ADD, .ifname = "eth0", .netns = "/run/netns/p",
				.container_id = "c" };
	struct json_object *r = cni_result_build(c, env->ifname ? env : &dflt, info, ipam_res);

	CHECK(r);
	check_round_trip(r, c->version);
	json_object_put(r);
}

/* CHECK's reading of the prevResult. */
static void fuzz_find(const struct cni_conf *c, const struct cni_env *env)
{
	struct cni_err e = { 0 };
	struct cni_addrs a;
	int ret;

	if (!c->prev_result)
		return;
	ret = cni_result_find(c->prev_result, env->ifname ? env->ifname : "eth0",
			      env->netns ? env->netns : "/run/netns/p", &a, &e);
	if (ret) {
		check_err(&e, ret);
		CHECK(e.code == CNI_ECONFIG);
	} else {
		check_addrs(&a);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct part parts[N_PARTS];
	struct cni_attach_info info;
	struct json_object *ipam_res = NULL;
	struct cni_env env;
	struct cni_conf c;
	enum cni_cmd cmd;
	bool env_ok, conf_ok, info_ok;

	if (size < 1)
		return 0;
	split(data + 1, size - 1, parts);
	env_load(parts[1]);
	env_ok = !fuzz_env(&env);
	fuzz_args(env_ok ? env.args : tab_get("CNI_ARGS"));
	cmd = env_ok ? env.cmd : (enum cni_cmd)((data[0] & 7) % 6);
	conf_ok = !fuzz_conf(parts[0], cmd, &c);
	info_ok = !fuzz_reply(parts[2], data[0] & 0x10, &info) && !(data[0] & 0x10);
	fuzz_ipam(parts[3], data[0] & 8, conf_ok ? c.version : CNI_VER_NEWEST, &ipam_res);
	if (conf_ok && cmd != CNI_CMD_VERSION) {
		if (info_ok)
			fuzz_build(&c, env_ok ? &env : &(struct cni_env){ 0 }, &info, ipam_res);
		fuzz_find(&c, env_ok ? &env : &(struct cni_env){ 0 });
	}
	json_object_put(ipam_res);
	if (conf_ok)
		cni_conf_free(&c);
	free(env_buf);
	env_buf = NULL;
	return 0;
}
