/* control_dispatch.c - one control request, from its JSON to its reply
 * (control_dispatch() of control.h), with no socket in sight.
 *
 * Every request is validated here (shape, types, ranges, addresses) before
 * the daemon is called, and every refusal is a reply, never a crash. The
 * argument readers are control_args.c's, shared with control_bgp.c and
 * control_status.c.
 */
#include "control_priv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ctlproto.h"
#include "log.h"
#include "vtep_maps.h"

static int daemon_failed(struct req *r, int ret)
{
	if (!r->err[0])
		snprintf(r->err, sizeof(r->err), "%s", strerror(ret < 0 ? -ret : EIO));
	return ret < 0 ? ret : -EIO;
}

static int do_routes_add(struct req *r)
{
	static const char *const keys[] = { "vni", "prefix", "vtep", "mac", NULL };
	struct cfg_route rt = { 0 };
	const char *mac;

	if (control_check_keys(r, keys) || control_arg_vni(r, true, NULL, &rt.vni) ||
	    control_arg_route_prefix(r, &rt) ||
	    control_arg_host_ip(r, "vtep", true, NULL, &rt.vtep) ||
	    control_arg_str(r, "mac", true, &mac) || control_parse_mac(r, mac, rt.mac))
		return -EINVAL;
	int ret = r->ops->route_add(r->d, &rt, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_routes_del(struct req *r)
{
	static const char *const keys[] = { "vni", "prefix", NULL };
	struct cfg_route key = { 0 };

	if (control_check_keys(r, keys) || control_arg_vni(r, true, NULL, &key.vni) ||
	    control_arg_route_prefix(r, &key))
		return -EINVAL;
	int ret = r->ops->route_del(r->d, &key, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_ports_add(struct req *r)
{
	static const char *const keys[] = { "ifname", "vni", "ip", "mac", "ip6", NULL };
	struct cfg_port p = { 0 };
	bool has_ip6 = false;
	const char *mac;

	/* ip may be left out when ip6 is given (an IPv6-only workload) */
	if (control_check_keys(r, keys) || control_arg_ifname(r, p.ifname) ||
	    control_arg_vni(r, true, NULL, &p.vni) ||
	    control_arg_host_ip6(r, "ip6", false, &has_ip6, p.ip6) ||
	    control_arg_host_ip(r, "ip", !has_ip6, NULL, &p.ip) ||
	    control_arg_str(r, "mac", false, &mac))
		return -EINVAL;
	if (!mac || !strcmp(mac, "auto"))
		p.mac_auto = true;
	else if (control_parse_mac(r, mac, p.mac))
		return -EINVAL;
	int ret = r->ops->port_add(r->d, &p, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_ports_del(struct req *r)
{
	static const char *const keys[] = { "ifname", NULL };
	char ifname[CFG_IFNAMSIZ];

	if (control_check_keys(r, keys) || control_arg_ifname(r, ifname))
		return -EINVAL;
	int ret = r->ops->port_del(r->d, ifname, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_reload(struct req *r)
{
	static const char *const keys[] = { NULL };

	if (control_check_keys(r, keys))
		return -EINVAL;
	int ret = r->ops->reload(r->d, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_version(struct req *r)
{
	static const char *const keys[] = { NULL };

	if (control_check_keys(r, keys))
		return -EINVAL;
	r->data = json_object_new_object();
	if (!r->data)
		return -ENOMEM;
	json_object_object_add(r->data, "version", json_object_new_string(VTEP_VERSION));
	json_object_object_add(r->data, "layout_version",
			       json_object_new_int(VTEP_LAYOUT_VERSION));
	return 0;
}

static const struct {
	const char *cmd;
	int (*fn)(struct req *r);
} handlers[] = {
	{ CTLPROTO_CMD_ROUTES_ADD, do_routes_add },
	{ CTLPROTO_CMD_ROUTES_DEL, do_routes_del },
	{ CTLPROTO_CMD_PORTS_ADD,  do_ports_add },
	{ CTLPROTO_CMD_PORTS_DEL,  do_ports_del },
	{ CTLPROTO_CMD_RELOAD,     do_reload },
	{ CTLPROTO_CMD_PEERS,      control_do_peers },
	{ CTLPROTO_CMD_BGP_ROUTES, control_do_bgp_routes },
	{ CTLPROTO_CMD_VERSION,    do_version },
	{ CTLPROTO_CMD_STATUS,     control_do_status },
	{ CTLPROTO_CMD_PODS,       control_do_pods },
};

char *control_dispatch(struct daemon *d, const struct control_ops *ops,
		       const char *msg, size_t len, uint64_t *errors)
{
	struct req r = { .d = d, .ops = ops };
	struct json_object *root = NULL;
	const char *cmd = NULL;
	char *reply;
	int ret;

	ret = ctlproto_decode_request(msg, len, &root, &cmd, &r.args, r.err, sizeof(r.err));
	if (ret) {
		r.bad_request = true;
		goto done;
	}
	ret = -ENOENT;
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (strcmp(handlers[i].cmd, cmd))
			continue;
		ret = handlers[i].fn(&r);
		if (ret == -ENOMEM && !r.err[0])
			snprintf(r.err, sizeof(r.err), "out of memory");
		break;
	}
	if (ret == -ENOENT && !r.err[0])
		control_bad(&r, "unknown command \"%.64s\"", cmd);
	if (ret) {
		if (log_level >= LOG_LVL_DEBUG) {
			char c[CONTROL_LOG_TEXT(64)], e[CONTROL_LOG_TEXT(CFG_ERR_LEN)];

			log_debug("control: %s refused: %s", control_log_text(cmd, c, sizeof(c)),
				  control_log_text(r.err, e, sizeof(e)));
		}
	} else if (strcmp(cmd, CTLPROTO_CMD_PEERS) && strcmp(cmd, CTLPROTO_CMD_BGP_ROUTES) &&
		 strcmp(cmd, CTLPROTO_CMD_VERSION) && strcmp(cmd, CTLPROTO_CMD_STATUS) &&
		 strcmp(cmd, CTLPROTO_CMD_PODS))
		log_info("control: %s done", cmd);
done:
	if (ret && r.bad_request && errors)
		(*errors)++;
	reply = ret ? ctlproto_encode_error(r.err, NULL)
		    : ctlproto_encode_ok_note(r.data, r.note, NULL);
	if (!reply && !ret && errno == EMSGSIZE) {
		/* A reply the protocol cannot carry (a big RIB): say so, and
		 * how to ask for less, rather than close without a word. */
		snprintf(r.err, sizeof(r.err), "the reply is over %d bytes: narrow it down%s",
			 CTLPROTO_MAX_MSG, strcmp(cmd, CTLPROTO_CMD_BGP_ROUTES) ? ""
			 : " (bgp routes: vni N, peer A, prefix P)");
		reply = ctlproto_encode_error(r.err, NULL);
	}
	json_object_put(r.data);
	json_object_put(root);
	return reply;
}
