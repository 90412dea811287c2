/* control_dispatch.c - one control request, from its JSON to its reply
 * (control_dispatch() of control.h), with no socket in sight.
 *
 * Every request is validated here (shape, types, ranges, addresses) before
 * the daemon is called, and every refusal is a reply, never a crash. The
 * argument readers are shared with control_bgp.c through control_priv.h.
 */
#include "control_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "addr.h"
#include "ctlproto.h"
#include "log.h"
#include "vtep_maps.h"

static int bad(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->bad_request = true;
	return -EINVAL;
}

/* Refuses any argument not in allowed (NULL-terminated). */
int control_check_keys(struct req *r, const char *const *allowed)
{
	json_object_object_foreach(r->args, key, val) {
		const char *const *a;

		(void)val;
		for (a = allowed; *a; a++)
			if (!strcmp(*a, key))
				break;
		if (!*a)
			return bad(r, "unknown argument \"%.64s\"", key);
	}
	return 0;
}

static struct json_object *arg(struct req *r, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(r->args, key, &v) ? v : NULL;
}

int control_arg_vni(struct req *r, bool required, bool *present, uint32_t *vni)
{
	struct json_object *v = arg(r, "vni");
	int64_t x;

	if (present)
		*present = v != NULL;
	if (!v)
		return required ? bad(r, "missing argument \"vni\"") : 0;
	if (!json_object_is_type(v, json_type_int))
		return bad(r, "vni: expected an integer 1..%u", CTLPROTO_VNI_MAX);
	x = json_object_get_int64(v);
	/* json-c saturates out-of-range numbers at INT64_MIN/MAX. */
	if (x < 1 || x > CTLPROTO_VNI_MAX)
		return bad(r, "vni: expected an integer 1..%u", CTLPROTO_VNI_MAX);
	*vni = (uint32_t)x;
	return 0;
}

static int arg_str(struct req *r, const char *key, bool required, const char **s)
{
	struct json_object *v = arg(r, key);

	*s = NULL;
	if (!v)
		return required ? bad(r, "missing argument \"%s\"", key) : 0;
	if (!json_object_is_type(v, json_type_string))
		return bad(r, "%s: expected a string", key);
	*s = json_object_get_string(v);
	/* A "\u0000" inside would silently cut the string short. */
	if (strlen(*s) != (size_t)json_object_get_string_len(v))
		return bad(r, "%s: contains a NUL character", key);
	return 0;
}

/* A unicast host address: not 0.0.0.0, broadcast, multicast or loopback. */
int control_arg_host_ip(struct req *r, const char *key, bool required, bool *present,
			uint32_t *ip)
{
	const char *s;
	uint32_t a, h;

	if (present)
		*present = false;
	if (arg_str(r, key, required, &s))
		return -EINVAL;
	if (!s)
		return 0;
	if (addr_parse_ip(s, &a))
		return bad(r, "%s: \"%.64s\" is not an IPv4 address", key, s);
	h = ntohl(a);
	if (h == 0 || h == 0xffffffffu || (h >> 28) == 0xe || (h >> 24) == 127)
		return bad(r, "%s: %.64s is not a unicast host address", key, s);
	*ip = a;
	if (present)
		*present = true;
	return 0;
}

static int arg_prefix(struct req *r, uint32_t *ip, uint8_t *len)
{
	const char *s;

	if (arg_str(r, "prefix", true, &s))
		return -EINVAL;
	if (addr_parse_prefix(s, ip, len, 0))
		return bad(r, "prefix: \"%.64s\" is not A.B.C.D/LEN without host bits", s);
	return 0;
}

/* A workload or remote MAC: unicast and not all zero. */
static int parse_unicast_mac(struct req *r, const char *s, uint8_t mac[6])
{
	if (addr_parse_mac(s, mac))
		return bad(r, "mac: \"%.64s\" is not a MAC address (xx:xx:xx:xx:xx:xx)", s);
	if (addr_mac_is_zero(mac) || (mac[0] & 1))
		return bad(r, "mac: %.64s is not a unicast address", s);
	return 0;
}

/* Linux's dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or
 * whitespace. */
static int arg_ifname(struct req *r, char out[CFG_IFNAMSIZ])
{
	const char *s;
	size_t n;

	if (arg_str(r, "ifname", true, &s))
		return -EINVAL;
	n = strlen(s);
	if (n == 0 || n >= CFG_IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return bad(r, "ifname: expected an interface name of 1..%d characters",
			   CFG_IFNAMSIZ - 1);
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || (unsigned char)s[i] <= ' ' ||
		    (unsigned char)s[i] == 0x7f)
			return bad(r, "ifname: invalid character in \"%.32s\"", s);
	memcpy(out, s, n + 1);
	return 0;
}

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
	    arg_prefix(r, &rt.prefix, &rt.prefixlen) ||
	    control_arg_host_ip(r, "vtep", true, NULL, &rt.vtep) ||
	    arg_str(r, "mac", true, &mac) || parse_unicast_mac(r, mac, rt.mac))
		return -EINVAL;
	int ret = r->ops->route_add(r->d, &rt, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_routes_del(struct req *r)
{
	static const char *const keys[] = { "vni", "prefix", NULL };
	uint32_t vni, ip;
	uint8_t len;

	if (control_check_keys(r, keys) || control_arg_vni(r, true, NULL, &vni) ||
	    arg_prefix(r, &ip, &len))
		return -EINVAL;
	int ret = r->ops->route_del(r->d, vni, ip, len, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_ports_add(struct req *r)
{
	static const char *const keys[] = { "ifname", "vni", "ip", "mac", NULL };
	struct cfg_port p = { 0 };
	const char *mac;

	if (control_check_keys(r, keys) || arg_ifname(r, p.ifname) ||
	    control_arg_vni(r, true, NULL, &p.vni) ||
	    control_arg_host_ip(r, "ip", true, NULL, &p.ip) || arg_str(r, "mac", false, &mac))
		return -EINVAL;
	if (!mac || !strcmp(mac, "auto"))
		p.mac_auto = true;
	else if (parse_unicast_mac(r, mac, p.mac))
		return -EINVAL;
	int ret = r->ops->port_add(r->d, &p, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_ports_del(struct req *r)
{
	static const char *const keys[] = { "ifname", NULL };
	char ifname[CFG_IFNAMSIZ];

	if (control_check_keys(r, keys) || arg_ifname(r, ifname))
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
		bad(&r, "unknown command \"%.64s\"", cmd);
	if (ret)
		log_debug("control: %s refused: %s", cmd, r.err);
	else if (strcmp(cmd, CTLPROTO_CMD_PEERS) && strcmp(cmd, CTLPROTO_CMD_BGP_ROUTES) &&
		 strcmp(cmd, CTLPROTO_CMD_VERSION) && strcmp(cmd, CTLPROTO_CMD_STATUS))
		log_info("control: %s done", cmd);
done:
	if (ret && r.bad_request && errors)
		(*errors)++;
	reply = ret ? ctlproto_encode_error(r.err, NULL)
		    : ctlproto_encode_ok_note(r.data, r.note, NULL);
	json_object_put(r.data);
	json_object_put(root);
	return reply;
}
