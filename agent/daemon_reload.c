/* daemon_reload.c - daemon_reload(): SIGHUP or `vtepctl reload`.
 *
 * The new file is parsed and merged with the run-time edits first; if either
 * fails the running configuration stays in force, untouched. Otherwise only
 * the difference is applied: uplinks, VNIs, ports (by name), static routes
 * (by vni+prefix), the VTEP address, and BGP (import policy, advertisements,
 * neighbors by address: see bgp_reload). Settings that shape what is already
 * loaded or listening (bpffs, limits, uplink_attach, control_socket,
 * state_dir, metrics) take effect at the next restart; a change to them is
 * logged and the running value kept, so daemon_config() tells the truth.
 * The kernel is probed again (daemon_reprobe): a change is reported, and
 * new uplinks are attached in the mode the new answers allow.
 */
#include "daemon_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "hashmap.h"
#include "loader.h"
#include "log.h"
#include "mapsync.h"
#include "ports.h"
#include "rib.h"

static void apply_uplinks(struct daemon *d, const struct vtep_config *nc)
{
	struct daemon_uplink next[CFG_MAX_UPLINKS];
	size_t i, j;

	memset(next, 0, sizeof(next));
	for (i = 0; i < nc->n_uplinks; i++) {
		snprintf(next[i].name, CFG_IFNAMSIZ, "%s", nc->uplinks[i]);
		for (j = 0; j < d->n_uplinks; j++)
			if (!strcmp(d->uplinks[j].name, next[i].name))
				next[i] = d->uplinks[j];
	}
	for (j = 0; j < d->n_uplinks; j++) {
		bool kept = false;

		for (i = 0; i < nc->n_uplinks; i++)
			kept |= !strcmp(d->uplinks[j].name, next[i].name);
		if (!kept && d->uplinks[j].ifindex) {
			loader_detach_uplink(d->uplinks[j].ifindex, d->uplinks[j].name);
			log_info("uplink %s: removed", d->uplinks[j].name);
		}
	}
	pthread_mutex_lock(&d->lock);
	memcpy(d->uplinks, next, sizeof(next));
	d->n_uplinks = nc->n_uplinks;
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < d->n_uplinks; i++)
		if (!d->uplinks[i].ifindex)
			daemon_uplink_attach(d, i);
}

static int apply_vnis(struct daemon *d, const struct vtep_config *old,
		      const struct vtep_config *nc)
{
	size_t i;
	int ret;

	for (i = 0; i < old->n_vnis; i++)
		if (!config_find_vni(nc, old->vnis[i].vni))
			mapsync_vni_del(d->ms, old->vnis[i].vni);
	for (i = 0; i < nc->n_vnis; i++) {
		struct vtep_vni v;

		daemon_vni_to_map(nc, &nc->vnis[i], &v);
		if ((ret = mapsync_vni_set(d->ms, nc->vnis[i].vni, &v)))
			return ret;
	}
	return 0;
}

static bool port_same(const struct cfg_port *a, const struct cfg_port *b)
{
	return a->vni == b->vni && a->ip == b->ip && a->mac_auto == b->mac_auto &&
	       (a->mac_auto || !memcmp(a->mac, b->mac, 6)) && !memcmp(a->ip6, b->ip6, 16) &&
	       !memcmp(a->ip6_ll, b->ip6_ll, 16);
}

static int apply_ports(struct daemon *d, const struct cfg_port *ports, size_t n)
{
	char (*gone)[CFG_IFNAMSIZ];
	const struct port *p;
	size_t pos = 0, ng = 0, i;
	int ret = 0;

	gone = calloc(ports_count(d->ports) + 1, sizeof(*gone));
	if (!gone)
		return -ENOMEM;
	while ((p = ports_next(d->ports, &pos))) {
		const struct cfg_port *np = state_find_port(ports, n, p->cfg.ifname);

		/* the CNI's (daemon_cni.c) and the host links (daemon_hostlink.c),
		 * not the file's */
		if (p->cfg.pod || p->cfg.hostlink)
			continue;
		if (!np || !port_same(np, &p->cfg))
			memcpy(gone[ng++], p->cfg.ifname, CFG_IFNAMSIZ);
	}
	/* Deletions first, so an IP moving between ports is never held twice. */
	for (i = 0; i < ng; i++)
		ports_del(d->ports, gone[i]);
	for (i = 0; i < n && !ret; i++)
		if (!ports_find(d->ports, ports[i].ifname))
			ret = ports_add(d->ports, &ports[i]);
	free(gone);
	return ret;
}

/* A static route's key, either family (zero padded: a hashmap key). */
struct rkey {
	uint32_t vni, prefix, len;
	uint8_t  v6;
	uint8_t  prefix6[16];
	uint8_t  pad[3];
};

static struct rkey rkey_of(uint32_t vni, uint32_t prefix, uint8_t len, bool v6,
			   const uint8_t prefix6[16])
{
	struct rkey k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	k.prefix = prefix;
	k.len = len;
	k.v6 = v6;
	memcpy(k.prefix6, prefix6, 16);
	return k;
}

static bool route_same(const struct mapsync_route *a, const struct mapsync_route *b)
{
	return a->vtep == b->vtep && !memcmp(a->mac, b->mac, 6);
}

static int apply_routes(struct daemon *d, const struct cfg_route *routes, size_t n)
{
	struct mapsync_route cur, *gone = NULL;
	struct hashmap want;
	size_t pos = 0, ng = 0, i;
	int ret;

	ret = hashmap_init(&want, sizeof(struct rkey), sizeof(size_t), n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		struct rkey k = rkey_of(routes[i].vni, routes[i].prefix, routes[i].prefixlen,
					routes[i].v6, routes[i].prefix6);

		if (!hashmap_put(&want, &k, &i, NULL)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	gone = malloc((mapsync_route_count(d->ms) + 1) * sizeof(*gone));
	if (!gone) {
		ret = -ENOMEM;
		goto out;
	}
	while (mapsync_route_next(d->ms, &pos, &cur)) {
		struct rkey k = rkey_of(cur.vni, cur.prefix, cur.prefixlen, cur.v6, cur.prefix6);
		size_t *idx = hashmap_get(&want, &k);

		if (!idx)
			gone[ng++] = cur;
	}
	for (i = 0; i < ng; i++)
		mapsync_route_remove(d->ms, &gone[i]);
	for (i = 0; i < n && !ret; i++) {
		struct mapsync_route r;

		daemon_route_to_sync(&routes[i], &r);
		if (mapsync_route_find(d->ms, &r, &cur) && route_same(&cur, &r))
			continue;
		ret = mapsync_route_add(d->ms, &r);
	}
	if (ng)
		log_info("reload: %zu static routes removed", ng);
out:
	free(gone);
	hashmap_free(&want);
	return ret;
}

/* The BGP part: RIB import policy, export, neighbors. */
static int reload_bgp(struct daemon *d, const struct vtep_config *old,
		      const struct vtep_config *nc)
{
	int ret = 0, policy, r;

	(void)old;
	if (!d->bgp) {
		if (nc->bgp.enabled)
			log_warn("reload: bgp added; takes effect at the next restart");
		return 0;
	}
	if (!nc->bgp.enabled)
		log_warn("reload: bgp removed: every session stops");
	policy = rib_reload(d->rib, nc);
	if (policy < 0) {
		log_err("reload: RIB: %s", strerror(-policy));
		ret = policy;
	}
	/* Without "bgp", nc has no neighbors: every session stops. */
	if ((r = bgp_reload(d->bgp, nc)) && !ret)
		ret = r;
	/* RFC 2918: routes no VNI imported were not kept; ask for them again
	 * now that the import policy changed. */
	if (policy == 1)
		bgp_refresh_all(d->bgp);
	daemon_bgp_flush(d);
	return ret;
}

int daemon_reload(struct daemon *d, char err[CFG_ERR_LEN])
{
	struct vtep_config *nc, *old;
	struct cfg_port *ports = NULL;
	struct cfg_route *routes = NULL;
	size_t n_ports = 0, n_routes = 0;
	int ret;

	err[0] = '\0';
	nc = calloc(1, sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	ret = config_load(d->cfg_path, nc, err);
	if (ret) {
		log_err("reload: %s: %s; keeping the running configuration", d->cfg_path,
			err[0] ? err : strerror(-ret));
		free(nc);
		return ret;
	}
	{
		const char *kept[CFG_RESTART_SETTINGS];
		size_t n = config_keep_restart_settings(d->cfg, nc, kept, CFG_RESTART_SETTINGS);

		for (size_t i = 0; i < n; i++)
			log_warn("reload: %s changed; takes effect at the next restart", kept[i]);
	}
	ret = state_merge(nc, &d->st, &ports, &n_ports, &routes, &n_routes, err);
	if (ret) {
		log_err("reload: %s: %s; keeping the running configuration", d->cfg_path,
			err[0] ? err : strerror(-ret));
		config_free(nc);
		free(nc);
		return ret;
	}
	if (state_prune(&d->st, nc)) {
		char serr[CFG_ERR_LEN];

		if (state_save(nc->state_dir, &d->st, serr))
			log_warn("state: %s", serr);
	}
	if (nc->vtep_ip != d->cfg->vtep_ip && (ret = loader_write_global(d->ld, nc)))
		log_err("reload: cannot write %s: %s", VTEP_MAP_GLOBAL, strerror(-ret));

	/* From here the new config is in force, so handlers that read d->cfg
	 * during the steps below (uplink attach) see it. */
	pthread_mutex_lock(&d->lock);
	old = d->cfg;
	d->cfg = nc;
	pthread_mutex_unlock(&d->lock);

	daemon_reprobe(d);
	apply_uplinks(d, nc);
	ret = apply_vnis(d, old, nc);
	if (!ret)
		ret = apply_ports(d, ports, n_ports);
	if (!ret)
		ret = daemon_hostlinks_apply(d);
	if (!ret)
		ret = apply_routes(d, routes, n_routes);
	if (!ret)
		ret = mapsync_flush(d->ms);
	else
		mapsync_flush(d->ms);
	/* BGP last: the RIB sees the new VNIs and ports, then the neighbors
	 * change (bgp_reload diffs them). */
	{
		int r = reload_bgp(d, old, nc);

		if (!ret)
			ret = r;
	}
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "reload applied with errors: %s", strerror(-ret));
		log_err("reload: %s", err);
	} else {
		log_info("reload: %s applied (%zu VNIs, %zu ports, %zu static routes)", d->cfg_path,
			 nc->n_vnis, ports_count(d->ports), mapsync_route_count(d->ms));
	}
	config_free(old);
	free(old);
	free(ports);
	free(routes);
	return ret;
}
