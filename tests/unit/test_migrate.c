/* test_migrate.c - agent/dp/migrate through agent/dp/loader, with real maps in a
 * private bpffs: a capacity grown (entries copied, hash maps in several
 * batch chunks, the LPM trie by walking, per-CPU counters), a capacity
 * shrunk below the entry count (refused, pins untouched) and above it; a
 * synthetic "layout 0" (vtep_routes values 4 bytes shorter) converted by a
 * test history table, and refused by this build's table; pins of a newer
 * layout refused; an unwritten vtep_global; leftovers of an interrupted
 * migration; appended counters; the converter chain itself.
 *
 * Every case checks what the design promises: the new pins carry BTF, the
 * newly loaded programs use the new maps, and a map held by an "attached
 * program" (an fd taken before) keeps its entries.
 *
 * Each test runs in Check's forked child, which unshares its mount namespace
 * and mounts its own bpffs: nothing is visible to, or left for, anyone else.
 * Needs root. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check_main.h"
#include "loader.h"
#include "probe.h"
#include "log.h"
#include "migrate.h"
#include "vtep_maps.h"

/* What this kernel can run: probed once, before the tests fork. */
static struct probe_set kern;
static char root[64];

static void setup(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	strcpy(root, "/tmp/vtepd-unit-mig-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(mount("bpf", root, "bpf", 0, NULL), 0);
}

static void teardown(void)
{
	umount2(root, MNT_DETACH);
	rmdir(root);
}

static void mkcfg(struct vtep_config *cfg, uint32_t routes)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->vtep_ip = htonl(0xc0000201);
	snprintf(cfg->bpffs, sizeof(cfg->bpffs), "%s/vtepd", root);
	cfg->uplink_attach = CFG_ATTACH_AUTO;
	cfg->limit_routes = routes;
	cfg->limit_fdb = 512;
	cfg->limit_ports = 16;
}

static int pin_fd(const struct vtep_config *cfg, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", cfg->bpffs, name);
	return bpf_obj_get(path);
}

static struct bpf_map_info info_of(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info;
}

static struct bpf_map_info pin_info(const struct vtep_config *cfg, const char *name)
{
	int fd = pin_fd(cfg, name);
	struct bpf_map_info info;

	ck_assert_msg(fd >= 0, "%s not pinned", name);
	info = info_of(fd);
	close(fd);
	return info;
}

static size_t count(int fd, size_t ks)
{
	char k[64], *prev = NULL, next[64];
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(k, next, ks);
		prev = k;
		n++;
	}
	return n;
}

/* No temporary ("-new") pin left in the pin directory. */
static bool no_tmp_pins(const struct vtep_config *cfg)
{
	DIR *d = opendir(cfg->bpffs);
	struct dirent *de;
	bool ok = true;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (strstr(de->d_name, "-new"))
			ok = false;
	closedir(d);
	return ok;
}

/* Some program named like ours uses the map with this id. */
static bool prog_uses_map(const char *prog_name, __u32 map_id)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info;
		__u32 maps[64], len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = 64;
		info.map_ids = (__u64)(unsigned long)maps;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strncmp(info.name, prog_name, BPF_OBJ_NAME_LEN - 1)) {
			for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
				if (maps[i] == map_id) {
					close(fd);
					return true;
				}
		}
		close(fd);
	}
	return false;
}

static struct vtep_route route_val(uint32_t i)
{
	struct vtep_route v = { .vtep = htonl(0xc0000200 + (i % 7)), .seq = i,
				.mac = { 2, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i },
				.source = VTEP_SRC_STATIC };
	return v;
}

/* Fills routes, prefixes, fdb, ports and counters of a loaded vtepd. */
static void fill(struct loader *ld, uint32_t nroutes)
{
	int ncpu = libbpf_num_possible_cpus();
	struct vtep_stats *pc = calloc((size_t)ncpu, sizeof(*pc));
	__u32 zero = 0;

	for (uint32_t i = 0; i < nroutes; i++) {
		struct vtep_route_key k = { 100, htonl(0x0a010000 + i) };
		struct vtep_route v = route_val(i);

		ck_assert_int_eq(bpf_map_update_elem(loader_map_fd(ld, VTEP_MAP_ROUTES), &k, &v, 0), 0);
	}
	for (uint32_t i = 0; i < 3; i++) {
		struct vtep_prefix_key k = { 32 + 24, htonl(100), htonl(0x0a020000 + (i << 8)) };
		struct vtep_route v = route_val(i);

		ck_assert_int_eq(bpf_map_update_elem(loader_map_fd(ld, VTEP_MAP_PREFIXES), &k, &v, 0), 0);
	}
	for (uint32_t i = 0; i < 10; i++) {
		struct vtep_fdb_key k = { 100, { 2, 0, 0, 0, 0, (uint8_t)i }, { 0, 0 } };
		struct vtep_fdb v = { .vtep = htonl(0xc0000202), .seq = i, .source = VTEP_SRC_STATIC };

		ck_assert_int_eq(bpf_map_update_elem(loader_map_fd(ld, VTEP_MAP_FDB), &k, &v, 0), 0);
	}
	{
		__u32 k = 7;
		struct vtep_port p = { .vni = 100, .ip = htonl(0x0a01000b), .ifname = "w1" };

		ck_assert_int_eq(bpf_map_update_elem(loader_map_fd(ld, VTEP_MAP_PORTS), &k, &p, 0), 0);
	}
	for (int c = 0; c < ncpu; c++) {
		pc[c].fwd_encap = 10 + (__u64)c;
		pc[c].drop_vx_redirect = 5;
	}
	ck_assert_int_eq(bpf_map_update_elem(loader_map_fd(ld, VTEP_MAP_STATS), &zero, pc, 0), 0);
	free(pc);
}

static void assert_routes(int fd, uint32_t nroutes)
{
	ck_assert_uint_eq(count(fd, sizeof(struct vtep_route_key)), nroutes);
	for (uint32_t i = 0; i < nroutes; i += 97) {
		struct vtep_route_key k = { 100, htonl(0x0a010000 + i) };
		struct vtep_route got, want = route_val(i);

		ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &got), 0);
		ck_assert_int_eq(memcmp(&got, &want, sizeof(got)), 0);
	}
}

START_TEST(test_capacity_grow)
{
	int ncpu = libbpf_num_possible_cpus();
	struct vtep_stats *pc = calloc((size_t)ncpu, sizeof(*pc));
	struct vtep_config cfg;
	struct loader *ld = NULL;
	struct bpf_map_info old, now;
	char err[CFG_ERR_LEN] = "";
	__u32 zero = 0;
	int held, fd;

	/* 5000 routes: more than one batch chunk (4096). */
	mkcfg(&cfg, 8192);
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	fill(ld, 5000);
	loader_close(ld);
	held = pin_fd(&cfg, VTEP_MAP_ROUTES);   /* an attached old program's reference */
	old = info_of(held);

	mkcfg(&cfg, 16384);
	cfg.limit_fdb = 1024;
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	now = pin_info(&cfg, VTEP_MAP_ROUTES);
	ck_assert_uint_eq(now.max_entries, 16384);
	ck_assert_uint_ne(now.id, old.id);
	ck_assert_msg(now.btf_id && now.btf_value_type_id, "the new map has no BTF");
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_PREFIXES).max_entries, 16384);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_ROUTES6).max_entries, 16384);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_FDB).max_entries, 1024);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_PORTS).max_entries, 16);
	assert_routes(loader_map_fd(ld, VTEP_MAP_ROUTES), 5000);
	fd = pin_fd(&cfg, VTEP_MAP_ROUTES);
	assert_routes(fd, 5000);
	close(fd);
	ck_assert_uint_eq(count(loader_map_fd(ld, VTEP_MAP_PREFIXES), sizeof(struct vtep_prefix_key)), 3);
	ck_assert_uint_eq(count(loader_map_fd(ld, VTEP_MAP_FDB), sizeof(struct vtep_fdb_key)), 10);
	ck_assert_uint_eq(count(loader_map_fd(ld, VTEP_MAP_PORTS), 4), 1);
	/* Unchanged maps are the same maps (reused, not copied). */
	ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_STATS), &zero, pc), 0);
	for (int c = 0; c < ncpu; c++)
		ck_assert_uint_eq(pc[c].fwd_encap, 10 + (__u64)c);
	/* The new programs use the new map; the old map is still whole for
	 * the old programs until they are replaced. */
	ck_assert(prog_uses_map(LOADER_PROG_PORT, now.id));
	ck_assert(prog_uses_map(LOADER_PROG_UPLINK_TC, now.id));
	if (loader_has_xdp(ld))
		ck_assert(prog_uses_map(LOADER_PROG_UPLINK_XDP, now.id));
	assert_routes(held, 5000);
	ck_assert(no_tmp_pins(&cfg));
	loader_close(ld);
	close(held);

	/* Restarting with the same limits now reuses the pins as they are. */
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_ROUTES).id, now.id);
	loader_close(ld);
	free(pc);
}
END_TEST

START_TEST(test_capacity_shrink)
{
	struct vtep_config cfg;
	struct loader *ld = NULL;
	struct bpf_map_info before;
	char err[CFG_ERR_LEN] = "";
	int fd;

	mkcfg(&cfg, 1024);
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	fill(ld, 600);
	loader_close(ld);
	before = pin_info(&cfg, VTEP_MAP_ROUTES);

	/* Below the entry count: refused, the map, the count and the limit
	 * named; nothing changed. */
	mkcfg(&cfg, 512);
	ck_assert_int_eq(loader_open(&cfg, &kern, &ld, err), -E2BIG);
	ck_assert_msg(strstr(err, "vtep_routes") && strstr(err, "600") &&
		      strstr(err, "limits.routes") && strstr(err, "512"), "%s", err);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_ROUTES).id, before.id);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_ROUTES).max_entries, 1024);
	fd = pin_fd(&cfg, VTEP_MAP_ROUTES);
	assert_routes(fd, 600);
	close(fd);
	ck_assert(no_tmp_pins(&cfg));

	/* A shrink that still holds every entry is done. */
	mkcfg(&cfg, 700);
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_ROUTES).max_entries, 700);
	assert_routes(loader_map_fd(ld, VTEP_MAP_ROUTES), 600);
	ck_assert(no_tmp_pins(&cfg));
	loader_close(ld);
}
END_TEST

/* ---- a synthetic layout 0: vtep_routes values without the seq field ---- */

struct v0_route {
	__u32 vtep;
	__u32 ifindex;
	__u8  mac[6];
	__u8  source;
	__u8  flags;
};
_Static_assert(sizeof(struct v0_route) == 16, "v0 layout");

/* Layout 0 -> 1: seq did not exist (0 is "never moved"); an entry without a
 * source has no meaning in layout 1 and is dropped. Marks converted entries
 * with a flag so that a double conversion would show. */
static int v0_route_to_v1(const void *ok, const void *ov, void *nk, void *nv)
{
	const struct v0_route *o = ov;
	struct vtep_route *n = nv;

	if (!o->source)
		return MIGRATE_DROP;
	memcpy(nk, ok, sizeof(struct vtep_route_key));
	n->vtep = o->vtep;
	n->ifindex = o->ifindex;
	n->seq = 0;
	memcpy(n->mac, o->mac, 6);
	n->source = o->source;
	n->flags = o->flags | 0x80;
	return 0;
}

static const struct migrate_conv v0_convs[] = {
	{ VTEP_MAP_ROUTES, 0, 8, 16, 8, 20, v0_route_to_v1 },
};
/* Layout 0 -> 1 here, then this build's own steps from 1 on (set up by
 * main(): another object's array is no constant initializer). */
static struct migrate_step v0_steps[8] = {
	{ .from = 0, .convs = v0_convs, .n_convs = 1 },
};
static struct migrate_table v0_table = {
	.current = VTEP_LAYOUT_VERSION, .steps = v0_steps, .n_steps = 1,
};

static void v0_table_init(void)
{
	for (size_t i = 0; i < migrate_history.n_steps && i + 1 < 8; i++)
		v0_steps[i + 1] = migrate_history.steps[i];
	v0_table.n_steps = 1 + migrate_history.n_steps;
}

/* Pins a layout-0 world: vtep_global (version 0), a v0 vtep_routes with n
 * entries (entry 3 without a source), a ring buffer of another size.
 * Returns an fd of the v0 routes map. */
static int pin_v0(const struct vtep_config *cfg, uint32_t n)
{
	struct vtep_global g = { .vtep_ip = cfg->vtep_ip, .layout_version = 0 };
	char path[PATH_MAX];
	__u32 zero = 0;
	int gfd, rfd, ebfd;

	ck_assert_int_eq(mkdir(cfg->bpffs, 0700), 0);
	gfd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "vtep_global", 4, sizeof(g), 1, NULL);
	rfd = bpf_map_create(BPF_MAP_TYPE_HASH, "vtep_routes", 8, 16, cfg->limit_routes, NULL);
	ebfd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "vtep_events", 0, 0, 4096, NULL);
	ck_assert(gfd >= 0 && rfd >= 0 && ebfd >= 0);
	ck_assert_int_eq(bpf_map_update_elem(gfd, &zero, &g, 0), 0);
	for (uint32_t i = 0; i < n; i++) {
		struct vtep_route_key k = { 100, htonl(0x0a010000 + i) };
		struct v0_route v = { .vtep = htonl(0xc0000202), .ifindex = 0,
				      .mac = { 2, 0, 0, 0, 0, (uint8_t)i },
				      .source = i == 3 ? 0 : VTEP_SRC_STATIC };

		ck_assert_int_eq(bpf_map_update_elem(rfd, &k, &v, 0), 0);
	}
	snprintf(path, sizeof(path), "%s/vtep_global", cfg->bpffs);
	ck_assert_int_eq(bpf_obj_pin(gfd, path), 0);
	snprintf(path, sizeof(path), "%s/vtep_routes", cfg->bpffs);
	ck_assert_int_eq(bpf_obj_pin(rfd, path), 0);
	snprintf(path, sizeof(path), "%s/vtep_events", cfg->bpffs);
	ck_assert_int_eq(bpf_obj_pin(ebfd, path), 0);
	close(gfd);
	close(ebfd);
	return rfd;
}

START_TEST(test_layout_v0_converted)
{
	struct vtep_config cfg;
	struct loader *ld = NULL;
	char err[CFG_ERR_LEN] = "";
	unsigned int layout;
	int held, fd;

	mkcfg(&cfg, 1024);
	held = pin_v0(&cfg, 50);

	/* This build's own history has no layout 0: refused, with the map
	 * and what differs; nothing touched. */
	ck_assert_int_eq(loader_open(&cfg, &kern, &ld, err), -EPROTO);
	ck_assert_msg(strstr(err, "vtep_routes") && strstr(err, "value size 16"), "%s", err);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_ROUTES).value_size, 16);
	ck_assert(no_tmp_pins(&cfg));

	/* With the step 0 -> 1: converted. */
	ck_assert_msg(loader_open_with(&cfg, &kern, &v0_table, &ld, err) == 0, "%s", err);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_ROUTES).value_size, sizeof(struct vtep_route));
	ck_assert(pin_info(&cfg, VTEP_MAP_ROUTES).btf_value_type_id != 0);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_EVENTS).max_entries, VTEP_EVENTS_BYTES);
	fd = loader_map_fd(ld, VTEP_MAP_ROUTES);
	ck_assert_uint_eq(count(fd, 8), 49);
	for (uint32_t i = 0; i < 50; i++) {
		struct vtep_route_key k = { 100, htonl(0x0a010000 + i) };
		struct vtep_route v;

		if (i == 3) {
			ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &v), -ENOENT);
			continue;
		}
		ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &v), 0);
		ck_assert_uint_eq(v.vtep, htonl(0xc0000202));
		ck_assert_uint_eq(v.seq, 0);
		ck_assert_uint_eq(v.mac[5], i);
		ck_assert_uint_eq(v.source, VTEP_SRC_STATIC);
		ck_assert_uint_eq(v.flags, 0x80);
	}
	ck_assert_int_eq(loader_pinned_layout(cfg.bpffs, &layout), 0);
	ck_assert_uint_eq(layout, VTEP_LAYOUT_VERSION);
	/* The old map, still held, is as it was. */
	ck_assert_uint_eq(info_of(held).value_size, 16);
	ck_assert_uint_eq(count(held, 8), 50);
	ck_assert(no_tmp_pins(&cfg));
	loader_close(ld);
	close(held);

	/* Next start: layout 1 pins, nothing to do (not converted twice). */
	ck_assert_msg(loader_open_with(&cfg, &kern, &v0_table, &ld, err) == 0, "%s", err);
	{
		struct vtep_route_key k = { 100, htonl(0x0a010000) };
		struct vtep_route v;

		ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_ROUTES), &k, &v), 0);
		ck_assert_uint_eq(v.flags, 0x80);
	}
	loader_close(ld);
}
END_TEST

/* ---- layout 1 -> 2, this build's own step (agent/dp/migrate_history.c) ---- */

/* The layout 1 structs, as released. */
struct v1_vni {
	__u32 subnet, gateway_ip;
	__u8  prefixlen, arp_reply, flags, pad0;
	__u8  gateway_mac[6], pad1[2];
	__u8  route_target[8], rd[8];
};
_Static_assert(sizeof(struct v1_vni) == 36, "v1 vtep_vni");
struct v1_port {
	__u32 vni, ip;
	__u8  mac[6], flags, pad;
	char  ifname[16];
};
_Static_assert(sizeof(struct v1_port) == 32, "v1 vtep_port");
struct v1_neigh {
	__u8 mac[6], source, flags;
};

static int pin_map(const struct vtep_config *cfg, const char *name, enum bpf_map_type type,
		   __u32 ks, __u32 vs, __u32 max, __u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	char path[PATH_MAX];
	int fd = bpf_map_create(type, name, ks, vs, max, &o);

	ck_assert_msg(fd >= 0, "%s: %s", name, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", cfg->bpffs, name);
	ck_assert_int_eq(bpf_obj_pin(fd, path), 0);
	return fd;
}

/* Pins a layout-1 world as a vtepd of that layout left it: a VNI, a port,
 * n remote MAC+IP routes with their vtep_neigh and vtep_fdb entries. */
static void pin_v1(const struct vtep_config *cfg, uint32_t n)
{
	struct vtep_global g = { .vtep_ip = cfg->vtep_ip, .layout_version = 1,
				 .vxlan_port = htons(4789) };
	struct v1_vni v = { .subnet = htonl(0x0a010000), .gateway_ip = htonl(0x0a01fffe),
			    .prefixlen = 16, .arp_reply = VTEP_ARP_REPLY_REAL,
			    .flags = VTEP_VNI_F_RT_AUTO, .gateway_mac = { 2, 0, 0, 0, 1, 0 },
			    .rd = { 0, 1, 192, 0, 2, 1, 0, 100 } };
	struct v1_port p = { .vni = 100, .ip = htonl(0x0a01000b), .mac = { 2, 0, 0, 0, 0, 0x11 },
			     .ifname = "w1" };
	__u32 zero = 0, vni = 100, ifindex = 7;
	int gfd, vfd, pfd, rfd, nfd, ffd;

	ck_assert_int_eq(mkdir(cfg->bpffs, 0700), 0);
	gfd = pin_map(cfg, "vtep_global", BPF_MAP_TYPE_ARRAY, 4, sizeof(g), 1, 0);
	vfd = pin_map(cfg, "vtep_vnis", BPF_MAP_TYPE_HASH, 4, sizeof(v), VTEP_MAX_VNIS, 0);
	pfd = pin_map(cfg, "vtep_ports", BPF_MAP_TYPE_HASH, 4, sizeof(p), cfg->limit_ports, 0);
	rfd = pin_map(cfg, "vtep_routes", BPF_MAP_TYPE_HASH, 8, 20, cfg->limit_routes,
		      BPF_F_NO_PREALLOC);
	nfd = pin_map(cfg, "vtep_neigh", BPF_MAP_TYPE_HASH, 8, 8, cfg->limit_routes,
		      BPF_F_NO_PREALLOC);
	ffd = pin_map(cfg, "vtep_fdb", BPF_MAP_TYPE_HASH, 12, 16, cfg->limit_fdb,
		      BPF_F_NO_PREALLOC);
	ck_assert_int_eq(bpf_map_update_elem(gfd, &zero, &g, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(vfd, &vni, &v, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(pfd, &ifindex, &p, 0), 0);
	for (uint32_t i = 0; i < n; i++) {
		struct vtep_route_key k = { 100, htonl(0x0a100000 + i) };
		struct vtep_route r = { .vtep = htonl(0xc0000202), .seq = i,
					.mac = { 2, 0xb0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i },
					.source = VTEP_SRC_BGP };
		struct v1_neigh ne = { .source = VTEP_SRC_BGP };
		struct vtep_fdb_key fk = { .vni = 100 };
		struct vtep_fdb f = { .vtep = r.vtep, .seq = i, .source = VTEP_SRC_BGP };

		memcpy(ne.mac, r.mac, 6);
		memcpy(fk.mac, r.mac, 6);
		ck_assert_int_eq(bpf_map_update_elem(rfd, &k, &r, 0), 0);
		ck_assert_int_eq(bpf_map_update_elem(nfd, &k, &ne, 0), 0);
		ck_assert_int_eq(bpf_map_update_elem(ffd, &fk, &f, 0), 0);
	}
	close(gfd);
	close(vfd);
	close(pfd);
	close(rfd);
	close(nfd);
	close(ffd);
}

/* An upgrade from layout 1: VNIs and ports gain their IPv6 fields with every
 * old field kept, routes are kept as they are, vtep_neigh's pin goes, the
 * IPv6 maps are created empty, and the layout says 2. */
START_TEST(test_layout_v1_to_v2)
{
	struct vtep_config cfg;
	struct loader *ld = NULL;
	char err[CFG_ERR_LEN] = "", path[PATH_MAX];
	struct vtep_vni v;
	struct vtep_port p;
	unsigned int layout;
	__u32 vni = 100, ifindex = 7;
	int fd;

	mkcfg(&cfg, 4096);
	cfg.limit_fdb = 4096;
	pin_v1(&cfg, 3000);
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	ck_assert_int_eq(loader_pinned_layout(cfg.bpffs, &layout), 0);
	ck_assert_uint_eq(layout, 2);
	ck_assert(no_tmp_pins(&cfg));

	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_VNIS).value_size, sizeof(struct vtep_vni));
	ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_VNIS), &vni, &v), 0);
	ck_assert_uint_eq(v.subnet, htonl(0x0a010000));
	ck_assert_uint_eq(v.gateway_ip, htonl(0x0a01fffe));
	ck_assert_uint_eq(v.prefixlen, 16);
	ck_assert_uint_eq(v.arp_reply, VTEP_ARP_REPLY_REAL);
	ck_assert_uint_eq(v.flags, VTEP_VNI_F_RT_AUTO);
	ck_assert_uint_eq(v.gateway_mac[4], 1);
	ck_assert_uint_eq(v.rd[7], 100);
	ck_assert_uint_eq(v.prefixlen6, 0);     /* no IPv6 yet */
	ck_assert_uint_eq(v.l3vni, 0);

	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_PORTS).value_size, sizeof(struct vtep_port));
	ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_PORTS), &ifindex, &p), 0);
	ck_assert_uint_eq(p.vni, 100);
	ck_assert_uint_eq(p.ip, htonl(0x0a01000b));
	ck_assert_uint_eq(p.mac[5], 0x11);
	ck_assert_str_eq(p.ifname, "w1");
	ck_assert_uint_eq(p.ip6[0], 0);

	fd = loader_map_fd(ld, VTEP_MAP_ROUTES);
	ck_assert_uint_eq(count(fd, 8), 3000);
	{
		struct vtep_route_key k = { 100, htonl(0x0a100000 + 2999) };
		struct vtep_route r;

		ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &r), 0);
		ck_assert_uint_eq(r.seq, 2999);
		ck_assert_uint_eq(r.mac[5], (uint8_t)2999);
	}
	/* vtep_fdb keeps its layout (the agent prunes what it no longer
	 * wants); vtep_neigh's pin is gone; the IPv6 maps exist, empty. */
	ck_assert_uint_eq(count(loader_map_fd(ld, VTEP_MAP_FDB), 12), 3000);
	snprintf(path, sizeof(path), "%s/vtep_neigh", cfg.bpffs);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_uint_eq(count(loader_map_fd(ld, VTEP_MAP_ROUTES6), 20), 0);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_PREFIXES6).key_size,
			  sizeof(struct vtep_prefix6_key));
	loader_close(ld);

	/* Next start: nothing converted twice. */
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_VNIS), &vni, &v), 0);
	ck_assert_uint_eq(v.subnet, htonl(0x0a010000));
	loader_close(ld);
}
END_TEST

/* A crash during the commit: vtep_routes already renamed (layout 1) while
 * vtep_global still says 0. The plan must not convert it again. */
START_TEST(test_interrupted_commit)
{
	struct vtep_config cfg;
	struct loader *ld = NULL;
	char err[CFG_ERR_LEN] = "", path[PATH_MAX];
	struct vtep_global g;
	__u32 zero = 0;
	int fd;

	mkcfg(&cfg, 1024);
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	fill(ld, 20);
	fd = loader_map_fd(ld, VTEP_MAP_GLOBAL);
	ck_assert_int_eq(bpf_map_lookup_elem(fd, &zero, &g), 0);
	g.layout_version = 0;
	ck_assert_int_eq(bpf_map_update_elem(fd, &zero, &g, 0), 0);
	loader_close(ld);
	/* And a stale, half-filled temporary pin from that run. */
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vtep_routes", 8, 20, 1024, NULL);
	snprintf(path, sizeof(path), "%s/vtep_routes-new", cfg.bpffs);
	ck_assert_int_eq(bpf_obj_pin(fd, path), 0);
	close(fd);

	ck_assert_msg(loader_open_with(&cfg, &kern, &v0_table, &ld, err) == 0, "%s", err);
	assert_routes(loader_map_fd(ld, VTEP_MAP_ROUTES), 20);   /* flags untouched */
	ck_assert(no_tmp_pins(&cfg));
	ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_GLOBAL), &zero, &g), 0);
	ck_assert_uint_eq(g.layout_version, VTEP_LAYOUT_VERSION);
	loader_close(ld);
}
END_TEST

START_TEST(test_newer_and_unwritten)
{
	struct vtep_config cfg;
	struct loader *ld = NULL;
	char err[CFG_ERR_LEN] = "";
	struct vtep_global g;
	__u32 zero = 0;
	int fd;

	mkcfg(&cfg, 1024);
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	fill(ld, 5);
	loader_close(ld);
	fd = pin_fd(&cfg, VTEP_MAP_GLOBAL);
	ck_assert_int_eq(bpf_map_lookup_elem(fd, &zero, &g), 0);

	/* Made by a newer vtepd: refused (no converter goes back). */
	g.layout_version = VTEP_LAYOUT_VERSION + 1;
	ck_assert_int_eq(bpf_map_update_elem(fd, &zero, &g, 0), 0);
	ck_assert_int_eq(loader_open(&cfg, &kern, &ld, err), -EPROTO);
	ck_assert_msg(strstr(err, "newer"), "%s", err);
	/* Even with a capacity change: nothing touched. */
	cfg.limit_routes = 2048;
	ck_assert_int_eq(loader_open(&cfg, &kern, &ld, err), -EPROTO);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_ROUTES).max_entries, 1024);
	cfg.limit_routes = 1024;

	/* 0: a vtepd died before writing vtep_global; taken as ours. */
	g.layout_version = 0;
	ck_assert_int_eq(bpf_map_update_elem(fd, &zero, &g, 0), 0);
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	assert_routes(loader_map_fd(ld, VTEP_MAP_ROUTES), 5);
	loader_close(ld);
	close(fd);
}
END_TEST

/* vtep_stats pinned by a build with two counters fewer, same layout
 * version: zero-extended, every old counter kept. */
START_TEST(test_counters_appended)
{
	int ncpu = libbpf_num_possible_cpus();
	size_t ovs = sizeof(struct vtep_stats) - 16, stride = (ovs + 7) & ~7ul;
	unsigned char *old = calloc((size_t)ncpu, stride);
	struct vtep_stats *pc = calloc((size_t)ncpu, sizeof(*pc));
	struct vtep_config cfg;
	struct loader *ld = NULL;
	char err[CFG_ERR_LEN] = "", path[PATH_MAX];
	__u32 zero = 0;
	int fd;

	mkcfg(&cfg, 1024);
	ck_assert_int_eq(mkdir(cfg.bpffs, 0700), 0);
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "vtep_stats", 4, (__u32)ovs, 1, NULL);
	ck_assert_int_ge(fd, 0);
	for (int c = 0; c < ncpu; c++)
		for (size_t f = 0; f < ovs / 8; f++)
			((__u64 *)(old + (size_t)c * stride))[f] = 1000 * (__u64)c + f + 1;
	ck_assert_int_eq(bpf_map_update_elem(fd, &zero, old, 0), 0);
	snprintf(path, sizeof(path), "%s/vtep_stats", cfg.bpffs);
	ck_assert_int_eq(bpf_obj_pin(fd, path), 0);
	close(fd);

	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	ck_assert_uint_eq(pin_info(&cfg, VTEP_MAP_STATS).value_size, sizeof(struct vtep_stats));
	ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_STATS), &zero, pc), 0);
	for (int c = 0; c < ncpu; c++) {
		const __u64 *f = (const __u64 *)&pc[c];
		size_t nf = sizeof(struct vtep_stats) / 8;

		for (size_t i = 0; i < nf; i++)
			ck_assert_uint_eq(f[i], i < ovs / 8 ? 1000 * (__u64)c + i + 1 : 0);
	}
	loader_close(ld);
	free(old);
	free(pc);
}
END_TEST

/* ---- the converter chain, pure --------------------------------------------- */

static int a_0to1(const void *ok, const void *ov, void *nk, void *nv)
{
	memcpy(nk, ok, 4);
	((__u32 *)nv)[0] = *(const __u16 *)ov;      /* u16 -> u32 */
	return 0;
}

static int a_1to2(const void *ok, const void *ov, void *nk, void *nv)
{
	memcpy(nk, ok, 4);
	if (*(const __u32 *)ov == 13)
		return MIGRATE_DROP;
	((__u32 *)nv)[0] = *(const __u32 *)ov;
	((__u32 *)nv)[1] = 0xabcd;                 /* a new field, defaulted */
	return 0;
}

static int b_2to3(const void *ok, const void *ov, void *nk, void *nv)
{
	(void)ov;
	*(__u64 *)nk = *(const __u32 *)ok;         /* key widened */
	*(__u32 *)nv = 1;
	return 0;
}

START_TEST(test_convert_chain)
{
	static const struct migrate_conv s0[] = { { "a", 0, 4, 2, 4, 4, a_0to1 } };
	static const struct migrate_conv s1[] = { { "a", 0, 4, 4, 4, 8, a_1to2 } };
	static const struct migrate_conv s2[] = { { "b", 0, 4, 4, 8, 4, b_2to3 } };
	static const struct migrate_step steps[] = {
		{ 0, s0, 1, NULL }, { 1, s1, 1, NULL }, { 2, s2, 1, NULL },
	};
	const struct migrate_table t = { .current = 3, .steps = steps, .n_steps = 3 };
	const struct migrate_table gap = { .current = 3, .steps = steps + 1, .n_steps = 2 };
	__u32 key = 9, nv[2];
	__u16 v16 = 700;
	__u64 bk;

	/* "a" through 0 -> 1 -> 2 (3 does not touch it). */
	ck_assert_int_eq(migrate_convert(&t, "a", 0, &key, &v16, &bk, 4, nv, 8), 0);
	ck_assert_uint_eq((__u32)bk, 9);
	ck_assert_uint_eq(nv[0], 700);
	ck_assert_uint_eq(nv[1], 0xabcd);
	/* From 1: only the last relevant step. */
	nv[0] = 13;
	ck_assert_int_eq(migrate_convert(&t, "a", 1, &key, nv, &bk, 4, nv, 8), MIGRATE_DROP);
	/* "b": only 2 -> 3. */
	nv[0] = 5;
	ck_assert_int_eq(migrate_convert(&t, "b", 0, &key, nv, &bk, 8, nv, 4), 0);
	ck_assert_uint_eq(bk, 9);
	ck_assert_uint_eq(nv[0], 1);
	/* A map no step changes is copied as it is. */
	nv[0] = 77;
	ck_assert_int_eq(migrate_convert(&t, "c", 0, &key, nv, &bk, 4, nv + 1, 4), 0);
	ck_assert_uint_eq(nv[1], 77);
	/* Wrong final sizes, a missing step. */
	ck_assert_int_eq(migrate_convert(&t, "a", 0, &key, &v16, &bk, 4, nv, 4), -EPROTO);
	ck_assert_int_eq(migrate_convert(&gap, "a", 0, &key, &v16, &bk, 4, nv, 8), -ENOENT);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("bpffs");
	TCase *pure = tcase_create("chain");

	log_level = LOG_LVL_ERR;
	loader_log_init();
	probe_kernel(&kern);
	v0_table_init();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_capacity_grow);
	tcase_add_test(tc, test_capacity_shrink);
	tcase_add_test(tc, test_layout_v0_converted);
	tcase_add_test(tc, test_interrupted_commit);
	tcase_add_test(tc, test_layout_v1_to_v2);
	tcase_add_test(tc, test_newer_and_unwritten);
	tcase_add_test(tc, test_counters_appended);
	tcase_add_test(pure, test_convert_chain);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, pure);
	return s;
}
