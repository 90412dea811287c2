/* control_pods.c - the pods reply (vtepctl pods): the CNI service's
 * attachments as vtepd holds them (conf/pods.h), sorted by container id
 * and interface so that two listings of the same pods are the same bytes.
 * "ip" and "ip6" are null for a family the pod does not have (a dual-stack
 * pod has both), as in the ports reply. */
#include "control_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "addr6.h"

static int by_attachment(const void *a, const void *b)
{
	const struct pod *x = *(const struct pod *const *)a, *y = *(const struct pod *const *)b;
	int c = strcmp(x->container_id, y->container_id);

	return c ? c : strcmp(x->ifname, y->ifname);
}

static int put(struct json_object *o, const char *k, struct json_object *v)
{
	if (!v || json_object_object_add(o, k, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static struct json_object *str_or_null(const char *s)
{
	return s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *pod_json(const struct pod *p)
{
	struct json_object *o = json_object_new_object();
	char a[ADDR_IP_STRLEN], a6[ADDR6_STRLEN], m[ADDR_MAC_STRLEN];

	if (!o || put(o, "container_id", json_object_new_string(p->container_id)) ||
	    put(o, "netns", json_object_new_string(p->netns)) ||
	    put(o, "ifname", json_object_new_string(p->ifname)) ||
	    put(o, "host_ifname", json_object_new_string(p->host_ifname)) ||
	    put(o, "vni", json_object_new_int64(p->vni)) ||
	    put(o, "mac", json_object_new_string(addr_fmt_mac(p->mac, m))) ||
	    put(o, "mtu", json_object_new_int64(p->mtu)) ||
	    put(o, "network", json_object_new_string(p->network))) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "ip", p->ip ? json_object_new_string(addr_fmt_ip(p->ip, a))
					      : NULL);
	json_object_object_add(o, "ip6", addr6_is_zero(p->ip6) ? NULL
				   : json_object_new_string(addr6_fmt(p->ip6, a6)));
	/* null, not "", for what CNI_ARGS did not say */
	json_object_object_add(o, "k8s_namespace", str_or_null(p->k8s_namespace));
	json_object_object_add(o, "k8s_name", str_or_null(p->k8s_name));
	json_object_object_add(o, "k8s_uid", str_or_null(p->k8s_uid));
	/* the egress limit as the runtime asked it (bits/s, bits): null
	 * without one, a null burst for the default */
	json_object_object_add(o, "egress_rate", p->egress_rate ?
			       json_object_new_int64((int64_t)p->egress_rate) : NULL);
	json_object_object_add(o, "egress_burst", p->egress_burst ?
			       json_object_new_int64((int64_t)p->egress_burst) : NULL);
	return o;
}

int control_do_pods(struct req *r)
{
	static const char *const keys[] = { NULL };
	const struct pods *ps = r->ops->pods ? r->ops->pods(r->d) : NULL;
	const struct pod **v = NULL;
	size_t n = ps ? ps->n : 0;

	if (control_check_keys(r, keys))
		return -EINVAL;
	r->data = json_object_new_array();
	if (!r->data || (n && !(v = calloc(n, sizeof(*v))))) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = &ps->v[i];
	qsort(v, n, sizeof(*v), by_attachment);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = pod_json(v[i]);

		if (!o || json_object_array_add(r->data, o)) {
			json_object_put(o);
			free(v);
			return -ENOMEM;
		}
	}
	free(v);
	return 0;
}
