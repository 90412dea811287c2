/* cni_result.c - see cni_result.h. */
#include "cni_result.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "addr6.h"
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

/* One entry of ips[]: its address into out unless out already has one
 * of that family. where names the list ("the IPAM result's ips",
 * "prevResult: ips"). -1 with e set when the entry is malformed. */
static int take_addr(struct json_object *a, size_t i, const char *where, struct cni_addrs *out,
		     struct cni_err *e)
{
	const char *s = str_of(get(a, "address")), *ver = str_of(get(a, "version"));
	uint8_t ip6[16], plen;
	uint32_t ip;

	if (!s)
		return cni_fail(e, CNI_ECONFIG, "%s[%zu] has no address", where, i);
	if (addr6_is_text6(s)) {
		if (addr6_parse_prefix(s, ip6, &plen, 1) || addr6_is_zero(ip6))
			return cni_fail(e, CNI_ECONFIG, "%s[%zu].address \"%.64s\" is not "
					"an IPv6 address/LEN", where, i, s);
		if (ver && strcmp(ver, "6"))
			return cni_fail(e, CNI_ECONFIG, "%s[%zu]: version \"%.8s\" with IPv6 "
					"address %.64s", where, i, ver, s);
		if (addr6_is_zero(out->ip6)) {
			memcpy(out->ip6, ip6, 16);
			out->plen6 = plen;
		}
		return 0;
	}
	if (addr_parse_prefix(s, &ip, &plen, 1) || !ip)
		return cni_fail(e, CNI_ECONFIG, "%s[%zu].address \"%.64s\" is not A.B.C.D/LEN",
				where, i, s);
	if (ver && strcmp(ver, "4"))
		return cni_fail(e, CNI_ECONFIG, "%s[%zu]: version \"%.8s\" with IPv4 address "
				"%.64s", where, i, ver, s);
	if (!out->ip) {
		out->ip = ip;
		out->plen = plen;
	}
	return 0;
}

int cni_ipam_addrs(struct json_object *ipam_result, struct cni_addrs *out, struct cni_err *e)
{
	struct json_object *ips = get(ipam_result, "ips");

	memset(out, 0, sizeof(*out));
	if (!ips || !json_object_is_type(ips, json_type_array))
		return cni_fail(e, CNI_ECONFIG, "the IPAM result has no \"ips\" list");
	for (size_t i = 0; i < json_object_array_length(ips); i++)
		if (take_addr(json_object_array_get_idx(ips, i), i, "the IPAM result's ips", out, e))
			return -e->code;
	if (!out->ip && addr6_is_zero(out->ip6))
		return cni_fail(e, CNI_ECONFIG, "the IPAM plugin gave no address");
	return 0;
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

/* A pair of the reply ("ip"/"gateway", "ip6"/"gateway6"): both or none.
 * 1 when present, 0 when absent, -1 when malformed. */
static int reply_pair(struct json_object *data, bool v6, void *ip, void *gw,
		      struct cni_err *e)
{
	const char *k_ip = v6 ? "ip6" : "ip", *k_gw = v6 ? "gateway6" : "gateway";
	char a[ADDR6_STRLEN], g[ADDR6_STRLEN];

	if (!get(data, k_ip) && !get(data, k_gw))
		return 0;
	if (reply_str(data, k_ip, a, sizeof(a), e) || reply_str(data, k_gw, g, sizeof(g), e))
		return -1;
	if (v6 ? addr6_parse(a, ip) || addr6_parse(g, gw) || addr6_is_zero(ip)
	       : addr_parse_ip(a, ip) || addr_parse_ip(g, gw) || !*(uint32_t *)ip)
		return cni_fail(e, CNI_EVTEPD, "vtepd's reply: malformed %s or %s", k_ip, k_gw),
		       -1;
	return 1;
}

int cni_info_from_reply(struct json_object *data, struct cni_attach_info *out,
			struct cni_err *e)
{
	struct json_object *mtu = get(data, "mtu");
	uint8_t mac[6];
	int v4, v6;

	memset(out, 0, sizeof(*out));
	if (reply_str(data, "host_ifname", out->host_ifname, sizeof(out->host_ifname), e) ||
	    reply_str(data, "host_mac", out->host_mac, sizeof(out->host_mac), e) ||
	    reply_str(data, "mac", out->mac, sizeof(out->mac), e))
		return -CNI_EVTEPD;
	v4 = reply_pair(data, false, &out->ip, &out->gateway, e);
	v6 = v4 < 0 ? -1 : reply_pair(data, true, out->ip6, out->gateway6, e);
	if (v4 < 0 || v6 < 0)
		return -CNI_EVTEPD;
	if (!v4 && !v6)
		return cni_fail(e, CNI_EVTEPD, "vtepd's reply: bad or missing \"ip\"");
	if (addr_parse_mac(out->mac, mac) || addr_parse_mac(out->host_mac, mac) ||
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

/* One family's entry of ips[] and its default route. */
static int add_family(struct json_object *ips, struct json_object *routes,
		      const struct cni_conf *c, size_t ifidx, bool v6, const char *addr,
		      const char *gw)
{
	struct json_object *ip = json_object_new_object(), *rt;

	if (!ip || (c->vnum < CNI_V100 && add_str(ip, "version", v6 ? "6" : "4")) ||
	    add_str(ip, "address", addr) || add_str(ip, "gateway", gw) ||
	    add_int(ip, "interface", (int64_t)ifidx) || push(ips, ip))
		return -1;
	rt = json_object_new_object();
	if (!rt || add_str(rt, "dst", v6 ? "::/0" : "0.0.0.0/0") || add_str(rt, "gw", gw) ||
	    push(routes, rt))
		return -1;
	return 0;
}

static int add_ours(struct json_object *r, const struct cni_conf *c, const struct cni_env *env,
		    const struct cni_attach_info *info)
{
	struct json_object *ifs = list(r, "interfaces"), *ips = list(r, "ips");
	struct json_object *routes = list(r, "routes");
	char a[ADDR6_PREFIX_STRLEN], gw[ADDR6_STRLEN];
	size_t base;

	if (!ifs || !ips || !routes)
		return -1;
	base = json_object_array_length(ifs);
	if (push(ifs, iface(info->host_ifname, info->host_mac, NULL, info->mtu, c->vnum)) ||
	    push(ifs, iface(env->ifname, info->mac, env->netns, info->mtu, c->vnum)))
		return -1;
	if (info->ip && add_family(ips, routes, c, base + 1, false,
				   addr_fmt_prefix(info->ip, 32, a), addr_fmt_ip(info->gateway, gw)))
		return -1;
	/* The address RFC 5952's way, as a /128 (podnet.h). */
	if (!addr6_is_zero(info->ip6) &&
	    add_family(ips, routes, c, base + 1, true, addr6_fmt_prefix(info->ip6, 128, a),
		       addr6_fmt(info->gateway6, gw)))
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
		    struct cni_addrs *out, struct cni_err *e)
{
	struct json_object *ifs = get(prev, "interfaces"), *ips = get(prev, "ips");
	size_t n;
	int64_t idx = -1;

	memset(out, 0, sizeof(*out));
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

		if (!ix || !json_object_is_type(ix, json_type_int) ||
		    json_object_get_int64(ix) != idx)
			continue;
		if (take_addr(a, i, "prevResult: ips", out, e))
			return -e->code;
	}
	if (!out->ip && addr6_is_zero(out->ip6))
		return cni_fail(e, CNI_ECONFIG, "prevResult: no address on %s", ifname);
	return 0;
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
