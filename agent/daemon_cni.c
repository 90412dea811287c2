/* daemon_cni.c - the pods of the CNI service (docs/kubernetes.md): what
 * vtepd does for each request of vtepd-cni (ctl/cnictl.h), the records
 * (conf/pods.h) and the plumbing (host/podnet.h) brought together with the
 * ports.
 *
 * A pod is an ordinary port whose interface vtepd made: the host end of
 * its veth, with the pod end's MAC and the address IPAM gave. So
 * everything ports do (map entries, the port program, the host's /32 and
 * /128 routes and neighbours, the type-2 advertisements when BGP is on) is
 * what a pod gets, by the same code. A dual-stack pod (IPAM gave an IPv6
 * address too) is a port with ip and ip6; an IPv6-only pod one with ip6
 * only; its IPv6 default route goes via the VNI gateway's link-local
 * address (podnet.h, cnictl.h). Order on ADD: plumbing, then the port, then the
 * record; each failure undoes the steps before it, so no half-made
 * attachment stays behind. DEL undoes them in reverse and is idempotent.
 */
#include "daemon_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "addr6.h"
#include "cniname.h"
#include "cnictl.h"
#include "control.h"
#include "log.h"
#include "loop.h"
#include "podnet.h"
#include "ports.h"
#include "loader.h"
#include "portrate.h"
#include <bpf/bpf.h>

#define VXLAN_OVERHEAD 50   /* outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 (RFC 7348) */
#define DEFAULT_POD_MTU 1450

static void pod_to_port(const struct pod *p, struct cfg_port *cp)
{
	memset(cp, 0, sizeof(*cp));
	snprintf(cp->ifname, sizeof(cp->ifname), "%s", p->host_ifname);
	cp->vni = p->vni;
	cp->ip = p->ip;
	memcpy(cp->ip6, p->ip6, 16);
	memcpy(cp->mac, p->mac, 6);
	cp->pod = true;
	cp->egress_rate = p->egress_rate;
	cp->egress_burst = p->egress_burst;
}

static int save(struct daemon *d, char err[CFG_ERR_LEN])
{
	int ret = pods_save(d->cfg->state_dir, &d->pods, err);

	if (ret)
		log_err("cni: %s", err);
	return ret;
}

/* The port and the veth of a pod (its record stays: the caller decides). */
static void teardown(struct daemon *d, const struct pod *p)
{
	int ret;

	ports_del(d->ports, p->host_ifname);
	ret = podnet_delete(p->host_ifname);
	if (ret)
		log_warn("cni: %s: cannot delete %s: %s", p->container_id, p->host_ifname,
			 strerror(-ret));
}

static void drop(struct daemon *d, const struct pod *p, const char *why)
{
	char cid[POD_ID_LEN], ifn[CFG_IFNAMSIZ];

	log_info("cni: %s/%s (%s%s%s): %s", p->container_id, p->ifname, p->k8s_namespace,
		 p->k8s_namespace[0] ? "/" : "", p->k8s_name, why);
	teardown(d, p);
	snprintf(cid, sizeof(cid), "%s", p->container_id);
	snprintf(ifn, sizeof(ifn), "%s", p->ifname);
	pods_remove(&d->pods, cid, ifn);
}

int daemon_cni_restore(struct daemon *d)
{
	char err[CFG_ERR_LEN] = "";
	size_t attached = 0;
	int ret;

	ret = pods_load(d->cfg->state_dir, &d->pods, err);
	if (ret) {
		log_err("cni: %s", err[0] ? err : strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < d->pods.n; i++) {
		const struct pod *p = &d->pods.v[i];
		struct cfg_port cp;
		const struct port *pt;

		pod_to_port(p, &cp);
		if (config_check_port(d->cfg, &cp, "pod", err) ||
		    (ret = ports_add(d->ports, &cp))) {
			log_warn("cni: pod %s/%s kept, but not a port: %s", p->container_id, p->ifname,
				 err[0] ? err : strerror(-ret));
			err[0] = '\0';
			continue;
		}
		pt = ports_find(d->ports, cp.ifname);
		attached += pt && pt->attached;
	}
	if (d->pods.n)
		log_info("cni: %zu pods restored from %s/%s (%zu attached; the others wait for "
			 "their interface, a re-ADD or GC)", d->pods.n, d->cfg->state_dir, PODS_FILE,
			 attached);
	return 0;
}

/* Whether ip or ip6 (0, all zero: none) belongs to a port that is not a
 * pod (config or vtepctl). */
static bool port_holds_ip(struct daemon *d, uint32_t ip, const uint8_t ip6[16])
{
	const struct port *p;
	size_t pos = 0;

	while ((p = ports_next(d->ports, &pos)))
		if (!p->cfg.pod && ((ip && p->cfg.ip == ip) ||
				    (!addr6_is_zero(ip6) && !memcmp(p->cfg.ip6, ip6, 16))))
			return true;
	return false;
}

/* The pod's addresses for messages: "A", "A6" or "A and A6". */
static const char *fmt_ips(const struct pod *p, char buf[ADDR_IP_STRLEN + ADDR6_STRLEN + 8])
{
	char a[ADDR_IP_STRLEN], a6[ADDR6_STRLEN];

	snprintf(buf, ADDR_IP_STRLEN + ADDR6_STRLEN + 8, "%s%s%s",
		 p->ip ? addr_fmt_ip(p->ip, a) : "",
		 p->ip && !addr6_is_zero(p->ip6) ? " and " : "",
		 addr6_is_zero(p->ip6) ? "" : addr6_fmt(p->ip6, a6));
	return buf;
}

/* Makes room for req: a record of the same attachment (a repeated ADD, or
 * the runtime's re-ADD after a reboot) is replaced; a record holding the
 * address whose interface is gone (its pod died with vtepd away, IPAM
 * gave the address again) is dropped; anything else live is a conflict. */
static int make_room(struct daemon *d, const struct pod *req, const char *host,
		     char err[CFG_ERR_LEN])
{
	struct pod *old = pods_find(&d->pods, req->container_id, req->ifname);
	char a[ADDR_IP_STRLEN + ADDR6_STRLEN + 8];

	if (old)
		drop(d, old, "ADD again: the old attachment is replaced");
	/* Each family's address: a pod holding either one is in the way. */
	for (int fam = 0; fam < 2; fam++) {
		old = fam ? pods_by_ip6(&d->pods, req->ip6) : pods_by_ip(&d->pods, req->ip);
		if (old && !podnet_exists(old->host_ifname))
			drop(d, old, "its interface is gone and its address is given again");
		else if (old)
			return snprintf(err, CFG_ERR_LEN, "ip %s is held by pod %s/%s",
					fmt_ips(req, a), old->container_id, old->ifname), -EEXIST;
	}
	if (port_holds_ip(d, req->ip, req->ip6))
		return snprintf(err, CFG_ERR_LEN, "ip %s is a configured port's",
				fmt_ips(req, a)), -EEXIST;
	if (pods_by_host_ifname(&d->pods, host) || ports_find(d->ports, host))
		return snprintf(err, CFG_ERR_LEN, "interface name %s is taken by another "
				"attachment", host), -EEXIST;
	if (podnet_exists(host)) {   /* left by a crash between veth and record */
		log_warn("cni: %s exists without a record; deleting it", host);
		podnet_delete(host);
	}
	return 0;
}

static uint32_t pod_mtu(struct daemon *d, uint32_t asked)
{
	uint32_t mtu;

	if (asked)
		return asked;
	if (d->cfg->n_uplinks && !podnet_link_mtu(d->cfg->uplinks[0], &mtu) &&
	    mtu > VXLAN_OVERHEAD + 68)
		return mtu - VXLAN_OVERHEAD;
	return DEFAULT_POD_MTU;
}

static int plumb(struct daemon *d, struct pod *p, const struct cfg_vni *v,
		 struct cnictl_made *out, char err[CFG_ERR_LEN])
{
	struct podnet_spec s = { .netns = p->netns, .ifname = p->ifname,
				 .host_ifname = p->host_ifname, .ip = p->ip,
				 .gateway = v->gateway_ip, .mtu = p->mtu };
	struct podnet_made m;
	const struct port *pt;
	struct cfg_port cp;
	int ret;

	memcpy(s.ip6, p->ip6, 16);
	if (!addr6_is_zero(p->ip6))
		config_vni_gateway_ll(v, s.gateway6);
	ret = podnet_create(&s, &m, err);
	if (ret)
		return ret;
	memcpy(p->mac, m.mac, 6);
	pod_to_port(p, &cp);
	ret = ports_add(d->ports, &cp);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "cannot add port %s: %s", cp.ifname, strerror(-ret));
		podnet_delete(p->host_ifname);
		return ret;
	}
	/* The interface exists, so ports_add attached it or failed to: a pod
	 * whose port is not in the datapath would get an address and no
	 * traffic, so the ADD fails and nothing stays. */
	pt = ports_find(d->ports, cp.ifname);
	if (!pt || !pt->attached) {
		ret = pt && pt->attach_err ? pt->attach_err : -ENODEV;
		if (ret == -E2BIG)
			snprintf(err, CFG_ERR_LEN, "cannot attach port %s: vtep_ports is full "
				 "(limits.ports %u); raise limits.ports (read at start)", cp.ifname,
				 d->cfg->limit_ports);
		else
			snprintf(err, CFG_ERR_LEN, "cannot attach port %s: %s", cp.ifname,
				 strerror(-ret));
		ports_del(d->ports, cp.ifname);
		podnet_delete(p->host_ifname);
		return ret == -E2BIG ? -ENOSPC : ret;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->host_ifname, p->host_ifname, sizeof(out->host_ifname));
	memcpy(out->host_mac, m.host_mac, 6);
	memcpy(out->mac, m.mac, 6);
	out->mtu = p->mtu;
	out->ip = p->ip;
	out->gateway = v->gateway_ip;
	memcpy(out->ip6, s.ip6, 16);
	memcpy(out->gateway6, s.gateway6, 16);
	return 0;
}

static int cni_add(struct daemon *d, const struct pod *req, struct cnictl_made *out,
		   char err[CFG_ERR_LEN])
{
	const struct cfg_vni *v = config_find_vni(d->cfg, req->vni);
	struct cfg_port cp;
	struct pod p = *req;
	char a[ADDR_IP_STRLEN + ADDR6_STRLEN + 8];
	int ret;

	if (!v)
		return snprintf(err, CFG_ERR_LEN, "vni %u is not configured in vtepd", req->vni),
		       -EINVAL;
	cniname_host_ifname(p.container_id, p.ifname, p.host_ifname);
	pod_to_port(&p, &cp);
	cp.mac_auto = true;   /* the MAC is the kernel's, known once made */
	if (config_check_port(d->cfg, &cp, "", err))
		return -EINVAL;
	if ((ret = make_room(d, &p, p.host_ifname, err)))
		return ret;
	p.mtu = pod_mtu(d, req->mtu);
	if ((ret = plumb(d, &p, v, out, err)))
		return ret;
	if ((ret = pods_put(&d->pods, &p)) || (ret = save(d, err))) {
		if (!err[0])
			snprintf(err, CFG_ERR_LEN, "%s", strerror(-ret));
		teardown(d, &p);
		pods_remove(&d->pods, p.container_id, p.ifname);
		return ret;
	}
	log_info("cni: %s/%s added: %s in netns %s, vni %u, ip %s, pod %s%s%s%s", p.container_id,
		 p.ifname, p.host_ifname, p.netns, p.vni, fmt_ips(&p, a), p.k8s_namespace,
		 p.k8s_namespace[0] ? "/" : "", p.k8s_name,
		 p.egress_rate ? ", egress limited" : "");
	return 0;
}

static int cni_del(struct daemon *d, const char *container_id, const char *ifname,
		   bool *removed, char err[CFG_ERR_LEN])
{
	struct pod *p = pods_find(&d->pods, container_id, ifname);
	char host[CNINAME_LEN + 1];

	*removed = p != NULL;
	if (!p) {
		/* SPEC.md section 2, DEL: "Plugins MUST accept multiple DEL
		 * calls ... and return success if the interface in question,
		 * or any modifications added, are missing". A host end with
		 * our name and no record (a crash mid-ADD) still goes. */
		cniname_host_ifname(container_id, ifname, host);
		if (!ports_find(d->ports, host) && podnet_exists(host))
			podnet_delete(host);
		return 0;
	}
	drop(d, p, "deleted");
	return save(d, err);
}

/* Whether the datapath holds the pod's egress limit (or, without one, no
 * limit for its port). */
static bool rate_in_map(struct daemon *d, const struct pod *p, const struct port *pt)
{
	int fd = d->ld ? loader_map_fd(d->ld, VTEP_MAP_PORT_RATES) : -1;
	struct vtep_port_rate v;
	__u32 key = (__u32)pt->ifindex;
	bool has;

	if (fd < 0)
		return !p->egress_rate;
	has = !bpf_map_lookup_elem(fd, &key, &v);
	if (!p->egress_rate)
		return !has;
	return has && v.rate == p->egress_rate &&
	       v.burst == portrate_burst_bytes(p->egress_rate, p->egress_burst);
}

static int cni_check(struct daemon *d, const struct pod *req, char err[CFG_ERR_LEN])
{
	const struct pod *p = pods_find(&d->pods, req->container_id, req->ifname);
	const struct cfg_vni *v;
	const struct port *pt;
	struct podnet_spec s;

	if (!p)
		return snprintf(err, CFG_ERR_LEN, "vtepd has no attachment %s/%s",
				req->container_id, req->ifname), -ENOENT;
	if (strcmp(p->netns, req->netns) || p->vni != req->vni || p->ip != req->ip ||
	    memcmp(p->ip6, req->ip6, 16))
		return snprintf(err, CFG_ERR_LEN, "the attachment differs from the runtime's "
				"result (netns, vni, ip or ip6)"), -EINVAL;
	if (p->egress_rate != req->egress_rate || p->egress_burst != req->egress_burst)
		return snprintf(err, CFG_ERR_LEN, "the egress limit differs from the runtime's "
				"(vtepd has %llu bit/s, burst %llu bits; asked %llu, %llu)",
				(unsigned long long)p->egress_rate,
				(unsigned long long)p->egress_burst,
				(unsigned long long)req->egress_rate,
				(unsigned long long)req->egress_burst), -EINVAL;
	v = config_find_vni(d->cfg, p->vni);
	pt = ports_find(d->ports, p->host_ifname);
	if (!v || !pt || !pt->attached)
		return snprintf(err, CFG_ERR_LEN, "port %s is not attached%s", p->host_ifname,
				v ? "" : " (its vni is no longer configured)"), -EINVAL;
	if (!rate_in_map(d, p, pt))
		return snprintf(err, CFG_ERR_LEN, "port %s: its egress limit is not in %s",
				p->host_ifname, VTEP_MAP_PORT_RATES), -EINVAL;
	s = (struct podnet_spec){ .netns = p->netns, .ifname = p->ifname,
				  .host_ifname = p->host_ifname, .ip = p->ip,
				  .gateway = v->gateway_ip, .mtu = p->mtu };
	memcpy(s.ip6, p->ip6, 16);
	if (!addr6_is_zero(p->ip6))
		config_vni_gateway_ll(v, s.gateway6);
	return podnet_check(&s, p->mac, err);
}

static bool listed(const struct pod *p, const struct cnictl_attachment *valid, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(valid[i].container_id, p->container_id) &&
		    !strcmp(valid[i].ifname, p->ifname))
			return true;
	return false;
}

static int cni_gc(struct daemon *d, const char *network, const struct cnictl_attachment *valid,
		  size_t n, cnictl_removed_fn removed, void *ctx, char err[CFG_ERR_LEN])
{
	size_t before = d->pods.n, i = 0;

	while (i < d->pods.n) {
		struct pod p = d->pods.v[i];

		if (strcmp(p.network, network) || listed(&p, valid, n)) {
			i++;
			continue;
		}
		drop(d, &p, "garbage-collected (not in the runtime's valid attachments)");
		removed(ctx, &p);
	}
	log_info("cni: gc of network %s: %zu attachments removed, %zu valid listed",
		 network, before - d->pods.n, n);
	return before == d->pods.n ? 0 : save(d, err);
}

static size_t cni_count(const struct daemon *d)
{
	return d->pods.n;
}

static const struct cnictl_ops cni_ops = {
	.add = cni_add,
	.del = cni_del,
	.check = cni_check,
	.gc = cni_gc,
	.count = cni_count,
};

static void on_cni(void *ctx)
{
	struct daemon *d = ctx;

	control_handle(d->cni);
	daemon_bgp_flush(d);
}

int daemon_cni_open(struct daemon *d)
{
	int ret;

	if (!d->cfg->cni_socket[0])
		return 0;
	ret = cnictl_open(d, &cni_ops, d->cfg->cni_socket, &d->cni);
	if (ret) {
		log_err("cni socket %s: %s", d->cfg->cni_socket, strerror(-ret));
		return ret;
	}
	return loop_add(d->loop, control_fd(d->cni), on_cni, d);
}

const struct pods *daemon_pods(const struct daemon *d)
{
	return &d->pods;
}
