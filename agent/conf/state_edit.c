/* state_edit.c - the run-time edits (state_port_add/del(),
 * state_route_add/del() of state.h): each is checked against the
 * configuration and the merged set, saved, and only then made the state in
 * memory, so a failed edit changes nothing.
 */
#include "state_priv.h"
#include "addr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- edits */

/* Validates next as a whole (check), saves it when dir is set, then makes
 * it *st. Deletions skip the check: removing an entry can only resolve a
 * conflict and must stay possible when the set is inconsistent; route
 * additions checked their only possible conflicts themselves. */
static int commit(struct state *st, struct state *next, const struct vtep_config *cfg,
		  const char *dir, bool check, char *err)
{
	struct cfg_port *ports;
	struct cfg_route *routes;
	size_t np, nr;
	int ret = 0;

	if (check) {
		ret = state_merge(cfg, next, &ports, &np, &routes, &nr, err);
		free(ports);
		free(routes);
	}
	if (!ret && dir)
		ret = state_save(dir, next, err);
	if (ret) {
		state_free(next);
		return ret;
	}
	state_free(st);
	*st = *next;
	return 0;
}

int state_port_add(struct state *st, const struct vtep_config *cfg, const char *dir,
		   const struct cfg_port *p, char err[CFG_ERR_LEN])
{
	struct cfg_port *ports = NULL;
	struct cfg_route *routes = NULL;
	struct cfg_port *np_;
	struct state next;
	size_t np, nr;
	bool exists;
	int ret;

	ret = config_check_port(cfg, p, "", err);
	if (ret)
		return ret;
	ret = state_merge(cfg, st, &ports, &np, &routes, &nr, err);
	if (ret)
		return ret;
	exists = state_find_port(ports, np, p->ifname) != NULL;
	free(ports);
	free(routes);
	if (exists)
		return state_fail(err, -EEXIST, "port %s already exists", p->ifname);
	if (state_copy(&next, st))
		return state_fail(err, -ENOMEM, "out of memory");
	np_ = state_push(next.ports, next.n_ports, sizeof(*p), p);
	if (!np_) {
		state_free(&next);
		return state_fail(err, -ENOMEM, "out of memory");
	}
	next.ports = np_;
	next.n_ports++;
	return commit(st, &next, cfg, dir, true, err);
}

int state_port_del(struct state *st, const struct vtep_config *cfg, const char *dir,
		   const char *ifname, char err[CFG_ERR_LEN])
{
	const struct cfg_port *in_state = state_find_port(st->ports, st->n_ports, ifname);
	bool in_cfg = config_find_port(cfg, ifname) != NULL;
	bool marked = state_name_listed(st->deleted_ports, st->n_deleted_ports, ifname);
	struct state next;

	if (!in_state && (!in_cfg || marked))
		return state_fail(err, -ENOENT, "port %s does not exist", ifname);
	if (state_copy(&next, st))
		return state_fail(err, -ENOMEM, "out of memory");
	if (in_state)
		state_drop(next.ports, next.n_ports--, sizeof(*next.ports),
			   (size_t)(in_state - st->ports));
	/* a port of the file stays deleted across restarts and reloads */
	if (in_cfg && !marked) {
		char name[CFG_IFNAMSIZ] = "";
		char (*nd)[CFG_IFNAMSIZ];

		snprintf(name, sizeof(name), "%s", ifname);
		nd = state_push(next.deleted_ports, next.n_deleted_ports, sizeof(name), name);
		if (!nd) {
			state_free(&next);
			return state_fail(err, -ENOMEM, "out of memory");
		}
		next.deleted_ports = nd;
		next.n_deleted_ports++;
	}
	return commit(st, &next, cfg, dir, false, err);
}

/* Whether a route is in the merged set, without building it: route edits
 * may come by the thousand from a script, so they cost O(n), not a merge. */
static bool route_in_force(const struct vtep_config *cfg, const struct state *st,
			   const struct cfg_route *key)
{
	return state_find_route(st->routes, st->n_routes, key) ||
	       (state_find_route(cfg->routes, cfg->n_routes, key) &&
		!state_find_route(st->deleted_routes, st->n_deleted_routes, key));
}

/* Does port p have the host route r's address (a /32 its ip, a /128 its
 * ip6) in r's VNI? */
static bool port_has(const struct cfg_port *p, const struct cfg_route *r)
{
	if (p->vni != r->vni)
		return false;
	if (r->v6)
		return r->prefixlen == 128 && !memcmp(p->ip6, r->prefix6, 16);
	return r->prefixlen == 32 && p->ip && p->ip == r->prefix;
}

/* The port of the merged set that has host route r's address in its VNI. */
static const struct cfg_port *port_in_force(const struct vtep_config *cfg, const struct state *st,
					    const struct cfg_route *r)
{
	for (size_t i = 0; i < st->n_ports; i++) {
		if (port_has(&st->ports[i], r))
			return &st->ports[i];
	}
	for (size_t i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];

		if (port_has(p, r) &&
		    !state_name_listed(st->deleted_ports, st->n_deleted_ports, p->ifname) &&
		    !state_find_port(st->ports, st->n_ports, p->ifname))
			return p;
	}
	return NULL;
}

int state_route_add(struct state *st, const struct vtep_config *cfg, const char *dir,
		    const struct cfg_route *r, char err[CFG_ERR_LEN])
{
	char pfx[CFG_ADDR_STRLEN];
	const struct cfg_port *p;
	struct cfg_route *nr;
	struct state next;
	int ret;

	ret = config_check_route(cfg, r, "", err);
	if (ret)
		return ret;
	config_route_fmt_prefix(r, pfx);
	if (route_in_force(cfg, st, r))
		return state_fail(err, -EEXIST, "route %s in VNI %u already exists", pfx, r->vni);
	/* the only other conflict a route can have (config_find_conflict) */
	p = port_in_force(cfg, st, r);
	if (p)
		return state_fail(err, -EEXIST,
				  "route %s in VNI %u is the address of local port %s",
				  pfx, r->vni, p->ifname);
	if (state_copy(&next, st))
		return state_fail(err, -ENOMEM, "out of memory");
	nr = state_push(next.routes, next.n_routes, sizeof(*r), r);
	if (!nr) {
		state_free(&next);
		return state_fail(err, -ENOMEM, "out of memory");
	}
	next.routes = nr;
	next.n_routes++;
	return commit(st, &next, cfg, dir, false, err);
}

int state_route_del(struct state *st, const struct vtep_config *cfg, const char *dir,
		    const struct cfg_route *rk, char err[CFG_ERR_LEN])
{
	const struct cfg_route *in_state = state_find_route(st->routes, st->n_routes, rk);
	bool in_cfg = state_find_route(cfg->routes, cfg->n_routes, rk) != NULL;
	bool marked = state_find_route(st->deleted_routes, st->n_deleted_routes, rk) != NULL;
	char pfx[CFG_ADDR_STRLEN];
	struct state next;

	if (!in_state && (!in_cfg || marked))
		return state_fail(err, -ENOENT, "route %s in VNI %u does not exist",
				  config_route_fmt_prefix(rk, pfx), rk->vni);
	if (state_copy(&next, st))
		return state_fail(err, -ENOMEM, "out of memory");
	if (in_state)
		state_drop(next.routes, next.n_routes--, sizeof(*next.routes),
			   (size_t)(in_state - st->routes));
	/* a route of the file stays deleted across restarts and reloads */
	if (in_cfg && !marked) {
		struct cfg_route key = { .vni = rk->vni, .prefix = rk->prefix,
					 .prefixlen = rk->prefixlen, .v6 = rk->v6 };
		struct cfg_route *nd;

		memcpy(key.prefix6, rk->prefix6, 16);
		nd = state_push(next.deleted_routes, next.n_deleted_routes, sizeof(key), &key);

		if (!nd) {
			state_free(&next);
			return state_fail(err, -ENOMEM, "out of memory");
		}
		next.deleted_routes = nd;
		next.n_deleted_routes++;
	}
	return commit(st, &next, cfg, dir, false, err);
}
