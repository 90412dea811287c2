/* state.c - the run-time edits in memory (state.h): the merge of the config
 * file's entries with the edits, the pruning of stale deletion records, and
 * the helpers state_file.c and state_edit.c share through state_priv.h.
 */
#include "state_priv.h"
#include "addr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- memory */

void state_free(struct state *st)
{
	if (!st)
		return;
	free(st->ports);
	free(st->routes);
	free(st->deleted_ports);
	free(st->deleted_routes);
	memset(st, 0, sizeof(*st));
}

int state_fail(char *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err, CFG_ERR_LEN, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* arr (n elements of size bytes) grown by one copy of elem; NULL when out
 * of memory (arr is then unchanged). */
void *state_push(void *arr, size_t n, size_t size, const void *elem)
{
	char *na = realloc(arr, (n + 1) * size);

	if (na)
		memcpy(na + n * size, elem, size);
	return na;
}

/* Removes element i of n from arr. */
void state_drop(void *arr, size_t n, size_t size, size_t i)
{
	char *a = arr;

	memmove(a + i * size, a + (i + 1) * size, (n - i - 1) * size);
}

/* A copy of n elements; NULL for none (*ok says whether that was success). */
static void *dup_array(const void *src, size_t n, size_t size, bool *ok)
{
	void *d;

	if (n == 0)
		return NULL;
	d = malloc(n * size);
	if (!d) {
		*ok = false;
		return NULL;
	}
	return memcpy(d, src, n * size);
}

int state_copy(struct state *dst, const struct state *src)
{
	bool ok = true;

	*dst = *src;
	dst->ports = dup_array(src->ports, src->n_ports, sizeof(*src->ports), &ok);
	dst->routes = dup_array(src->routes, src->n_routes, sizeof(*src->routes), &ok);
	dst->deleted_ports = dup_array(src->deleted_ports, src->n_deleted_ports,
				       sizeof(*src->deleted_ports), &ok);
	dst->deleted_routes = dup_array(src->deleted_routes, src->n_deleted_routes,
					sizeof(*src->deleted_routes), &ok);
	if (!ok) {
		state_free(dst);
		return -ENOMEM;
	}
	return 0;
}

/* -------------------------------------------------------------- lookups */

const struct cfg_port *state_find_port(const struct cfg_port *ports, size_t n,
				       const char *ifname)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(ports[i].ifname, ifname))
			return &ports[i];
	}
	return NULL;
}

const struct cfg_route *state_find_route(const struct cfg_route *routes, size_t n,
					 const struct cfg_route *key)
{
	for (size_t i = 0; i < n; i++) {
		if (config_route_same_key(&routes[i], key))
			return &routes[i];
	}
	return NULL;
}

bool state_name_listed(char (*names)[CFG_IFNAMSIZ], size_t n, const char *ifname)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(names[i], ifname))
			return true;
	}
	return false;
}

/* Sets that may be large (a scripted state with thousands of routes) are
 * searched through sorted copies. */
static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int cmp_route_key(const void *x, const void *y)
{
	return config_route_cmp_key(x, y);
}

/* Names of ports (size CFG_IFNAMSIZ each) sorted for bsearch; NULL when n
 * is 0 (bsearch on 0 elements never touches the array). */
static int sorted_names(const struct cfg_port *ports, size_t n, char (**out)[CFG_IFNAMSIZ])
{
	*out = NULL;
	if (n == 0)
		return 0;
	*out = malloc(n * CFG_IFNAMSIZ);
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		memcpy((*out)[i], ports[i].ifname, CFG_IFNAMSIZ);
	qsort(*out, n, CFG_IFNAMSIZ, cmp_name);
	return 0;
}

static int sorted_routes(const struct cfg_route *routes, size_t n, struct cfg_route **out)
{
	bool ok = true;

	*out = dup_array(routes, n, sizeof(*routes), &ok);
	if (!ok)
		return -ENOMEM;
	if (n)
		qsort(*out, n, sizeof(**out), cmp_route_key);
	return 0;
}

/* ---------------------------------------------------------------- merge */

int state_merge(const struct vtep_config *cfg, const struct state *st,
		struct cfg_port **ports, size_t *n_ports,
		struct cfg_route **routes, size_t *n_routes, char err[CFG_ERR_LEN])
{
	char (*st_names)[CFG_IFNAMSIZ] = NULL;
	struct cfg_route *st_keys = NULL, *del_keys = NULL;
	struct cfg_port *op = NULL;
	struct cfg_route *orr = NULL;
	size_t np = 0, nr = 0;
	char e[CFG_ERR_LEN], a[CFG_ADDR_STRLEN];
	struct cfg_conflict c;
	int ret = -ENOMEM;

	*ports = NULL;
	*routes = NULL;
	*n_ports = *n_routes = 0;
	if (sorted_names(st->ports, st->n_ports, &st_names) ||
	    sorted_routes(st->routes, st->n_routes, &st_keys) ||
	    sorted_routes(st->deleted_routes, st->n_deleted_routes, &del_keys))
		goto nomem;
	if (cfg->n_ports + st->n_ports) {
		op = calloc(cfg->n_ports + st->n_ports, sizeof(*op));
		if (!op)
			goto nomem;
	}
	if (cfg->n_routes + st->n_routes) {
		orr = calloc(cfg->n_routes + st->n_routes, sizeof(*orr));
		if (!orr)
			goto nomem;
	}

	/* the file's entries, less those deleted or replaced at run time */
	for (size_t i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];

		if (state_name_listed(st->deleted_ports, st->n_deleted_ports, p->ifname) ||
		    (st->n_ports &&
		     bsearch(p->ifname, st_names, st->n_ports, CFG_IFNAMSIZ, cmp_name)))
			continue;
		op[np++] = *p;
	}
	for (size_t i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *r = &cfg->routes[i];

		if ((st->n_deleted_routes &&
		     bsearch(r, del_keys, st->n_deleted_routes, sizeof(*r), cmp_route_key)) ||
		    (st->n_routes && bsearch(r, st_keys, st->n_routes, sizeof(*r), cmp_route_key)))
			continue;
		orr[nr++] = *r;
	}

	/* then the run-time entries, which must still fit the configuration
	 * (the file may have changed since they were added) */
	for (size_t i = 0; i < st->n_ports; i++) {
		const struct cfg_port *p = &st->ports[i];

		ret = config_check_port(cfg, p, "", e);
		if (ret) {
			ret = state_fail(err, ret, "run-time port %s: %s", p->ifname, e);
			goto out;
		}
		op[np++] = *p;
	}
	for (size_t i = 0; i < st->n_routes; i++) {
		const struct cfg_route *r = &st->routes[i];

		ret = config_check_route(cfg, r, "", e);
		if (ret) {
			ret = state_fail(err, ret, "run-time route %s in VNI %u: %s",
					 config_route_fmt_prefix(r, a), r->vni, e);
			goto out;
		}
		orr[nr++] = *r;
	}

	ret = config_find_conflict(op, np, orr, nr, &c);
	if (ret < 0)
		goto nomem;
	if (ret) {
		config_fmt_conflict(&c, op, orr, e, sizeof(e));
		ret = state_fail(err, -EEXIST, "%s", e);
		goto out;
	}
	*ports = op;
	*routes = orr;
	*n_ports = np;
	*n_routes = nr;
	op = NULL;
	orr = NULL;
	ret = 0;
	goto out;
nomem:
	ret = state_fail(err, -ENOMEM, "out of memory");
out:
	free(st_names);
	free(st_keys);
	free(del_keys);
	free(op);
	free(orr);
	return ret;
}

size_t state_prune(struct state *st, const struct vtep_config *cfg)
{
	size_t dropped = 0;

	for (size_t i = 0; i < st->n_deleted_ports;) {
		if (config_find_port(cfg, st->deleted_ports[i])) {
			i++;
			continue;
		}
		state_drop(st->deleted_ports, st->n_deleted_ports--, sizeof(*st->deleted_ports), i);
		dropped++;
	}
	for (size_t i = 0; i < st->n_deleted_routes;) {
		const struct cfg_route *d = &st->deleted_routes[i];

		if (state_find_route(cfg->routes, cfg->n_routes, d)) {
			i++;
			continue;
		}
		state_drop(st->deleted_routes, st->n_deleted_routes--,
			   sizeof(*st->deleted_routes), i);
		dropped++;
	}
	return dropped;
}
