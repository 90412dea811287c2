/* state_file.c - <state_dir>/state.json: reading and writing the run-time
 * edits (state_load(), state_save() of state.h).
 *
 * The file is rewritten whole on every edit, atomically (write a temporary
 * file, fsync it, rename it over the old one, fsync the directory: after a
 * crash the directory holds the old file or the new one, never a mix), and
 * read back with the config file's strict reader, so a damaged file is
 * refused with the field named instead of silently dropping edits.
 */
#include "state_priv.h"
#include "addr.h"
#include "addr6.h"
#include "jsonv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_VNI_MAX  16777215u   /* 24 bits (RFC 7348 s.5) */

/* ------------------------------------------------------------ directory */

static int state_path(char *buf, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, size, "%s/%s", dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* mkdir -p, the last component mode 0700: the state names the workloads. */
int state_mkdir_p(const char *dir)
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
	if (jv_string(v, p, &s, NULL) || config_route_parse_prefix(s, r))
		return jv_fail_got(err, p, v, "expected %s without host bits",
				   s && addr6_is_text6(s) ? "X::Y/LEN" : "A.B.C.D/LEN");
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
	state_fail(err, 0, "%s: %s", path, msg);
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
		ret = state_mkdir_p(dir);
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
	char ip[ADDR_IP_STRLEN], mac[ADDR_MAC_STRLEN], a6[ADDR6_STRLEN];

	if (!o)
		return NULL;
	/* ip is left out of an IPv6-only port, ip6 and ip6_ll when unset */
	if (json_object_object_add(o, "ifname", jstr(p->ifname)) ||
	    json_object_object_add(o, "vni", json_object_new_int64(p->vni)) ||
	    (p->ip && json_object_object_add(o, "ip", jstr(addr_fmt_ip(p->ip, ip)))) ||
	    json_object_object_add(o, "mac",
				   jstr(p->mac_auto ? "auto" : addr_fmt_mac(p->mac, mac))) ||
	    (!addr6_is_zero(p->ip6) &&
	     json_object_object_add(o, "ip6", jstr(addr6_fmt(p->ip6, a6)))) ||
	    (!addr6_is_zero(p->ip6_ll) &&
	     json_object_object_add(o, "ip6_ll", jstr(addr6_fmt(p->ip6_ll, a6))))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* with_target: a route; without: the key of a deleted one. */
static struct json_object *route_json(const struct cfg_route *r, bool with_target)
{
	struct json_object *o = json_object_new_object();
	char pfx[CFG_ADDR_STRLEN], ip[ADDR_IP_STRLEN], mac[ADDR_MAC_STRLEN];

	if (!o)
		return NULL;
	if (json_object_object_add(o, "vni", json_object_new_int64(r->vni)) ||
	    json_object_object_add(o, "prefix", jstr(config_route_fmt_prefix(r, pfx))) ||
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
int state_write_file(const char *dir, const char *name, const char *text, size_t len,
		     char *err)
{
	char tmpname[NAME_MAX + 1];
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd = -1, dfd = -1, ret;
	const char *step = "";

	if ((size_t)snprintf(tmpname, sizeof(tmpname), "%s.tmp", name) >= sizeof(tmpname))
		ret = -ENAMETOOLONG;
	else if (!(ret = state_path(tmp, sizeof(tmp), dir, tmpname)))
		ret = state_path(path, sizeof(path), dir, name);
	if (ret) {
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
	state_fail(err, ret, "%s: %s: %s",
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

	ret = state_mkdir_p(dir);
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
	ret = state_write_file(dir, STATE_FILE, buf, len, err);
	free(buf);
	json_object_put(root);
	return ret;
nomem:
	json_object_put(root);
	file_fail(err, dir, "out of memory");
	return -ENOMEM;
}
