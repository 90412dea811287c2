/* control.c - the control socket server (see control.h, lib/ctlproto.h).
 *
 * Everything is non-blocking and event driven from one private epoll set:
 * the listener, a timer that reaps idle clients, and the clients. Each client
 * owns an input buffer of CTLPROTO_MAX_MSG bytes and at most one pending
 * reply; while a reply is unsent the client is not read (back-pressure), so
 * a client that sends and never reads costs one buffer, never the loop.
 * Every request is validated here (shape, types, ranges, addresses) before
 * the daemon is called, and every refusal is a reply, never a crash.
 */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "ctlproto.h"
#include "evpn_nlri.h"
#include "log.h"
#include "rib.h"
#include "vtep_maps.h"

#define CONTROL_MAX_CLIENTS 32
#define CONTROL_IDLE_MS     10000   /* a client silent this long is dropped */
/* A request must be complete this long after its first byte: a client that
 * trickles bytes (slowloris) would otherwise hold a slot forever, and
 * CONTROL_MAX_CLIENTS of them would lock vtepctl out. */
#define CONTROL_REQUEST_MS  10000
#define CONTROL_TICK_S      2
#define CONTROL_BACKLOG     16
#define CONTROL_MAX_PEERS   4096

const struct control_ops control_daemon_ops = {
	.route_add = daemon_route_add,
	.route_del = daemon_route_del,
	.port_add  = daemon_port_add,
	.port_del  = daemon_port_del,
	.reload    = daemon_reload,
	.peers     = daemon_peers,
	.bgp_routes = daemon_bgp_routes,
	.config    = daemon_config,
};

struct client {
	int fd;
	char *in;              /* CTLPROTO_MAX_MSG bytes */
	size_t inlen;
	char *out;             /* the one pending reply */
	size_t outlen, outoff;
	bool eof;              /* the client shut down its write side */
	bool closing;          /* close once out is flushed */
	uint32_t events;       /* what epoll watches for it */
	long long last_ms;
	long long req_ms;      /* when the partial request in `in` began */
	struct client *prev, *next;
};

struct control {
	struct daemon *d;
	const struct control_ops *ops;
	int ep, lfd, tfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct client *clients;
	size_t nclients;
	uint64_t errors;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- request validation and dispatch (no sockets) ---- */

struct req {
	struct daemon *d;
	const struct control_ops *ops;
	struct json_object *args;
	struct json_object *data;   /* reply data, owned */
	const char *note;
	char err[CFG_ERR_LEN];
	bool bad_request;           /* refused before reaching the daemon */
};

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
static int check_keys(struct req *r, const char *const *allowed)
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

static int arg_vni(struct req *r, bool required, bool *present, uint32_t *vni)
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
static int arg_host_ip(struct req *r, const char *key, bool required, bool *present,
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

	if (check_keys(r, keys) || arg_vni(r, true, NULL, &rt.vni) ||
	    arg_prefix(r, &rt.prefix, &rt.prefixlen) ||
	    arg_host_ip(r, "vtep", true, NULL, &rt.vtep) ||
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

	if (check_keys(r, keys) || arg_vni(r, true, NULL, &vni) || arg_prefix(r, &ip, &len))
		return -EINVAL;
	int ret = r->ops->route_del(r->d, vni, ip, len, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_ports_add(struct req *r)
{
	static const char *const keys[] = { "ifname", "vni", "ip", "mac", NULL };
	struct cfg_port p = { 0 };
	const char *mac;

	if (check_keys(r, keys) || arg_ifname(r, p.ifname) || arg_vni(r, true, NULL, &p.vni) ||
	    arg_host_ip(r, "ip", true, NULL, &p.ip) || arg_str(r, "mac", false, &mac))
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

	if (check_keys(r, keys) || arg_ifname(r, ifname))
		return -EINVAL;
	int ret = r->ops->port_del(r->d, ifname, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_reload(struct req *r)
{
	static const char *const keys[] = { NULL };

	if (check_keys(r, keys))
		return -EINVAL;
	int ret = r->ops->reload(r->d, r->err);
	return ret ? daemon_failed(r, ret) : 0;
}

static int do_peers(struct req *r)
{
	static const char *const keys[] = { NULL };
	struct daemon_peer_info *p = NULL;
	size_t max = 64, n;
	int ret = -ENOMEM;

	if (check_keys(r, keys))
		return -EINVAL;
	/* daemon_peers() returns how many peers exist, which may exceed max. */
	for (;;) {
		struct daemon_peer_info *np = realloc(p, max * sizeof(*p));

		if (!np)
			goto out;
		p = np;
		memset(p, 0, max * sizeof(*p));
		n = r->ops->peers(r->d, p, max);
		if (n <= max || max >= CONTROL_MAX_PEERS)
			break;
		max = n < CONTROL_MAX_PEERS ? n : CONTROL_MAX_PEERS;
	}
	if (n > max)
		n = max;
	r->data = json_object_new_array();
	if (!r->data)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		char a[ADDR_IP_STRLEN];

		if (!o || json_object_array_add(r->data, o)) {
			json_object_put(o);
			goto out;
		}
		json_object_object_add(o, "address",
				       json_object_new_string(addr_fmt_ip(p[i].address, a)));
		json_object_object_add(o, "asn", json_object_new_int64(p[i].asn));
		json_object_object_add(o, "state",
				       json_object_new_string(p[i].state ? p[i].state : "Idle"));
		json_object_object_add(o, "uptime_s", json_object_new_int64((int64_t)p[i].uptime_s));
		json_object_object_add(o, "prefixes_received",
				       json_object_new_int64((int64_t)p[i].prefixes_received));
		/* Beyond DESIGN.md's keys (additive): announcements no VNI
		 * imports, since vtepd started. */
		json_object_object_add(o, "routes_rejected",
				       json_object_new_int64((int64_t)p[i].routes_rejected));
	}
	ret = 0;
out:
	if (ret)
		snprintf(r->err, sizeof(r->err), "out of memory");
	free(p);
	return ret;
}

/* One RIB path as `vtepctl -j bgp routes` shows it: the keys of the table
 * (vni, prefix, vtep, mac, peer, seq) and the attributes behind them. */
static int bgp_route_json(void *ctx, const struct rib_route_info *ri, uint32_t peer)
{
	struct json_object *arr = ctx, *o = json_object_new_object(), *rts;
	const struct evpn_route *rt = &ri->route;
	char a[ADDR_PREFIX_STRLEN], m[ADDR_MAC_STRLEN], rd[EVPN_RD_STRLEN], t[CFG_RT_STRLEN];
	unsigned i;

	if (!o || json_object_array_add(arr, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	json_object_object_add(o, "vni", json_object_new_int64(ri->vni));
	json_object_object_add(o, "type", json_object_new_int(rt->type));
	/* type 2: the host route (null when MAC only); type 5: the prefix;
	 * type 3: none. */
	if ((rt->type == EVPN_RT_MACIP || rt->type == EVPN_RT_PREFIX) && rt->ip.len == 4)
		json_object_object_add(o, "prefix", json_object_new_string(addr_fmt_prefix(
			rt->ip.v4, rt->type == EVPN_RT_PREFIX ? rt->prefix_len : 32, a)));
	else
		json_object_object_add(o, "prefix", NULL);
	json_object_object_add(o, "vtep", ri->vtep ? json_object_new_string(
				       addr_fmt_ip(ri->vtep, a)) : NULL);
	json_object_object_add(o, "mac", rt->type == EVPN_RT_MACIP ? json_object_new_string(
				       addr_fmt_mac(rt->mac, m)) : NULL);
	json_object_object_add(o, "peer", json_object_new_string(
				       peer ? addr_fmt_ip(peer, a) : "local"));
	json_object_object_add(o, "seq", json_object_new_int64(ri->seq));
	json_object_object_add(o, "sticky", json_object_new_boolean(ri->sticky));
	json_object_object_add(o, "rd", json_object_new_string(evpn_rd_fmt(rt->rd, rd)));
	rts = json_object_new_array();
	for (i = 0; rts && i < ri->n_rt && i < RIB_MAX_RT; i++) {
		config_fmt_rt(ri->rt[i], t);
		json_object_array_add(rts, json_object_new_string(t));
	}
	json_object_object_add(o, "route_targets", rts);
	json_object_object_add(o, "label", json_object_new_int64(rt->n_labels ?
				       evpn_label_vni(rt->label[0]) : 0));
	json_object_object_add(o, "best", json_object_new_boolean(ri->best));
	json_object_object_add(o, "stale", json_object_new_boolean(ri->stale));
	json_object_object_add(o, "frozen", json_object_new_boolean(ri->frozen));
	json_object_object_add(o, "local_pref", json_object_new_int64(ri->local_pref));
	json_object_object_add(o, "router_mac", ri->has_router_mac ? json_object_new_string(
				       addr_fmt_mac(ri->router_mac, m)) : NULL);
	return 0;
}

/* The RIB walk's paths, collected so that they can be sorted: the RIB walks
 * its hash tables in no useful order. */
struct bgp_path {
	struct rib_route_info ri;
	uint32_t peer;              /* address, network order; 0 = ours */
};

struct bgp_paths {
	struct bgp_path *p;
	size_t n, cap;
};

static int bgp_path_add(void *ctx, const struct rib_route_info *ri, uint32_t peer)
{
	struct bgp_paths *ps = ctx;

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64;
		struct bgp_path *np = realloc(ps->p, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		ps->p = np;
		ps->cap = cap;
	}
	ps->p[ps->n].ri = *ri;
	ps->p[ps->n++].peer = peer;
	return 0;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

/* VNI, route type, MAC, IP (numerically, then prefix length), RD, peer
 * (ours first, then by address): one destination's paths end up together. */
static int bgp_path_cmp(const void *pa, const void *pb)
{
	const struct bgp_path *a = pa, *b = pb;
	const struct evpn_route *x = &a->ri.route, *y = &b->ri.route;
	int c;

	if ((c = cmp_u32(a->ri.vni, b->ri.vni)) || (c = cmp_u32(x->type, y->type)) ||
	    (c = memcmp(x->mac, y->mac, sizeof(x->mac))) ||
	    (c = cmp_u32(x->ip.len, y->ip.len)) ||
	    (c = cmp_u32(ntohl(x->ip.v4), ntohl(y->ip.v4))) ||
	    (c = cmp_u32(x->prefix_len, y->prefix_len)) ||
	    (c = memcmp(x->rd, y->rd, sizeof(x->rd))))
		return c;
	return cmp_u32(ntohl(a->peer), ntohl(b->peer));
}

/* Our own paths enter the RIB from the ports, without attributes: show the
 * route target evpn_export attaches when it advertises them. */
static void bgp_path_local_rt(const struct vtep_config *cfg, struct rib_route_info *ri)
{
	const struct cfg_vni *v;

	if (!cfg || ri->n_rt || !(v = config_find_vni(cfg, ri->vni)))
		return;
	if (!config_vni_rt(cfg, v, ri->rt[0]))
		ri->n_rt = 1;
}

static int do_bgp_routes(struct req *r)
{
	static const char *const keys[] = { "vni", "peer", NULL };
	const struct vtep_config *cfg;
	struct bgp_paths ps = { 0 };
	uint32_t vni = 0, peer = 0;
	int ret;

	if (check_keys(r, keys) || arg_vni(r, false, NULL, &vni) ||
	    arg_host_ip(r, "peer", false, NULL, &peer))
		return -EINVAL;
	r->data = json_object_new_array();
	if (!r->data)
		return -ENOMEM;
	ret = r->ops->bgp_routes ? r->ops->bgp_routes(r->d, vni, peer, bgp_path_add, &ps)
				 : -ENOTSUP;
	if (ret == -ENOTSUP) {
		r->note = "BGP is not configured: no BGP routes to show";
		ret = 0;
		goto out;
	}
	if (ret)
		goto out;
	if (ps.n)
		qsort(ps.p, ps.n, sizeof(*ps.p), bgp_path_cmp);
	cfg = r->ops->config ? r->ops->config(r->d) : NULL;
	for (size_t i = 0; i < ps.n && !ret; i++) {
		if (!ps.p[i].peer)
			bgp_path_local_rt(cfg, &ps.p[i].ri);
		ret = bgp_route_json(r->data, &ps.p[i].ri, ps.p[i].peer);
	}
out:
	if (ret)
		snprintf(r->err, sizeof(r->err), "%s", strerror(-ret));
	free(ps.p);
	return ret;
}

static int do_version(struct req *r)
{
	static const char *const keys[] = { NULL };

	if (check_keys(r, keys))
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
	{ CTLPROTO_CMD_PEERS,      do_peers },
	{ CTLPROTO_CMD_BGP_ROUTES, do_bgp_routes },
	{ CTLPROTO_CMD_VERSION,    do_version },
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
		 strcmp(cmd, CTLPROTO_CMD_VERSION))
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

/* ---- sockets ---- */

static void client_free(struct control *c, struct client *cl)
{
	epoll_ctl(c->ep, EPOLL_CTL_DEL, cl->fd, NULL);
	close(cl->fd);
	if (cl->prev)
		cl->prev->next = cl->next;
	else
		c->clients = cl->next;
	if (cl->next)
		cl->next->prev = cl->prev;
	free(cl->in);
	free(cl->out);
	free(cl);
	c->nclients--;
	if (!c->nclients) {
		struct itimerspec off = { 0 };

		timerfd_settime(c->tfd, 0, &off, NULL);
	}
}

static void client_watch(struct control *c, struct client *cl, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = cl };

	if (cl->events == events)
		return;
	if (!epoll_ctl(c->ep, EPOLL_CTL_MOD, cl->fd, &ev))
		cl->events = events;
}

/* Queues a reply; NULL (out of memory) just closes the client. */
static void client_queue(struct client *cl, char *reply)
{
	if (!reply) {
		cl->closing = true;
		return;
	}
	cl->out = reply;
	cl->outlen = strlen(reply);
	cl->outoff = 0;
}

static bool is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/* Turns buffered input into at most one queued reply. */
static void client_next(struct control *c, struct client *cl)
{
	while (!cl->outlen && !cl->closing) {
		char *nl = memchr(cl->in, '\n', cl->inlen);
		size_t n;

		if (!nl) {
			if (cl->inlen >= CTLPROTO_MAX_MSG) {
				char m[64];

				snprintf(m, sizeof(m), "request longer than %d bytes",
					 CTLPROTO_MAX_MSG);
				c->errors++;
				client_queue(cl, ctlproto_encode_error(m, NULL));
				cl->closing = true;
			} else if (cl->eof) {
				/* The client shut down its write side: a final
				 * unterminated request is still answered (one
				 * request per connection), then we close. */
				if (!is_blank(cl->in, cl->inlen))
					client_queue(cl, control_dispatch(c->d, c->ops, cl->in,
									  cl->inlen, &c->errors));
				cl->inlen = 0;
				cl->closing = true;
			}
			return;
		}
		n = (size_t)(nl - cl->in) + 1;
		/* A blank line is no request (keeps `echo | nc -U` quiet). */
		if (!is_blank(cl->in, n))
			client_queue(cl, control_dispatch(c->d, c->ops, cl->in, n, &c->errors));
		memmove(cl->in, cl->in + n, cl->inlen - n);
		cl->inlen -= n;
		if (cl->inlen)
			cl->req_ms = now_ms();   /* what is left starts a new request */
	}
}

/* 1: reply fully sent, 0: the socket is full, -1: the client is gone. */
static int client_flush(struct client *cl)
{
	while (cl->outoff < cl->outlen) {
		ssize_t w = send(cl->fd, cl->out + cl->outoff, cl->outlen - cl->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN ? 0 : -1;
		cl->outoff += (size_t)w;
	}
	free(cl->out);
	cl->out = NULL;
	cl->outlen = cl->outoff = 0;
	return 1;
}

/* Answers what is buffered, a few replies at a time so that one client that
 * pipelines many requests cannot hold the loop; when work is left it waits
 * for EPOLLOUT, which fires as soon as the socket can take more. */
static void client_pump(struct control *c, struct client *cl)
{
	for (int budget = 8; budget > 0; budget--) {
		client_next(c, cl);
		if (cl->outlen) {
			int r = client_flush(cl);

			if (r < 0) {
				client_free(c, cl);
				return;
			}
			if (r == 0) {
				client_watch(c, cl, EPOLLOUT);
				return;
			}
			continue;
		}
		if (cl->closing) {
			client_free(c, cl);
			return;
		}
		client_watch(c, cl, EPOLLIN);
		return;
	}
	client_watch(c, cl, EPOLLOUT);
}

/* Reads what the socket holds; false when the client was dropped. */
static bool client_read(struct control *c, struct client *cl)
{
	ssize_t r = recv(cl->fd, cl->in + cl->inlen, CTLPROTO_MAX_MSG - cl->inlen, MSG_DONTWAIT);

	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return true;
		client_free(c, cl);
		return false;
	}
	if (r == 0) {
		cl->eof = true;
	} else {
		if (!cl->inlen)
			cl->req_ms = now_ms();
		cl->inlen += (size_t)r;
	}
	cl->last_ms = now_ms();
	return true;
}

static void accept_clients(struct control *c)
{
	for (int i = 0; i < CONTROL_BACKLOG; i++) {
		int fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		struct client *cl;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("control: accept: %s", strerror(errno));
			return;
		}
		if (c->nclients >= CONTROL_MAX_CLIENTS) {
			static const char busy[] = "{\"ok\":false,\"error\":\"too many clients\"}\n";

			c->errors++;
			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				log_debug("control: refusing a client: %s", strerror(errno));
			close(fd);
			continue;
		}
		cl = calloc(1, sizeof(*cl));
		if (cl)
			cl->in = malloc(CTLPROTO_MAX_MSG);
		ev.data.ptr = cl;
		if (!cl || !cl->in || epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev)) {
			if (cl)
				free(cl->in);
			free(cl);
			close(fd);
			continue;
		}
		cl->fd = fd;
		cl->events = EPOLLIN;
		cl->last_ms = now_ms();
		cl->next = c->clients;
		if (c->clients)
			c->clients->prev = cl;
		c->clients = cl;
		if (!c->nclients++) {
			struct itimerspec t = { .it_interval = { CONTROL_TICK_S, 0 },
						.it_value = { CONTROL_TICK_S, 0 } };

			timerfd_settime(c->tfd, 0, &t, NULL);
		}
	}
}

static void reap_idle(struct control *c)
{
	long long now = now_ms();
	uint64_t ticks;

	if (read(c->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_debug("control: timerfd: %s", strerror(errno));
	for (struct client *cl = c->clients, *next; cl; cl = next) {
		next = cl->next;
		if (now - cl->last_ms > CONTROL_IDLE_MS) {
			log_debug("control: dropping a client idle for %d ms", CONTROL_IDLE_MS);
			client_free(c, cl);
		} else if (cl->inlen && !cl->outlen && now - cl->req_ms > CONTROL_REQUEST_MS) {
			c->errors++;
			log_warn("control: dropping a client whose request took more than %d ms "
				 "(%zu bytes so far)", CONTROL_REQUEST_MS, cl->inlen);
			client_free(c, cl);
		}
	}
}

void control_handle(struct control *c)
{
	struct epoll_event evs[16];
	int n = epoll_wait(c->ep, evs, 16, 0);

	for (int i = 0; i < n; i++) {
		void *p = evs[i].data.ptr;
		struct client *cl;

		if (p == &c->lfd) {
			accept_clients(c);
			continue;
		}
		if (p == &c->tfd) {
			reap_idle(c);
			continue;
		}
		/* A client dropped by an earlier event of this batch (the idle
		 * reaper) may still have an event here: only live ones count. */
		for (cl = c->clients; cl && cl != p; cl = cl->next)
			;
		if (!cl)
			continue;
		if (!cl->outlen && !cl->closing && !cl->eof &&
		    (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !client_read(c, cl))
			continue;
		if (evs[i].events & EPOLLOUT)
			cl->last_ms = now_ms();
		client_pump(c, cl);
	}
}

int control_fd(const struct control *c)
{
	return c->ep;
}

uint64_t control_errors(const struct control *c)
{
	return c->errors;
}

/* Creates the missing directories of the socket's path, 0700: the socket
 * is for root's vtepctl only. */
static int make_parent_dirs(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* A socket file left by a vtepd that died is removed; one that still
 * answers belongs to a running vtepd and is left alone. */
static int remove_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, live;

	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 || errno == EAGAIN;
	close(fd);
	if (live)
		return -EADDRINUSE;
	if (unlink(sa->sun_path) && errno != ENOENT)
		return -errno;
	return 0;
}

int control_open_ops(struct daemon *d, const struct control_ops *ops, const char *path,
		     struct control **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	struct control *c;
	mode_t old;
	int ret;

	*out = NULL;
	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->d = d;
	c->ops = ops;
	c->lfd = c->tfd = -1;
	strcpy(sa.sun_path, path);
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->ep < 0 || c->tfd < 0 || c->lfd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = make_parent_dirs(path);
	if (ret) {
		log_err("control: cannot create the directory of %s: %s", path, strerror(-ret));
		goto fail;
	}
	ret = remove_stale(&sa);
	if (ret) {
		log_err("control: %s: %s", path, ret == -EADDRINUSE ?
			"another vtepd is listening there" : strerror(-ret));
		goto fail;
	}
	/* Bind under umask 0177 so the socket is never reachable by others,
	 * not even between bind() and chmod(). */
	old = umask(0177);
	ret = bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (ret) {
		log_err("control: bind %s: %s", path, strerror(-ret));
		goto fail;
	}
	memcpy(c->path, path, strlen(path) + 1);
	if (chmod(path, 0600) || listen(c->lfd, CONTROL_BACKLOG)) {
		ret = -errno;
		goto fail;
	}
	ev.data.ptr = &c->lfd;
	if (epoll_ctl(c->ep, EPOLL_CTL_ADD, c->lfd, &ev)) {
		ret = -errno;
		goto fail;
	}
	ev.data.ptr = &c->tfd;
	if (epoll_ctl(c->ep, EPOLL_CTL_ADD, c->tfd, &ev)) {
		ret = -errno;
		goto fail;
	}
	*out = c;
	return 0;
fail:
	control_close(c);
	return ret;
}

int control_open(struct daemon *d, const char *path, struct control **out)
{
	return control_open_ops(d, &control_daemon_ops, path, out);
}

void control_close(struct control *c)
{
	if (!c)
		return;
	while (c->clients)
		client_free(c, c->clients);
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->tfd >= 0)
		close(c->tfd);
	if (c->ep >= 0)
		close(c->ep);
	if (c->path[0])
		unlink(c->path);
	free(c);
}
