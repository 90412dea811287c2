/* daemon.c - vtepd's core: start-up order, the event handlers, and the
 * operations the control socket and metrics make (the tables of
 * struct control_ops and struct metrics_ops are here). Applying a new
 * config file is daemon_reload.c, probing and attaching uplinks
 * daemon_probe.c, turning config records into map records daemon_sync.c.
 *
 * Start-up order (each step needs the ones before it):
 *   state file -> signals blocked -> programs loaded, maps pinned/reused ->
 *   link events subscribed -> intent (VNIs, static routes) -> ports attached
 *   -> reconcile (write the whole desired set, delete stale entries of ours)
 *   -> uplinks attached -> stale host routes swept -> ring buffer, control
 *   socket, metrics -> "ready".
 * Forwarding never stops across a restart: the maps keep their entries, the
 * old programs keep running until the new ones replace them atomically.
 */
#include "daemon_priv.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/signalfd.h>
#include <bpf/bpf.h>

#include "addr.h"
#include "addr6.h"
#include "bgp.h"
#include "control.h"
#include "events.h"
#include "evpn_export.h"
#include "hostaddr.h"
#include "hostaddr6.h"
#include "underlay.h"
#include "hostroute.h"
#include "loader.h"
#include "log.h"
#include "loop.h"
#include "mapsync.h"
#include "rcache.h"
#include "rtab.h"
#include "metrics.h"
#include "netlink.h"
#include "ports.h"
#include "rib.h"

/* The test-only probe override: kept for every probe (start and reload)
 * once its spec is known to be good. */
static int check_override(struct daemon *d, const char *spec)
{
	struct probe_set scratch;
	char err[CFG_ERR_LEN];

	memset(&scratch, 0, sizeof(scratch));
	if (probe_override(&scratch, spec, err, sizeof(err))) {
		log_err("test override: %s", err);
		return -EINVAL;
	}
	d->probe_override = strdup(spec);
	return d->probe_override ? 0 : -ENOMEM;
}

static const struct control_ops daemon_control_ops;
static const struct metrics_ops daemon_metrics_ops;

/* ---- event handlers ------------------------------------------------------------ */

static void on_link(void *ctx, const struct netlink_link *l)
{
	struct daemon *d = ctx;
	size_t i;

	ports_link_event(d->ports, l);
	daemon_hostlink_link(d, l);
	for (i = 0; i < d->n_uplinks; i++) {
		struct daemon_uplink *u = &d->uplinks[i];

		if (l->deleted || strcmp(u->name, l->ifname)) {
			if (u->ifindex == l->ifindex) {
				log_warn("uplink %s: interface gone", u->name);
				u->ifindex = 0;
			}
			continue;
		}
		if (u->ifindex != l->ifindex)
			daemon_uplink_attach_at(d, i, l->ifindex);
	}
}

static void on_event(void *ctx, const struct vtep_event *e)
{
	struct daemon *d = ctx;
	const struct port *p = ports_by_ifindex(d->ports, (int)e->ifindex);
	char a[ADDR6_STRLEN], m[ADDR_MAC_STRLEN];

	switch (e->type) {
	case VTEP_EV_MAC_LEARN:
		if (e->family == 6)
			ports_mac_learned6(d->ports, (int)e->ifindex, e->ip6, e->mac);
		else
			ports_mac_learned(d->ports, (int)e->ifindex, e->ip, e->mac);
		break;
	case VTEP_EV_GARP:
		/* MAC mobility (RFC 7432 15): a workload that announces itself
		 * here (a gratuitous ARP, or an unsolicited NA: RFC 4861
		 * 7.2.6) while its MAC is known remote moved here; the RIB
		 * advertises it with the remote sequence + 1. */
		log_info("port %s: %s for %s from %s", p ? p->cfg.ifname : "?",
			 e->family == 6 ? "unsolicited NA" : "gratuitous ARP",
			 e->family == 6 ? addr6_fmt(e->ip6, a) : addr_fmt_ip(e->ip, a),
			 addr_fmt_mac(e->mac, m));
		if (d->rib)
			rib_local_garp(d->rib, e);
		break;
	}
}

/* Every handler below may change ports (and so the RIB's local paths): it
 * ends with daemon_bgp_flush(), so map writes and our advertisements go out
 * batched, once per event. */
static void on_netlink(void *ctx)
{
	netlink_handle(((struct daemon *)ctx)->nl);
	daemon_bgp_flush(ctx);
}

static void on_events(void *ctx)
{
	events_handle(((struct daemon *)ctx)->ev);
	daemon_bgp_flush(ctx);
}

/* mapsync's writer thread finished a job: its results, and the next job
 * with what changed meanwhile (mapsync_flush_async). */
static void on_mapsync(void *ctx)
{
	mapsync_poll(((struct daemon *)ctx)->ms);
}

static void on_control(void *ctx)
{
	control_handle(((struct daemon *)ctx)->ctl);
	daemon_bgp_flush(ctx);
}

static void on_signal(void *ctx)
{
	struct daemon *d = ctx;
	struct signalfd_siginfo si;
	char err[CFG_ERR_LEN];

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			log_info("SIGHUP: reloading %s", d->cfg_path);
			daemon_reload(d, err);
			break;
		case SIGTERM:
		case SIGINT:
			log_info("%s: exiting; the datapath stays attached and keeps forwarding%s",
				 strsignal((int)si.ssi_signo),
				 d->bgp ? ", BGP sessions close without NOTIFICATION (peers keep "
					  "our routes for the graceful-restart time)" : "");
			d->stop = true;
			break;
		}
	}
	daemon_bgp_flush(d);
}

/* ---- start / run / free -------------------------------------------------------- */

static int open_signals(struct daemon *d)
{
	sigset_t set;

	/* Blocked before any thread exists (metrics), so every thread
	 * inherits the mask and only the signalfd sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN); /* a vtepctl that hangs up must not kill us */
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sigfd < 0 ? -errno : 0;
}

static bool keep_host_route(void *ctx, uint32_t ip, int ifindex)
{
	struct daemon *d = ctx;
	const struct port *p = ports_by_ifindex(d->ports, ifindex);

	return p && p->attached && p->cfg.ip && p->cfg.ip == ip;
}

static bool keep_host_route6(void *ctx, const uint8_t ip6[16], int ifindex)
{
	struct daemon *d = ctx;
	const struct port *p = ports_by_ifindex(d->ports, ifindex);

	return p && p->attached && !memcmp(p->cfg.ip6, ip6, 16);
}

static int load_state(struct daemon *d, struct cfg_port **ports, size_t *n_ports,
		      struct cfg_route **routes, size_t *n_routes)
{
	char err[CFG_ERR_LEN] = "";
	int ret;

	ret = state_load(d->cfg->state_dir, &d->st, err);
	if (ret) {
		log_err("state: %s", err[0] ? err : strerror(-ret));
		return ret;
	}
	if (state_prune(&d->st, d->cfg) && state_save(d->cfg->state_dir, &d->st, err))
		log_warn("state: %s", err);
	ret = state_merge(d->cfg, &d->st, ports, n_ports, routes, n_routes, err);
	if (ret)
		log_err("state: %s", err[0] ? err : strerror(-ret));
	return ret;
}

static int open_datapath(struct daemon *d, size_t n_routes)
{
	struct mapsync_fds fds;
	struct ports_env env;
	char err[CFG_ERR_LEN] = "";
	int ret;

	ret = loader_open(d->cfg, &d->feat, &d->ld, err);
	if (ret) {
		log_err("%s", err[0] ? err : strerror(-ret));
		return ret;
	}
	fds.vnis = loader_map_fd(d->ld, VTEP_MAP_VNIS);
	fds.ports = loader_map_fd(d->ld, VTEP_MAP_PORTS);
	fds.routes = loader_map_fd(d->ld, VTEP_MAP_ROUTES);
	fds.prefixes = loader_map_fd(d->ld, VTEP_MAP_PREFIXES);
	fds.fdb = loader_map_fd(d->ld, VTEP_MAP_FDB);
	fds.remotes = loader_map_fd(d->ld, VTEP_MAP_REMOTES);
	fds.routes6 = loader_map_fd(d->ld, VTEP_MAP_ROUTES6);
	fds.prefixes6 = loader_map_fd(d->ld, VTEP_MAP_PREFIXES6);
	/* Before anything writes vtep_routes: from here on every change is
	 * followed by a new gen (rcache.h). */
	ret = rcache_open(loader_map_fd(d->ld, VTEP_MAP_RCACHE_CTL),
			  loader_map_fd(d->ld, VTEP_MAP_RCACHE), d->cfg->limit_rcache, &d->rc);
	if (ret) {
		log_err("cannot start the route cache: %s", strerror(-ret));
		return ret;
	}
	if (rcache_enabled(d->rc))
		log_info("route cache: %u entries per CPU (%u KiB each), generation %u",
			 d->cfg->limit_rcache,
			 (unsigned)(rcache_sets(d->cfg->limit_rcache) * sizeof(struct vtep_rcache_set) / 1024),
			 rcache_gen(d->rc));
	/* Also before anything writes vtep_routes: a copy of what it holds
	 * now, which follows every change from here on (rtab.h). */
	ret = rtab_open(loader_map_fd(d->ld, VTEP_MAP_RTAB), fds.routes, &d->rt);
	if (ret) {
		log_err("cannot start the flat route table: %s", strerror(-ret));
		return ret;
	}
	if ((ret = mapsync_new(&fds, n_routes, &d->ms)) ||
	    (ret = netlink_open(on_link, d, &d->nl)) || (ret = hostroute_open(&d->hr))) {
		log_err("cannot start: %s", strerror(-ret));
		return ret;
	}
	mapsync_set_rcache(d->ms, d->rc);
	mapsync_set_rtab(d->ms, d->rt);
	if ((ret = hostaddr_new(d->nl, loader_map_fd(d->ld, VTEP_MAP_HOSTADDRS), &d->ha)) ||
	    (ret = hostaddr6_new(d->nl, loader_map_fd(d->ld, VTEP_MAP_HOSTADDRS6), &d->ha6)))
		return ret;
	env = (struct ports_env){ .ld = d->ld, .ms = d->ms, .nl = d->nl, .hr = d->hr,
				  .ports_map_fd = fds.ports };
	ret = ports_new(&env, &d->ports);
	if (ret)
		log_err("cannot start: %s", strerror(-ret));
	else
		ports_set_rates_map(d->ports, loader_map_fd(d->ld, VTEP_MAP_PORT_RATES));
	return ret;
}

/* Interfaces the pinned vtep_ports map names that are not ports any more
 * (deleted from the config or state while vtepd was down): our filter on
 * them would drop everything (drop_no_port), so take it off. Runs before the
 * reconcile deletes their map entries. */
static void detach_stale_ports(struct daemon *d)
{
	int fd = loader_map_fd(d->ld, VTEP_MAP_PORTS), err;
	char name[IF_NAMESIZE];
	struct vtep_port vp;
	__u32 key, next;

	if (fd < 0)
		return;
	err = bpf_map_get_next_key(fd, NULL, &next);
	while (!err) {
		key = next;
		err = bpf_map_get_next_key(fd, &key, &next);
		if (ports_by_ifindex(d->ports, (int)key) || bpf_map_lookup_elem(fd, &key, &vp) ||
		    !if_indextoname(key, name) || strncmp(name, vp.ifname, sizeof(vp.ifname)))
			continue;
		loader_detach_port((int)key, name);
		if (vp.ip)
			hostroute_del(d->hr, vp.ip, (int)key);
		if (!addr6_is_zero(vp.ip6))
			hostroute6_del(d->hr, vp.ip6, (int)key);
		log_info("port %s: no longer configured; detached (left by an earlier run)", name);
	}
}

/* Egress limits of ports that are gone (deleted while vtepd was down):
 * their ifindex could name another interface one day. The limits of the
 * ports just restored were rewritten (unchanged buckets kept). */
static void prune_rates(struct daemon *d)
{
	size_t removed = 0;
	int err = ports_rates_prune(d->ports, &removed);

	if (err)
		log_warn("%s: cannot prune: %s", VTEP_MAP_PORT_RATES, strerror(-err));
	else if (removed)
		log_info("%s: %zu limits of ports no longer here removed", VTEP_MAP_PORT_RATES,
			 removed);
}

/* Intent from config + state, then one reconcile against the maps. */
static int install(struct daemon *d, const struct cfg_port *ports, size_t n_ports,
		   const struct cfg_route *routes, size_t n_routes)
{
	struct mapsync_stats st;
	size_t i;
	int ret;

	for (i = 0; i < d->cfg->n_vnis; i++) {
		struct vtep_vni v;

		daemon_vni_to_map(d->cfg, &d->cfg->vnis[i], &v);
		if ((ret = mapsync_vni_set(d->ms, d->cfg->vnis[i].vni, &v)))
			return ret;
	}
	for (i = 0; i < n_routes; i++) {
		struct mapsync_route r;

		daemon_route_to_sync(&routes[i], &r);
		if ((ret = mapsync_route_add(d->ms, &r)))
			return ret;
	}
	for (i = 0; i < n_ports; i++)
		if ((ret = ports_add(d->ports, &ports[i])) && ret != -EEXIST)
			return ret;
	/* Host links are ports too (before the reconcile, as pods). */
	if ((ret = daemon_hostlinks_apply(d)))
		return ret;
	/* The CNI's pods are ports too: before the reconcile, which would
	 * otherwise delete their map entries as stale. */
	if ((ret = daemon_cni_restore(d)))
		return ret;
	detach_stale_ports(d);
	prune_rates(d);
	ret = mapsync_reconcile(d->ms);
	mapsync_get_stats(d->ms, &st);
	log_info("maps reconciled: %llu entries written, %llu stale entries removed%s",
		 (unsigned long long)st.updates, (unsigned long long)st.deletes,
		 ret ? " (with errors, see above)" : "");
	return ret;
}

static int open_services(struct daemon *d)
{
	int ret;

	ret = loop_new(&d->loop);
	if (!ret)
		ret = events_open(loader_map_fd(d->ld, VTEP_MAP_EVENTS), on_event, d, &d->ev);
	if (ret) {
		log_err("cannot start: %s", strerror(-ret));
		return ret;
	}
	if ((ret = loop_add(d->loop, d->sigfd, on_signal, d)) ||
	    (ret = loop_add(d->loop, netlink_fd(d->nl), on_netlink, d)) ||
	    (ret = loop_add(d->loop, events_fd(d->ev), on_events, d)) ||
	    (ret = loop_add(d->loop, mapsync_event_fd(d->ms), on_mapsync, d))) {
		log_err("event loop: %s", strerror(-ret));
		return ret;
	}
	/* Without it the port program's underlay cache still expires
	 * (bpf/encap.h), only later: a warning, not a failure. */
	ret = underlay_watch(d->nl, loader_map_fd(d->ld, VTEP_MAP_UNDERLAY), &d->ul);
	if (ret)
		log_warn("%s: not watching underlay changes: %s", VTEP_MAP_UNDERLAY,
			 strerror(-ret));
	ret = control_open_ops(d, &daemon_control_ops, d->cfg->control_socket, &d->ctl);
	if (ret) {
		log_err("control socket %s: %s", d->cfg->control_socket, strerror(-ret));
		return ret;
	}
	if ((ret = loop_add(d->loop, control_fd(d->ctl), on_control, d)))
		return ret;
	/* Last of the sockets: a CNI socket that answers means vtepd is
	 * ready for pods (vtepd-cni's STATUS and ADD rely on it). */
	if ((ret = daemon_cni_open(d)))
		return ret;
	if (d->cfg->metrics_enabled) {
		ret = metrics_start_ops(d, &daemon_metrics_ops, d->cfg->metrics_addr,
					d->cfg->metrics_port, &d->met);
		if (ret) {
			log_err("metrics %s:%u: %s", d->cfg->metrics_addr, d->cfg->metrics_port,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* The RIB and our advertisements: after the reconcile, so every attached
 * port enters the RIB as a local path at once (rib_new registers on
 * mapsync's port hook). */
static int open_rib(struct daemon *d)
{
	struct rib_env env = { .cfg = d->cfg, .ms = d->ms };
	int ret;

	if (!d->cfg->bgp.enabled)
		return 0;
	ret = evpn_export_new(d->cfg, &d->exp);
	if (!ret) {
		env.exp = d->exp;
		ret = rib_new(&env, &d->rib);
	}
	if (ret)
		log_err("cannot start the RIB: %s", strerror(-ret));
	return ret;
}

/* The speaker needs the event loop. */
static int open_bgp(struct daemon *d)
{
	struct bgp_env env = { .loop = d->loop, .rib = d->rib, .exp = d->exp,
			       .restarted = d->restarted, .listen_port = BGP_LISTEN_PORT };
	int ret;

	if (!d->cfg->bgp.enabled)
		return 0;
	ret = bgp_new(d->cfg, &env, &d->bgp);
	if (!ret)
		daemon_bgp_flush(d);
	return ret;
}

int daemon_start(const char *cfg_path, struct vtep_config *cfg, const char *probe_override,
		 struct daemon **out)
{
	struct cfg_port *ports = NULL;
	struct cfg_route *routes = NULL;
	size_t n_ports = 0, n_routes = 0, i, attached = 0, pos = 0;
	const struct port *p;
	struct daemon *d;
	char a[ADDR_IP_STRLEN];
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d || !(d->cfg = calloc(1, sizeof(*d->cfg)))) {
		free(d);
		return -ENOMEM;
	}
	*d->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	d->sigfd = -1;
	pthread_mutex_init(&d->lock, NULL);
	snprintf(d->cfg_path, sizeof(d->cfg_path), "%s", cfg_path);
	if (probe_override && check_override(d, probe_override)) {
		ret = -EINVAL;
		goto fail;
	}
	for (i = 0; i < d->cfg->n_uplinks; i++)
		snprintf(d->uplinks[i].name, CFG_IFNAMSIZ, "%s", d->cfg->uplinks[i]);
	d->n_uplinks = d->cfg->n_uplinks;

	if ((ret = load_state(d, &ports, &n_ports, &routes, &n_routes)))
		goto fail;
	/* Pins of an earlier vtepd: its datapath kept forwarding while we were
	 * down, which our BGP OPENs announce (RFC 4724 R and F bits). */
	{
		unsigned int layout = 0;

		d->restarted = !loader_pinned_layout(d->cfg->bpffs, &layout) && layout;
	}
	if ((ret = open_signals(d))) {
		log_err("signals: %s", strerror(-ret));
		goto fail;
	}
	if ((ret = daemon_probe(d)) || (ret = open_datapath(d, n_routes)))
		goto fail;
	if ((ret = install(d, ports, n_ports, routes, n_routes)))
		goto fail;
	if ((ret = open_rib(d)))
		goto fail;
	for (i = 0; i < d->n_uplinks; i++)
		if ((ret = daemon_uplink_attach(d, i)))
			goto fail;
	hostroute_sweep(d->hr, keep_host_route, d);
	hostroute6_sweep(d->hr, keep_host_route6, d);
	if ((ret = open_services(d)) || (ret = open_bgp(d)))
		goto fail;
	while ((p = ports_next(d->ports, &pos)))
		attached += p->attached;
	log_info("vtepd ready: vtep %s, %zu VNIs, %zu ports (%zu attached), %zu static routes, "
		 "control socket %s", addr_fmt_ip(d->cfg->vtep_ip, a), d->cfg->n_vnis,
		 ports_count(d->ports), attached, mapsync_route_count(d->ms),
		 d->cfg->control_socket);
	free(ports);
	free(routes);
	*out = d;
	return 0;
fail:
	free(ports);
	free(routes);
	daemon_free(d);
	return ret;
}

int daemon_run(struct daemon *d)
{
	return loop_run(d->loop, &d->stop);
}

void daemon_free(struct daemon *d)
{
	if (!d)
		return;
	/* Metrics first: its thread calls back into the daemon. */
	metrics_stop(d->met);
	/* BGP before the loop it watches from; sessions close without a
	 * NOTIFICATION (planned restart, RFC 4724). */
	bgp_free(d->bgp);
	if (d->cni)
		control_close(d->cni);
	if (d->ctl)
		control_close(d->ctl);
	events_close(d->ev);
	underlay_close(d->ul);
	loop_free(d->loop);
	ports_free(d->ports);   /* memory only: ports stay attached */
	rib_free(d->rib);       /* memory only: BGP routes stay in the maps */
	evpn_export_free(d->exp);
	mapsync_free(d->ms);
	rcache_close(d->rc);     /* after the writer thread: it bumps */
	rtab_close(d->rt);       /* after the writer thread: it writes the table */
	hostroute_close(d->hr);
	hostaddr_free(d->ha);   /* memory only: the map stays filled */
	hostaddr6_free(d->ha6);
	netlink_close(d->nl);
	loader_close(d->ld);     /* handles only: programs and pins stay */
	if (d->sigfd >= 0)
		close(d->sigfd);
	state_free(&d->st);
	pods_free(&d->pods);
	if (d->cfg) {
		config_free(d->cfg);
		free(d->cfg);
	}
	free(d->probe_override);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* ---- operations: run-time edits -------------------------------------------------- */

static int daemon_route_add(struct daemon *d, const struct cfg_route *r, char err[CFG_ERR_LEN])
{
	char p[CFG_ADDR_STRLEN], v[ADDR_IP_STRLEN];
	struct mapsync_route mr;
	int ret;

	ret = state_route_add(&d->st, d->cfg, d->cfg->state_dir, r, err);
	if (ret)
		return ret;
	daemon_route_to_sync(r, &mr);
	ret = mapsync_route_add(d->ms, &mr);
	if (!ret)
		ret = mapsync_flush(d->ms);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "route saved, but the maps refused it: %s",
			 strerror(-ret));
		return ret;
	}
	log_info("route vni %u %s via %s added", r->vni, config_route_fmt_prefix(r, p),
		 addr_fmt_ip(r->vtep, v));
	return 0;
}

static int daemon_route_del(struct daemon *d, const struct cfg_route *key, char err[CFG_ERR_LEN])
{
	char p[CFG_ADDR_STRLEN];
	struct mapsync_route mk;
	int ret;

	ret = state_route_del(&d->st, d->cfg, d->cfg->state_dir, key, err);
	if (ret)
		return ret;
	daemon_route_to_sync(key, &mk);
	ret = mapsync_route_remove(d->ms, &mk);
	if (!ret || ret == -ENOENT)
		ret = mapsync_flush(d->ms);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "route deleted, but the maps refused: %s",
			 strerror(-ret));
		return ret;
	}
	log_info("route vni %u %s deleted", key->vni, config_route_fmt_prefix(key, p));
	return 0;
}

static int daemon_port_add(struct daemon *d, const struct cfg_port *p, char err[CFG_ERR_LEN])
{
	char a[ADDR_IP_STRLEN];
	int ret;

	/* A pod's address or interface is the CNI's (daemon_cni.c). */
	if ((p->ip && pods_by_ip(&d->pods, p->ip)) || pods_by_host_ifname(&d->pods, p->ifname)) {
		snprintf(err, CFG_ERR_LEN, "%s or %s belongs to a pod (vtepctl pods)", p->ifname,
			 addr_fmt_ip(p->ip, a));
		return -EEXIST;
	}

	ret = state_port_add(&d->st, d->cfg, d->cfg->state_dir, p, err);
	if (ret)
		return ret;
	ret = ports_add(d->ports, p);
	if (ret)
		snprintf(err, CFG_ERR_LEN, "port saved, but cannot be set up: %s", strerror(-ret));
	return ret;
}

static int daemon_port_del(struct daemon *d, const char *ifname, char err[CFG_ERR_LEN])
{
	int ret;

	if (pods_by_host_ifname(&d->pods, ifname)) {
		snprintf(err, CFG_ERR_LEN, "%s is a pod's: the runtime deletes it (CNI DEL)", ifname);
		return -EPERM;
	}

	ret = state_port_del(&d->st, d->cfg, d->cfg->state_dir, ifname, err);
	if (ret)
		return ret;
	ret = ports_del(d->ports, ifname);
	return ret == -ENOENT ? 0 : ret;
}

/* ---- operations: readers --------------------------------------------------------- */

static const struct vtep_config *daemon_config(const struct daemon *d)
{
	return d->cfg;
}

static size_t daemon_peers(const struct daemon *d, struct bgp_peer_info *out, size_t max)
{
	/* Called from the metrics thread too: bgp_peers_info copies under
	 * the speaker's lock. */
	return d->bgp ? bgp_peers_info(d->bgp, out, max) : 0;
}

static int daemon_rib_latency(const struct daemon *d, struct rib_latency *out)
{
	/* d->rib is set before metrics starts and freed after it stops;
	 * rib_latency_get reads relaxed atomics. */
	if (!d->rib)
		return -ENOTSUP;
	rib_latency_get(d->rib, out);
	return 0;
}

static int daemon_rib_stats(const struct daemon *d, struct rib_stats *out)
{
	/* as daemon_rib_latency: rib_get_stats reads relaxed atomics */
	if (!d->rib)
		return -ENOTSUP;
	rib_get_stats(d->rib, out);
	return 0;
}

struct bgp_walk {
	struct daemon *d;
	uint32_t peer_address;
	control_bgp_route_fn fn;
	void *ctx;
};

static int bgp_walk_one(void *ctx, const struct rib_route_info *ri)
{
	struct bgp_walk *w = ctx;
	struct bgp_peer_info pi;
	uint32_t addr = 0;

	if (ri->peer != RIB_PEER_LOCAL && !bgp_peer_info(w->d->bgp, ri->peer, &pi))
		addr = pi.address;
	if (w->peer_address && addr != w->peer_address)
		return 0;
	return w->fn(w->ctx, ri, addr);
}

static int daemon_bgp_routes(struct daemon *d, uint32_t vni, uint32_t peer_address,
		      control_bgp_route_fn fn, void *ctx)
{
	struct bgp_walk w = { .d = d, .peer_address = peer_address, .fn = fn, .ctx = ctx };

	if (!d || !d->rib || !d->bgp)
		return -ENOTSUP;
	return rib_walk(d->rib, vni, UINT32_MAX, bgp_walk_one, &w);
}

static int daemon_map_fd(const struct daemon *d, const char *map_name)
{
	return d->ld ? loader_map_fd(d->ld, map_name) : -ENOENT;
}

/* ---- what control and metrics may ask ----------------------------------------- */

/* The daemon's operations for the control socket and /metrics: ctl/ only
 * declares the tables it calls through (control.h, metrics.h); the daemon
 * owns them, so control and metrics never name a daemon function. */
static const struct control_ops daemon_control_ops = {
	.route_add = daemon_route_add,
	.route_del = daemon_route_del,
	.port_add  = daemon_port_add,
	.port_del  = daemon_port_del,
	.reload    = daemon_reload,
	.peers     = daemon_peers,
	.bgp_routes = daemon_bgp_routes,
	.config    = daemon_config,
	.status    = daemon_status,
	.pods      = daemon_pods,
};

static const struct metrics_ops daemon_metrics_ops = {
	.map_fd = daemon_map_fd,
	.peers  = daemon_peers,
	.rib_latency = daemon_rib_latency,
	.rib_stats = daemon_rib_stats,
	.status = daemon_status,
};
