/* cnictl_args.c - the CNI socket's arguments (cnictl.h), read with the
 * control socket's readers (control_args.c) plus the CNI's own: a
 * container id and network name as the spec words them, a namespace path,
 * the Kubernetes names. Everything that reaches the daemon fits its fixed
 * buffers and is printable. */
#include "cnictl_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cniname.h"
#include "portrate.h"

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* A string that fits size bytes, printable, non-empty unless optional. */
static int arg_text(struct req *r, struct json_object *o, const char *key, bool required,
		    char *out, size_t size)
{
	struct json_object *v;
	const char *s;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v))
		return required ? control_bad(r, "missing argument \"%s\"", key) : 0;
	if (!json_object_is_type(v, json_type_string))
		return control_bad(r, "%s: expected a string", key);
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v) || !printable(s))
		return control_bad(r, "%s: contains control characters", key);
	if (strlen(s) >= size || (required && !*s))
		return control_bad(r, "%s: expected 1..%zu characters", key, size - 1);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int cnictl_arg_attachment(struct req *r, struct pod *p)
{
	if (arg_text(r, r->args, "container_id", true, p->container_id, sizeof(p->container_id)))
		return -EINVAL;
	if (!cniname_id_valid(p->container_id))
		return control_bad(r, "container_id: \"%.64s\" is not a CNI container id "
				   "(alphanumeric first, then alphanumerics, '_', '.', '-')",
				   p->container_id);
	return control_arg_ifname(r, p->ifname);
}

int cnictl_arg_netns(struct req *r, bool required, struct pod *p)
{
	if (arg_text(r, r->args, "netns", required, p->netns, sizeof(p->netns)))
		return -EINVAL;
	if (p->netns[0] && p->netns[0] != '/')
		return control_bad(r, "netns: expected an absolute path");
	return 0;
}

int cnictl_arg_network(struct req *r, bool required, char out[POD_NET_LEN])
{
	return arg_text(r, r->args, "network", required, out, POD_NET_LEN);
}

static int arg_k8s(struct req *r, struct pod *p)
{
	static const char *const keys[] = { "namespace", "name", "uid", NULL };
	struct json_object *k;

	if (!json_object_object_get_ex(r->args, "k8s", &k))
		return 0;
	if (!json_object_is_type(k, json_type_object))
		return control_bad(r, "k8s: expected an object");
	json_object_object_foreach(k, key, val) {
		const char *const *a;

		(void)val;
		for (a = keys; *a && strcmp(*a, key); a++)
			;
		if (!*a)
			return control_bad(r, "k8s: unknown key \"%.32s\"", key);
	}
	if (arg_text(r, k, "namespace", false, p->k8s_namespace, sizeof(p->k8s_namespace)) ||
	    arg_text(r, k, "name", false, p->k8s_name, sizeof(p->k8s_name)) ||
	    arg_text(r, k, "uid", false, p->k8s_uid, sizeof(p->k8s_uid)))
		return -EINVAL;
	return 0;
}

static int arg_mtu(struct req *r, struct pod *p)
{
	struct json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(r->args, "mtu", &v))
		return 0;
	x = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
	/* 68: IPv4's smallest (RFC 791); 65535: a veth's largest. */
	if (x < 68 || x > 65535)
		return control_bad(r, "mtu: expected an integer 68..65535");
	p->mtu = (uint32_t)x;
	return 0;
}

/* An optional integer in min..max (0 when absent). */
static int arg_u64(struct req *r, const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	struct json_object *v;
	int64_t x;

	*out = 0;
	if (!json_object_object_get_ex(r->args, key, &v))
		return 0;
	x = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
	if (x < 0 || (uint64_t)x < min || (uint64_t)x > max)
		return control_bad(r, "%s: expected an integer %llu..%llu", key,
				   (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)x;
	return 0;
}

/* The pod's egress limit (cnictl.h): a rate in bits/s, a burst in bits
 * only with it. */
static int arg_egress(struct req *r, struct pod *p)
{
	if (arg_u64(r, "egress_rate", PORTRATE_MIN_RATE, PORTRATE_MAX_RATE, &p->egress_rate) ||
	    arg_u64(r, "egress_burst", 1, PORTRATE_MAX_BURST_BITS, &p->egress_burst))
		return -EINVAL;
	if (p->egress_burst && !p->egress_rate)
		return control_bad(r, "egress_burst: given without egress_rate");
	return 0;
}

int cnictl_arg_pod(struct req *r, bool with_extras, struct pod *p)
{
	bool has6;

	memset(p, 0, sizeof(*p));
	if (cnictl_arg_attachment(r, p) || cnictl_arg_netns(r, true, p) ||
	    cnictl_arg_network(r, true, p->network) || control_arg_vni(r, true, NULL, &p->vni))
		return -EINVAL;
	/* ip, ip6 or both (cnictl.h). */
	if (control_arg_host_ip6(r, "ip6", false, &has6, p->ip6) ||
	    control_arg_host_ip(r, "ip", !has6, NULL, &p->ip))
		return -EINVAL;
	if (arg_egress(r, p) || (with_extras && (arg_mtu(r, p) || arg_k8s(r, p))))
		return -EINVAL;
	return 0;
}
