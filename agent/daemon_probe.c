/* daemon_probe.c - what the kernel and each uplink can run, and the
 * uplink modes vtepd chose from it (probe.h, uplink_mode.h): the start-up
 * check, the per-uplink attach, and the status the control socket and
 * /metrics report.
 */
#include "daemon_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "loader.h"
#include "log.h"
#include "mapsync.h"
#include "netlink.h"
#include "rcache.h"
#include "rtab.h"

static void probe_all(const struct daemon *d, struct probe_set *k)
{
	char err[CFG_ERR_LEN] = "";

	probe_kernel(k);
	/* daemon_start() has checked the spec already. */
	if (d->probe_override && probe_override(k, d->probe_override, err, sizeof(err)))
		log_err("test override: %s", err);
}

int daemon_probe(struct daemon *d)
{
	struct probe_set k;
	struct probe_dev none = { .xdp_native = PROBE_UNKNOWN, .xdp_sg = PROBE_UNKNOWN };
	struct uplink_choice c;
	enum probe_feature miss;
	char line[1024];

	probe_all(d, &k);
	probe_format(&k, line, sizeof(line));
	log_info("kernel features: %s%s", line,
		 d->probe_override ? " [test override in force: not for production]" : "");
	miss = probe_required_missing(&k);
	if (miss != PROBE_F_COUNT) {
		log_err("this kernel lacks %s (%s; Linux %s or later): %s", probe_name(miss),
			probe_what(miss), probe_min_kernel(miss), k.note[miss]);
		return -ENOTSUP;
	}
	if (d->cfg->uplink_attach == CFG_ATTACH_XDP &&
	    uplink_mode_choose(CFG_ATTACH_XDP, &k, "", &none, &c)) {
		log_err("%s", c.reason);
		return -ENOTSUP;
	}
	pthread_mutex_lock(&d->lock);
	d->feat = k;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void daemon_reprobe(struct daemon *d)
{
	struct probe_set k;
	int f;

	probe_all(d, &k);
	for (f = 0; f < PROBE_F_COUNT; f++) {
		if (k.have[f] == d->feat.have[f])
			continue;
		log_warn("reload: kernel feature %s is now %s (%s); the loaded programs keep "
			 "their choice until vtepd restarts", probe_name(f),
			 k.have[f] ? "available" : "missing", k.have[f] ? probe_what(f) : k.note[f]);
	}
	pthread_mutex_lock(&d->lock);
	d->feat = k;
	pthread_mutex_unlock(&d->lock);
}

int daemon_uplink_attach_at(struct daemon *d, size_t i, int ifindex)
{
	struct daemon_uplink *u = &d->uplinks[i];
	struct uplink_choice c;
	struct probe_dev dev;
	int err;

	err = probe_device(ifindex, u->name, &dev);
	if (err)
		log_warn("uplink %s: cannot read its XDP features: %s", u->name, strerror(-err));
	err = uplink_mode_choose(d->cfg->uplink_attach, &d->feat, loader_xdp_refusal(d->ld), &dev,
				 &c);
	if (err) {
		log_err("uplink %s: %s", u->name, c.reason);
		return err;
	}
	err = loader_attach_uplink(d->ld, ifindex, u->name, &c,
				   d->cfg->uplink_attach == CFG_ATTACH_AUTO, dev.veth);
	pthread_mutex_lock(&d->lock);
	u->ifindex = err ? 0 : ifindex;
	u->choice = c;
	u->chosen = true;
	pthread_mutex_unlock(&d->lock);
	if (!err)
		log_info("uplink %s: %s mode (%s)", u->name, uplink_mode_name(c.mode), c.reason);
	return err;
}

int daemon_uplink_attach(struct daemon *d, size_t i)
{
	struct netlink_link l;

	if (netlink_link_by_name(d->nl, d->uplinks[i].name, &l)) {
		log_warn("uplink %s: interface absent; attached when it appears",
			 d->uplinks[i].name);
		return 0;
	}
	return daemon_uplink_attach_at(d, i, l.ifindex);
}

int daemon_status(struct daemon *d, struct uplink_status *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&d->lock);
	out->features = d->feat;
	out->test_override = d->probe_override != NULL;
	if (d->cfg->uplink_attach == CFG_ATTACH_TC)
		snprintf(out->xdp_program, sizeof(out->xdp_program), "not loaded: uplink_attach "
			 "is tc");
	else if (!uplink_mode_may_use_xdp(d->cfg->uplink_attach, &d->feat))
		snprintf(out->xdp_program, sizeof(out->xdp_program), "not loaded: the kernel "
			 "lacks %s", d->feat.have[PROBE_F_xdp] ? "xdp_meta" : "xdp");
	else if (loader_xdp_refusal(d->ld)[0])
		snprintf(out->xdp_program, sizeof(out->xdp_program), "refused: %s",
			 loader_xdp_refusal(d->ld));
	else
		snprintf(out->xdp_program, sizeof(out->xdp_program), "loaded");
	for (i = 0; i < d->n_uplinks && i < CFG_MAX_UPLINKS; i++) {
		const struct daemon_uplink *u = &d->uplinks[i];
		struct uplink_info *o = &out->uplinks[i];

		snprintf(o->ifname, sizeof(o->ifname), "%s", u->name);
		o->ifindex = u->ifindex;
		o->attached = u->ifindex != 0;
		if (u->chosen) {
			o->mode = u->choice.mode;
			o->generic = u->choice.generic;
			snprintf(o->reason, sizeof(o->reason), "%s", u->choice.reason);
		} else {
			o->mode = d->cfg->uplink_attach == CFG_ATTACH_XDP ? UPLINK_MODE_XDP
									   : UPLINK_MODE_TC;
			snprintf(o->reason, sizeof(o->reason), "interface absent: the mode is "
				 "chosen when it appears");
		}
	}
	out->n_uplinks = i;
	pthread_mutex_unlock(&d->lock);
	if (d->ms) {
		struct mapsync_map_pending mp[MAPSYNC_PENDING_MAPS];

		/* Relaxed atomics in mapsync: any thread may ask. */
		mapsync_pending_get(d->ms, mp);
		for (i = 0; i < MAPSYNC_PENDING_MAPS && i < STATUS_MAPS; i++) {
			snprintf(out->maps[i].map, sizeof(out->maps[i].map), "%s", mp[i].map);
			out->maps[i].capacity = mp[i].capacity;
			out->maps[i].pending = mp[i].pending;
		}
		out->n_maps = i;
	}
	if (d->ms) {
		out->lookup.have = true;
		out->lookup.cache_on = rcache_enabled(d->rc);
		out->lookup.cache_entries = out->lookup.cache_on ? d->cfg->limit_rcache : 0;
		out->lookup.cache_gen = rcache_gen(d->rc);
		out->lookup.table_on = rtab_enabled(d->rt);
		out->lookup.table_lines = rtab_nlines(d->rt);
		out->lookup.table_routes = rtab_count(d->rt);
	}
	return 0;
}

/* One uplink of cfg as vtepd would attach it now. */
static void report_uplink(const struct vtep_config *cfg, const struct probe_set *k,
			  const char *xdp_refusal, const char *name, struct uplink_info *o)
{
	struct uplink_choice c;
	struct probe_dev dev;

	snprintf(o->ifname, sizeof(o->ifname), "%s", name);
	o->ifindex = (int)if_nametoindex(name);
	if (!o->ifindex) {
		o->mode = cfg->uplink_attach == CFG_ATTACH_XDP ? UPLINK_MODE_XDP : UPLINK_MODE_TC;
		snprintf(o->reason, sizeof(o->reason), "interface absent: the mode is chosen when "
			 "it appears");
		return;
	}
	probe_device(o->ifindex, name, &dev);
	uplink_mode_choose(cfg->uplink_attach, k, xdp_refusal, &dev, &c);
	o->mode = c.mode;
	o->generic = c.generic;
	snprintf(o->reason, sizeof(o->reason), "%s", c.reason);
}

int daemon_probe_report(const struct vtep_config *cfg, const char *override,
			struct uplink_status *out)
{
	char err[CFG_ERR_LEN] = "", why[UPLINK_REASON_LEN] = "not tried: vtepd cannot run here";
	struct probe_set *k = &out->features;
	bool can_run;
	size_t i;

	memset(out, 0, sizeof(*out));
	probe_kernel(k);
	out->test_override = override != NULL;
	if (override && probe_override(k, override, err, sizeof(err))) {
		log_err("test override: %s", err);
		return -EINVAL;
	}
	can_run = probe_required_missing(k) == PROBE_F_COUNT;
	if (can_run && loader_trial(k, out->tc_refusal, why))
		can_run = false;
	snprintf(out->xdp_program, sizeof(out->xdp_program), "%s%s", why[0] ? "refused: " : "loaded",
		 why);
	if (!strncmp(why, "not tried", 9))
		snprintf(out->xdp_program, sizeof(out->xdp_program), "not loaded: %.180s", why + 11);
	for (i = 0; cfg && i < cfg->n_uplinks; i++)
		report_uplink(cfg, k, strncmp(why, "not tried", 9) ? why : "", cfg->uplinks[i],
			      &out->uplinks[i]);
	out->n_uplinks = cfg ? cfg->n_uplinks : 0;
	if (cfg && cfg->uplink_attach == CFG_ATTACH_XDP) {
		struct uplink_choice c;
		struct probe_dev none = { .xdp_native = PROBE_UNKNOWN, .xdp_sg = PROBE_UNKNOWN };

		if (uplink_mode_choose(CFG_ATTACH_XDP, k, why, &none, &c))
			can_run = false;
	}
	return can_run ? 0 : -ENOTSUP;
}
