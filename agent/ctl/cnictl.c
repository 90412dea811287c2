/* cnictl.c - the CNI socket (cnictl.h): the server is control.c's; this
 * file validates each request, calls the daemon, and shapes the reply. */
#include "cnictl_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "addr6.h"
#include "cniname.h"
#include "ctlproto.h"
#include "log.h"

#define CNICTL_MAX_VALID 65536

struct cni_req {
	struct req r;
	const struct cnictl_ops *ops;
	bool requester_gone;
};

/* The CNI spec's error code for a daemon error (SPEC.md section 5). */
static int cni_code(const struct req *r, int ret)
{
	if (r->bad_request || ret == -EINVAL || ret == -EEXIST)
		return 7;       /* invalid network config */
	if (ret == -ENOENT)
		return 3;       /* container unknown or does not exist */
	if (ret == -EAGAIN || ret == -EBUSY || ret == -ETIMEDOUT)
		return 11;      /* try again later */
	return 100;
}

static int failed(struct req *r, int ret)
{
	if (!r->err[0])
		snprintf(r->err, sizeof(r->err), "%s", strerror(ret < 0 ? -ret : EIO));
	return ret < 0 ? ret : -EIO;
}

static int put(struct json_object *o, const char *k, struct json_object *v)
{
	if (!v || json_object_object_add(o, k, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int reply_made(struct req *r, const struct cnictl_made *m)
{
	char a[ADDR_IP_STRLEN], g[ADDR_IP_STRLEN], hm[ADDR_MAC_STRLEN], pm[ADDR_MAC_STRLEN];
	char a6[ADDR6_STRLEN], g6[ADDR6_STRLEN];
	bool v6 = !addr6_is_zero(m->ip6);

	r->data = json_object_new_object();
	if (!r->data || put(r->data, "host_ifname", json_object_new_string(m->host_ifname)) ||
	    put(r->data, "host_mac", json_object_new_string(addr_fmt_mac(m->host_mac, hm))) ||
	    put(r->data, "mac", json_object_new_string(addr_fmt_mac(m->mac, pm))) ||
	    put(r->data, "mtu", json_object_new_int64(m->mtu)))
		return -ENOMEM;
	if (m->ip && (put(r->data, "ip", json_object_new_string(addr_fmt_ip(m->ip, a))) ||
		      put(r->data, "gateway", json_object_new_string(addr_fmt_ip(m->gateway, g)))))
		return -ENOMEM;
	if (v6 && (put(r->data, "ip6", json_object_new_string(addr6_fmt(m->ip6, a6))) ||
		   put(r->data, "gateway6", json_object_new_string(addr6_fmt(m->gateway6, g6)))))
		return -ENOMEM;
	return 0;
}

static int do_add(struct cni_req *c)
{
	static const char *const keys[] = { "container_id", "ifname", "netns", "network", "vni",
					    "ip", "ip6", "mtu", "k8s", "egress_rate", "egress_burst",
					    NULL };
	struct cnictl_made m;
	struct pod p;
	int ret;

	if (control_check_keys(&c->r, keys) || cnictl_arg_pod(&c->r, true, &p))
		return -EINVAL;
	if (c->requester_gone) {
		snprintf(c->r.err, sizeof(c->r.err),
			 "%s/%s: not done: the plugin stopped waiting before vtepd got to it",
			 p.container_id, p.ifname);
		return -ETIMEDOUT;
	}
	ret = c->ops->add(c->r.d, &p, &m, c->r.err);
	return ret ? failed(&c->r, ret) : reply_made(&c->r, &m);
}

static int do_del(struct cni_req *c)
{
	static const char *const keys[] = { "container_id", "ifname", "network", "netns", NULL };
	char net[POD_NET_LEN];
	bool removed = false;
	struct pod p;
	int ret;

	memset(&p, 0, sizeof(p));
	if (control_check_keys(&c->r, keys) || cnictl_arg_attachment(&c->r, &p) ||
	    cnictl_arg_network(&c->r, false, net) || cnictl_arg_netns(&c->r, false, &p))
		return -EINVAL;
	ret = c->ops->del(c->r.d, p.container_id, p.ifname, &removed, c->r.err);
	if (ret)
		return failed(&c->r, ret);
	c->r.data = json_object_new_object();
	return c->r.data ? put(c->r.data, "removed", json_object_new_boolean(removed)) : -ENOMEM;
}

static int do_check(struct cni_req *c)
{
	static const char *const keys[] = { "container_id", "ifname", "netns", "network", "vni",
					    "ip", "ip6", "egress_rate", "egress_burst", NULL };
	struct pod p;
	int ret;

	if (control_check_keys(&c->r, keys) || cnictl_arg_pod(&c->r, false, &p))
		return -EINVAL;
	ret = c->ops->check(c->r.d, &p, c->r.err);
	return ret ? failed(&c->r, ret) : 0;
}

/* cni.gc's valid list, checked entry by entry. */
static int arg_valid(struct req *r, struct cnictl_attachment **out, size_t *n)
{
	struct json_object *l;

	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(r->args, "valid", &l))
		return control_bad(r, "missing argument \"valid\"");
	if (!json_object_is_type(l, json_type_array) ||
	    json_object_array_length(l) > CNICTL_MAX_VALID)
		return control_bad(r, "valid: expected a list of at most %d attachments",
				   CNICTL_MAX_VALID);
	*out = calloc(json_object_array_length(l) + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < json_object_array_length(l); i++) {
		struct json_object *o = json_object_array_get_idx(l, i), *cid, *ifn;

		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, "container_id", &cid) ||
		    !json_object_object_get_ex(o, "ifname", &ifn) ||
		    !json_object_is_type(cid, json_type_string) ||
		    !json_object_is_type(ifn, json_type_string))
			return control_bad(r, "valid[%zu]: expected {container_id, ifname}", i);
		/* An entry that cannot name an attachment of ours (a runtime's
		 * other plugins may use other ids) keeps nothing alive. */
		(*out)[*n].container_id = json_object_get_string(cid);
		(*out)[*n].ifname = json_object_get_string(ifn);
		(*n)++;
	}
	return 0;
}

static void gc_removed(void *ctx, const struct pod *p)
{
	struct json_object *l = ctx, *o = json_object_new_object();

	if (!o || put(o, "container_id", json_object_new_string(p->container_id)) ||
	    put(o, "ifname", json_object_new_string(p->ifname)) || json_object_array_add(l, o))
		json_object_put(o);
}

static int do_gc(struct cni_req *c)
{
	static const char *const keys[] = { "network", "valid", NULL };
	struct cnictl_attachment *valid = NULL;
	struct json_object *removed;
	char net[POD_NET_LEN];
	size_t n = 0;
	int ret;

	if (control_check_keys(&c->r, keys) || cnictl_arg_network(&c->r, true, net) ||
	    arg_valid(&c->r, &valid, &n)) {
		free(valid);
		return c->r.bad_request ? -EINVAL : -ENOMEM;
	}
	c->r.data = json_object_new_object();
	removed = json_object_new_array();
	if (!c->r.data || put(c->r.data, "removed", removed)) {
		free(valid);
		return -ENOMEM;
	}
	ret = c->ops->gc(c->r.d, net, valid, n, gc_removed, removed, c->r.err);
	free(valid);
	return ret ? failed(&c->r, ret) : 0;
}

static int do_status(struct cni_req *c)
{
	static const char *const keys[] = { NULL };

	if (control_check_keys(&c->r, keys))
		return -EINVAL;
	c->r.data = json_object_new_object();
	if (!c->r.data || put(c->r.data, "ready", json_object_new_boolean(1)) ||
	    put(c->r.data, "pods", json_object_new_int64((int64_t)c->ops->count(c->r.d))))
		return -ENOMEM;
	return 0;
}

static const struct {
	const char *cmd;
	int (*fn)(struct cni_req *c);
} handlers[] = {
	{ CNICTL_CMD_ADD, do_add },
	{ CNICTL_CMD_DEL, do_del },
	{ CNICTL_CMD_CHECK, do_check },
	{ CNICTL_CMD_GC, do_gc },
	{ CNICTL_CMD_STATUS, do_status },
};

static int run(struct cni_req *c, const char *cmd)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (!strcmp(handlers[i].cmd, cmd)) {
			int ret = handlers[i].fn(c);

			if (ret == -ENOMEM && !c->r.err[0])
				snprintf(c->r.err, sizeof(c->r.err), "out of memory");
			return ret;
		}
	return control_bad(&c->r, "unknown command \"%.64s\"", cmd);
}

char *cnictl_dispatch(struct daemon *d, const struct cnictl_ops *ops, const char *msg,
		      size_t len, uint64_t *errors, bool requester_gone)
{
	struct cni_req c = { .r = { .d = d }, .ops = ops, .requester_gone = requester_gone };
	struct json_object *root = NULL;
	const char *cmd = NULL;
	char *reply;
	int ret;

	ret = ctlproto_decode_request(msg, len, &root, &cmd, &c.r.args, c.r.err, sizeof(c.r.err));
	if (ret)
		c.r.bad_request = true;
	else
		ret = run(&c, cmd);
	if (ret && c.r.bad_request && errors)
		(*errors)++;
	if (ret && log_level >= LOG_LVL_INFO) {
		char ct[CONTROL_LOG_TEXT(64)], e[CONTROL_LOG_TEXT(CFG_ERR_LEN)];

		log_info("cni: %s refused: %s", cmd ? control_log_text(cmd, ct, sizeof(ct)) : "request",
			 control_log_text(c.r.err, e, sizeof(e)));
	}
	reply = ret ? ctlproto_encode_error_code(c.r.err, cni_code(&c.r, ret), NULL)
		    : ctlproto_encode_ok(c.r.data, NULL);
	json_object_put(c.r.data);
	json_object_put(root);
	return reply;
}

static char *serve(struct daemon *d, const void *ops, const char *msg, size_t len,
		   uint64_t *errors, int peer_fd)
{
	return cnictl_dispatch(d, ops, msg, len, errors, control_peer_gone(peer_fd));
}

int cnictl_open(struct daemon *d, const struct cnictl_ops *ops, const char *path,
		struct control **out)
{
	return control_open_server(d, ops, serve, CNICTL_MAX_CLIENTS, path, out);
}
