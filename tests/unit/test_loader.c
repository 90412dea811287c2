/* test_loader.c - agent/dp/loader against a real bpffs: the bpffs check, loading
 * the real skeletons with pins, reusing them across "restarts" (entries
 * kept), refusing pins of a newer layout, unpinning.
 *
 * Each test runs in Check's forked child, which unshares its mount namespace
 * and mounts its own bpffs on a temporary directory: nothing is visible to,
 * or left behind for, anyone else. Needs root. */
#include <check.h>
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
#include "vtep_maps.h"

/* What this kernel can run: probed once, before the tests fork. */
static struct probe_set kern;
static char root[64];

static void setup(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	strcpy(root, "/tmp/vtepd-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(mount("bpf", root, "bpf", 0, NULL), 0);
}

static void teardown(void)
{
	umount2(root, MNT_DETACH);
	rmdir(root);
}

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

START_TEST(test_check_bpffs)
{
	char err[CFG_ERR_LEN], path[128], plain[64] = "/tmp/vtepd-unit-plain-XXXXXX";

	ck_assert_int_eq(loader_check_bpffs("relative/dir", err), -EINVAL);
	/* Not on a bpffs: refused, and nothing created there. */
	ck_assert_ptr_nonnull(mkdtemp(plain));
	snprintf(path, sizeof(path), "%s/a/b", plain);
	ck_assert_int_eq(loader_check_bpffs(path, err), -EINVAL);
	ck_assert_msg(strstr(err, "not on a bpf filesystem"), "%s", err);
	snprintf(path, sizeof(path), "%s/a", plain);
	ck_assert(!is_dir(path));
	rmdir(plain);
	/* Inside a bpffs: missing directories are made. */
	snprintf(path, sizeof(path), "%s/x/y/", root);
	ck_assert_int_eq(loader_check_bpffs(path, err), 0);
	ck_assert(is_dir(path));
	ck_assert_int_eq(loader_check_bpffs(path, err), 0);
}
END_TEST

static void mkcfg(struct vtep_config *cfg, const char *sub)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->vtep_ip = htonl(0xc0000201);
	snprintf(cfg->bpffs, sizeof(cfg->bpffs), "%s/%s", root, sub);
	cfg->uplink_attach = CFG_ATTACH_AUTO;
	cfg->limit_routes = 1024;
	cfg->limit_fdb = 512;
	cfg->limit_ports = 16;
}

/* Load, pin, write an entry, close (vtepd exits), load again: the entry is
 * still there and vtep_global says who we are. */
static uint32_t rcache_max(struct loader *ld)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(bpf_obj_get_info_by_fd(loader_map_fd(ld, VTEP_MAP_RCACHE), &info, &len), 0);
	return info.max_entries;
}

/* The route cache's sets (per possible CPU) follow limits.route_cache across restarts: a new
 * size is a new, empty map (its copies are nothing to carry over), where
 * another map's capacity change would migrate entries. */
START_TEST(test_rcache_sized)
{
	struct vtep_config cfg;
	struct loader *ld = NULL;
	char err[CFG_ERR_LEN] = "";
	uint32_t ncpu = (uint32_t)libbpf_num_possible_cpus();

	mkcfg(&cfg, "rc");
	cfg.limit_rcache = 64;
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	ck_assert_uint_eq(rcache_max(ld), 32u * ncpu);
	loader_close(ld);
	cfg.limit_rcache = 256;
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	ck_assert_uint_eq(rcache_max(ld), 128u * ncpu);
	loader_close(ld);
	cfg.limit_rcache = 0;
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	ck_assert_uint_eq(rcache_max(ld), ncpu);
	ck_assert_int_ge(loader_map_fd(ld, VTEP_MAP_RCACHE_CTL), 0);
	loader_close(ld);
}
END_TEST

START_TEST(test_load_reuse_refuse)
{
	struct vtep_config cfg;
	struct loader *ld = NULL;
	struct vtep_route_key k = { .vni = 100, .ip = htonl(0x0a01000b) };
	struct vtep_route v = { .ifindex = 3, .source = VTEP_SRC_LOCAL }, got;
	struct vtep_global g;
	struct bpf_map_info info;
	__u32 zero = 0, len = sizeof(info);
	unsigned int layout;
	char err[CFG_ERR_LEN] = "", path[PATH_MAX];
	int fd;

	mkcfg(&cfg, "h1");
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	fd = loader_map_fd(ld, VTEP_MAP_ROUTES);
	ck_assert_int_ge(fd, 0);
	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	ck_assert_uint_eq(info.max_entries, 1024);
	ck_assert_int_eq(bpf_map_update_elem(fd, &k, &v, 0), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_GLOBAL), &zero, &g), 0);
	ck_assert_uint_eq(g.vtep_ip, cfg.vtep_ip);
	ck_assert_uint_eq(g.layout_version, VTEP_LAYOUT_VERSION);
	/* The flag older TC programs read: set unless every uplink must run
	 * XDP (uplink_attach "xdp"). */
	ck_assert_uint_eq(g.flags, VTEP_GF_UPLINK_TC);
	ck_assert_int_eq(loader_has_xdp(ld), kern.have[PROBE_F_xdp] && kern.have[PROBE_F_xdp_meta]);
	ck_assert_uint_eq(g.vxlan_port, htons(4789));
	ck_assert_int_eq(loader_map_fd(ld, "vtep_nonexistent"), -ENOENT);
	loader_close(ld);

	snprintf(path, sizeof(path), "%s/%s", cfg.bpffs, VTEP_MAP_ROUTES);
	ck_assert_int_eq(access(path, F_OK), 0);

	cfg.uplink_attach = CFG_ATTACH_TC;
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_ROUTES), &k, &got), 0);
	ck_assert_uint_eq(got.ifindex, 3);
	ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_GLOBAL), &zero, &g), 0);
	ck_assert_uint_eq(g.flags, VTEP_GF_UPLINK_TC);
	loader_close(ld);

	/* Other capacities than the pins have: the maps are migrated, entries
	 * kept (the cases are in test_migrate.c). */
	cfg.limit_routes = 2048;
	ck_assert_msg(loader_open(&cfg, &kern, &ld, err) == 0, "%s", err);
	ck_assert_int_eq(bpf_map_lookup_elem(loader_map_fd(ld, VTEP_MAP_ROUTES), &k, &got), 0);
	loader_close(ld);
	cfg.limit_routes = 1024;

	/* Pins of another layout version: refused. */
	g.layout_version = VTEP_LAYOUT_VERSION + 1;
	snprintf(path, sizeof(path), "%s/%s", cfg.bpffs, VTEP_MAP_GLOBAL);
	fd = bpf_obj_get(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bpf_map_update_elem(fd, &zero, &g, 0), 0);
	close(fd);
	ck_assert_int_eq(loader_pinned_layout(cfg.bpffs, &layout), 0);
	ck_assert_uint_eq(layout, VTEP_LAYOUT_VERSION + 1);
	ck_assert_int_eq(loader_open(&cfg, &kern, &ld, err), -EPROTO);
	ck_assert_msg(strstr(err, "layout"), "%s", err);

	/* Unpin removes every vtep_* pin and the directory. */
	ck_assert_int_eq(loader_unpin(cfg.bpffs), 0);
	ck_assert(!is_dir(cfg.bpffs));
	ck_assert_int_eq(loader_pinned_layout(cfg.bpffs, &layout), 0);
	ck_assert_uint_eq(layout, 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("bpffs");

	log_level = LOG_LVL_ERR;
	loader_log_init();
	probe_kernel(&kern);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_check_bpffs);
	tcase_add_test(tc, test_load_reuse_refuse);
	tcase_add_test(tc, test_rcache_sized);
	suite_add_tcase(s, tc);
	return s;
}
