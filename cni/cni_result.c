/* cni_result.c - see cni_result.h. */
#include "cni_result.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "cni_ver.h"

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *str_of(struct json_object *v)
{
	const char *s;

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

int cni_ipam_ipv4(struct json_object *ipam_result, uint32_t *ip, uint8_t *plen,
		  struct cni_err *e)
{
	struct json_object *ips = get(ipam_result, "ips");

	if (!ips || !json_object_is_type(ips, json_type_array))
		return cni_fail(e, CNI_ECONFIG, "the IPAM result has no \"ips\" list");
	for (size_t i = 0; i < json_object_array_length(ips); i++) {
		struct json_object *a = json_object_array_get_idx(ips, i);
		const char *s = str_of(get(a, "address")), *ver = str_of(get(a, "version"));

		if (!s)
			return cni_fail(e, CNI_ECONFIG, "the IPAM result's ips[%zu] has no address", i);
		if (ver && strcmp(ver, "4"))
			continue;
		if (strchr(s, ':'))
			continue;   /* IPv6: vtepd's VNIs are IPv4 */
		if (addr_parse_prefix(s, ip, plen, 1))
			return cni_fail(e, CNI_ECONFIG, "the IPAM result's ips[%zu].address \"%.64s\" "
					"is not A.B.C.D/LEN", i, s);
		return 0;
	}
	return cni_fail(e, CNI_ECONFIG, "the IPAM plugin gave no IPv4 address (vtepd's VNIs are "
			"IPv4)");
}

static int reply_str(struct json_object *data, const char *key, char *out, size_t size,
		     struct cni_err *e)
{
	const char *s = str_of(get(data, key));

	if (!s || strlen(s) >= size)
		return cni_fail(e, CNI_EVTEPD, "vtepd's reply: bad or missing \"%s\"", key);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int cni_info_from_reply(struct json_object *data, struct cni_attach_info *out,
			struct cni_err *e)
{
	char ip[ADDR_IP_STRLEN], gw[ADDR_IP_STRLEN];
	struct json_object *mtu = get(data, "mtu");
	uint8_t mac[6];

	memset(out, 0, sizeof(*out));
	if (reply_str(data, "host_ifname", out->host_ifname, sizeof(out->host_ifname), e) ||
	    reply_str(data, "host_mac", out->host_mac, sizeof(out->host_mac), e) ||
	    reply_str(data, "mac", out->mac, sizeof(out->mac), e) ||
	    reply_str(data, "ip", ip, sizeof(ip), e) ||
	    reply_str(data, "gateway", gw, sizeof(gw), e))
		return -CNI_EVTEPD;
	if (addr_parse_mac(out->mac, mac) || addr_parse_mac(out->host_mac, mac) ||
	    addr_parse_ip(ip, &out->ip) || addr_parse_ip(gw, &out->gateway) ||
	    !mtu || !json_object_is_type(mtu, json_type_int) ||
	    json_object_get_int64(mtu) < 68 || json_object_get_int64(mtu) > 65535)
		return cni_fail(e, CNI_EVTEPD, "vtepd's reply: malformed address or MTU");
	out->mtu = (uint32_t)json_object_get_int64(mtu);
	return 0;
}

/* The list under key, created when absent; NULL when o holds something
 * else there or out of memory. */
static struct json_object *list(struct json_object *o, const char *key)
{
	struct json_object *a = get(o, key);

	if (a)
		return json_object_is_type(a, json_type_array) ? a : NULL;
	a = json_object_new_array();
	if (a && json_object_object_add(o, key, a)) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

static int add_str(struct json_object *o, const char *key, const char *v)
{
	struct json_object *s = json_object_new_string(v);

	if (!s || json_object_object_add(o, key, s)) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

static int add_int(struct json_object *o, const char *key, int64_t v)
{
	struct json_object *s = json_object_new_int64(v);

	if (!s || json_object_object_add(o, key, s)) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

static int push(struct json_object *a, struct json_object *o)
{
	if (!o || json_object_array_add(a, o)) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

static struct json_object *iface(const char *name, const char *mac, const char *sandbox,
				 uint32_t mtu, int vnum)
{
	struct json_object *o = json_object_new_object();

	if (!o || add_str(o, "name", name) || add_str(o, "mac", mac) ||
	    (sandbox && add_str(o, "sandbox", sandbox)) ||
	    (vnum >= CNI_V110 && add_int(o, "mtu", mtu))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int add_ours(struct json_object *r, const struct cni_conf *c, const struct cni_env *env,
		    const struct cni_attach_info *info)
{
	struct json_object *ifs = list(r, "interfaces"), *ips = list(r, "ips");
	struct json_object *routes = list(r, "routes"), *ip, *rt;
	char a[ADDR_PREFIX_STRLEN], gw[ADDR_IP_STRLEN];
	size_t base;

	if (!ifs || !ips || !routes)
		return -1;
	base = json_object_array_length(ifs);
	addr_fmt_prefix(info->ip, 32, a);
	addr_fmt_ip(info->gateway, gw);
	if (push(ifs, iface(info->host_ifname, info->host_mac, NULL, info->mtu, c->vnum)) ||
	    push(ifs, iface(env->ifname, info->mac, env->netns, info->mtu, c->vnum)))
		return -1;
	ip = json_object_new_object();
	if (!ip || (c->vnum < CNI_V100 && add_str(ip, "version", "4")) ||
	    add_str(ip, "address", a) || add_str(ip, "gateway", gw) ||
	    add_int(ip, "interface", (int64_t)base + 1) || push(ips, ip))
		return -1;
	rt = json_object_new_object();
	if (!rt || add_str(rt, "dst", "0.0.0.0/0") || add_str(rt, "gw", gw) || push(routes, rt))
		return -1;
	return 0;
}

struct json_object *cni_result_build(const struct cni_conf *c, const struct cni_env *env,
				     const struct cni_attach_info *info,
				     struct json_object *ipam_result)
{
	struct json_object *r = NULL, *dns;

	if (c->prev_result) {
		if (json_object_deep_copy(c->prev_result, &r, NULL))
			return NULL;
	} else {
		r = json_object_new_object();
	}
	if (!r || add_str(r, "cniVersion", c->version) || add_ours(r, c, env, info))
		goto fail;
	dns = c->dns ? c->dns : get(ipam_result, "dns");
	if (dns && !(c->prev_result && get(r, "dns") && !c->dns)) {
		struct json_object *copy = NULL;

		if (json_object_deep_copy(dns, &copy, NULL) ||
		    json_object_object_add(r, "dns", copy)) {
			json_object_put(copy);
			goto fail;
		}
	}
	return r;
fail:
	json_object_put(r);
	return NULL;
}

int cni_result_find(struct json_object *prev, const char *ifname, const char *netns,
		    uint32_t *ip, struct cni_err *e)
{
	struct json_object *ifs = get(prev, "interfaces"), *ips = get(prev, "ips");
	size_t n;
	int64_t idx = -1;

	if (!prev)
		return cni_fail(e, CNI_ECONFIG, "prevResult: required for CHECK");
	if (!ifs || !json_object_is_type(ifs, json_type_array) ||
	    !ips || !json_object_is_type(ips, json_type_array))
		return cni_fail(e, CNI_ECONFIG, "prevResult: no interfaces or ips list");
	n = json_object_array_length(ifs);
	for (size_t i = 0; i < n && idx < 0; i++) {
		struct json_object *f = json_object_array_get_idx(ifs, i);
		const char *nm = str_of(get(f, "name")), *sb = str_of(get(f, "sandbox"));

		if (nm && sb && !strcmp(nm, ifname) && !strcmp(sb, netns))
			idx = (int64_t)i;
	}
	if (idx < 0)
		return cni_fail(e, CNI_ECONFIG, "prevResult: no interface %s in %.128s", ifname,
				netns);
	for (size_t i = 0; i < json_object_array_length(ips); i++) {
		struct json_object *a = json_object_array_get_idx(ips, i), *ix = get(a, "interface");
		const char *s = str_of(get(a, "address"));
		uint8_t plen;

		if (!ix || !json_object_is_type(ix, json_type_int) ||
		    json_object_get_int64(ix) != idx || !s || strchr(s, ':'))
			continue;
		if (addr_parse_prefix(s, ip, &plen, 1))
			return cni_fail(e, CNI_ECONFIG, "prevResult: ips[%zu].address \"%.64s\" is "
					"not A.B.C.D/LEN", i, s);
		return 0;
	}
	return cni_fail(e, CNI_ECONFIG, "prevResult: no IPv4 address on %s", ifname);
}

struct json_object *cni_version_result(const char *version)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	if (!o || !a || add_str(o, "cniVersion", version) ||
	    json_object_object_add(o, "supportedVersions", a)) {
		json_object_put(a);
		json_object_put(o);
		return NULL;
	}
	for (const char *const *v = cni_ver_supported; *v; v++)
		if (push(a, json_object_new_string(*v))) {
			json_object_put(o);
			return NULL;
		}
	return o;
}

int cni_print(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s || printf("%s\n", s) < 0 || fflush(stdout))
		return -EIO;
	return 0;
}
