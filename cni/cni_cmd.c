/* cni_cmd.c - ADD, DEL and CHECK (cni_cmd.h): the commands of one
 * attachment (CNI_CONTAINERID, CNI_IFNAME). */
#include "cni_cmd.h"

#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "addr.h"
#include "addr6.h"
#include "cni_client.h"
#include "cni_exec.h"
#include "cni_result.h"
#include "cniname.h"
#include "ctlproto.h"

static struct cni_exec ipam_of(const struct cni_req *r, const char *command)
{
	return (struct cni_exec){ .type = r->conf.ipam_type, .path = r->env.path,
				  .command = command, .stdin_text = r->ipam_text ? r->ipam_text : r->stdin_text,
				  .stdin_len = r->ipam_text ? r->ipam_len : r->stdin_len };
}

static int add_s(struct json_object *o, const char *k, const char *v)
{
	struct json_object *s = json_object_new_string(v);

	if (!s || json_object_object_add(o, k, s)) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

static int add_i(struct json_object *o, const char *k, int64_t v)
{
	struct json_object *s = json_object_new_int64(v);

	if (!s || json_object_object_add(o, k, s)) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

/* The attachment's keys, common to cni.add, cni.del and cni.check. */
static struct json_object *attachment_args(const struct cni_req *r)
{
	struct json_object *a = json_object_new_object();

	if (!a || add_s(a, "container_id", r->env.container_id) ||
	    add_s(a, "ifname", r->env.ifname) || add_s(a, "network", r->conf.name) ||
	    (r->env.netns && add_s(a, "netns", r->env.netns))) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

/* "ip" and "ip6", each when the pod has that family. */
static int add_ips(struct json_object *a, const struct cni_addrs *ips)
{
	char s[ADDR_IP_STRLEN], s6[ADDR6_STRLEN];

	if (ips->ip && add_s(a, "ip", addr_fmt_ip(ips->ip, s)))
		return -1;
	if (!addr6_is_zero(ips->ip6) && add_s(a, "ip6", addr6_fmt(ips->ip6, s6)))
		return -1;
	return 0;
}

/* The pod's egress limit (cni_bw.h), when runtimeConfig asked for one. */
static int add_egress(struct json_object *a, const struct cni_conf *c)
{
	if (!c->bandwidth.egress_rate)
		return 0;
	if (add_i(a, "egress_rate", (int64_t)c->bandwidth.egress_rate))
		return -1;
	return c->bandwidth.egress_burst ?
		add_i(a, "egress_burst", (int64_t)c->bandwidth.egress_burst) : 0;
}

static struct json_object *add_args(const struct cni_req *r, const struct cni_addrs *ips)
{
	struct json_object *a = attachment_args(r), *k;

	if (!a || add_i(a, "vni", r->conf.vni) || add_ips(a, ips) ||
	    (r->conf.mtu && add_i(a, "mtu", r->conf.mtu)) || add_egress(a, &r->conf))
		goto fail;
	if (r->args.k8s_name[0] || r->args.k8s_namespace[0] || r->args.k8s_uid[0]) {
		k = json_object_new_object();
		if (!k || json_object_object_add(a, "k8s", k)) {
			json_object_put(k);
			goto fail;
		}
		if (add_s(k, "namespace", r->args.k8s_namespace) ||
		    add_s(k, "name", r->args.k8s_name) || add_s(k, "uid", r->args.k8s_uid))
			goto fail;
	}
	return a;
fail:
	json_object_put(a);
	return NULL;
}

/* Section 4: "If, on ADD, a delegated plugin fails, the upper plugin should
 * execute again with DEL before returning failure" - and so for any failure
 * after IPAM handed out an address. The first error stays the one we
 * report; the release's own failure only goes to stderr. */
static void ipam_release(const struct cni_req *r)
{
	struct cni_exec x = ipam_of(r, "DEL");
	struct json_object *out = NULL;
	struct cni_err e2 = { 0 };

	if (cni_exec_run(&x, &out, &e2))
		fprintf(stderr, "vtepd-cni: releasing the address failed: %s\n", e2.details);
	json_object_put(out);
}

static int vtepd_add(struct cni_req *r, struct json_object *ipam_res,
		     struct json_object **result, struct cni_err *e)
{
	struct cni_attach_info info;
	struct json_object *args;
	struct cni_reply rep;
	struct cni_addrs ips;

	if (cni_ipam_addrs(ipam_res, &ips, e))
		return -e->code;
	args = add_args(r, &ips);
	if (!args)
		return cni_fail(e, CNI_EIO, "out of memory");
	if (cni_call(r->conf.socket, "cni.add", args, CNI_TIMEOUT_ADD_MS, &rep, e)) {
		json_object_put(args);
		/* No answer (the deadline, or the connection lost): vtepd may
		 * have made the pod, or may still make it from its queue, and
		 * our caller is about to release the address. A DEL undoes it
		 * either way: vtepd serves its socket in order, so the DEL
		 * comes after an ADD it had already read, and an ADD it reads
		 * after we closed is not done (agent/ctl/cnictl.h). vtepd
		 * serves a DEL even when we stop waiting for its answer. */
		if (e->code == CNI_ETRYAGAIN) {
			args = attachment_args(r);
			if (args && !cni_call(r->conf.socket, "cni.del", args, CNI_TIMEOUT_OTHER_MS,
					      &rep, &(struct cni_err){ 0 }))
				cni_reply_free(&rep);
			json_object_put(args);
		}
		return -e->code;
	}
	json_object_put(args);
	if (!cni_info_from_reply(rep.data, &info, e))
		*result = cni_result_build(&r->conf, &r->env, &info, ipam_res);
	cni_reply_free(&rep);
	if (!*result && !e->code)
		cni_fail(e, CNI_EIO, "out of memory");
	if (e->code) {   /* vtepd made it, but we cannot report it: undo */
		args = attachment_args(r);
		if (args && !cni_call(r->conf.socket, "cni.del", args, CNI_TIMEOUT_OTHER_MS, &rep,
				      &(struct cni_err){ 0 }))
			cni_reply_free(&rep);
		json_object_put(args);
		return -e->code;
	}
	return 0;
}

int cni_cmd_add(struct cni_req *r, struct json_object **result, struct cni_err *e)
{
	struct cni_exec x = ipam_of(r, "ADD");
	struct json_object *ipam_res = NULL;
	struct cni_reply rep;

	/* Ask vtepd before taking an address: while it is down or starting
	 * (its CNI socket opens when it is ready) the runtime gets "try again
	 * later" and no IPAM state changes. */
	if (cni_call(r->conf.socket, "cni.status", NULL, CNI_TIMEOUT_OTHER_MS, &rep, e))
		return -e->code;
	cni_reply_free(&rep);
	if (cni_exec_run(&x, &ipam_res, e))
		return -e->code;
	if (!ipam_res) {
		ipam_release(r);
		return cni_fail(e, CNI_EIPAM, "IPAM plugin %s printed no result", x.type);
	}
	if (vtepd_add(r, ipam_res, result, e))
		ipam_release(r);
	json_object_put(ipam_res);
	return e->code ? -e->code : 0;
}

/* With vtepd unreachable: is anything of the attachment left on the host?
 * Its host interface is the one thing DEL removes that we can see; the
 * pod end goes with it, and when the pod's namespace is gone the kernel
 * has removed both (a veth pair dies with either end's namespace). */
static bool host_end_exists(const struct cni_req *r)
{
	char name[CNINAME_LEN + 1];

	cniname_host_ifname(r->env.container_id, r->env.ifname, name);
	return if_nametoindex(name) != 0;
}

int cni_cmd_del(struct cni_req *r, struct cni_err *e)
{
	struct json_object *args = attachment_args(r), *out = NULL;
	struct cni_reply rep;
	struct cni_exec x;
	int ret;

	if (!args)
		return cni_fail(e, CNI_EIO, "out of memory");
	ret = cni_call(r->conf.socket, "cni.del", args, CNI_TIMEOUT_OTHER_MS, &rep, e);
	json_object_put(args);
	if (ret == -CNI_ETRYAGAIN && !host_end_exists(r)) {
		fprintf(stderr, "vtepd-cni: DEL: %s; the attachment's interface is gone, "
			"nothing left to delete here\n", e->details);
		e->code = 0;
		e->msg[0] = e->details[0] = '\0';
		ret = 0;
	}
	if (ret)
		return ret;
	cni_reply_free(&rep);
	if (!r->conf.ipam_type)
		return 0;
	x = ipam_of(r, "DEL");
	ret = cni_exec_run(&x, &out, e);
	json_object_put(out);
	return ret;
}

int cni_cmd_check(struct cni_req *r, struct cni_err *e)
{
	struct json_object *args, *out = NULL;
	struct cni_addrs ips;
	struct cni_reply rep;
	struct cni_exec x;
	int ret;

	if (cni_result_find(r->conf.prev_result, r->env.ifname, r->env.netns, &ips, e))
		return -e->code;
	args = attachment_args(r);
	if (!args || add_i(args, "vni", r->conf.vni) || add_ips(args, &ips) ||
	    add_egress(args, &r->conf)) {
		json_object_put(args);
		return cni_fail(e, CNI_EIO, "out of memory");
	}
	ret = cni_call(r->conf.socket, "cni.check", args, CNI_TIMEOUT_OTHER_MS, &rep, e);
	json_object_put(args);
	if (ret)
		return ret;
	cni_reply_free(&rep);
	if (!r->conf.ipam_type)
		return 0;
	/* Section 2, CHECK: "The plugin should call CHECK on any delegated
	 * (e.g. IPAM) plugins and pass any errors on to its caller." */
	x = ipam_of(r, "CHECK");
	ret = cni_exec_run(&x, &out, e);
	json_object_put(out);
	return ret;
}
