/* daemon_hostlink.c - the host links of the VNIs (host/hostlink.h,
 * docs/kubernetes.md "The host link") brought together with the ports and
 * vtep_hostlinks.
 *
 * A VNI with host_ip gets its pair (hostlink_up, idempotent), its datapath
 * end becomes a port of the VNI with host_ip (cfg_port.hostlink: no /32
 * host route, VTEP_PORT_F_HOSTLINK in vtep_ports), and vtep_hostlinks[vni]
 * names that port for the datapath (bpf/ctsteer.h). A VNI that lost its
 * host_ip (or is gone) loses all three; so does one an earlier run left in
 * the pinned vtep_hostlinks that the configuration no longer has. The map
 * is written here, not through mapsync: one small entry per VNI, no
 * batching or reconcile to share.
 *
 * A host link that cannot be made is logged and skipped: the VNI's pods
 * still work among themselves, only the host's way in is missing.
 */
#include "daemon_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "addr.h"
#include "hostlink.h"
#include "loader.h"
#include "log.h"
#include "netlink.h"
#include "podnet.h"
#include "ports.h"

#define VXLAN_OVERHEAD 50   /* outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 (RFC 7348) */
#define DEFAULT_MTU 1450

static uint32_t hostlink_mtu(struct daemon *d)
{
	uint32_t mtu;

	if (d->cfg->n_uplinks && !podnet_link_mtu(d->cfg->uplinks[0], &mtu) &&
	    mtu > VXLAN_OVERHEAD + 68)
		return mtu - VXLAN_OVERHEAD;
	return DEFAULT_MTU;
}

/* The VNI's host link as the configuration wants it, or NULL. */
static const struct cfg_vni *wanted(const struct daemon *d, uint32_t vni)
{
	const struct cfg_vni *v = config_find_vni(d->cfg, vni);

	return v && v->outside == CFG_OUTSIDE_HOST && v->host_ip ? v : NULL;
}

/* The host end's key (VTEP_HOSTLINK_IF | ifindex), 0 when it is gone. */
static uint32_t host_key(uint32_t vni)
{
	char host[CFG_IFNAMSIZ], dp[CFG_IFNAMSIZ];
	unsigned int ifindex;

	hostlink_names(vni, host, dp);
	ifindex = if_nametoindex(host);
	return ifindex ? VTEP_HOSTLINK_IF | ifindex : 0;
}

/* Both keys of the VNI's host link (vtep_maps.h): set from the attached
 * port p, or deleted (p NULL or not attached). */
static void map_set(struct daemon *d, uint32_t vni, const struct port *p)
{
	int fd = loader_map_fd(d->ld, VTEP_MAP_HOSTLINKS), ret;
	struct vtep_hostlink hl = { 0 };
	uint32_t hk = host_key(vni);

	if (fd < 0)
		return;
	if (p && p->attached) {
		hl.ifindex = (uint32_t)p->ifindex;
		hl.ip = p->cfg.ip;
		ret = bpf_map_update_elem(fd, &vni, &hl, BPF_ANY) ? -errno : 0;
		if (!ret && hk)
			ret = bpf_map_update_elem(fd, &hk, &hl, BPF_ANY) ? -errno : 0;
	} else {
		ret = bpf_map_delete_elem(fd, &vni) && errno != ENOENT ? -errno : 0;
		if (hk)
			bpf_map_delete_elem(fd, &hk);
	}
	if (ret)
		log_warn("%s: vni %u: %s", VTEP_MAP_HOSTLINKS, vni, strerror(-ret));
}

/* A host end's key still wanted: its value names a wanted VNI's host_ip
 * and that VNI's host end has this ifindex. */
static bool host_key_wanted(const struct daemon *d, int fd, uint32_t key)
{
	struct vtep_hostlink hl;

	if (bpf_map_lookup_elem(fd, &key, &hl))
		return false;
	for (size_t i = 0; i < d->cfg->n_vnis; i++) {
		const struct cfg_vni *v = wanted(d, d->cfg->vnis[i].vni);

		if (v && v->host_ip == hl.ip && host_key(v->vni) == key)
			return true;
	}
	return false;
}

static void remove_one(struct daemon *d, uint32_t vni, const char *why)
{
	char host[CFG_IFNAMSIZ], dp[CFG_IFNAMSIZ];
	int ret;

	hostlink_names(vni, host, dp);
	map_set(d, vni, NULL);
	ports_del(d->ports, dp);
	ret = hostlink_delete(vni);
	if (ret)
		log_warn("host link %s: cannot delete: %s", host, strerror(-ret));
	else
		log_info("host link %s: removed (%s)", host, why);
}

/* Host link ports whose VNI no longer wants them (or wants another
 * address), and pinned entries of an earlier run's VNIs. */
static void remove_unwanted(struct daemon *d)
{
	int fd = loader_map_fd(d->ld, VTEP_MAP_HOSTLINKS), err;
	uint32_t gone[64], key, next;
	const struct port *p;
	size_t pos = 0, n = 0, i;

	while ((p = ports_next(d->ports, &pos)) && n < sizeof(gone) / sizeof(gone[0])) {
		const struct cfg_vni *v = wanted(d, p->cfg.vni);

		if (p->cfg.hostlink && (!v || v->host_ip != p->cfg.ip))
			gone[n++] = p->cfg.vni;
	}
	for (i = 0; i < n; i++)
		remove_one(d, gone[i], "host_ip removed or changed");
	if (fd < 0)
		return;
	n = 0;
	err = bpf_map_get_next_key(fd, NULL, &next);
	while (!err && n < sizeof(gone) / sizeof(gone[0])) {
		key = next;
		err = bpf_map_get_next_key(fd, &key, &next);
		if (key & VTEP_HOSTLINK_IF ? !host_key_wanted(d, fd, key) : !wanted(d, key))
			gone[n++] = key;
	}
	for (i = 0; i < n; i++) {
		if (gone[i] & VTEP_HOSTLINK_IF)
			bpf_map_delete_elem(fd, &gone[i]);
		else
			remove_one(d, gone[i], "no longer configured");
	}
}

static int add_one(struct daemon *d, const struct cfg_vni *v, uint32_t mtu)
{
	struct hostlink_spec s = { .vni = v->vni, .host_ip = v->host_ip, .subnet = v->subnet,
				   .prefixlen = v->prefixlen, .gateway = v->gateway_ip,
				   .mtu = mtu };
	char err[CFG_ERR_LEN] = "", host[CFG_IFNAMSIZ], a[ADDR_IP_STRLEN];
	const struct port *p;
	struct cfg_port cp;
	int ret;

	memset(&cp, 0, sizeof(cp));
	hostlink_names(v->vni, host, cp.ifname);
	ret = hostlink_up(&s, err);
	if (ret) {
		log_err("host link %s (vni %u): %s", host, v->vni, err[0] ? err : strerror(-ret));
		return ret == -ENOMEM ? ret : 0;
	}
	cp.vni = v->vni;
	cp.ip = v->host_ip;
	cp.mac_auto = true;
	cp.hostlink = true;
	p = ports_find(d->ports, cp.ifname);
	if (!p) {
		ret = ports_add(d->ports, &cp);
		if (ret) {
			log_err("host link %s: cannot make %s a port: %s", host, cp.ifname,
				strerror(-ret));
			return ret == -ENOMEM ? ret : 0;
		}
		log_info("host link %s: vni %u, host_ip %s, %s a port", host, v->vni,
			 addr_fmt_ip(v->host_ip, a), cp.ifname);
		p = ports_find(d->ports, cp.ifname);
	}
	map_set(d, v->vni, p);
	return 0;
}

int daemon_hostlinks_apply(struct daemon *d)
{
	uint32_t mtu = 0;
	int ret;

	remove_unwanted(d);
	for (size_t i = 0; i < d->cfg->n_vnis; i++) {
		const struct cfg_vni *v = &d->cfg->vnis[i];

		if (!wanted(d, v->vni))
			continue;
		if (!mtu)
			mtu = hostlink_mtu(d);
		if ((ret = add_one(d, v, mtu)))
			return ret;
	}
	return 0;
}

void daemon_hostlink_link(struct daemon *d, const struct netlink_link *l)
{
	const struct port *p;

	if (l->deleted || !d->cfg)
		return;
	p = ports_by_ifindex(d->ports, l->ifindex);
	if (p && p->cfg.hostlink && wanted(d, p->cfg.vni))
		map_set(d, p->cfg.vni, p);
}
