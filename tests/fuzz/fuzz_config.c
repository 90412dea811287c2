/* fuzz_config.c - libFuzzer target for the files vtepd reads (agent/conf/):
 * the config file (config_load / config_parse: jsonv's strict JSON and
 * every key's checks), the state file (state_load / state_save, the
 * run-time edits vtepd keeps), the pods file (pods_load / pods_save, the
 * CNI service's records), and what a reload does with them before it
 * touches the datapath: config_keep_restart_settings() against the running
 * configuration, state_prune() and state_merge() of the run-time edits into
 * the new file.
 *
 * One input is read four ways:
 *   - as a config file, through a memfd (config_load: the bytes as they
 *     are, NULs included) and, when it has no NUL, as a string
 *     (config_parse): both must give the same verdict and the same error;
 *   - when it parses, as the new file of a reload over RUNNING (below):
 *     everything config_parse accepted must hold its own invariants (each
 *     port and route passes config_check_*, no conflict, every route target
 *     and RD prints and parses back to the same bytes, each VNI imports its
 *     own route target), merging it with no edits must succeed, and the
 *     settings a reload keeps must end up equal to the running ones;
 *   - as <dir>/state.json: what state_load accepts is saved and loaded
 *     again to the same state, and merged into RUNNING and into the new
 *     file (refusals must be -EINVAL/-EEXIST with an error line);
 *   - as <dir>/pods.json: what pods_load accepts passes pods_check record by
 *     record, holds each attachment once, and is saved and loaded again to
 *     the same records.
 * Every refusal is one line of printable text (it reaches the log and
 * vtepctl's output).
 * A broken invariant traps, so libFuzzer reports it with the input.
 * Seeds: tests/fuzz/corpus/config/ (make_seeds.py: the unit tests' configs,
 * state and pods files, the golden configs, docs, dist/, tests/net/lib.sh's
 * and k8s_lib.sh's).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "pods.h"
#include "state.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* The configuration in force when the fuzzed file is reloaded: BGP on, one
 * VNI with automatic route target and RD, one with explicit ones, one with
 * outside "host" and a host link, a CNI socket, small limits (so that a
 * file can differ in every setting reload keeps). */
static const char running_json[] =
	"{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": [\"up0\", \"up1\"], \"uplink_attach\": \"tc\" },"
	"  \"bpffs\": \"/run/fuzz/bpf\", \"control_socket\": \"/run/fuzz/vtepd.sock\","
	"  \"cni_socket\": \"/run/fuzz/cni.sock\","
	"  \"state_dir\": \"/run/fuzz/state\", \"metrics\": \"127.0.0.1:9469\","
	"  \"limits\": { \"routes\": 64, \"fdb\": 64, \"ports\": 16 },"
	"  \"bgp\": { \"asn\": 65101, \"router_id\": \"192.0.2.1\","
	"           \"neighbors\": [ { \"address\": \"198.51.100.1\", \"asn\": 65001 } ] },"
	"  \"vnis\": [ { \"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
	"               \"gateway_mac\": \"02:00:00:00:01:00\", \"route_target\": \"auto\" },"
	"             { \"vni\": 200, \"subnet\": \"10.2.0.0/24\", \"gateway_ip\": \"10.2.0.1\","
	"               \"gateway_mac\": \"02:00:00:00:02:00\", \"route_target\": \"65000:200\","
	"               \"rd\": \"192.0.2.1:200\", \"arp_reply\": \"real\", \"flood\": true },"
	"             { \"vni\": 300, \"subnet\": \"10.3.0.0/24\", \"gateway_ip\": \"10.3.0.1\","
	"               \"gateway_mac\": \"02:00:00:00:03:00\", \"outside\": \"host\","
	"               \"host_ip\": \"10.3.0.2\" } ],"
	"  \"ports\": [ { \"ifname\": \"w1\", \"vni\": 100, \"ip\": \"10.1.0.11\", \"mac\": \"auto\" },"
	"              { \"ifname\": \"w2\", \"vni\": 200, \"ip\": \"10.2.0.12\", \"mac\": \"02:00:00:00:00:12\" } ],"
	"  \"routes\": [ { \"vni\": 100, \"prefix\": \"10.1.0.21/32\", \"vtep\": \"192.0.2.2\", \"mac\": \"02:00:00:00:00:21\" },"
	"               { \"vni\": 100, \"prefix\": \"10.1.128.0/24\", \"vtep\": \"192.0.2.3\", \"mac\": \"02:00:00:00:00:fe\" } ] }";

static struct vtep_config running;
static int memfd = -1;
static char memfd_path[64], dir_in[64], dir_out[64];

/* The vtepctl edits made on RUNNING, into st (empty): a port added, a route
 * added, a port of the file deleted. */
static int running_edits(struct state *st, char err[CFG_ERR_LEN])
{
	struct cfg_port p = { .ifname = "w9", .vni = 100, .mac_auto = true };
	struct cfg_route r = { .vni = 200, .prefixlen = 32, .mac = { 2, 0, 0, 0, 0, 0x22 } };

	p.ip = htonl(0x0a01000f);
	r.prefix = htonl(0x0a020016);
	r.vtep = htonl(0xc0000202);
	return state_port_add(st, &running, NULL, &p, err) ?:
	       state_route_add(st, &running, NULL, &r, err) ?:
	       state_port_del(st, &running, NULL, "w2", err);
}

static void fuzz_fail(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_config set-up: %s: %s\n", what, err);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[CFG_ERR_LEN] = "";
	struct state st;

	(void)argc;
	(void)argv;
	if (config_parse(running_json, &running, err))
		fuzz_fail("running config", err);
	memset(&st, 0, sizeof(st));
	if (running_edits(&st, err))
		fuzz_fail("running state", err);
	state_free(&st);
	memfd = memfd_create("fuzz_config", MFD_CLOEXEC);
	if (memfd < 0)
		fuzz_fail("memfd_create", strerror(errno));
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	/* state_load/state_save take a directory: private ones in /dev/shm
	 * (memory), removed at exit. */
	snprintf(dir_in, sizeof(dir_in), "/dev/shm/fuzz-config-XXXXXX");
	snprintf(dir_out, sizeof(dir_out), "/dev/shm/fuzz-config-XXXXXX");
	if (!mkdtemp(dir_in) || !mkdtemp(dir_out))
		fuzz_fail("mkdtemp", strerror(errno));
	return 0;
}

__attribute__((destructor)) static void cleanup(void)
{
	char p[96];

	for (int i = 0; i < 2; i++) {
		const char *d = i ? dir_out : dir_in;

		if (!d[0] || d[strlen(d) - 1] == 'X')
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, STATE_FILE);
		unlink(p);
		snprintf(p, sizeof(p), "%s/%s.tmp", d, STATE_FILE);
		unlink(p);
		snprintf(p, sizeof(p), "%s/%s", d, PODS_FILE);
		unlink(p);
		snprintf(p, sizeof(p), "%s/%s.tmp", d, PODS_FILE);
		unlink(p);
		rmdir(d);
	}
}

/* An error is one non-empty line of printable text. */
static void check_err(const char *err)
{
	size_t n = strnlen(err, CFG_ERR_LEN);

	CHECK(n > 0 && n < CFG_ERR_LEN);
	/* It reaches the log and vtepctl's output: no line break, no terminal
	 * escape, whatever the file holds. */
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)err[i] >= 0x20);
}

static void rt_roundtrip(const uint8_t v[8], bool rd)
{
	char buf[CFG_RT_STRLEN];
	uint8_t back[8];

	if ((rd ? config_fmt_rd(v, buf) : config_fmt_rt(v, buf)) != 0)
		return;   /* a type we never write: printed in hex */
	CHECK(memchr(buf, '\0', sizeof(buf)));
	CHECK((rd ? config_parse_rd(buf, back) : config_parse_rt(buf, back)) == 0);
	CHECK(!memcmp(back, v, 8));
}

/* A set of ports and routes vtepd would install: each one valid for cfg
 * and no two in conflict. */
static void check_set(const struct vtep_config *cfg, const struct cfg_port *ports, size_t np,
		      const struct cfg_route *routes, size_t nr)
{
	struct cfg_conflict c;
	char err[CFG_ERR_LEN];

	for (size_t i = 0; i < np; i++) {
		CHECK(config_check_port(cfg, &ports[i], "", err) == 0);
		CHECK(state_find_port(ports, np, ports[i].ifname) == &ports[i]);
	}
	for (size_t i = 0; i < nr; i++) {
		CHECK(config_check_route(cfg, &routes[i], "", err) == 0);
		CHECK(state_find_route(routes, nr, &routes[i]) == &routes[i]);
	}
	CHECK(config_find_conflict(ports, np, routes, nr, &c) == 0);
}

/* What config_parse() accepted is consistent on its own. */
static void check_config(const struct vtep_config *cfg)
{
	char err[CFG_ERR_LEN];

	CHECK(cfg->n_uplinks >= 1 && cfg->n_uplinks <= CFG_MAX_UPLINKS);
	for (size_t i = 0; i < cfg->n_uplinks; i++)
		CHECK(memchr(cfg->uplinks[i], '\0', CFG_IFNAMSIZ));
	CHECK(memchr(cfg->bpffs, '\0', sizeof(cfg->bpffs)));
	CHECK(memchr(cfg->control_socket, '\0', sizeof(cfg->control_socket)));
	CHECK(memchr(cfg->state_dir, '\0', sizeof(cfg->state_dir)));
	CHECK(cfg->n_ports + cfg->n_routes <= cfg->limit_routes);
	for (size_t i = 0; i < cfg->n_vnis; i++) {
		const struct cfg_vni *v = &cfg->vnis[i];
		uint8_t rt[8], rd[8];

		CHECK(v->vni >= 1 && v->vni <= 16777215);
		CHECK(v->prefixlen <= 32);
		/* A host link's address: in the subnet, not its gateway, only
		 * where the VNI hands what is outside it to the host. */
		if (v->host_ip) {
			uint32_t mask = v->prefixlen ? htonl(~0u << (32 - v->prefixlen)) : 0;

			CHECK(v->outside == CFG_OUTSIDE_HOST);
			CHECK((v->host_ip & mask) == (v->subnet & mask));
			CHECK(v->host_ip != v->gateway_ip);
		}
		/* VNIs are unique: the lookup finds this one. */
		CHECK(config_find_vni(cfg, v->vni) == v);
		if (!v->rt_auto)
			rt_roundtrip(v->route_target, false);
		if (!v->rd_auto)
			rt_roundtrip(v->rd, true);
		if (cfg->bgp.enabled) {
			CHECK(config_vni_rt(cfg, v, rt) == 0);
			CHECK(config_vni_rd(cfg, v, rd) == 0);
			rt_roundtrip(rt, false);
			rt_roundtrip(rd, true);
			CHECK(config_vni_imports_rt(v, rt));
		}
	}
	for (size_t i = 0; i < cfg->n_ports; i++) {
		CHECK(config_find_port(cfg, cfg->ports[i].ifname) == &cfg->ports[i]);
		CHECK(config_find_vni(cfg, cfg->ports[i].vni) != NULL);
	}
	check_set(cfg, cfg->ports, cfg->n_ports, cfg->routes, cfg->n_routes);
	for (size_t i = 0; i < cfg->bgp.n_neighbors; i++) {
		const struct cfg_neighbor *n = &cfg->bgp.neighbors[i];

		CHECK(n->hold_time_s == 0 || n->hold_time_s >= 3);
	}
	(void)err;
}

/* state_merge as reload calls it; returns its result after checking it. */
static int merge(const struct vtep_config *cfg, const struct state *st)
{
	struct cfg_port *ports = NULL;
	struct cfg_route *routes = NULL;
	size_t np = 0, nr = 0;
	char err[CFG_ERR_LEN] = "";
	int ret;

	ret = state_merge(cfg, st, &ports, &np, &routes, &nr, err);
	if (ret == 0)
		check_set(cfg, ports, np, routes, nr);
	else if (ret != -ENOMEM) {
		CHECK(ret == -EINVAL || ret == -EEXIST);
		check_err(err);
	}
	free(ports);
	free(routes);
	return ret;
}

/* A reload of nc over RUNNING (agent/daemon_reload.c's daemon_reload, up to
 * the datapath): keep what needs a restart, prune and merge the edits. */
static void reload(struct vtep_config *nc)
{
	const char *kept[CFG_RESTART_SETTINGS];
	char err[CFG_ERR_LEN];
	struct state st;
	size_t n;

	n = config_keep_restart_settings(&running, nc, kept, CFG_RESTART_SETTINGS);
	CHECK(n <= CFG_RESTART_SETTINGS);
	for (size_t i = 0; i < n; i++)
		CHECK(kept[i] && kept[i][0]);
	/* Kept again: nothing left to keep. */
	CHECK(config_keep_restart_settings(&running, nc, kept, CFG_RESTART_SETTINGS) == 0);
	CHECK(!strcmp(nc->bpffs, running.bpffs));
	CHECK(!strcmp(nc->control_socket, running.control_socket));
	CHECK(!strcmp(nc->cni_socket, running.cni_socket));
	CHECK(!strcmp(nc->state_dir, running.state_dir));
	CHECK(nc->uplink_attach == running.uplink_attach);
	CHECK(nc->limit_routes == running.limit_routes && nc->limit_fdb == running.limit_fdb &&
	      nc->limit_ports == running.limit_ports);
	CHECK(nc->metrics_enabled == running.metrics_enabled &&
	      nc->metrics_port == running.metrics_port &&
	      !strcmp(nc->metrics_addr, running.metrics_addr));

	memset(&st, 0, sizeof(st));
	/* The file alone: it was checked as a whole, so it merges. */
	CHECK(merge(nc, &st) == 0);
	/* With the edits made on the running configuration. */
	if (running_edits(&st, err)) {
		state_free(&st);
		return;   /* out of memory */
	}
	state_prune(&st, nc);
	/* What prune keeps names entries of nc. */
	for (size_t i = 0; i < st.n_deleted_ports; i++)
		CHECK(config_find_port(nc, st.deleted_ports[i]) != NULL);
	/* An edit on the new configuration when the merged set holds: delete
	 * its first port and add it back, which must be accepted. */
	if (merge(nc, &st) == 0 && nc->n_ports) {
		struct cfg_port p = nc->ports[0];
		char err[CFG_ERR_LEN];

		if (state_port_del(&st, nc, NULL, p.ifname, err) == 0) {
			int r = state_port_add(&st, nc, NULL, &p, err);

			CHECK(r == 0 || r == -ENOMEM);
		}
	}
	state_free(&st);
}

static bool same_state(const struct state *a, const struct state *b)
{
	if (a->n_ports != b->n_ports || a->n_routes != b->n_routes ||
	    a->n_deleted_ports != b->n_deleted_ports ||
	    a->n_deleted_routes != b->n_deleted_routes)
		return false;
	for (size_t i = 0; i < a->n_ports; i++) {
		const struct cfg_port *x = &a->ports[i], *y = &b->ports[i];

		if (strcmp(x->ifname, y->ifname) || x->vni != y->vni || x->ip != y->ip ||
		    x->mac_auto != y->mac_auto || (!x->mac_auto && memcmp(x->mac, y->mac, 6)))
			return false;
	}
	for (size_t i = 0; i < a->n_routes; i++) {
		const struct cfg_route *x = &a->routes[i], *y = &b->routes[i];

		if (x->vni != y->vni || x->prefix != y->prefix || x->prefixlen != y->prefixlen ||
		    x->vtep != y->vtep || memcmp(x->mac, y->mac, 6))
			return false;
	}
	for (size_t i = 0; i < a->n_deleted_ports; i++)
		if (strcmp(a->deleted_ports[i], b->deleted_ports[i]))
			return false;
	for (size_t i = 0; i < a->n_deleted_routes; i++) {
		const struct cfg_route *x = &a->deleted_routes[i], *y = &b->deleted_routes[i];

		if (x->vni != y->vni || x->prefix != y->prefix || x->prefixlen != y->prefixlen)
			return false;
	}
	return true;
}

static int write_file(const char *dir, const uint8_t *data, size_t size)
{
	char p[96];
	int fd, ok;

	snprintf(p, sizeof(p), "%s/%s", dir, STATE_FILE);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ok = write(fd, data, size) == (ssize_t)size;
	close(fd);
	return ok ? 0 : -EIO;
}

static void state_file(const uint8_t *data, size_t size, const struct vtep_config *nc)
{
	struct state st, back;
	char err[CFG_ERR_LEN] = "";
	int ret;

	if (write_file(dir_in, data, size))
		return;
	ret = state_load(dir_in, &st, err);
	if (ret) {
		if (ret != -ENOMEM)
			check_err(err);
		return;
	}
	/* Saved and loaded again: the same edits. */
	if (state_save(dir_out, &st, err) == 0) {
		CHECK(state_load(dir_out, &back, err) == 0);
		CHECK(same_state(&st, &back));
		state_free(&back);
	}
	merge(&running, &st);
	if (nc)
		merge(nc, &st);
	state_prune(&st, &running);
	merge(&running, &st);
	state_free(&st);
}

static bool same_pod(const struct pod *a, const struct pod *b)
{
	return !strcmp(a->container_id, b->container_id) && !strcmp(a->ifname, b->ifname) &&
	       !strcmp(a->netns, b->netns) && !strcmp(a->network, b->network) &&
	       !strcmp(a->host_ifname, b->host_ifname) && a->vni == b->vni && a->ip == b->ip &&
	       !memcmp(a->mac, b->mac, 6) && a->mtu == b->mtu &&
	       !strcmp(a->k8s_namespace, b->k8s_namespace) && !strcmp(a->k8s_name, b->k8s_name) &&
	       !strcmp(a->k8s_uid, b->k8s_uid);
}

/* The input as <dir>/pods.json. */
static void pods_file(const uint8_t *data, size_t size)
{
	struct pods ps, back;
	char p[96], err[CFG_ERR_LEN] = "";
	int ret, fd;

	snprintf(p, sizeof(p), "%s/%s", dir_in, PODS_FILE);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ret = write(fd, data, size) == (ssize_t)size ? 0 : -EIO;
	close(fd);
	if (ret)
		return;
	ret = pods_load(dir_in, &ps, err);
	if (ret) {
		if (ret != -ENOMEM)
			check_err(err);
		return;
	}
	for (size_t i = 0; i < ps.n; i++) {
		CHECK(pods_check(&ps.v[i], err) == 0);
		CHECK(pods_find(&ps, ps.v[i].container_id, ps.v[i].ifname) == &ps.v[i]);
	}
	/* Saved and loaded again: the same records, in the same order. */
	if (pods_save(dir_out, &ps, err) == 0) {
		CHECK(pods_load(dir_out, &back, err) == 0);
		CHECK(back.n == ps.n);
		for (size_t i = 0; i < ps.n; i++)
			CHECK(same_pod(&ps.v[i], &back.v[i]));
		pods_free(&back);
	}
	/* A record removed and put back is found again. */
	if (ps.n) {
		struct pod q = ps.v[0];

		CHECK(pods_remove(&ps, q.container_id, q.ifname));
		CHECK(!pods_find(&ps, q.container_id, q.ifname));
		if (pods_put(&ps, &q) == 0)
			CHECK(pods_find(&ps, q.container_id, q.ifname) != NULL);
	}
	pods_free(&ps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vtep_config nc, nc2;
	char err[CFG_ERR_LEN] = "", err2[CFG_ERR_LEN] = "";
	int ret, ret2;

	if (size > (1u << 20))
		return -1;   /* not worth the time; JV_MAX_FILE is far above */
	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	ret = config_load(memfd_path, &nc, err);
	if (ret && ret != -ENOMEM)
		check_err(err);

	/* The same text as a string: the same verdict, word for word. */
	if (!memchr(data, '\0', size)) {
		char *s = malloc(size + 1);

		if (s) {
			memcpy(s, data, size);
			s[size] = '\0';
			ret2 = config_parse(s, &nc2, err2);
			CHECK(ret2 == ret);
			CHECK(!strcmp(err, err2));
			if (!ret2) {
				CHECK(nc2.n_vnis == nc.n_vnis && nc2.n_ports == nc.n_ports &&
				      nc2.n_routes == nc.n_routes && nc2.vtep_ip == nc.vtep_ip);
				config_free(&nc2);
			}
			free(s);
		}
	}
	if (!ret) {
		check_config(&nc);
		state_file(data, size, &nc);
		reload(&nc);
		config_free(&nc);
	} else {
		state_file(data, size, NULL);
	}
	pods_file(data, size);
	return 0;
}
