/* cni_cmd_net.c - GC and STATUS (cni_cmd.h): the commands of a whole
 * network, with no attachment in the environment. */
#include "cni_cmd.h"

#include <stdio.h>
#include <string.h>

#include "cni_client.h"
#include "cni_exec.h"
#include "cni_ver.h"
#include "ctlproto.h"

static struct cni_exec ipam_of(const struct cni_req *r, const char *command)
{
	return (struct cni_exec){ .type = r->conf.ipam_type, .path = r->env.path,
				  .command = command, .stdin_text = r->ipam_text ? r->ipam_text : r->stdin_text,
				  .stdin_len = r->ipam_text ? r->ipam_len : r->stdin_len };
}

static struct json_object *gc_args(const struct cni_req *r)
{
	struct json_object *a = json_object_new_object(), *l = json_object_new_array();

	if (!a || !l || json_object_object_add(a, "valid", l)) {
		json_object_put(l);
		json_object_put(a);
		return NULL;
	}
	json_object_object_add(a, "network", json_object_new_string(r->conf.name));
	for (size_t i = 0; i < r->conf.n_valid; i++) {
		struct json_object *o = json_object_new_object();

		if (!o || json_object_array_add(l, o)) {
			json_object_put(o);
			json_object_put(a);
			return NULL;
		}
		json_object_object_add(o, "container_id",
				       json_object_new_string(r->conf.valid[i].container_id));
		json_object_object_add(o, "ifname", json_object_new_string(r->conf.valid[i].ifname));
	}
	return a;
}

/* The delegate's own GC or STATUS, when it speaks 1.1.0. host-local of
 * containernetworking-plugins 1.1.1 (Debian 12) lists versions up to
 * 1.0.0 and has neither: said on stderr, not an error. */
static int ipam_if_speaks(const struct cni_req *r, const char *command, struct cni_err *e)
{
	struct cni_exec x = ipam_of(r, command);
	struct json_object *out = NULL;
	int yes, ret;

	if (!r->conf.ipam_type)
		return 0;
	yes = cni_exec_speaks(&x, CNI_VER_NEWEST, e);
	if (yes < 0)
		return yes;
	if (!yes) {
		fprintf(stderr, "vtepd-cni: %s: IPAM plugin %s does not speak CNI %s: no %s sent "
			"to it\n", command, x.type, CNI_VER_NEWEST, command);
		return 0;
	}
	ret = cni_exec_run(&x, &out, e);
	json_object_put(out);
	return ret;
}

/* An attachment vtepd removed: its address goes back to IPAM through a DEL
 * with that attachment's parameters (the netns is gone or unknown, which
 * the spec allows on DEL), so a node whose IPAM has no GC of its own still
 * gets its addresses back. */
static int release_one(const struct cni_req *r, struct json_object *o, struct cni_err *e)
{
	struct json_object *cid, *ifn, *out = NULL;
	char v_cid[CNINAME_ID_MAX + 32], v_ifn[48];
	const char *env[] = { v_cid, v_ifn, "CNI_NETNS=", NULL };
	struct cni_exec x = ipam_of(r, "DEL");
	int ret;

	if (!json_object_object_get_ex(o, "container_id", &cid) ||
	    !json_object_object_get_ex(o, "ifname", &ifn) ||
	    !json_object_is_type(cid, json_type_string) || !json_object_is_type(ifn, json_type_string) ||
	    !cniname_id_valid(json_object_get_string(cid)) ||
	    !cniname_ifname_valid(json_object_get_string(ifn)))
		return cni_fail(e, CNI_EVTEPD, "vtepd's cni.gc reply: a malformed attachment");
	snprintf(v_cid, sizeof(v_cid), "CNI_CONTAINERID=%s", json_object_get_string(cid));
	snprintf(v_ifn, sizeof(v_ifn), "CNI_IFNAME=%s", json_object_get_string(ifn));
	x.env = env;
	ret = cni_exec_run(&x, &out, e);
	json_object_put(out);
	if (!ret)
		fprintf(stderr, "vtepd-cni: GC: removed %s/%s and released its address\n",
			json_object_get_string(cid), json_object_get_string(ifn));
	return ret;
}

int cni_cmd_gc(struct cni_req *r, struct cni_err *e)
{
	struct json_object *args = gc_args(r), *removed;
	struct cni_err first = { 0 };
	struct cni_reply rep;
	int ret;

	if (!args)
		return cni_fail(e, CNI_EIO, "out of memory");
	ret = cni_call(r->conf.socket, "cni.gc", args, CNI_TIMEOUT_ADD_MS, &rep, e);
	json_object_put(args);
	if (ret)
		return ret;
	/* Section 2, GC: "If an error is encountered, a plugin should continue;
	 * removing as many resources as possible, and report the errors". */
	if (r->conf.ipam_type && json_object_object_get_ex(rep.data, "removed", &removed) &&
	    json_object_is_type(removed, json_type_array))
		for (size_t i = 0; i < json_object_array_length(removed); i++)
			if (release_one(r, json_object_array_get_idx(removed, i), e) && !first.code)
				first = *e;
	cni_reply_free(&rep);
	if (ipam_if_speaks(r, "GC", e) && !first.code)
		first = *e;
	if (first.code) {
		*e = first;
		return -e->code;
	}
	return 0;
}

int cni_cmd_status(struct cni_req *r, struct cni_err *e)
{
	struct cni_reply rep;
	int ret;

	ret = cni_call(r->conf.socket, "cni.status", NULL, CNI_TIMEOUT_OTHER_MS, &rep, e);
	if (ret) {
		/* STATUS speaks in 50 and 51 (section 2): vtepd unreachable or
		 * not ready is "cannot service ADD"; pods already attached keep
		 * forwarding (the datapath does not need vtepd), so not 51. */
		char d[CNI_ERR_DETAILS_LEN];

		snprintf(d, sizeof(d), "%s", e->details);
		return cni_fail(e, CNI_EUNAVAILABLE, "%s", d);
	}
	cni_reply_free(&rep);
	return ipam_if_speaks(r, "STATUS", e);
}
