/* test_config_golden.c - whole configuration files against what vtepd makes
 * of them, in the manner of OpenBGPD's regress/usr.sbin/bgpd/config (.in
 * and .ok pairs). Every tests/unit/config/NAME.json is read with
 * config_load(), as `vtepd -c` reads it, and compared with
 *   NAME.ok   the parsed configuration, one field a line, every field of
 *             struct vtep_config (config_dump below), or
 *   NAME.err  the refusal: config_load's one-line error, exactly; a refused
 *             file must also leave the config owning nothing (config.h).
 * One Check case per file, the file named in every failure; a .json with
 * neither or both fails. Single-field bad values stay in the tables of
 * test_config_{vtep,bgp,vnis,ports,errors}.c, where each reads as one
 * change to the contract config; here are the cases that read best as a
 * whole file: valid files with their defaults, malformed JSON, duplicates,
 * limits, entries that depend on each other.
 *
 * After a deliberate change, VTEPD_GOLDEN_UPDATE=1 rewrites each .ok or .err
 * from what config_load does now (the case still runs and passes); review
 * the diff before committing it. CONFIG_GOLDEN_DIR is set by the Makefile.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "addr.h"
#include "addr6.h"
#include "config.h"

#ifndef CONFIG_GOLDEN_DIR
#define CONFIG_GOLDEN_DIR "tests/unit/config"
#endif

#define MAX_FILES 256

static char *names[MAX_FILES];   /* NAME of each NAME.json, sorted */
static int n_names;

/* ---- the dump --------------------------------------------------------------------- */

static const char *yes(bool b)
{
	return b ? "true" : "false";
}

/* A string as JSON would write it (the password may hold anything). */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* An RT or RD: "auto", or its text form and its 8 octets in hex. */
static void put_rt(FILE *f, bool is_auto, const uint8_t b[8], bool rd)
{
	char s[CFG_RT_STRLEN];
	int i;

	if (is_auto) {
		fputs("auto", f);
		return;
	}
	if (rd)
		config_fmt_rd(b, s);
	else
		config_fmt_rt(b, s);
	fprintf(f, "%s =", s);
	for (i = 0; i < 8; i++)
		fprintf(f, " %02x", b[i]);
}

/* Every field of c, one "path value" line each; paths as in the file. */
static void config_dump(FILE *f, const struct vtep_config *c)
{
	static const char *const attach[] = { "xdp", "tc", "auto" };
	char a[ADDR_IP_STRLEN], m[ADDR_MAC_STRLEN], p[ADDR_PREFIX_STRLEN];
	char a6[ADDR6_STRLEN], p6[CFG_ADDR_STRLEN];
	size_t i;

	fprintf(f, "vtep.ip %s\n", addr_fmt_ip(c->vtep_ip, a));
	for (i = 0; i < c->n_uplinks; i++)
		fprintf(f, "vtep.uplink[%zu] %s\n", i, c->uplinks[i]);
	fprintf(f, "vtep.uplink_attach %s\n",
		c->uplink_attach <= CFG_ATTACH_AUTO ? attach[c->uplink_attach] : "?");
	fprintf(f, "bpffs %s\n", c->bpffs);
	fprintf(f, "control_socket %s\n", c->control_socket);
	fprintf(f, "cni_socket %s\n", c->cni_socket);
	fprintf(f, "state_dir %s\n", c->state_dir);
	if (c->metrics_enabled)
		fprintf(f, "metrics %s:%u\n", c->metrics_addr, c->metrics_port);
	else
		fprintf(f, "metrics null\n");
	fprintf(f, "limits.routes %u\nlimits.fdb %u\nlimits.ports %u\nlimits.route_cache %u\n",
		c->limit_routes, c->limit_fdb, c->limit_ports, c->limit_rcache);
	if (!c->bgp.enabled) {
		fprintf(f, "bgp null\n");
	} else {
		fprintf(f, "bgp.asn %u\n", c->bgp.asn);
		fprintf(f, "bgp.router_id %s\n", addr_fmt_ip(c->bgp.router_id, a));
		fprintf(f, "bgp.graceful_restart_s %u\n", c->bgp.graceful_restart_s);
		fprintf(f, "bgp.dad.moves %u\nbgp.dad.window_s %u\n", c->bgp.dad_moves,
			c->bgp.dad_window_s);
		if (!c->bgp.n_neighbors)
			fprintf(f, "bgp.neighbors []\n");
		for (i = 0; i < c->bgp.n_neighbors; i++) {
			const struct cfg_neighbor *n = &c->bgp.neighbors[i];

			fprintf(f, "bgp.neighbors[%zu].address %s\n", i, addr_fmt_ip(n->address, a));
			fprintf(f, "bgp.neighbors[%zu].asn %u\n", i, n->asn);
			fprintf(f, "bgp.neighbors[%zu].port %u\n", i, n->port);
			fprintf(f, "bgp.neighbors[%zu].password ", i);
			if (n->password)
				put_quoted(f, n->password);
			else
				fputs("null", f);
			fprintf(f, "\nbgp.neighbors[%zu].ttl_security %s\n", i, yes(n->ttl_security));
			fprintf(f, "bgp.neighbors[%zu].max_prefixes %u\n", i, n->max_prefixes);
			fprintf(f, "bgp.neighbors[%zu].passive %s\n", i, yes(n->passive));
			fprintf(f, "bgp.neighbors[%zu].hold_time_s %u\n", i, n->hold_time_s);
			fprintf(f, "bgp.neighbors[%zu].keepalive_s %u\n", i, n->keepalive_s);
		}
	}
	if (!c->n_vnis)
		fprintf(f, "vnis []\n");
	for (i = 0; i < c->n_vnis; i++) {
		const struct cfg_vni *v = &c->vnis[i];

		fprintf(f, "vnis[%zu].vni %u\n", i, v->vni);
		fprintf(f, "vnis[%zu].subnet %s\n", i, addr_fmt_prefix(v->subnet, v->prefixlen, p));
		fprintf(f, "vnis[%zu].gateway_ip %s\n", i, addr_fmt_ip(v->gateway_ip, a));
		fprintf(f, "vnis[%zu].gateway_mac %s\n", i, addr_fmt_mac(v->gateway_mac, m));
		fprintf(f, "vnis[%zu].route_target ", i);
		put_rt(f, v->rt_auto, v->route_target, false);
		fprintf(f, "\nvnis[%zu].rd ", i);
		put_rt(f, v->rd_auto, v->rd, true);
		fprintf(f, "\nvnis[%zu].arp_reply %s\n", i,
			v->arp_reply == CFG_ARP_REAL ? "real" : "gateway");
		fprintf(f, "vnis[%zu].flood %s\n", i, yes(v->flood));
		/* IPv6 only when the VNI has it: the IPv4 files' .ok stay */
		if (v->prefixlen6) {
			fprintf(f, "vnis[%zu].subnet6 %s\n", i,
				addr6_fmt_prefix(v->subnet6, v->prefixlen6, p6));
			fprintf(f, "vnis[%zu].gateway_ip6 %s\n", i, addr6_is_zero(v->gateway_ip6) ?
				"null" : addr6_fmt(v->gateway_ip6, a6));
			fprintf(f, "vnis[%zu].slaac %s\n", i, yes(v->slaac));
		}
	}
	if (!c->n_ports)
		fprintf(f, "ports []\n");
	for (i = 0; i < c->n_ports; i++) {
		const struct cfg_port *q = &c->ports[i];

		fprintf(f, "ports[%zu].ifname %s\n", i, q->ifname);
		fprintf(f, "ports[%zu].vni %u\n", i, q->vni);
		fprintf(f, "ports[%zu].ip %s\n", i, q->ip ? addr_fmt_ip(q->ip, a) : "null");
		fprintf(f, "ports[%zu].mac %s\n", i, q->mac_auto ? "auto" : addr_fmt_mac(q->mac, m));
		if (!addr6_is_zero(q->ip6))
			fprintf(f, "ports[%zu].ip6 %s\n", i, addr6_fmt(q->ip6, a6));
		if (!addr6_is_zero(q->ip6_ll))
			fprintf(f, "ports[%zu].ip6_ll %s\n", i, addr6_fmt(q->ip6_ll, a6));
	}
	if (!c->n_routes)
		fprintf(f, "routes []\n");
	for (i = 0; i < c->n_routes; i++) {
		const struct cfg_route *r = &c->routes[i];

		fprintf(f, "routes[%zu].vni %u\n", i, r->vni);
		fprintf(f, "routes[%zu].prefix %s\n", i, config_route_fmt_prefix(r, p6));
		fprintf(f, "routes[%zu].vtep %s\n", i, addr_fmt_ip(r->vtep, a));
		fprintf(f, "routes[%zu].mac %s\n", i, addr_fmt_mac(r->mac, m));
	}
}

/* ---- the files ----------------------------------------------------------------------- */

static char *path_of(const char *name, const char *ext)
{
	char *p;

	ck_assert_int_gt(asprintf(&p, "%s/%s%s", CONFIG_GOLDEN_DIR, name, ext), 0);
	return p;
}

/* The whole file, or NULL when there is none. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len;

	if (!f)
		return NULL;
	len = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (len == (size_t)-1) {
		free(buf);
		return strdup("");
	}
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* want and got, compared whole; the first line that differs, for the
 * message. */
static void expect_same(const char *file, const char *want, const char *got)
{
	const char *w = want, *g = got, *wl = want, *gl = got;
	int line = 1;

	while (*w && *w == *g) {
		if (*w == '\n') {
			line++;
			wl = w + 1;
			gl = g + 1;
		}
		w++;
		g++;
	}
	if (!*w && !*g)
		return;
	ck_abort_msg("%s, line %d: want \"%.*s\", got \"%.*s\"", file, line,
		     (int)strcspn(wl, "\n"), wl, (int)strcspn(gl, "\n"), gl);
}

START_TEST(test_golden)
{
	const char *name = names[_i];
	char *json = path_of(name, ".json"), *okp = path_of(name, ".ok"), *errp = path_of(name, ".err");
	char *ok = slurp(okp), *want_err = slurp(errp), *got = NULL;
	bool update = getenv("VTEPD_GOLDEN_UPDATE") != NULL;
	char err[CFG_ERR_LEN] = "";
	struct vtep_config c;
	size_t len = 0;
	FILE *f;
	int ret;

	ck_assert_msg(update || (ok == NULL) != (want_err == NULL),
		      "%s: needs exactly one of %s.ok and %s.err", json, name, name);
	memset(&c, 0xa5, sizeof(c));
	ret = config_load(json, &c, err);
	if (ret) {
		/* A refused config owns nothing (config.h). */
		ck_assert_msg(ret == -EINVAL, "%s: config_load %d (%s), want -EINVAL", json, ret, err);
		ck_assert_ptr_null(c.vnis);
		ck_assert_ptr_null(c.ports);
		ck_assert_ptr_null(c.routes);
		ck_assert_ptr_null(c.bgp.neighbors);
		ck_assert_uint_eq(c.n_vnis, 0);
		ck_assert_int_gt(asprintf(&got, "%s\n", err), 0);
		if (update) {
			unlink(okp);
			spit(errp, got);
		} else {
			ck_assert_msg(want_err != NULL, "%s refused (%s), but %s.ok says it is valid",
				      json, err, name);
			expect_same(errp, want_err, got);
		}
	} else {
		f = open_memstream(&got, &len);
		ck_assert_ptr_nonnull(f);
		config_dump(f, &c);
		fclose(f);
		config_free(&c);
		if (update) {
			unlink(errp);
			spit(okp, got);
		} else {
			ck_assert_msg(ok != NULL, "%s accepted, but %s.err says: %s", json, name,
				      want_err ? want_err : "");
			expect_same(okp, ok, got);
		}
	}
	free(got);
	free(ok);
	free(want_err);
	free(json);
	free(okp);
	free(errp);
}
END_TEST

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

Suite *test_suite(void)
{
	Suite *s = suite_create("config_golden");
	TCase *tc = tcase_create("files");
	struct dirent **ents;
	int n, i;

	/* Listed once, before the cases fork: each case is one file. */
	n = scandir(CONFIG_GOLDEN_DIR, &ents, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "test_config_golden: %s: %s\n", CONFIG_GOLDEN_DIR, strerror(errno));
		exit(EXIT_FAILURE);
	}
	for (i = 0; i < n; i++) {
		size_t l = strlen(ents[i]->d_name);

		if (l > 5 && !strcmp(ents[i]->d_name + l - 5, ".json")) {
			if (n_names == MAX_FILES) {
				fprintf(stderr, "test_config_golden: more than %d files\n", MAX_FILES);
				exit(EXIT_FAILURE);
			}
			names[n_names++] = strndup(ents[i]->d_name, l - 5);
		}
		free(ents[i]);
	}
	free(ents);
	if (!n_names) {
		fprintf(stderr, "test_config_golden: no .json in %s\n", CONFIG_GOLDEN_DIR);
		exit(EXIT_FAILURE);
	}
	tcase_add_loop_test(tc, test_golden, 0, n_names);
	suite_add_tcase(s, tc);
	return s;
}
