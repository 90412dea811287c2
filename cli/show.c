/* show.c - see show.h. Output is sorted (lib/mapdump.c) so that two dumps
 * of the same state print the same bytes. Tables have fixed column widths
 * sized for the widest possible value, so rows stream without buffering. */
#include "show.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "addr.h"
#include "addr6.h"
#include "counters.h"
#include "mapdump.h"
#include "output.h"
#include "portrate.h"

static int open_map(const struct cmdline *c, const char *name, bool optional, int *fd)
{
	int r = mapdump_open(c->bpffs, name);

	if (r >= 0) {
		*fd = r;
		return 0;
	}
	*fd = -1;
	if (optional && r == -ENOENT)
		return 0;
	if (r == -EPROTO)
		fprintf(stderr, "vtepctl: %s/%s has another layout than this vtepctl "
			"(built for layout version %d)\n", c->bpffs, name, VTEP_LAYOUT_VERSION);
	else
		fprintf(stderr, "vtepctl: cannot open %s/%s: %s%s\n", c->bpffs, name, strerror(-r),
			r == -ENOENT ? " (has vtepd run with this bpffs? see -b)" : "");
	return r;
}

/* Pins left by a vtepd of another layout version are refused rather than
 * misread. vtep_global's version is 0 until vtepd first writes it. */
static int check_layout(const struct cmdline *c)
{
	struct vtep_global g;
	int fd, ret;

	ret = open_map(c, VTEP_MAP_GLOBAL, true, &fd);
	if (ret || fd < 0)
		return ret;
	ret = mapdump_global(fd, &g);
	close(fd);
	if (!ret && g.layout_version && g.layout_version != VTEP_LAYOUT_VERSION) {
		fprintf(stderr, "vtepctl: the maps under %s have layout version %u, "
			"this vtepctl reads version %d\n", c->bpffs, g.layout_version,
			VTEP_LAYOUT_VERSION);
		return -EPROTO;
	}
	return 0;
}

static int dump_failed(const char *what, int ret)
{
	fprintf(stderr, "vtepctl: reading %s: %s\n", what, strerror(-ret));
	return VTEPCTL_FAILED;
}

static const char *fmt_ip_or_null(uint32_t ip, char buf[ADDR_IP_STRLEN])
{
	return ip ? addr_fmt_ip(ip, buf) : NULL;
}

/* Does row r lie inside the filter prefix of c (same family, at least as
 * long)? */
static bool in_filter(const struct cmdline *c, const struct mapdump_route *r)
{
	if (r->v6 != c->prefix_v6 || r->prefixlen < c->prefixlen)
		return false;
	return r->v6 ? addr6_in_subnet(r->ip6, c->prefix6, c->prefixlen)
		     : addr_in_subnet(r->ip, c->prefix, c->prefixlen);
}

static const char *fmt_route_prefix(const struct mapdump_route *r, char buf[ADDR6_PREFIX_STRLEN])
{
	return r->v6 ? addr6_fmt_prefix(r->ip6, r->prefixlen, buf)
		     : addr_fmt_prefix(r->ip, r->prefixlen, buf);
}

/* Opens the IPv6 maps of an object, which pins of an older layout may lack:
 * absent is no error (fd -1). */
static int open_map6(const struct cmdline *c, const char *name, int *fd)
{
	return open_map(c, name, true, fd);
}

static int show_routes(const struct cmdline *c, struct out *o)
{
	struct mapdump_route *rows, *rows6;
	int rfd, pfd, r6fd, p6fd, ret;
	size_t n, n6, w = 18;

	if (open_map(c, VTEP_MAP_ROUTES, false, &rfd))
		return VTEPCTL_FAILED;
	if (open_map(c, VTEP_MAP_PREFIXES, true, &pfd) || open_map6(c, VTEP_MAP_ROUTES6, &r6fd) ||
	    open_map6(c, VTEP_MAP_PREFIXES6, &p6fd)) {
		close(rfd);
		return VTEPCTL_FAILED;
	}
	ret = mapdump_routes(rfd, pfd, &rows, &n);
	if (!ret) {
		ret = mapdump_routes6(r6fd, p6fd, &rows6, &n6);
		if (ret)
			free(rows);
		else
			ret = mapdump_routes_join(&rows, &n, rows6, n6);
	}
	close(rfd);
	if (pfd >= 0)
		close(pfd);
	if (r6fd >= 0)
		close(r6fd);
	if (p6fd >= 0)
		close(p6fd);
	if (ret)
		return dump_failed(VTEP_MAP_ROUTES, ret);
	/* the PREFIX column as wide as its widest value (IPv6 ones) */
	for (size_t i = 0; i < n; i++) {
		char p[ADDR6_PREFIX_STRLEN];

		if (strlen(fmt_route_prefix(&rows[i], p)) > w)
			w = strlen(p);
	}
	out_begin(o);
	if (!o->json)
		printf("%-8s  %-*s  %-15s  %-17s  %-6s  %s\n",
		       "VNI", (int)w, "PREFIX", "VTEP", "MAC", "SOURCE", "SEQ");
	for (size_t i = 0; i < n; i++) {
		const struct mapdump_route *r = &rows[i];
		char p[ADDR6_PREFIX_STRLEN], v[ADDR_IP_STRLEN], m[ADDR_MAC_STRLEN];
		const char *vtep;

		if (c->has_vni && r->vni != c->vni)
			continue;
		/* prefix P keeps the routes inside P. */
		if (c->has_prefix && !in_filter(c, r))
			continue;
		fmt_route_prefix(r, p);
		addr_fmt_mac(r->v.mac, m);
		vtep = fmt_ip_or_null(r->v.vtep, v);
		if (o->json) {
			struct json_object *j = json_object_new_object();

			out_add_int(j, "vni", r->vni);
			out_add_str(j, "prefix", p);
			out_add_str(j, "vtep", vtep);
			out_add_str(j, "mac", m);
			out_add_str(j, "source", mapdump_source_name(r->v.source));
			out_add_int(j, "seq", r->v.seq);
			out_item(o, j);
		} else {
			printf("%-8u  %-*s  %-15s  %-17s  %-6s  %u\n", r->vni, (int)w, p,
			       vtep ? vtep : "-", m, mapdump_source_name(r->v.source), r->v.seq);
		}
	}
	out_end(o);
	free(rows);
	return VTEPCTL_OK;
}

/* The port's egress limit from vtep_port_rates (rfd < 0: no such map,
 * pins of an older vtepd): false without one. */
static bool port_rate(int rfd, uint32_t ifindex, struct vtep_port_rate *v)
{
	__u32 key = ifindex;

	return rfd >= 0 && !bpf_map_lookup_elem(rfd, &key, v) && v->rate;
}

static int show_ports(const struct cmdline *c, struct out *o)
{
	struct mapdump_port *rows;
	size_t n, w6 = 4;
	int fd, rfd, ret;

	if (open_map(c, VTEP_MAP_PORTS, false, &fd))
		return VTEPCTL_FAILED;
	if (open_map(c, VTEP_MAP_PORT_RATES, true, &rfd)) {
		close(fd);
		return VTEPCTL_FAILED;
	}
	ret = mapdump_ports(fd, &rows, &n);
	close(fd);
	if (ret) {
		if (rfd >= 0)
			close(rfd);
		return dump_failed(VTEP_MAP_PORTS, ret);
	}
	for (size_t i = 0; i < n; i++) {
		char a6[ADDR6_STRLEN];

		if (!addr6_is_zero(rows[i].v.ip6) && strlen(addr6_fmt(rows[i].v.ip6, a6)) > w6)
			w6 = strlen(a6);
	}
	out_begin(o);
	if (!o->json)
		printf("%-15s  %-7s  %-8s  %-15s  %-*s  %s\n", "IFNAME", "IFINDEX", "VNI", "IP",
		       (int)w6, "IP6", "MAC");
	for (size_t i = 0; i < n; i++) {
		const struct mapdump_port *p = &rows[i];
		char ifname[sizeof(p->v.ifname) + 1], ip[ADDR_IP_STRLEN], m[ADDR_MAC_STRLEN];
		char a6[ADDR6_STRLEN], ll[ADDR6_STRLEN];
		bool known = !addr_mac_is_zero(p->v.mac);
		bool mac_auto = p->v.flags & VTEP_PORT_F_MAC_AUTO;
		bool pod = p->v.flags & VTEP_PORT_F_POD;
		bool shaped = p->v.flags & VTEP_PORT_F_SHAPED;
		bool has6 = !addr6_is_zero(p->v.ip6), has_ll = !addr6_is_zero(p->v.ip6_ll);
		struct vtep_port_rate rate;
		bool limited = port_rate(rfd, p->ifindex, &rate);
		char rs[24], eg[64] = "";

		/* The map's ifname need not be NUL-terminated at 16 bytes. */
		memcpy(ifname, p->v.ifname, sizeof(p->v.ifname));
		ifname[sizeof(p->v.ifname)] = '\0';
		addr_fmt_ip(p->v.ip, ip);
		addr_fmt_mac(p->v.mac, m);
		if (has6)
			addr6_fmt(p->v.ip6, a6);
		if (has_ll)
			addr6_fmt(p->v.ip6_ll, ll);
		if (o->json) {
			struct json_object *j = json_object_new_object();

			out_add_str(j, "ifname", ifname);
			out_add_int(j, "ifindex", p->ifindex);
			out_add_int(j, "vni", p->v.vni);
			/* null for an IPv6-only port; ip6 null without IPv6 */
			out_add_str(j, "ip", p->v.ip ? ip : NULL);
			out_add_str(j, "ip6", has6 ? a6 : NULL);
			out_add_str(j, "ip6_ll", has_ll ? ll : NULL);
			out_add_str(j, "mac", known ? m : NULL);
			out_add_bool(j, "mac_auto", mac_auto);
			out_add_bool(j, "pod", pod);
			out_add_bool(j, "shaped", shaped);
			/* the policer's: bits/s and the bucket in bytes, null
			 * without a limit */
			if (limited) {
				out_add_int(j, "egress_rate", (int64_t)rate.rate);
				out_add_int(j, "egress_burst", (int64_t)rate.burst);
			} else {
				out_add_str(j, "egress_rate", NULL);
				out_add_str(j, "egress_burst", NULL);
			}
			out_item(o, j);
		} else {
			if (limited)
				snprintf(eg, sizeof(eg), " egress %s/s burst %lluB",
					 portrate_fmt(rate.rate, rs), (unsigned long long)rate.burst);
			printf("%-15s  %-7u  %-8u  %-15s  %-*s  %s%s%s%s%s\n", ifname, p->ifindex,
			       p->v.vni, p->v.ip ? ip : "-", (int)w6, has6 ? a6 : "-",
			       known ? m : "(not learned)", mac_auto ? " auto" : "", pod ? " pod" : "",
			       shaped ? " shaped" : "", eg);
		}
	}
	out_end(o);
	free(rows);
	if (rfd >= 0)
		close(rfd);
	return VTEPCTL_OK;
}

static int show_neigh(const struct cmdline *c, struct out *o)
{
	struct mapdump_neigh *rows, *rows6 = NULL;
	size_t n, n6 = 0, w = 15;
	int fd, fd6, ret;

	if (open_map(c, VTEP_MAP_ROUTES, false, &fd))
		return VTEPCTL_FAILED;
	if (open_map6(c, VTEP_MAP_ROUTES6, &fd6)) {
		close(fd);
		return VTEPCTL_FAILED;
	}
	ret = mapdump_neigh(fd, &rows, &n);
	if (!ret && fd6 >= 0) {
		ret = mapdump_neigh6(fd6, &rows6, &n6);
		if (ret)
			free(rows);
	}
	if (!ret)
		ret = mapdump_neigh_join(&rows, &n, rows6, n6);
	close(fd);
	if (fd6 >= 0)
		close(fd6);
	if (ret)
		return dump_failed(VTEP_MAP_ROUTES, ret);
	for (size_t i = 0; i < n; i++) {
		char a6[ADDR6_STRLEN];

		if (rows[i].v6 && strlen(addr6_fmt(rows[i].ip6, a6)) > w)
			w = strlen(a6);
	}
	out_begin(o);
	if (!o->json)
		printf("%-8s  %-*s  %-17s  %s\n", "VNI", (int)w, "IP", "MAC", "SOURCE");
	for (size_t i = 0; i < n; i++) {
		char ip[ADDR6_STRLEN], m[ADDR_MAC_STRLEN];
		bool router = rows[i].v6 && (rows[i].v.flags & VTEP_RT_F_ROUTER);

		if (rows[i].v6)
			addr6_fmt(rows[i].ip6, ip);
		else
			addr_fmt_ip(rows[i].k.ip, ip);
		addr_fmt_mac(rows[i].v.mac, m);
		if (o->json) {
			struct json_object *j = json_object_new_object();

			out_add_int(j, "vni", rows[i].k.vni);
			out_add_str(j, "ip", ip);
			out_add_str(j, "mac", m);
			out_add_str(j, "source", mapdump_source_name(rows[i].v.source));
			/* RFC 9047's Router flag of an IPv6 neighbour */
			out_add_bool(j, "router", router);
			out_item(o, j);
		} else {
			printf("%-8u  %-*s  %-17s  %s%s\n", rows[i].k.vni, (int)w, ip, m,
			       mapdump_source_name(rows[i].v.source), router ? " router" : "");
		}
	}
	out_end(o);
	free(rows);
	return VTEPCTL_OK;
}

static int show_fdb(const struct cmdline *c, struct out *o)
{
	struct mapdump_fdb *rows;
	size_t n;
	int fd, ret;

	if (open_map(c, VTEP_MAP_FDB, false, &fd))
		return VTEPCTL_FAILED;
	ret = mapdump_fdb(fd, &rows, &n);
	close(fd);
	if (ret)
		return dump_failed(VTEP_MAP_FDB, ret);
	out_begin(o);
	if (!o->json)
		printf("%-8s  %-17s  %-15s  %-6s  %s\n", "VNI", "MAC", "VTEP", "SOURCE", "SEQ");
	for (size_t i = 0; i < n; i++) {
		char v[ADDR_IP_STRLEN], m[ADDR_MAC_STRLEN];
		const char *vtep = fmt_ip_or_null(rows[i].v.vtep, v);

		addr_fmt_mac(rows[i].k.mac, m);
		if (o->json) {
			struct json_object *j = json_object_new_object();

			out_add_int(j, "vni", rows[i].k.vni);
			out_add_str(j, "mac", m);
			out_add_str(j, "vtep", vtep);
			out_add_str(j, "source", mapdump_source_name(rows[i].v.source));
			out_add_int(j, "seq", rows[i].v.seq);
			out_item(o, j);
		} else {
			printf("%-8u  %-17s  %-15s  %-6s  %u\n", rows[i].k.vni, m, vtep ? vtep : "-",
			       mapdump_source_name(rows[i].v.source), rows[i].v.seq);
		}
	}
	out_end(o);
	free(rows);
	return VTEPCTL_OK;
}

/* The VNI's host_ip from vtep_hostlinks (hl_fd < 0: no such map, an older
 * vtepd's pins); 0 when it has no host link. */
static uint32_t vni_host_ip(int hl_fd, uint32_t vni)
{
	struct vtep_hostlink hl;

	if (hl_fd < 0 || bpf_map_lookup_elem(hl_fd, &vni, &hl))
		return 0;
	return hl.ip;
}

static int show_vnis(const struct cmdline *c, struct out *o)
{
	struct mapdump_vni *rows;
	size_t n;
	int fd, hl_fd, ret;

	if (open_map(c, VTEP_MAP_VNIS, false, &fd))
		return VTEPCTL_FAILED;
	ret = mapdump_vnis(fd, &rows, &n);
	close(fd);
	if (ret)
		return dump_failed(VTEP_MAP_VNIS, ret);
	if (open_map(c, VTEP_MAP_HOSTLINKS, true, &hl_fd))
		hl_fd = -1;
	out_begin(o);
	if (!o->json)
		printf("%-8s  %-18s  %-15s  %-17s  %-21s  %-21s  %-7s  %-5s  %-7s  %-15s  %s\n",
		       "VNI", "SUBNET", "GATEWAY", "GATEWAY_MAC", "ROUTE_TARGET", "RD", "ARP",
		       "FLOOD", "OUTSIDE", "HOST_IP", "IPV6");
	for (size_t i = 0; i < n; i++) {
		const struct vtep_vni *v = &rows[i].v;
		char sub[ADDR_PREFIX_STRLEN], gw[ADDR_IP_STRLEN], m[ADDR_MAC_STRLEN];
		char rtb[MAPDUMP_EC_STRLEN], rdb[MAPDUMP_EC_STRLEN];
		const char *rt, *rd, *arp;
		bool flood = v->flags & VTEP_VNI_F_FLOOD;
		const char *outside = v->flags & VTEP_VNI_F_OUTSIDE_HOST ? "host" : "drop";
		uint32_t host_ip = vni_host_ip(hl_fd, rows[i].vni);
		char hip[ADDR_IP_STRLEN], sub6[ADDR6_PREFIX_STRLEN], gw6[ADDR6_STRLEN];
		char v6txt[2 * ADDR6_PREFIX_STRLEN + 16];
		bool has6 = v->prefixlen6 != 0, has_gw6 = has6 && !addr6_is_zero(v->gateway_ip6);
		bool slaac = has6 && (v->flags & VTEP_VNI_F_SLAAC);

		addr_fmt_prefix(v->subnet, v->prefixlen, sub);
		addr_fmt_ip(v->gateway_ip, gw);
		addr_fmt_mac(v->gateway_mac, m);
		rt = v->flags & VTEP_VNI_F_RT_AUTO ? "auto" : mapdump_fmt_rt(v->route_target, rtb);
		rd = v->flags & VTEP_VNI_F_RD_AUTO ? "auto" : mapdump_fmt_rd(v->rd, rdb);
		arp = v->arp_reply == VTEP_ARP_REPLY_REAL ? "real" : "gateway";
		if (has6)
			addr6_fmt_prefix(v->subnet6, v->prefixlen6, sub6);
		if (has_gw6)
			addr6_fmt(v->gateway_ip6, gw6);
		/* the table's IPV6 column: subnet6, its gateway, SLAAC */
		snprintf(v6txt, sizeof(v6txt), "%s%s%s%s", has6 ? sub6 : "-",
			 has_gw6 ? " gw " : "", has_gw6 ? gw6 : "", slaac ? " slaac" : "");
		if (o->json) {
			struct json_object *j = json_object_new_object();

			out_add_int(j, "vni", rows[i].vni);
			out_add_str(j, "subnet", sub);
			out_add_str(j, "gateway_ip", gw);
			out_add_str(j, "gateway_mac", m);
			out_add_str(j, "route_target", rt);
			out_add_str(j, "rd", rd);
			out_add_str(j, "arp_reply", arp);
			out_add_bool(j, "flood", flood);
			out_add_str(j, "outside", outside);
			if (host_ip)
				out_add_str(j, "host_ip", addr_fmt_ip(host_ip, hip));
			else
				json_object_object_add(j, "host_ip", NULL);
			out_add_str(j, "subnet6", has6 ? sub6 : NULL);
			out_add_str(j, "gateway_ip6", has_gw6 ? gw6 : NULL);
			out_add_bool(j, "slaac", slaac);
			out_item(o, j);
		} else {
			printf("%-8u  %-18s  %-15s  %-17s  %-21s  %-21s  %-7s  %-5s  %-7s  %-15s  %s\n",
			       rows[i].vni, sub, gw, m, rt ? rt : "-", rd ? rd : "-", arp,
			       flood ? "yes" : "no", outside,
			       host_ip ? addr_fmt_ip(host_ip, hip) : "-", v6txt);
		}
	}
	out_end(o);
	if (hl_fd >= 0)
		close(hl_fd);
	free(rows);
	return VTEPCTL_OK;
}

static int show_stats(const struct cmdline *c, struct out *o)
{
	struct vtep_stats s;
	int fd, ret;

	if (open_map(c, VTEP_MAP_STATS, false, &fd))
		return VTEPCTL_FAILED;
	ret = mapdump_stats(fd, &s);
	close(fd);
	if (ret)
		return dump_failed(VTEP_MAP_STATS, ret);
	if (o->json) {
		struct json_object *j = json_object_new_object();

		for (size_t i = 0; i < counter_count; i++)
			out_add_int(j, counter_descs[i].name, (int64_t)counter_value(&s, i));
		out_value(o, j);
		json_object_put(j);
		return VTEPCTL_OK;
	}
	/* Zero counters are most of them; -a shows them too. */
	printf("%-20s  %20s  %s\n", "COUNTER", "VALUE", "MEANING");
	for (size_t i = 0; i < counter_count; i++) {
		uint64_t v = counter_value(&s, i);

		if (v || c->all)
			printf("%-20s  %20llu  %s\n", counter_descs[i].name, (unsigned long long)v,
			       counter_descs[i].help);
	}
	return VTEPCTL_OK;
}

int show_maps(const struct cmdline *c)
{
	struct out o;

	out_init(&o, c->json, c->pretty);
	if (check_layout(c))
		return VTEPCTL_FAILED;
	switch (c->obj) {
	case OBJ_ROUTES: return show_routes(c, &o);
	case OBJ_PORTS:  return show_ports(c, &o);
	case OBJ_NEIGH:  return show_neigh(c, &o);
	case OBJ_FDB:    return show_fdb(c, &o);
	case OBJ_VNIS:   return show_vnis(c, &o);
	case OBJ_STATS:  return show_stats(c, &o);
	default:         return VTEPCTL_USAGE;
	}
}
