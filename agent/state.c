/* state.c - run-time edits persisted in <state_dir>/state.json (state.h).
 *
 * The file is rewritten whole on every edit, atomically (write a temporary
 * file, fsync it, rename it over the old one, fsync the directory: after a
 * crash the directory holds the old file or the new one, never a mix), and
 * read back with the config file's strict reader, so a damaged file is
 * refused with the field named instead of silently dropping edits.
 */
#include "state.h"
#include "addr.h"
#include "jsonv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_TMP      STATE_FILE ".tmp"
#define STATE_VNI_MAX  16777215u   /* 24 bits (RFC 7348 s.5) */

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

static int fail(char *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, int ret, const char *fmt, ...)
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
static void *push(void *arr, size_t n, size_t size, const void *elem)
{
	char *na = realloc(arr, (n + 1) * size);

	if (na)
		memcpy(na + n * size, elem, size);
	return na;
}

/* Removes element i of n from arr. */
static void drop(void *arr, size_t n, size_t size, size_t i)
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

static int state_copy(struct state *dst, const struct state *src)
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

static bool same_route(const struct cfg_route *r, uint32_t vni, uint32_t prefix, uint8_t len)
{
	return r->vni == vni && r->prefix == prefix && r->prefixlen == len;
}

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
					 uint32_t vni, uint32_t prefix, uint8_t prefixlen)
{
	for (size_t i = 0; i < n; i++) {
		if (same_route(&routes[i], vni, prefix, prefixlen))
			return &routes[i];
	}
	return NULL;
}

static bool name_listed(char (*names)[CFG_IFNAMSIZ], size_t n, const char *ifname)
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
	const struct cfg_route *a = x, *b = y;

	if (a->vni != b->vni)
		return a->vni < b->vni ? -1 : 1;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	return (int)a->prefixlen - (int)b->prefixlen;
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
	char e[CFG_ERR_LEN], a[ADDR_PREFIX_STRLEN];
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

		if (name_listed(st->deleted_ports, st->n_deleted_ports, p->ifname) ||
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
			ret = fail(err, ret, "run-time port %s: %s", p->ifname, e);
			goto out;
		}
		op[np++] = *p;
	}
	for (size_t i = 0; i < st->n_routes; i++) {
		const struct cfg_route *r = &st->routes[i];

		ret = config_check_route(cfg, r, "", e);
		if (ret) {
			ret = fail(err, ret, "run-time route %s in VNI %u: %s",
				   addr_fmt_prefix(r->prefix, r->prefixlen, a), r->vni, e);
			goto out;
		}
		orr[nr++] = *r;
	}

	ret = config_find_conflict(op, np, orr, nr, &c);
	if (ret < 0)
		goto nomem;
	if (ret) {
		config_fmt_conflict(&c, op, orr, e, sizeof(e));
		ret = fail(err, -EEXIST, "%s", e);
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
	ret = fail(err, -ENOMEM, "out of memory");
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
		drop(st->deleted_ports, st->n_deleted_ports--, sizeof(*st->deleted_ports), i);
		dropped++;
	}
	for (size_t i = 0; i < st->n_deleted_routes;) {
		const struct cfg_route *d = &st->deleted_routes[i];

		if (state_find_route(cfg->routes, cfg->n_routes, d->vni, d->prefix, d->prefixlen)) {
			i++;
			continue;
		}
		drop(st->deleted_routes, st->n_deleted_routes--, sizeof(*st->deleted_routes), i);
		dropped++;
	}
	return dropped;
}

/* ------------------------------------------------------------ directory */

static int state_path(char *buf, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, size, "%s/%s", dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* mkdir -p, the last component mode 0700: the state names the workloads. */
static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	struct stat sb;
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf))
		return len ? -ENAMETOOLONG : -EINVAL;
	memcpy(buf, dir, len + 1);
	while (len > 1 && buf[len - 1] == '/')   /* "a/b/" makes b 0700 too */
		buf[--len] = '\0';
	for (char *p = buf + 1; ; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(buf, last ? 0700 : 0755) && errno != EEXIST)
			return -errno;
		if (last)
			break;
		*p = '/';
	}
	if (stat(dir, &sb))
		return -errno;
	return S_ISDIR(sb.st_mode) ? 0 : -ENOTDIR;
}

/* ----------------------------------------------------------------- load */

static int load_deleted_route(struct json_object *o, const char *path, struct cfg_route *r,
			      char *err)
{
	static const char *const keys[] = { "vni", "prefix", NULL };
	struct json_object *v;
	char p[JV_PATH_LEN];
	const char *s;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = jv_object(o, path, keys, err);
	if (ret)
		return ret;
	if (!jv_get(o, "vni", &v))
		return jv_fail(err, jv_key(p, path, "vni"), "required");
	ret = jv_u32(v, jv_key(p, path, "vni"), 1, STATE_VNI_MAX, &r->vni, err);
	if (ret)
		return ret;
	if (!jv_get(o, "prefix", &v))
		return jv_fail(err, jv_key(p, path, "prefix"), "required");
	jv_key(p, path, "prefix");
	if (jv_string(v, p, &s, NULL) || addr_parse_prefix(s, &r->prefix, &r->prefixlen, 0))
		return jv_fail_got(err, p, v, "expected A.B.C.D/LEN without host bits");
	return 0;
}

/* Reads one of the four arrays into *out (n elements of size bytes, the
 * caller owns *out even on error), each element through fn. */
static int load_array(struct json_object *root, const char *key, size_t size,
		      int (*fn)(struct json_object *, const char *, void *, char *),
		      void **out, size_t *n, char *err)
{
	struct json_object *v;
	char p[JV_PATH_LEN];
	size_t len;
	int ret;

	*out = NULL;
	*n = 0;
	if (!jv_get(root, key, &v))
		return 0;
	ret = jv_array(v, key, SIZE_MAX, &len, err);
	if (ret || len == 0)
		return ret;
	*out = calloc(len, size);
	if (!*out)
		return jv_fail(err, key, "out of memory"), -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		ret = fn(json_object_array_get_idx(v, i), jv_idx(p, key, i),
			 (char *)*out + i * size, err);
		if (ret)
			return ret;
		*n = i + 1;
	}
	return 0;
}

static int load_port(struct json_object *o, const char *path, void *out, char *err)
{
	return config_port_from_json(o, path, out, err);
}

static int load_route(struct json_object *o, const char *path, void *out, char *err)
{
	return config_route_from_json(o, path, out, err);
}

static int load_del_port(struct json_object *o, const char *path, void *out, char *err)
{
	return jv_ifname(o, path, out, err);
}

static int load_del_route(struct json_object *o, const char *path, void *out, char *err)
{
	return load_deleted_route(o, path, out, err);
}

static int load_root(struct json_object *root, struct state *st, char *err)
{
	static const char *const keys[] = {
		"version", "ports", "deleted_ports", "routes", "deleted_routes", NULL
	};
	struct json_object *v;
	uint32_t version;
	void *a;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return jv_fail(err, NULL, "expected a JSON object");
	ret = jv_object(root, "", keys, err);
	if (ret)
		return ret;
	if (!jv_get(root, "version", &v))
		return jv_fail(err, "version", "required");
	ret = jv_u32(v, "version", 1, UINT32_MAX, &version, err);
	if (ret)
		return ret;
	if (version != STATE_VERSION)
		return jv_fail(err, "version", "%u is not supported (this vtepd reads version %d)",
			       version, STATE_VERSION);
	ret = load_array(root, "ports", sizeof(*st->ports), load_port, &a, &st->n_ports, err);
	st->ports = a;
	if (ret)
		return ret;
	ret = load_array(root, "deleted_ports", sizeof(*st->deleted_ports), load_del_port, &a,
			 &st->n_deleted_ports, err);
	st->deleted_ports = a;
	if (ret)
		return ret;
	ret = load_array(root, "routes", sizeof(*st->routes), load_route, &a, &st->n_routes, err);
	st->routes = a;
	if (ret)
		return ret;
	ret = load_array(root, "deleted_routes", sizeof(*st->deleted_routes), load_del_route, &a,
			 &st->n_deleted_routes, err);
	st->deleted_routes = a;
	return ret;
}

static void file_fail(char *err, const char *path, const char *msg)
{
	fail(err, 0, "%s: %s", path, msg);
}

int state_load(const char *dir, struct state *st, char err[CFG_ERR_LEN])
{
	struct json_object *root = NULL;
	char path[PATH_MAX], e[CFG_ERR_LEN];
	size_t len;
	char *text = NULL;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = state_path(path, sizeof(path), dir, STATE_FILE);
	if (!ret)
		ret = mkdir_p(dir);
	if (ret) {
		file_fail(err, dir, strerror(-ret));
		return ret;
	}
	ret = jv_read_file(path, &text, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		file_fail(err, path, strerror(-ret));
		return ret;
	}
	ret = jv_parse(text, len, &root, e);
	if (!ret)
		ret = load_root(root, st, e);
	if (ret) {
		file_fail(err, path, e);
		state_free(st);
	}
	json_object_put(root);
	free(text);
	return ret;
}

/* ----------------------------------------------------------------- save */

static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

static struct json_object *port_json(const struct cfg_port *p)
{
	struct json_object *o = json_object_new_object();
	char ip[ADDR_IP_STRLEN], mac[ADDR_MAC_STRLEN];

	if (!o)
		return NULL;
	if (json_object_object_add(o, "ifname", jstr(p->ifname)) ||
	    json_object_object_add(o, "vni", json_object_new_int64(p->vni)) ||
	    json_object_object_add(o, "ip", jstr(addr_fmt_ip(p->ip, ip))) ||
	    json_object_object_add(o, "mac",
				   jstr(p->mac_auto ? "auto" : addr_fmt_mac(p->mac, mac)))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* with_target: a route; without: the key of a deleted one. */
static struct json_object *route_json(const struct cfg_route *r, bool with_target)
{
	struct json_object *o = json_object_new_object();
	char pfx[ADDR_PREFIX_STRLEN], ip[ADDR_IP_STRLEN], mac[ADDR_MAC_STRLEN];

	if (!o)
		return NULL;
	if (json_object_object_add(o, "vni", json_object_new_int64(r->vni)) ||
	    json_object_object_add(o, "prefix",
				   jstr(addr_fmt_prefix(r->prefix, r->prefixlen, pfx))) ||
	    (with_target &&
	     (json_object_object_add(o, "vtep", jstr(addr_fmt_ip(r->vtep, ip))) ||
	      json_object_object_add(o, "mac", jstr(addr_fmt_mac(r->mac, mac)))))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Adds key: [ elements ]; an element that failed (NULL) fails the whole. */
static int add_array(struct json_object *root, const char *key, size_t n,
		     struct json_object *(*elem)(const struct state *, size_t),
		     const struct state *st)
{
	struct json_object *a = json_object_new_array_ext((int)(n ? n : 1));

	if (!a || json_object_object_add(root, key, a)) {
		json_object_put(a);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = elem(st, i);

		if (!e || json_object_array_add(a, e)) {
			json_object_put(e);
			return -ENOMEM;
		}
	}
	return 0;
}

static struct json_object *elem_port(const struct state *st, size_t i)
{
	return port_json(&st->ports[i]);
}

static struct json_object *elem_del_port(const struct state *st, size_t i)
{
	return jstr(st->deleted_ports[i]);
}

static struct json_object *elem_route(const struct state *st, size_t i)
{
	return route_json(&st->routes[i], true);
}

static struct json_object *elem_del_route(const struct state *st, size_t i)
{
	return route_json(&st->deleted_routes[i], false);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* tmp -> fsync -> rename -> fsync(dir): rename(2) replaces atomically, and
 * the fsyncs order the data before the rename and make the rename durable. */
static int write_atomic(const char *dir, const char *text, size_t len, char *err)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd = -1, dfd = -1, ret;
	const char *step = "";

	if ((ret = state_path(tmp, sizeof(tmp), dir, STATE_TMP)) ||
	    (ret = state_path(path, sizeof(path), dir, STATE_FILE))) {
		file_fail(err, dir, strerror(-ret));
		return ret;
	}
	step = "create";
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		goto fail_errno;
	step = "write";
	ret = write_all(fd, text, len);
	if (ret)
		goto fail;
	step = "fsync";
	if (fsync(fd))
		goto fail_errno;
	step = "close";
	ret = close(fd);
	fd = -1;
	if (ret)
		goto fail_errno;
	step = "rename";
	if (rename(tmp, path))
		goto fail_errno;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd)) {
		step = "fsync directory";
		ret = -errno;
		if (dfd >= 0)
			close(dfd);
		/* the new file is in place; only its durability is in doubt */
		goto report;
	}
	close(dfd);
	return 0;
fail_errno:
	ret = -errno;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
report:
	fail(err, ret, "%s: %s: %s",
	     !strcmp(step, "rename") || !strncmp(step, "fsync d", 7) ? path : tmp,
	     step, strerror(-ret));
	return ret;
}

int state_save(const char *dir, const struct state *st, char err[CFG_ERR_LEN])
{
	struct json_object *root;
	const char *text;
	char *buf = NULL;
	size_t len;
	int ret;

	ret = mkdir_p(dir);
	if (ret) {
		file_fail(err, dir, strerror(-ret));
		return ret;
	}
	root = json_object_new_object();
	if (!root ||
	    json_object_object_add(root, "version", json_object_new_int(STATE_VERSION)) ||
	    add_array(root, "ports", st->n_ports, elem_port, st) ||
	    add_array(root, "deleted_ports", st->n_deleted_ports, elem_del_port, st) ||
	    add_array(root, "routes", st->n_routes, elem_route, st) ||
	    add_array(root, "deleted_routes", st->n_deleted_routes, elem_del_route, st))
		goto nomem;
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		goto nomem;
	len = strlen(text);
	buf = malloc(len + 2);
	if (!buf)
		goto nomem;
	memcpy(buf, text, len);
	buf[len++] = '\n';
	buf[len] = '\0';
	ret = write_atomic(dir, buf, len, err);
	free(buf);
	json_object_put(root);
	return ret;
nomem:
	json_object_put(root);
	file_fail(err, dir, "out of memory");
	return -ENOMEM;
}

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
		return fail(err, -EEXIST, "port %s already exists", p->ifname);
	if (state_copy(&next, st))
		return fail(err, -ENOMEM, "out of memory");
	np_ = push(next.ports, next.n_ports, sizeof(*p), p);
	if (!np_) {
		state_free(&next);
		return fail(err, -ENOMEM, "out of memory");
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
	bool marked = name_listed(st->deleted_ports, st->n_deleted_ports, ifname);
	struct state next;

	if (!in_state && (!in_cfg || marked))
		return fail(err, -ENOENT, "port %s does not exist", ifname);
	if (state_copy(&next, st))
		return fail(err, -ENOMEM, "out of memory");
	if (in_state)
		drop(next.ports, next.n_ports--, sizeof(*next.ports),
		     (size_t)(in_state - st->ports));
	/* a port of the file stays deleted across restarts and reloads */
	if (in_cfg && !marked) {
		char name[CFG_IFNAMSIZ] = "";
		char (*nd)[CFG_IFNAMSIZ];

		snprintf(name, sizeof(name), "%s", ifname);
		nd = push(next.deleted_ports, next.n_deleted_ports, sizeof(name), name);
		if (!nd) {
			state_free(&next);
			return fail(err, -ENOMEM, "out of memory");
		}
		next.deleted_ports = nd;
		next.n_deleted_ports++;
	}
	return commit(st, &next, cfg, dir, false, err);
}

/* Whether a route is in the merged set, without building it: route edits
 * may come by the thousand from a script, so they cost O(n), not a merge. */
static bool route_in_force(const struct vtep_config *cfg, const struct state *st,
			   uint32_t vni, uint32_t prefix, uint8_t len)
{
	return state_find_route(st->routes, st->n_routes, vni, prefix, len) ||
	       (state_find_route(cfg->routes, cfg->n_routes, vni, prefix, len) &&
		!state_find_route(st->deleted_routes, st->n_deleted_routes, vni, prefix, len));
}

/* The port of the merged set that has this address in this VNI. */
static const struct cfg_port *port_in_force(const struct vtep_config *cfg, const struct state *st,
					    uint32_t vni, uint32_t ip)
{
	for (size_t i = 0; i < st->n_ports; i++) {
		if (st->ports[i].vni == vni && st->ports[i].ip == ip)
			return &st->ports[i];
	}
	for (size_t i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];

		if (p->vni == vni && p->ip == ip &&
		    !name_listed(st->deleted_ports, st->n_deleted_ports, p->ifname) &&
		    !state_find_port(st->ports, st->n_ports, p->ifname))
			return p;
	}
	return NULL;
}

int state_route_add(struct state *st, const struct vtep_config *cfg, const char *dir,
		    const struct cfg_route *r, char err[CFG_ERR_LEN])
{
	char pfx[ADDR_PREFIX_STRLEN];
	const struct cfg_port *p;
	struct cfg_route *nr;
	struct state next;
	int ret;

	ret = config_check_route(cfg, r, "", err);
	if (ret)
		return ret;
	addr_fmt_prefix(r->prefix, r->prefixlen, pfx);
	if (route_in_force(cfg, st, r->vni, r->prefix, r->prefixlen))
		return fail(err, -EEXIST, "route %s in VNI %u already exists", pfx, r->vni);
	/* the only other conflict a route can have (config_find_conflict) */
	p = r->prefixlen == 32 ? port_in_force(cfg, st, r->vni, r->prefix) : NULL;
	if (p)
		return fail(err, -EEXIST, "route %s in VNI %u is the address of local port %s",
			    pfx, r->vni, p->ifname);
	if (state_copy(&next, st))
		return fail(err, -ENOMEM, "out of memory");
	nr = push(next.routes, next.n_routes, sizeof(*r), r);
	if (!nr) {
		state_free(&next);
		return fail(err, -ENOMEM, "out of memory");
	}
	next.routes = nr;
	next.n_routes++;
	return commit(st, &next, cfg, dir, false, err);
}

int state_route_del(struct state *st, const struct vtep_config *cfg, const char *dir,
		    uint32_t vni, uint32_t prefix, uint8_t prefixlen, char err[CFG_ERR_LEN])
{
	const struct cfg_route *in_state = state_find_route(st->routes, st->n_routes,
							     vni, prefix, prefixlen);
	bool in_cfg = state_find_route(cfg->routes, cfg->n_routes, vni, prefix, prefixlen) != NULL;
	bool marked = state_find_route(st->deleted_routes, st->n_deleted_routes,
				       vni, prefix, prefixlen) != NULL;
	char pfx[ADDR_PREFIX_STRLEN];
	struct state next;

	if (!in_state && (!in_cfg || marked))
		return fail(err, -ENOENT, "route %s in VNI %u does not exist",
			    addr_fmt_prefix(prefix, prefixlen, pfx), vni);
	if (state_copy(&next, st))
		return fail(err, -ENOMEM, "out of memory");
	if (in_state)
		drop(next.routes, next.n_routes--, sizeof(*next.routes),
		     (size_t)(in_state - st->routes));
	/* a route of the file stays deleted across restarts and reloads */
	if (in_cfg && !marked) {
		struct cfg_route key = { .vni = vni, .prefix = prefix, .prefixlen = prefixlen };
		struct cfg_route *nd = push(next.deleted_routes, next.n_deleted_routes,
					    sizeof(key), &key);

		if (!nd) {
			state_free(&next);
			return fail(err, -ENOMEM, "out of memory");
		}
		next.deleted_routes = nd;
		next.n_deleted_routes++;
	}
	return commit(st, &next, cfg, dir, false, err);
}
