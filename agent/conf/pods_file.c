/* pods_file.c - <state_dir>/pods.json (pods_load(), pods_save() of pods.h),
 * written atomically and read back strictly like state.json (state_file.c,
 * whose directory and atomic-write helpers it shares). */
#include "pods.h"
#include "jsonv.h"
#include "state_priv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "addr6.h"
#include "portrate.h"

/* key: a string copied into out (size bytes); empty allowed when opt. */
static int load_str(struct json_object *o, const char *path, const char *key, bool opt,
		    char *out, size_t size, char *err)
{
	struct json_object *v;
	char p[JV_PATH_LEN];
	const char *s;

	jv_key(p, path, key);
	if (!jv_get(o, key, &v) || !v)
		return opt ? 0 : jv_fail(err, p, "required");
	if (jv_string(v, p, &s, err))
		return -EINVAL;
	if (strlen(s) >= size)
		return jv_fail(err, p, "longer than %zu characters", size - 1);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int load_pod(struct json_object *o, const char *path, struct pod *p, char *err)
{
	static const char *const keys[] = {
		"container_id", "ifname", "netns", "network", "host_ifname", "vni", "ip", "ip6",
		"mac", "mtu", "k8s_namespace", "k8s_name", "k8s_uid", "egress_rate", "egress_burst",
		NULL
	};
	struct json_object *v;
	char k[JV_PATH_LEN], e[CFG_ERR_LEN];

	memset(p, 0, sizeof(*p));
	if (jv_object(o, path, keys, err) ||
	    load_str(o, path, "container_id", false, p->container_id, sizeof(p->container_id), err) ||
	    load_str(o, path, "ifname", false, p->ifname, sizeof(p->ifname), err) ||
	    load_str(o, path, "netns", true, p->netns, sizeof(p->netns), err) ||
	    load_str(o, path, "network", false, p->network, sizeof(p->network), err) ||
	    load_str(o, path, "host_ifname", false, p->host_ifname, sizeof(p->host_ifname), err) ||
	    load_str(o, path, "k8s_namespace", true, p->k8s_namespace, sizeof(p->k8s_namespace), err) ||
	    load_str(o, path, "k8s_name", true, p->k8s_name, sizeof(p->k8s_name), err) ||
	    load_str(o, path, "k8s_uid", true, p->k8s_uid, sizeof(p->k8s_uid), err))
		return -EINVAL;
	if (!jv_get(o, "vni", &v) || jv_u32(v, jv_key(k, path, "vni"), 1, 16777215u, &p->vni, err))
		return v ? -EINVAL : jv_fail(err, jv_key(k, path, "vni"), "required");
	/* ip6 and ip: one of them at least (pods.h). */
	if (jv_get(o, "ip6", &v) && v && jv_ip6(v, jv_key(k, path, "ip6"), p->ip6, err))
		return -EINVAL;
	if (jv_get(o, "ip", &v) && v) {
		if (jv_ip(v, jv_key(k, path, "ip"), &p->ip, err))
			return -EINVAL;
	} else if (addr6_is_zero(p->ip6)) {
		return jv_fail(err, jv_key(k, path, "ip"), "required");
	}
	if (!jv_get(o, "mac", &v) || jv_mac(v, jv_key(k, path, "mac"), p->mac, err))
		return v ? -EINVAL : jv_fail(err, jv_key(k, path, "mac"), "required");
	if (!jv_get(o, "mtu", &v) || jv_u32(v, jv_key(k, path, "mtu"), 68, 65535, &p->mtu, err))
		return v ? -EINVAL : jv_fail(err, jv_key(k, path, "mtu"), "required");
	/* The egress limit: both optional (pods.h), bounds as pods_check's. */
	if (jv_get(o, "egress_rate", &v) && v &&
	    jv_uint(v, jv_key(k, path, "egress_rate"), PORTRATE_MIN_RATE, PORTRATE_MAX_RATE,
		    &p->egress_rate, err))
		return -EINVAL;
	if (jv_get(o, "egress_burst", &v) && v &&
	    jv_uint(v, jv_key(k, path, "egress_burst"), 1, PORTRATE_MAX_BURST_BITS,
		    &p->egress_burst, err))
		return -EINVAL;
	if (pods_check(p, e))
		return jv_fail(err, path, "%s", e);
	return 0;
}

static int load_root(struct json_object *root, struct pods *ps, char *err)
{
	static const char *const keys[] = { "version", "pods", NULL };
	struct json_object *v;
	char p[JV_PATH_LEN];
	uint32_t version;
	size_t n;

	if (!json_object_is_type(root, json_type_object))
		return jv_fail(err, NULL, "expected a JSON object");
	if (jv_object(root, "", keys, err))
		return -EINVAL;
	if (!jv_get(root, "version", &v) || jv_u32(v, "version", 1, UINT32_MAX, &version, err))
		return v ? -EINVAL : jv_fail(err, "version", "required");
	if (version != PODS_VERSION)
		return jv_fail(err, "version", "%u is not supported (this vtepd reads version %d)",
			       version, PODS_VERSION);
	if (!jv_get(root, "pods", &v) || !v)
		return 0;
	if (jv_array(v, "pods", SIZE_MAX, &n, err))
		return -EINVAL;
	ps->v = calloc(n ? n : 1, sizeof(*ps->v));
	if (!ps->v)
		return jv_fail(err, "pods", "out of memory"), -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct pod *q = &ps->v[i];

		if (load_pod(json_object_array_get_idx(v, i), jv_idx(p, "pods", i), q, err))
			return -EINVAL;
		if (pods_find(&(struct pods){ ps->v, i }, q->container_id, q->ifname))
			return jv_fail(err, p, "attachment %s/%s is listed twice", q->container_id,
				       q->ifname);
		ps->n = i + 1;
	}
	return 0;
}

int pods_load(const char *dir, struct pods *ps, char err[CFG_ERR_LEN])
{
	struct json_object *root = NULL;
	char path[PATH_MAX], e[CFG_ERR_LEN];
	char *text = NULL;
	size_t len;
	int ret;

	memset(ps, 0, sizeof(*ps));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, PODS_FILE) >= sizeof(path)) {
		snprintf(err, CFG_ERR_LEN, "%.180s: path too long", dir);
		return -ENAMETOOLONG;
	}
	ret = jv_read_file(path, &text, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "%.180s: %s", path, strerror(-ret));
		return ret;
	}
	ret = jv_parse(text, len, &root, e);
	if (!ret)
		ret = load_root(root, ps, e);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "%.100s: %.150s", path, e);
		pods_free(ps);
	}
	json_object_put(root);
	free(text);
	return ret;
}

static int add(struct json_object *o, const char *k, struct json_object *v)
{
	if (!v || json_object_object_add(o, k, v)) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int add_elem(struct json_object *a, struct json_object *v)
{
	if (!v || json_object_array_add(a, v)) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static struct json_object *pod_json(const struct pod *p)
{
	struct json_object *o = json_object_new_object();
	char ip[ADDR_IP_STRLEN], ip6[ADDR6_STRLEN], mac[ADDR_MAC_STRLEN];

	if (!o || add(o, "container_id", json_object_new_string(p->container_id)) ||
	    add(o, "ifname", json_object_new_string(p->ifname)) ||
	    add(o, "netns", json_object_new_string(p->netns)) ||
	    add(o, "network", json_object_new_string(p->network)) ||
	    add(o, "host_ifname", json_object_new_string(p->host_ifname)) ||
	    add(o, "vni", json_object_new_int64(p->vni)) ||
	    (p->ip && add(o, "ip", json_object_new_string(addr_fmt_ip(p->ip, ip)))) ||
	    (!addr6_is_zero(p->ip6) && add(o, "ip6", json_object_new_string(addr6_fmt(p->ip6, ip6)))) ||
	    add(o, "mac", json_object_new_string(addr_fmt_mac(p->mac, mac))) ||
	    add(o, "mtu", json_object_new_int64(p->mtu)) ||
	    add(o, "k8s_namespace", json_object_new_string(p->k8s_namespace)) ||
	    add(o, "k8s_name", json_object_new_string(p->k8s_name)) ||
	    add(o, "k8s_uid", json_object_new_string(p->k8s_uid)) ||
	    (p->egress_rate && add(o, "egress_rate", json_object_new_int64((int64_t)p->egress_rate))) ||
	    (p->egress_burst && add(o, "egress_burst",
				    json_object_new_int64((int64_t)p->egress_burst)))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int pods_save(const char *dir, const struct pods *ps, char err[CFG_ERR_LEN])
{
	struct json_object *root = json_object_new_object(), *a = json_object_new_array();
	const char *text;
	char *buf;
	size_t len;
	int ret;

	if (!root || !a || add(root, "version", json_object_new_int(PODS_VERSION)) ||
	    json_object_object_add(root, "pods", a)) {
		json_object_put(a);
		goto nomem;
	}
	for (size_t i = 0; i < ps->n; i++)
		if (add_elem(a, pod_json(&ps->v[i])))
			goto nomem;
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	len = text ? strlen(text) : 0;
	buf = text ? malloc(len + 2) : NULL;
	if (!buf)
		goto nomem;
	memcpy(buf, text, len);
	buf[len++] = '\n';
	buf[len] = '\0';
	ret = state_mkdir_p(dir);
	if (ret)
		snprintf(err, CFG_ERR_LEN, "%.180s: %s", dir, strerror(-ret));
	else
		ret = state_write_file(dir, PODS_FILE, buf, len, err);
	free(buf);
	json_object_put(root);
	return ret;
nomem:
	json_object_put(root);
	snprintf(err, CFG_ERR_LEN, "%.180s/%s: out of memory", dir, PODS_FILE);
	return -ENOMEM;
}
