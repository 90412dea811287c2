/* ports.c - see ports.h.
 *
 * Order when attaching: map entries first, then the program, then the host
 * route, so the program's first packet already finds its port entry. When
 * withdrawing: the map entries go first, so nothing is forwarded to an
 * interface that is going away.
 */
#include "ports.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_arp.h>
#include <bpf/bpf.h>

#include "addr.h"
#include "addr6.h"
#include "hashmap.h"
#include "hostroute.h"
#include "loader.h"
#include "log.h"
#include "mapsync.h"
#include "portrate.h"
#include "ratemap.h"
#include "sysctl.h"
#include "vtep_maps.h"

struct ports {
	struct ports_env env;
	struct hashmap by_name;    /* char[CFG_IFNAMSIZ] -> struct port * */
	struct hashmap by_ifindex; /* int -> struct port * (attached ports) */
	int rates_fd;              /* vtep_port_rates, -1: none (ports_set_rates_map) */
};

/* Interface names as fixed, zero-padded keys (at most 15 characters). */
static void name_key(const char *ifname, char key[CFG_IFNAMSIZ])
{
	memset(key, 0, CFG_IFNAMSIZ);
	memcpy(key, ifname, strnlen(ifname, CFG_IFNAMSIZ - 1));
}

static struct port *find_name(const struct ports *ps, const char *ifname)
{
	char key[CFG_IFNAMSIZ];
	struct port **pp;

	name_key(ifname, key);
	pp = hashmap_get(&ps->by_name, key);
	return pp ? *pp : NULL;
}

static struct port *find_index(const struct ports *ps, int ifindex)
{
	struct port **pp = hashmap_get(&ps->by_ifindex, &ifindex);

	return pp ? *pp : NULL;
}

int ports_new(const struct ports_env *env, struct ports **out)
{
	struct ports *ps = calloc(1, sizeof(*ps));
	int err;

	if (!ps)
		return -ENOMEM;
	ps->env = *env;
	ps->rates_fd = -1;
	err = hashmap_init(&ps->by_name, CFG_IFNAMSIZ, sizeof(struct port *), 0);
	if (!err)
		err = hashmap_init(&ps->by_ifindex, sizeof(int), sizeof(struct port *), 0);
	if (err) {
		ports_free(ps);
		return err;
	}
	*out = ps;
	return 0;
}

void ports_free(struct ports *ps)
{
	size_t pos = 0;
	void *v;

	if (!ps)
		return;
	while (hashmap_next(&ps->by_name, &pos, &v))
		free(*(struct port **)v);
	hashmap_free(&ps->by_name);
	hashmap_free(&ps->by_ifindex);
	free(ps);
}

static const char *fmt_mac_or_auto(const struct port *p, char buf[ADDR_MAC_STRLEN])
{
	return p->mac_known ? addr_fmt_mac(p->mac, buf) : "auto (not learned yet)";
}

static void to_map_port(const struct port *p, struct vtep_port *vp)
{
	memset(vp, 0, sizeof(*vp));
	vp->vni = p->cfg.vni;
	vp->ip = p->cfg.ip;
	if (p->mac_known)
		memcpy(vp->mac, p->mac, 6);
	/* IPv6: the global address and the link-local one, configured or the
	 * MAC's EUI-64 (zero while an auto MAC is not known) */
	if (!addr6_is_zero(p->cfg.ip6)) {
		memcpy(vp->ip6, p->cfg.ip6, 16);
		config_port_ll(&p->cfg, p->mac_known ? p->mac : NULL, vp->ip6_ll);
	}
	vp->flags = (p->cfg.mac_auto ? VTEP_PORT_F_MAC_AUTO : 0) | (p->tap ? VTEP_PORT_F_TAP : 0) |
		    (p->cfg.pod ? VTEP_PORT_F_POD : 0) | (p->cfg.hostlink ? VTEP_PORT_F_HOSTLINK : 0) |
		    (p->shaped ? VTEP_PORT_F_SHAPED : 0) |
		    (p->cfg.egress_rate ? VTEP_PORT_F_POLICED : 0);
	name_key(p->cfg.ifname, vp->ifname);
}

/* Writes the port's map entries now. */
static int sync_port(struct ports *ps, struct port *p)
{
	struct vtep_port vp;
	int err;

	if (!ps->env.ms)
		return 0;
	to_map_port(p, &vp);
	err = mapsync_port_set(ps->env.ms, p->ifindex, &vp);
	return err ? err : mapsync_flush(ps->env.ms);
}

/* The port's egress limit into vtep_port_rates: an entry while it has one,
 * none otherwise (a port of another kind may have had this ifindex). */
static int rate_sync(struct ports *ps, const struct port *p)
{
	char r[24];
	int err;

	if (ps->rates_fd < 0)
		return 0;
	if (!p->cfg.egress_rate)
		return ratemap_del(ps->rates_fd, p->ifindex);
	err = ratemap_set(ps->rates_fd, p->ifindex, p->cfg.egress_rate, p->cfg.egress_burst);
	if (err)
		log_err("port %s: cannot write its egress limit into %s: %s", p->cfg.ifname,
			VTEP_MAP_PORT_RATES, strerror(-err));
	else
		log_info("port %s: egress limited to %s/s, burst %llu bytes (policed)",
			 p->cfg.ifname, portrate_fmt(p->cfg.egress_rate, r),
			 (unsigned long long)portrate_burst_bytes(p->cfg.egress_rate,
								  p->cfg.egress_burst));
	return err;
}

/* A veth's workload MAC: its peer's address, possibly in another namespace. */
static bool read_peer_mac(struct ports *ps, struct port *p, const struct netlink_link *l)
{
	struct netlink_link peer;
	int err;

	if (!ps->env.nl || strcmp(l->kind, "veth") || l->link_ifindex <= 0)
		return false;
	err = netlink_link_by_index(ps->env.nl, l->link_ifindex, l->link_netnsid, &peer);
	if (err) {
		log_debug("port %s: cannot read the veth peer (ifindex %d, netnsid %d): %s; "
			  "will learn the MAC from traffic", p->cfg.ifname, l->link_ifindex,
			  l->link_netnsid, strerror(-err));
		return false;
	}
	if (!peer.has_mac || addr_mac_is_zero(peer.mac) || (peer.mac[0] & 1) ||
	    (l->has_mac && !memcmp(peer.mac, l->mac, 6)))
		return false;
	memcpy(p->mac, peer.mac, 6);
	return true;
}

/* A MAC learned by a previous vtepd for this very port (same interface,
 * name, VNI and IP) is still in the pinned map: keep it across the restart
 * instead of dropping the workload's routes until it speaks again. */
static bool adopt_map_mac(struct ports *ps, struct port *p)
{
	struct vtep_port vp;
	__u32 key = p->ifindex;

	if (ps->env.ports_map_fd < 0 || bpf_map_lookup_elem(ps->env.ports_map_fd, &key, &vp))
		return false;
	if (vp.vni != p->cfg.vni || vp.ip != p->cfg.ip || memcmp(vp.ip6, p->cfg.ip6, 16) ||
	    strncmp(vp.ifname, p->cfg.ifname, sizeof(vp.ifname)) || addr_mac_is_zero(vp.mac))
		return false;
	memcpy(p->mac, vp.mac, 6);
	return true;
}

/* The kernel refuses a route through a down interface (ENETDOWN) and flushes
 * routes and neighbours when it goes down, so ours follow the link state. */
static void host_route_sync(struct ports *ps, struct port *p, bool up)
{
	/* A host link's address is the host's own (hostlink.h). */
	if (p->cfg.hostlink)
		return;
	if (!up) {
		p->host_route = false;
		p->host_route6 = false;
		return;
	}
	if (!ps->env.hr)
		return;
	if (!p->host_route && p->cfg.ip)
		p->host_route = !hostroute_add(ps->env.hr, p->cfg.ip, p->ifindex,
					       p->mac_known ? p->mac : NULL);
	if (!p->host_route6 && !addr6_is_zero(p->cfg.ip6))
		p->host_route6 = !hostroute6_add(ps->env.hr, p->cfg.ip6, p->ifindex,
						 p->mac_known ? p->mac : NULL);
}

/* The MAC became known or changed: the host's neighbour entries follow. */
static void host_neigh_sync(struct ports *ps, struct port *p)
{
	if (!ps->env.hr)
		return;
	if (p->host_route) /* else added with the route */
		hostroute_neigh(ps->env.hr, p->cfg.ip, p->ifindex, p->mac);
	if (p->host_route6)
		hostroute6_neigh(ps->env.hr, p->cfg.ip6, p->ifindex, p->mac);
}

static const char *fmt_ip6_or_none(const struct port *p, char buf[ADDR6_STRLEN])
{
	return addr6_is_zero(p->cfg.ip6) ? "none" : addr6_fmt(p->cfg.ip6, buf);
}

/* Whether the link's root qdisc was put there by someone. A veth's own is
 * noqueue (veth_setup sets IFF_NO_QUEUE, so attach_default_qdiscs gives it
 * noqueue); noop is the kernel's placeholder while the device is down
 * (dev_activate swaps it for the real one on IFF_UP), seen on every new
 * pod veth. A tap is always entered through its egress: nothing to add. */
static bool link_shaped(const struct port *p, const struct netlink_link *l)
{
	return !p->tap && l->qdisc[0] && strcmp(l->qdisc, "noqueue") && strcmp(l->qdisc, "noop");
}

/* A root qdisc came or went on an attached port: deliver through the host
 * end's egress while there is one (VTEP_PORT_F_SHAPED), so its limit holds. */
static void shaped_sync(struct ports *ps, struct port *p, const struct netlink_link *l)
{
	bool shaped = link_shaped(p, l);

	if (shaped == p->shaped)
		return;
	p->shaped = shaped;
	sync_port(ps, p);
	if (shaped)
		log_info("port %s: root qdisc %s: delivered through its egress (the qdisc "
			 "shapes what the workload receives)", p->cfg.ifname, l->qdisc);
	else
		log_info("port %s: root qdisc back to %s: delivered into its peer again",
			 p->cfg.ifname, l->qdisc[0] ? l->qdisc : "the default");
}

static int port_attach(struct ports *ps, struct port *p, const struct netlink_link *l)
{
	char a[ADDR_IP_STRLEN], m[ADDR_MAC_STRLEN], a6[ADDR6_STRLEN];
	int err;

	if (l->type != ARPHRD_ETHER) {
		log_warn("port %s: not an Ethernet interface (type %u, kind \"%s\"); not attached",
			 p->cfg.ifname, l->type, l->kind);
		return -EINVAL;
	}
	p->ifindex = l->ifindex;
	p->tap = !strcmp(l->kind, "tun");
	p->shaped = link_shaped(p, l);
	if (!p->cfg.mac_auto) {
		memcpy(p->mac, p->cfg.mac, 6);
		p->mac_known = true;
	} else if (!p->mac_known) {
		p->mac_known = read_peer_mac(ps, p, l) || adopt_map_mac(ps, p);
	}
	if (!hashmap_put(&ps->by_ifindex, &p->ifindex, &p, NULL))
		return -ENOMEM;
	/* See sysctl.h: the program's underlay lookup needs it. */
	if (ps->env.ld && (err = sysctl_if_set(p->cfg.ifname, "forwarding", "1")))
		log_warn("port %s: cannot set net.ipv4.conf.%s.forwarding=1: %s; "
			 "encapsulation will fail (drop_fib)", p->cfg.ifname, p->cfg.ifname,
			 strerror(-err));
	/* The host's /128 route to the port's ip6 needs IPv6 on the port:
	 * with net.ipv6.conf.<port>.disable_ipv6=1 the kernel refuses a
	 * route through it (EACCES, "IPv6 is disabled on nexthop device"). */
	if (ps->env.ld && !p->cfg.hostlink && !addr6_is_zero(p->cfg.ip6) &&
	    (err = sysctl_if_set6(p->cfg.ifname, "disable_ipv6", "0")))
		log_warn("port %s: cannot set net.ipv6.conf.%s.disable_ipv6=0: %s; the host's "
			 "/128 route to its ip6 will fail", p->cfg.ifname, p->cfg.ifname,
			 strerror(-err));
	/* The limit before the program: its first frame is policed. */
	err = sync_port(ps, p);
	if (!err)
		err = rate_sync(ps, p);
	if (!err && ps->env.ld)
		err = loader_attach_port(ps->env.ld, p->ifindex, p->cfg.ifname);
	p->attach_err = err;
	if (err) {
		log_err("port %s: cannot attach: %s%s", p->cfg.ifname, strerror(-err),
			err == -E2BIG ? " (vtep_ports is full: raise limits.ports)" : "");
		if (ps->env.ms && !mapsync_port_del(ps->env.ms, p->ifindex))
			mapsync_flush(ps->env.ms);
		ratemap_del(ps->rates_fd, p->ifindex);
		hashmap_del(&ps->by_ifindex, &p->ifindex);
		p->ifindex = 0;
		return err;
	}
	p->attached = true;
	host_route_sync(ps, p, l->up);
	if (addr6_is_zero(p->cfg.ip6))
		log_info("port %s: attached (ifindex %d, %s, vni %u, ip %s, mac %s)", p->cfg.ifname,
			 p->ifindex, p->tap ? "tap" : l->kind[0] ? l->kind : "ethernet", p->cfg.vni,
			 addr_fmt_ip(p->cfg.ip, a), fmt_mac_or_auto(p, m));
	else
		log_info("port %s: attached (ifindex %d, %s, vni %u, ip %s, ip6 %s, mac %s)",
			 p->cfg.ifname, p->ifindex,
			 p->tap ? "tap" : l->kind[0] ? l->kind : "ethernet", p->cfg.vni,
			 p->cfg.ip ? addr_fmt_ip(p->cfg.ip, a) : "none", fmt_ip6_or_none(p, a6),
			 fmt_mac_or_auto(p, m));
	return 0;
}

/* gone: the interface no longer exists (the kernel already dropped its
 * filters, routes and neighbours). */
static void port_withdraw(struct ports *ps, struct port *p, bool gone)
{
	if (!p->attached)
		return;
	if (ps->env.ms && !mapsync_port_del(ps->env.ms, p->ifindex))
		mapsync_flush(ps->env.ms);
	ratemap_del(ps->rates_fd, p->ifindex);
	if (!gone) {
		if (ps->env.ld)
			loader_detach_port(p->ifindex, p->cfg.ifname);
		if (ps->env.hr && p->cfg.ip)
			hostroute_del(ps->env.hr, p->cfg.ip, p->ifindex);
		if (ps->env.hr && !addr6_is_zero(p->cfg.ip6))
			hostroute6_del(ps->env.hr, p->cfg.ip6, p->ifindex);
	}
	hashmap_del(&ps->by_ifindex, &p->ifindex);
	p->ifindex = 0;
	p->attached = false;
	p->tap = false;
	p->host_route = false;
	p->host_route6 = false;
	if (p->cfg.mac_auto)
		p->mac_known = false; /* a new interface may carry another workload */
}

int ports_add(struct ports *ps, const struct cfg_port *cp)
{
	char key[CFG_IFNAMSIZ];
	struct netlink_link l;
	struct port *p;
	int err;

	if (find_name(ps, cp->ifname))
		return -EEXIST;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *cp;
	name_key(cp->ifname, key);
	if (!hashmap_put(&ps->by_name, key, &p, NULL)) {
		free(p);
		return -ENOMEM;
	}
	err = ps->env.nl ? netlink_link_by_name(ps->env.nl, cp->ifname, &l) : -ENODEV;
	if (err) {
		log_info("port %s: interface absent; it is attached when it appears", cp->ifname);
		return 0;
	}
	/* A failed attach is logged and retried at the interface's next event;
	 * the port stays configured either way. */
	port_attach(ps, p, &l);
	return 0;
}

int ports_del(struct ports *ps, const char *ifname)
{
	char key[CFG_IFNAMSIZ];
	struct port *p = find_name(ps, ifname);

	if (!p)
		return -ENOENT;
	port_withdraw(ps, p, false);
	name_key(ifname, key);
	hashmap_del(&ps->by_name, key);
	log_info("port %s: removed", ifname);
	free(p);
	return 0;
}

const struct port *ports_find(const struct ports *ps, const char *ifname)
{
	return find_name(ps, ifname);
}

const struct port *ports_by_ifindex(const struct ports *ps, int ifindex)
{
	return find_index(ps, ifindex);
}

size_t ports_count(const struct ports *ps)
{
	return hashmap_count(&ps->by_name);
}

const struct port *ports_next(const struct ports *ps, size_t *pos)
{
	void *v;

	return hashmap_next(&ps->by_name, pos, &v) ? *(struct port **)v : NULL;
}

void ports_link_event(struct ports *ps, const struct netlink_link *l)
{
	struct port *cur = find_index(ps, l->ifindex), *p;
	char m[ADDR_MAC_STRLEN];

	if (l->deleted) {
		if (cur) {
			port_withdraw(ps, cur, true);
			log_info("port %s: interface gone, withdrawn (stays configured)",
				 cur->cfg.ifname);
		}
		return;
	}
	if (cur && strcmp(cur->cfg.ifname, l->ifname)) {
		port_withdraw(ps, cur, false);
		log_info("port %s: interface renamed to %s, withdrawn", cur->cfg.ifname, l->ifname);
	}
	p = find_name(ps, l->ifname);
	if (!p)
		return;
	if (p->attached && p->ifindex == l->ifindex) {
		/* Already attached. The workload's side of a veth is usually
		 * set up after the pair is created (moved into its namespace,
		 * given its MAC, brought up); we see none of that, but the
		 * host side's carrier follows the peer's state, so every
		 * NEWLINK here is a chance to re-read the peer's MAC. */
		uint8_t old[6];
		bool had = p->mac_known;

		memcpy(old, p->mac, 6);
		if (p->cfg.mac_auto && read_peer_mac(ps, p, l) &&
		    (!had || memcmp(old, p->mac, 6))) {
			p->mac_known = true;
			sync_port(ps, p);
			host_neigh_sync(ps, p);
			log_info("port %s: workload MAC %s (veth peer)", p->cfg.ifname,
				 addr_fmt_mac(p->mac, m));
		} else if (had) {
			memcpy(p->mac, old, 6);
		}
		shaped_sync(ps, p, l);
		host_route_sync(ps, p, l->up);
		return;
	}
	if (p->attached) /* same name, new interface: the old one is gone */
		port_withdraw(ps, p, true);
	port_attach(ps, p, l);
}

static void mac_learned(struct ports *ps, struct port *p, const uint8_t mac[6])
{
	char m[ADDR_MAC_STRLEN];

	if (!p->attached || !p->cfg.mac_auto || p->mac_known || addr_mac_is_zero(mac) ||
	    (mac[0] & 1))
		return;
	memcpy(p->mac, mac, 6);
	p->mac_known = true;
	sync_port(ps, p);
	host_neigh_sync(ps, p);
	log_info("port %s: learned workload MAC %s", p->cfg.ifname, addr_fmt_mac(mac, m));
}

void ports_mac_learned(struct ports *ps, int ifindex, uint32_t ip, const uint8_t mac[6])
{
	struct port *p = find_index(ps, ifindex);

	if (p && p->cfg.ip && ip == p->cfg.ip)
		mac_learned(ps, p, mac);
}

void ports_mac_learned6(struct ports *ps, int ifindex, const uint8_t ip6[16],
			const uint8_t mac[6])
{
	struct port *p = find_index(ps, ifindex);

	/* Only from the port's global address: its link-local one may be
	 * derived from the very MAC being learned. */
	if (p && !addr6_is_zero(p->cfg.ip6) && !memcmp(ip6, p->cfg.ip6, 16))
		mac_learned(ps, p, mac);
}

void ports_set_rates_map(struct ports *ps, int fd)
{
	ps->rates_fd = fd;
}

static bool rate_kept(void *ctx, int ifindex)
{
	const struct port *p = find_index(ctx, ifindex);

	return p && p->attached && p->cfg.egress_rate;
}

int ports_rates_prune(struct ports *ps, size_t *removed)
{
	return ratemap_prune(ps->rates_fd, rate_kept, ps, removed);
}
