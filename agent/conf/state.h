/* state.h - run-time edits that outlive vtepd (DESIGN.md "vtepctl": "Run-time
 * edits persist in state_dir across vtepd restarts until deleted").
 *
 * vtepctl can add and delete ports and static routes. Those edits are kept
 * apart from the config file (which vtepd never rewrites) in
 * <state_dir>/state.json, human readable and versioned:
 *
 *   { "version": 1,
 *     "ports":          [ { "ifname": "w5", "vni": 100, "ip": "10.1.0.15", "mac": "auto",
 *                           "ip6": "2001:db8:100::15" } ],
 *     "deleted_ports":  [ "w1" ],
 *     "routes":         [ { "vni": 100, "prefix": "10.1.0.22/32", "vtep": "192.0.2.2",
 *                           "mac": "02:00:00:00:00:22" } ],
 *     "deleted_routes": [ { "vni": 100, "prefix": "10.1.0.21/32" } ] }
 *
 * "ports"/"routes" are entries added at run time; "deleted_*" remember that
 * an entry of the config file was deleted at run time, so it stays deleted
 * after a restart or a reload. The set in force is state_merge(config, state).
 *
 * Typical use in the daemon:
 *	state_load(cfg->state_dir, &st, err)          refuse to start on error
 *	state_prune(&st, cfg)                         after every (re)load of cfg
 *	state_merge(cfg, &st, &ports, ...)            the ports/routes to install
 *	state_route_add(&st, cfg, cfg->state_dir, r, err)   on vtepctl routes add:
 *	                                              validated, saved, then in memory
 *	state_free(&st)
 * Every function returns 0 or -errno; err (may be NULL) gets one line for the
 * user.
 */
#ifndef VTEP_STATE_H
#define VTEP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define STATE_FILE    "state.json"
#define STATE_VERSION 1

struct state {
	struct cfg_port  *ports;          /* added at run time, in order of addition */
	size_t            n_ports;
	struct cfg_route *routes;         /* added at run time */
	size_t            n_routes;
	char            (*deleted_ports)[CFG_IFNAMSIZ]; /* config ports deleted at run time */
	size_t            n_deleted_ports;
	struct cfg_route *deleted_routes; /* config routes deleted: vni and prefix
					   * only (vtep and mac are zero) */
	size_t            n_deleted_routes;
};

/* Reads <dir>/state.json into *st (zeroed first). A missing file is an empty
 * state; dir is created (mode 0700) when missing so that an unusable
 * state_dir is found at start-up, not at the first edit. A file that cannot
 * be read, is not valid JSON, has an unknown key or version, or a bad entry
 * is an error naming the file and the field (-EINVAL for content): the
 * daemon must refuse to start rather than lose edits. On error *st is empty. */
int state_load(const char *dir, struct state *st, char err[CFG_ERR_LEN]);

/* Writes <dir>/state.json atomically: <dir>/state.json.tmp (mode 0600) is
 * written and fsync'ed, renamed over state.json, and dir is fsync'ed, so a
 * crash leaves either the old or the new file. Creates dir (0700) if missing. */
int state_save(const char *dir, const struct state *st, char err[CFG_ERR_LEN]);

void state_free(struct state *st);

/* Edits. Each one checks the entry against cfg (config_check_port/route) and
 * against the merged set (no duplicate ifname, port IP or route), then, when
 * dir is not NULL, saves the new state; *st changes only when everything
 * succeeded (dir == NULL: in memory only, for tests and dry runs).
 *   -EINVAL  the entry is invalid (err names the field)
 *   -EEXIST  the ifname / IP / route is already in the merged set
 *   -ENOENT  (del) no such port / route in the merged set
 *   other    saving failed (err says why); nothing changed */
int state_port_add(struct state *st, const struct vtep_config *cfg, const char *dir,
		   const struct cfg_port *p, char err[CFG_ERR_LEN]);
int state_port_del(struct state *st, const struct vtep_config *cfg, const char *dir,
		   const char *ifname, char err[CFG_ERR_LEN]);
int state_route_add(struct state *st, const struct vtep_config *cfg, const char *dir,
		    const struct cfg_route *r, char err[CFG_ERR_LEN]);
/* key: the route's vni and prefix (v6, prefix or prefix6, prefixlen). */
int state_route_del(struct state *st, const struct vtep_config *cfg, const char *dir,
		    const struct cfg_route *key, char err[CFG_ERR_LEN]);

/* The ports and routes in force: the config's entries that were not deleted
 * (or replaced: a run-time port of the same ifname, a run-time route of the
 * same vni+prefix) in config order, then the run-time entries in order of
 * addition. Arrays are malloc'ed (NULL when empty); the caller free()s them.
 * The config file may have changed since the edits were made, so the result
 * is checked again: -EINVAL when a run-time entry no longer fits the config
 * (its VNI is gone, its IP left the subnet, ...), -EEXIST when two entries
 * conflict (config_find_conflict: an IP used twice, ...); err names them.
 * -ENOMEM. */
int state_merge(const struct vtep_config *cfg, const struct state *st,
		struct cfg_port **ports, size_t *n_ports,
		struct cfg_route **routes, size_t *n_routes, char err[CFG_ERR_LEN]);

/* Drops deletion records whose config entry no longer exists (the config
 * file was edited since), so that an entry added back to the file later is
 * not silently hidden. Returns the number of records dropped; the caller
 * saves when it is not 0 (or lets the next edit save). */
size_t state_prune(struct state *st, const struct vtep_config *cfg);

/* Lookups in a merged set (NULL when absent). */
const struct cfg_port *state_find_port(const struct cfg_port *ports, size_t n,
				       const char *ifname);
/* By key: vni and prefix of either family (config_route_same_key). */
const struct cfg_route *state_find_route(const struct cfg_route *routes, size_t n,
					 const struct cfg_route *key);

#endif /* VTEP_STATE_H */
