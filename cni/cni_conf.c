/* cni_conf.c - see cni_conf.h. One function per key group; each check
 * names the key it refuses. */
#include "cni_conf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni_input.h"
#include "cni_ver.h"

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A string without NUL bytes (json-c keeps "\u0000" inside). */
static const char *str_of(struct json_object *v)
{
	const char *s;

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

/* SPEC.md section 1: "Must start with an alphanumeric character, optionally
 * followed by any combination of one or more alphanumeric characters,
 * underscore, dot (.) or hyphen (-)." */
static bool name_ok(const char *s)
{
	if (!s || !isalnum((unsigned char)s[0]) || strlen(s) > 255)
		return false;
	for (const char *p = s + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return false;
	return true;
}

static int int_in(struct json_object *v, const char *key, int64_t min, int64_t max,
		  int64_t *out, struct cni_err *e)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return cni_fail(e, CNI_ECONFIG, "%s: expected an integer %lld..%lld", key,
				(long long)min, (long long)max);
	x = json_object_get_int64(v);   /* json-c saturates at INT64_MIN/MAX */
	if (x < min || x > max)
		return cni_fail(e, CNI_ECONFIG, "%s: %lld is not in %lld..%lld", key,
				(long long)x, (long long)min, (long long)max);
	*out = x;
	return 0;
}

static int parse_version(struct cni_conf *c, enum cni_cmd cmd, struct cni_err *e)
{
	struct json_object *v = get(c->root, "cniVersion");

	c->version = str_of(v);
	if (!v && cmd == CNI_CMD_VERSION) {
		c->version = CNI_VER_NEWEST;
	} else if (!c->version || cni_ver_num(c->version) < 0) {
		return cni_fail(e, v ? CNI_EDECODE : CNI_ECONFIG,
				"cniVersion: %s", v ? "not a version string (MAJOR.MINOR.PATCH)" :
				"required");
	}
	c->vnum = cni_ver_num(c->version);
	if (cmd == CNI_CMD_VERSION)
		return 0;   /* VERSION answers whatever version it was asked in */
	if (!cni_ver_is_supported(c->version))
		return cni_fail(e, CNI_EVERSION, "cniVersion %.16s is not supported (0.3.0, 0.3.1, "
				"0.4.0, 1.0.0, 1.1.0)", c->version);
	snprintf(e->version, sizeof(e->version), "%s", c->version);
	/* The spec version that introduced each command (SPEC.md "Released
	 * versions"): CHECK in 0.4.0, GC and STATUS in 1.1.0. */
	if ((cmd == CNI_CMD_CHECK && c->vnum < CNI_V040) ||
	    ((cmd == CNI_CMD_GC || cmd == CNI_CMD_STATUS) && c->vnum < CNI_V110))
		return cni_fail(e, CNI_EVERSION, "%s is not part of CNI %s", cni_cmd_name(cmd),
				c->version);
	return 0;
}

static int parse_socket(struct cni_conf *c, struct cni_err *e)
{
	struct json_object *v = get(c->root, "socket");
	const char *s;

	if (!v) {
		snprintf(c->socket, sizeof(c->socket), "%s", CNI_DEFAULT_SOCKET);
		return 0;
	}
	s = str_of(v);
	if (!s || s[0] != '/' || strlen(s) >= sizeof(c->socket))
		return cni_fail(e, CNI_ECONFIG, "socket: expected an absolute path shorter than "
				"%zu bytes", sizeof(c->socket));
	memcpy(c->socket, s, strlen(s) + 1);
	return 0;
}

static int parse_ipam(struct cni_conf *c, enum cni_cmd cmd, struct cni_err *e)
{
	struct json_object *v = get(c->root, "ipam");

	if (!v) {
		/* Without an IPAM plugin ADD has no address to give. */
		return cmd == CNI_CMD_ADD ?
			cni_fail(e, CNI_ECONFIG, "ipam: required (e.g. {\"type\": \"host-local\", "
				 "...})") : 0;
	}
	if (!json_object_is_type(v, json_type_object))
		return cni_fail(e, CNI_ECONFIG, "ipam: expected an object");
	c->ipam = v;
	c->ipam_type = str_of(get(v, "type"));
	/* SPEC.md section 1: the type "must not contain characters disallowed
	 * in file paths"; it is looked up in CNI_PATH, so no '/' at all. */
	if (!c->ipam_type || !c->ipam_type[0] || strchr(c->ipam_type, '/') ||
	    !strcmp(c->ipam_type, ".") || !strcmp(c->ipam_type, "..") || strlen(c->ipam_type) > 255)
		return cni_fail(e, CNI_ECONFIG, "ipam.type: expected the name of an IPAM plugin");
	return 0;
}

static int string_list(struct json_object *v, const char *key, struct cni_err *e)
{
	if (!json_object_is_type(v, json_type_array))
		return cni_fail(e, CNI_ECONFIG, "%s: expected a list of strings", key);
	for (size_t i = 0; i < json_object_array_length(v); i++)
		if (!str_of(json_object_array_get_idx(v, i)))
			return cni_fail(e, CNI_ECONFIG, "%s[%zu]: expected a string", key, i);
	return 0;
}

/* dns is copied into the result as it is, after its shape is checked
 * (SPEC.md section 1, "dns"). */
static int parse_dns(struct cni_conf *c, struct cni_err *e)
{
	struct json_object *v = get(c->root, "dns");

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return cni_fail(e, CNI_ECONFIG, "dns: expected an object");
	json_object_object_foreach(v, key, val) {
		char k[48];

		snprintf(k, sizeof(k), "dns.%.32s", key);
		if (!strcmp(key, "domain")) {
			if (!str_of(val))
				return cni_fail(e, CNI_ECONFIG, "%s: expected a string", k);
		} else if (!strcmp(key, "nameservers") || !strcmp(key, "search") ||
			   !strcmp(key, "options")) {
			if (string_list(val, k, e))
				return -CNI_ECONFIG;
		} else {
			return cni_fail(e, CNI_EFIELD, "%s: unsupported field", k);
		}
	}
	c->dns = v;
	return 0;
}

/* cni.dev/valid-attachments (SPEC.md section 2, GC). libcni also sends
 * the same list as cni.dev/attachments (an earlier spelling); the valid
 * one wins when both are there. */
static int parse_valid(struct cni_conf *c, enum cni_cmd cmd, struct cni_err *e)
{
	const char *key = "cni.dev/valid-attachments";
	struct json_object *v = get(c->root, key);
	size_t n;

	if (!v) {
		key = "cni.dev/attachments";
		v = get(c->root, key);
	}
	if (cmd != CNI_CMD_GC)
		return 0;
	if (!v)
		return cni_fail(e, CNI_ECONFIG, "cni.dev/valid-attachments: required for GC");
	if (!json_object_is_type(v, json_type_array))
		return cni_fail(e, CNI_ECONFIG, "%s: expected a list", key);
	n = json_object_array_length(v);
	if (n > CNI_MAX_ATTACHMENTS)
		return cni_fail(e, CNI_ECONFIG, "%s: more than %d entries", key, CNI_MAX_ATTACHMENTS);
	c->valid = calloc(n ? n : 1, sizeof(*c->valid));
	if (!c->valid)
		return cni_fail(e, CNI_EIO, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(v, i);
		const char *id = NULL, *ifn = NULL;

		if (json_object_is_type(a, json_type_object)) {
			id = str_of(get(a, "containerID"));
			ifn = str_of(get(a, "ifname"));
		}
		if (!id || !ifn)
			return cni_fail(e, CNI_ECONFIG, "%s[%zu]: expected {\"containerID\": ..., "
					"\"ifname\": ...}", key, i);
		c->valid[i] = (struct cni_attachment){ id, ifn };
	}
	c->n_valid = n;
	return 0;
}

/* prevResult is a result (SPEC.md section 5, "ADD Success"): interfaces,
 * ips and routes are lists, dns an object. ADD appends ours to its lists
 * (section 3: a plugin "must output it as their result, with any possible
 * modifications"), so a prevResult whose "ips" is a string cannot become
 * a result: refused here, as the configuration error it is, not later as
 * an ADD that cannot build its output. */
static int parse_prev(struct cni_conf *c, struct cni_err *e)
{
	static const char *const lists[] = { "interfaces", "ips", "routes" };
	struct json_object *v = get(c->root, "prevResult"), *x;

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return cni_fail(e, CNI_ECONFIG, "prevResult: expected an object");
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if ((x = get(v, lists[i])) && !json_object_is_type(x, json_type_array))
			return cni_fail(e, CNI_ECONFIG, "prevResult.%s: expected a list", lists[i]);
	if ((x = get(v, "dns")) && !json_object_is_type(x, json_type_object))
		return cni_fail(e, CNI_ECONFIG, "prevResult.dns: expected an object");
	c->prev_result = v;
	return 0;
}

/* Keys outside those parsed above. */
static int check_keys(struct cni_conf *c, struct cni_err *e)
{
	static const char *const ok[] = {
		"cniVersion", "cniVersions", "name", "type", "vni", "socket", "mtu", "ipam", "dns",
		"args", "runtimeConfig", "prevResult", "capabilities", "ipMasq", NULL
	};
	json_object_object_foreach(c->root, key, val) {
		const char *const *k;

		for (k = ok; *k && strcmp(*k, key); k++)
			;
		if (*k || !strncmp(key, "cni.dev/", 8))
			continue;
		return cni_fail(e, CNI_EFIELD, "unsupported field \"%.64s\": %.128s", key,
				json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
	}
	return 0;
}

static int parse_rest(struct cni_conf *c, enum cni_cmd cmd, struct cni_err *e)
{
	struct json_object *v;
	int64_t x;

	if (check_keys(c, e))
		return -1;
	c->name = str_of(get(c->root, "name"));
	if (!name_ok(c->name))
		return cni_fail(e, CNI_ECONFIG, "name: %s", get(c->root, "name") ?
				"expected a network name (alphanumeric first, then alphanumerics, "
				"'_', '.' or '-')" : "required");
	c->type = str_of(get(c->root, "type"));
	if (!c->type || !c->type[0])
		return cni_fail(e, CNI_ECONFIG, "type: required");
	if (!(v = get(c->root, "vni")))
		return cni_fail(e, CNI_ECONFIG, "vni: required");
	if (int_in(v, "vni", 1, CNI_VNI_MAX, &x, e))
		return -1;
	c->vni = (uint32_t)x;
	/* 68: the smallest IPv4 MTU (RFC 791); 65535: a veth's largest. */
	if ((v = get(c->root, "mtu"))) {
		if (int_in(v, "mtu", 68, 65535, &x, e))
			return -1;
		c->mtu = (uint32_t)x;
	}
	if ((v = get(c->root, "ipMasq")) &&
	    (!json_object_is_type(v, json_type_boolean) || json_object_get_boolean(v)))
		return cni_fail(e, CNI_EFIELD, "unsupported field \"ipMasq\": %s (vtepd does not "
				"masquerade)", json_object_to_json_string(v));
	if (parse_prev(c, e))
		return -1;
	if ((v = get(c->root, "cniVersions")) && string_list(v, "cniVersions", e))
		return -1;
	if (parse_socket(c, e) || parse_ipam(c, cmd, e) || parse_dns(c, e) ||
	    parse_valid(c, cmd, e))
		return -1;
	/* Only ADD and CHECK use the limit. A DEL must not fail on a value
	 * its ADD refused: the runtime's DEL after that failed ADD carries
	 * the same runtimeConfig, and has to succeed (SPEC.md section 2). */
	if ((cmd == CNI_CMD_ADD || cmd == CNI_CMD_CHECK) &&
	    cni_bw_parse(get(c->root, "runtimeConfig"), &c->bandwidth, e))
		return -1;
	return 0;
}

int cni_conf_parse(const char *text, size_t len, enum cni_cmd cmd, struct cni_conf *c,
		   struct cni_err *e)
{
	memset(c, 0, sizeof(*c));
	if (cmd == CNI_CMD_VERSION && len == 0) {   /* nothing on stdin */
		c->version = CNI_VER_NEWEST;
		c->vnum = cni_ver_num(c->version);
		return 0;
	}
	if (cni_parse_object(text, len, "network configuration", CNI_EDECODE, &c->root, e))
		return -CNI_EDECODE;
	if (parse_version(c, cmd, e) || (cmd != CNI_CMD_VERSION && parse_rest(c, cmd, e))) {
		int code = e->code;

		cni_conf_free(c);
		return -code;
	}
	return 0;
}

void cni_conf_free(struct cni_conf *c)
{
	free(c->valid);
	json_object_put(c->root);
	memset(c, 0, sizeof(*c));
}
