/* loader.c - see loader.h.
 *
 * Order, libbpf-bootstrap style: open (pin_root_path) -> size maps -> check
 * existing pins, migrating those of another layout or capacity (migrate.h)
 * -> load (libbpf creates or reuses the pins) -> write vtep_global ->
 * attach. One cleanup path per function.
 */
#include "loader.h"
#include "rcache.h"
#include "rtab.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpflog.h"
#include "log.h"
#include "migrate.h"
#include "vtep_maps.h"
#include "port_tc.skel.h"
#include "uplink_tc.skel.h"
#include "uplink_xdp.skel.h"

struct loader {
	struct port_tc_bpf    *port;
	struct uplink_tc_bpf  *utc;
	struct uplink_xdp_bpf *uxdp;  /* NULL when no uplink may use XDP */
	bool xdp_frags;               /* uxdp has the multi-buffer program */
	char xdp_refusal[UPLINK_REASON_LEN]; /* why uxdp did not load, or "" */
};

void loader_log_init(void)
{
	bpflog_init();
}

/* ---- bpffs ---------------------------------------------------------------- */

static int mkdirs(char *path, size_t from)
{
	size_t i, n = strlen(path);

	for (i = from + 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			int err = -errno;

			path[i] = i == n ? '\0' : '/';
			return err;
		}
		path[i] = i == n ? '\0' : '/';
	}
	return 0;
}

/* The usual mount point, which systemd mounts at boot (and Cilium when
 * systemd did not). Some hosts and containers come up without it. */
#define LOADER_BPFFS_ROOT "/sys/fs/bpf"

/* Whether the mount at dir propagates to other mount namespaces: its
 * optional fields in /proc/self/mountinfo (proc(5): between the mount
 * options and the "-" separator) hold "shared:N". A mount vtepd makes in a
 * namespace of its own (systemd's PrivateTmp or ProtectSystem, a container
 * without the host's /sys/fs/bpf) is private or a slave's: nobody else
 * sees the pins, and they go away with vtepd. Unknown counts as shared. */
static bool mount_is_shared(const char *dir)
{
	char line[1024], mnt[PATH_MAX];
	bool shared = true;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return true;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		/* id parent major:minor root mount-point options [optional...] - */
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 || strcmp(mnt, dir))
			continue;
		*sep = '\0';
		shared = strstr(line, " shared:") != NULL; /* the last mount there wins */
	}
	fclose(f);
	return shared;
}

/* A bpffs under /sys/fs/bpf with nothing mounted there: mount it, as
 * systemd and Cilium do (mode 0700, as systemd's sys-fs-bpf.mount), rather
 * than make the operator do it by hand. Only an empty sysfs directory is
 * mounted over; anything else mounted there is left alone (and then
 * refused below if it is not a bpffs). Returns 0 when there was nothing to
 * do or the mount succeeded, -errno otherwise. */
static int mount_bpffs_root(const char *path, char err[CFG_ERR_LEN])
{
	size_t n = strlen(LOADER_BPFFS_ROOT);
	struct statfs sfs;

	if (strncmp(path, LOADER_BPFFS_ROOT, n) || (path[n] != '/' && path[n] != '\0'))
		return 0;
	if (statfs(LOADER_BPFFS_ROOT, &sfs) || sfs.f_type != SYSFS_MAGIC)
		return 0; /* absent, already a bpffs, or someone else's mount */
	if (mount("bpf", LOADER_BPFFS_ROOT, "bpf", 0, "mode=0700")) {
		int ret = -errno;

		snprintf(err, CFG_ERR_LEN, "bpffs: nothing is mounted at %s and mounting a bpf "
			 "filesystem there failed: %s", LOADER_BPFFS_ROOT, strerror(errno));
		return ret;
	}
	log_info("bpffs: nothing was mounted at %s; mounted a bpf filesystem there",
		 LOADER_BPFFS_ROOT);
	if (!mount_is_shared(LOADER_BPFFS_ROOT))
		log_warn("bpffs: the bpf filesystem vtepd mounted at %s is not shared with "
			 "other mount namespaces: if vtepd runs in one of its own (systemd's "
			 "PrivateTmp, a container), vtepctl and bpftool outside do not see the "
			 "pins and they go away when vtepd exits; then mount bpffs at %s on the "
			 "host (systemd does at boot) or share it into vtepd's namespace",
			 LOADER_BPFFS_ROOT, LOADER_BPFFS_ROOT);
	return 0;
}

int loader_check_bpffs(const char *path, char err[CFG_ERR_LEN])
{
	char buf[PATH_MAX], probe[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	size_t len;
	int ret;

	if (path[0] != '/' || strlen(path) >= sizeof(buf)) {
		snprintf(err, CFG_ERR_LEN, "bpffs: \"%s\" is not an absolute path", path);
		return -EINVAL;
	}
	ret = mount_bpffs_root(path, err);
	if (ret)
		return ret;
	snprintf(buf, sizeof(buf), "%s", path);
	len = strlen(buf);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	/* The nearest existing ancestor decides: we never create a directory
	 * outside a mounted bpffs. */
	snprintf(probe, sizeof(probe), "%s", buf);
	while (stat(probe, &st)) {
		char *slash;

		if (errno != ENOENT) {
			ret = -errno;
			snprintf(err, CFG_ERR_LEN, "bpffs: %s: %s", probe, strerror(errno));
			return ret;
		}
		slash = strrchr(probe, '/');
		if (slash == probe)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (statfs(probe, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		snprintf(err, CFG_ERR_LEN,
			 "bpffs: %s is not on a bpf filesystem (mount -t bpf bpf DIR first, or "
			 "use a path under /sys/fs/bpf)",
			 probe);
		return -EINVAL;
	}
	if (strcmp(probe, buf)) {
		ret = mkdirs(buf, strlen(probe));
		if (ret) {
			snprintf(err, CFG_ERR_LEN, "bpffs: cannot create %s: %s", buf,
				 strerror(-ret));
			return ret;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(err, CFG_ERR_LEN, "bpffs: %s is not a directory", buf);
		return -ENOTDIR;
	}
	return 0;
}

int loader_pinned_layout(const char *bpffs, unsigned int *version)
{
	bool present;

	return migrate_pinned_layout(bpffs, version, &present);
}

/* ---- open and load ----------------------------------------------------------- */

static int set_limits(struct bpf_object *obj, const struct vtep_config *cfg)
{
	static const struct {
		const char *name;
		size_t off;
	} lim[] = {
		{ VTEP_MAP_ROUTES, offsetof(struct vtep_config, limit_routes) },
		{ VTEP_MAP_PREFIXES, offsetof(struct vtep_config, limit_routes) },
		{ VTEP_MAP_ROUTES6, offsetof(struct vtep_config, limit_routes) },
		{ VTEP_MAP_PREFIXES6, offsetof(struct vtep_config, limit_routes) },
		{ VTEP_MAP_FDB, offsetof(struct vtep_config, limit_fdb) },
		{ VTEP_MAP_PORTS, offsetof(struct vtep_config, limit_ports) },
		/* one bucket per port at most */
		{ VTEP_MAP_PORT_RATES, offsetof(struct vtep_config, limit_ports) },
	};
	struct bpf_map *m;
	size_t i;
	int err;

	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		m = bpf_object__find_map_by_name(obj, lim[i].name);
		uint32_t v = *(const uint32_t *)((const char *)cfg + lim[i].off);

		if (!m)
			return -ENOENT;
		err = bpf_map__set_max_entries(m, v);
		if (err)
			return err;
	}
	/* The flat route table: lines for every route vtep_routes can hold
	 * (agent/dp/rtab.h). */
	m = bpf_object__find_map_by_name(obj, VTEP_MAP_RTAB);
	if (!m)
		return -ENOENT;
	err = bpf_map__set_max_entries(m, rtab_entries(cfg->limit_routes));
	if (err)
		return err;
	/* The route cache's sets: two entries each (agent/dp/rcache.h). */
	m = bpf_object__find_map_by_name(obj, VTEP_MAP_RCACHE);
	if (!m)
		return -ENOENT;
	if (!rcache_slots(cfg->limit_rcache))
		return -EINVAL;
	return bpf_map__set_max_entries(m, rcache_slots(cfg->limit_rcache));
}

/* open -> limits, for any of our skeletons. Pins are then compared with
 * the sized object (migrate_plan / migrate_redirect) before the load. */
#define LOADER_OPEN(skel_type, field, ld, cfg, err)                                    \
	({                                                                              \
		LIBBPF_OPTS(bpf_object_open_opts, __oo, .pin_root_path = (cfg)->bpffs); \
		int __r = 0;                                                            \
		(ld)->field = skel_type##__open_opts(&__oo);                            \
		if (!(ld)->field) {                                                     \
			__r = errno ? -errno : -EINVAL;                                 \
			snprintf(err, CFG_ERR_LEN, "cannot open %s: %s", #skel_type,    \
				 strerror(-__r));                                       \
		}                                                                       \
		if (!__r && (__r = set_limits((ld)->field->obj, cfg)))                  \
			snprintf(err, CFG_ERR_LEN, "%s: cannot size maps: %s",          \
				 #skel_type, strerror(-__r));                           \
		__r;                                                                    \
	})

/* load: libbpf creates missing pins and reuses the others (entries kept). */
#define LOADER_LOAD(skel_type, field, ld, err)                                          \
	({                                                                              \
		char __why[UPLINK_REASON_LEN];                                          \
		int __r;                                                                \
		bpflog_capture_begin(0);                                                \
		__r = skel_type##__load((ld)->field);                                   \
		bpflog_capture_end(__why, sizeof(__why));                               \
		if (__r)                                                                \
			snprintf(err, CFG_ERR_LEN, "cannot load %s: %s%s%s", #skel_type,\
				 strerror(-__r), __why[0] ? ": " : "", __why);          \
		__r;                                                                    \
	})

int loader_open(const struct vtep_config *cfg, const struct probe_set *k, struct loader **out,
		char err[CFG_ERR_LEN])
{
	return loader_open_with(cfg, k, &migrate_history, out, err);
}

/* The knobs of bpf/features.h, set between an object's open and its load
 * (libbpf maps .rodata read-only once the object is loaded). */
#define LOADER_KNOBS(skel, k)                                                            \
	({                                                                              \
		(skel)->rodata->vtep_have_redirect_peer = (k)->have[PROBE_F_redirect_peer]; \
		(skel)->rodata->vtep_have_ktime_coarse = (k)->have[PROBE_F_ktime_coarse];   \
		(skel)->rodata->vtep_have_ct_lookup = (k)->have[PROBE_F_ct_lookup];         \
		(skel)->rodata->vtep_have_check_mtu = (k)->have[PROBE_F_check_mtu];         \
	})

/* The XDP half, when some uplink may use it. Without xdp_frags only the
 * single-buffer program is loaded (it serves native mode too, up to the
 * driver's single-page MTU). Under `auto` a refusal is not an error: every
 * uplink then runs TC and says why (loader_xdp_refusal()). */
static int load_xdp(struct loader *ld, const struct vtep_config *cfg, const struct probe_set *k,
		    struct migrate *mig, char err[CFG_ERR_LEN])
{
	bool must = cfg->uplink_attach == CFG_ATTACH_XDP;
	int ret;

	if (!uplink_mode_may_use_xdp(cfg->uplink_attach, k))
		return 0;
	ret = LOADER_OPEN(uplink_xdp_bpf, uxdp, ld, cfg, err);
	if (!ret && (ret = migrate_redirect(mig, ld->uxdp->obj)))
		snprintf(err, CFG_ERR_LEN, "uplink_xdp_bpf: cannot redirect pins: %s",
			 strerror(-ret));
	if (ret)
		return ret;
	ld->xdp_frags = k->have[PROBE_F_xdp_frags];
	if (!ld->xdp_frags)
		bpf_program__set_autoload(ld->uxdp->progs.vtep_uplink_xdp, false);
	bpflog_capture_begin(!must);
	ret = uplink_xdp_bpf__load(ld->uxdp);
	bpflog_capture_end(ld->xdp_refusal, sizeof(ld->xdp_refusal));
	if (!ret) {
		ld->xdp_refusal[0] = '\0';
		return 0;
	}
	if (!ld->xdp_refusal[0])
		snprintf(ld->xdp_refusal, sizeof(ld->xdp_refusal), "%s", strerror(-ret));
	uplink_xdp_bpf__destroy(ld->uxdp);
	ld->uxdp = NULL;
	if (must) {
		snprintf(err, CFG_ERR_LEN, "vtep.uplink_attach \"xdp\": the kernel refused the XDP "
			 "program: %.160s; use \"tc\" or \"auto\"", ld->xdp_refusal);
		return ret;
	}
	log_warn("XDP uplink program refused by the kernel (%s): every uplink runs TC",
		 ld->xdp_refusal);
	return 0;
}

/* Order (see migrate.h for why nothing is lost): port_tc opened and sized
 * -> its pins compared (migrate_plan refuses, or redirects the maps to
 * migrate to temporary pins) -> load (new maps created there) -> entries
 * copied -> the uplink objects loaded onto the same maps -> temporary pins
 * renamed over the old ones -> vtep_global written with our layout. Any
 * failure before the commit leaves the old pins as they were. */
int loader_open_with(const struct vtep_config *cfg, const struct probe_set *k,
		     const struct migrate_table *t, struct loader **out, char err[CFG_ERR_LEN])
{
	struct migrate *mig = NULL;
	struct loader *ld;
	int ret;

	loader_log_init();
	ret = loader_check_bpffs(cfg->bpffs, err);
	if (ret)
		return ret;
	ld = calloc(1, sizeof(*ld));
	if (!ld)
		return -ENOMEM;
	ret = LOADER_OPEN(port_tc_bpf, port, ld, cfg, err);
	if (!ret)
		ret = migrate_plan(ld->port->obj, cfg->bpffs, t, &mig, err);
	if (!ret) {
		LOADER_KNOBS(ld->port, k);
		ret = LOADER_LOAD(port_tc_bpf, port, ld, err);
	}
	if (!ret && mig)
		ret = migrate_copy(mig, ld->port->obj, err);
	if (!ret && !(ret = LOADER_OPEN(uplink_tc_bpf, utc, ld, cfg, err)) &&
	    (ret = migrate_redirect(mig, ld->utc->obj)))
		snprintf(err, CFG_ERR_LEN, "uplink_tc_bpf: cannot redirect pins: %s",
			 strerror(-ret));
	if (!ret) {
		LOADER_KNOBS(ld->utc, k);
		ret = LOADER_LOAD(uplink_tc_bpf, utc, ld, err);
	}
	if (!ret)
		ret = load_xdp(ld, cfg, k, mig, err);
	if (!ret && mig)
		ret = migrate_commit(mig, err);
	if (!ret && (ret = loader_write_global(ld, cfg)))
		snprintf(err, CFG_ERR_LEN, "cannot write %s: %s", VTEP_MAP_GLOBAL, strerror(-ret));
	if (!ret && mig) {
		size_t copied, dropped;

		migrate_totals(mig, &copied, &dropped);
		log_info("map migration done: %zu maps, %zu entries copied, %zu dropped; the "
			 "old maps are freed once the new programs replace the attached ones",
			 migrate_maps(mig), copied, dropped);
	}
	migrate_free(mig);  /* removes the temporary pins unless committed */
	if (ret) {
		loader_close(ld);
		return ret;
	}
	log_info("programs loaded, maps pinned in %s", cfg->bpffs);
	*out = ld;
	return 0;
}

bool loader_has_xdp(const struct loader *ld)
{
	return ld->uxdp != NULL;
}

const char *loader_xdp_refusal(const struct loader *ld)
{
	return ld->xdp_refusal;
}

void loader_close(struct loader *ld)
{
	if (!ld)
		return;
	port_tc_bpf__destroy(ld->port);
	uplink_tc_bpf__destroy(ld->utc);
	uplink_xdp_bpf__destroy(ld->uxdp);
	free(ld);
}

int loader_map_fd(const struct loader *ld, const char *name)
{
	int fd = bpf_object__find_map_fd_by_name(ld->port->obj, name);

	return fd < 0 ? -ENOENT : fd;
}

int loader_write_global(struct loader *ld, const struct vtep_config *cfg)
{
	struct vtep_global g;
	__u32 zero = 0;
	int fd = loader_map_fd(ld, VTEP_MAP_GLOBAL);

	if (fd < 0)
		return fd;
	memset(&g, 0, sizeof(g));
	g.vtep_ip = cfg->vtep_ip;
	g.layout_version = VTEP_LAYOUT_VERSION;
	/* Read only by the TC programs of vtepd versions that had one uplink
	 * mode for all uplinks; written for them while an upgrade replaces
	 * their programs. Today's programs have one TC program per mode. */
	g.flags = cfg->uplink_attach == CFG_ATTACH_XDP ? 0 : VTEP_GF_UPLINK_TC;
	g.vxlan_port = htons(VTEP_VXLAN_PORT);
	return bpf_map_update_elem(fd, &zero, &g, BPF_ANY);
}

/* ---- attach / detach ----------------------------------------------------------- */

/* Is the program with this id one of ours (by its kernel name)? 1 yes,
 * 0 no, -errno when it cannot be looked at: bpf_prog_get_fd_by_id() needs
 * CAP_SYS_ADMIN (-EPERM without it), which is not "someone else's". */
static int prog_is(__u32 id, const char *name)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), err;

	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return err;
	return !strncmp(info.name, name, BPF_OBJ_NAME_LEN - 1);
}

/* Is it our XDP program, native or generic? Same answers as prog_is(). */
static int prog_is_xdp(__u32 id)
{
	int err = prog_is(id, LOADER_PROG_UPLINK_XDP);

	return err ? err : prog_is(id, LOADER_PROG_UPLINK_GEN);
}

/* The XDP program for a choice: native XDP gets the multi-buffer build
 * when the kernel has it (a driver refuses a program without frags above a
 * ~3.5k MTU), generic XDP and kernels without xdp_frags the plain one
 * (bpf/uplink_xdp.bpf.c says why). */
static int xdp_prog_fd(const struct loader *ld, bool native)
{
	return bpf_program__fd(native && ld->xdp_frags ? ld->uxdp->progs.vtep_uplink_xdp
						       : ld->uxdp->progs.vtep_uplink_gen);
}

/* Native XDP on a veth has a price for TCP that the operator should know
 * (docs/performance.md, "XDP or TC on the uplink"): veth_xdp_set()
 * (drivers/net/veth.c) clears NETIF_F_GSO_SOFTWARE on the peer for any XDP
 * program, frags or not, so every TSO/GSO packet is cut to the MTU before
 * it crosses, and the veth copies each one (skb_pp_cow_data) before the
 * program runs. The TC uplink sees the 64k GSO packet once. `auto` never
 * picks XDP on a veth; this is for an explicit "xdp". */
static void xdp_veth_note(const char *ifname, bool veth)
{
	if (veth)
		log_warn("uplink %s is a veth: native XDP there turns TSO/GSO off on its "
			 "peer, so TCP through the tunnel is segmented before it arrives "
			 "(several times slower than vtep.uplink_attach \"tc\" in "
			 "bench/tcp.sh); consider \"tc\" or \"auto\" on veth uplinks", ifname);
}

static int tc_attach(int ifindex, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = LOADER_TC_HANDLE, .priority = LOADER_TC_PRIO,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

static int tc_detach(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = LOADER_TC_HANDLE, .priority = LOADER_TC_PRIO);
	int err;

	err = bpf_tc_detach(&hook, &opts);
	return err == -ENOENT || err == -EINVAL ? 0 : err;
}

static int xdp_detach(int ifindex, const char *ifname);

/* Replaces our own program, atomically, when it already runs in the wanted
 * mode; one of ours in the other mode is detached first. Returns 1 when it
 * left nothing to do but attach, 0 when replaced, -errno. */
static int xdp_replace(struct loader *ld, int ifindex, const char *ifname, __u32 mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	__u32 old, old_mode;
	int err, oldfd;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err) {
		log_err("uplink %s: cannot query XDP: %s", ifname, strerror(-err));
		return err;
	}
	old = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	if (!old)
		return 1;
	old_mode = q.drv_prog_id ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
	err = prog_is_xdp(old);
	if (err < 0) {
		log_err("uplink %s: cannot inspect the attached XDP program (id %u): %s%s", ifname,
			old, strerror(-err), err == -EPERM ? " (CAP_SYS_ADMIN is needed to "
			"replace the program a previous vtepd attached)" : "");
		return err;
	}
	if (!err) {
		log_err("uplink %s: an XDP program that is not vtepd's is attached (id %u); "
			"remove it first", ifname, old);
		return -EBUSY;
	}
	if (old_mode != mode) {
		err = xdp_detach(ifindex, ifname);
		return err < 0 ? err : 1;
	}
	/* Restart: swap ours for ours in the same mode, no gap. */
	oldfd = bpf_prog_get_fd_by_id(old);
	if (oldfd < 0)
		return oldfd;
	ao.old_prog_fd = oldfd;
	err = bpf_xdp_attach(ifindex, xdp_prog_fd(ld, mode == XDP_FLAGS_DRV_MODE),
			     mode | XDP_FLAGS_REPLACE, &ao);
	close(oldfd);
	if (!err)
		log_info("uplink %s: XDP program replaced (%s mode)", ifname,
			 mode == XDP_FLAGS_DRV_MODE ? "native" : "generic");
	return err;
}

/* Attaches the XDP half as the choice says. An explicit "xdp" whose native
 * attach the driver refuses falls back to generic XDP, as it always has;
 * `auto` returns the error so that the uplink runs TC instead. */
static int xdp_attach(struct loader *ld, int ifindex, const char *ifname,
		      const struct uplink_choice *c, bool is_auto, bool veth)
{
	__u32 mode = c->generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	int err = xdp_replace(ld, ifindex, ifname, mode);

	if (err <= 0) {
		if (!err && mode == XDP_FLAGS_DRV_MODE)
			xdp_veth_note(ifname, veth);
		return err;
	}
	err = bpf_xdp_attach(ifindex, xdp_prog_fd(ld, mode == XDP_FLAGS_DRV_MODE),
			     mode | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (!err) {
		log_info("uplink %s: XDP attached (%s mode)", ifname,
			 mode == XDP_FLAGS_DRV_MODE ? "native" : "generic");
		if (mode == XDP_FLAGS_DRV_MODE)
			xdp_veth_note(ifname, veth);
		return 0;
	}
	if (mode == XDP_FLAGS_SKB_MODE || is_auto)
		return err;
	log_info("uplink %s: native XDP unavailable (%s), using generic mode", ifname,
		 strerror(-err));
	err = bpf_xdp_attach(ifindex, xdp_prog_fd(ld, false),
			     XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (!err)
		log_info("uplink %s: XDP attached (generic mode)", ifname);
	return err;
}

static int xdp_detach(int ifindex, const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	__u32 ids[2], modes[2] = { XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE };
	int err, i, n = 0;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	ids[0] = q.drv_prog_id;
	ids[1] = q.skb_prog_id;
	for (i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
		int oldfd;

		if (!ids[i] || prog_is_xdp(ids[i]) <= 0)
			continue;
		oldfd = bpf_prog_get_fd_by_id(ids[i]);
		if (oldfd < 0)
			continue;
		ao.old_prog_fd = oldfd;
		err = bpf_xdp_detach(ifindex, modes[i] | XDP_FLAGS_REPLACE, &ao);
		close(oldfd);
		if (err)
			return err;
		log_info("uplink %s: XDP program detached", ifname);
		n++;
	}
	return n;
}

/* The uplink in tc mode: our TC program judges every frame; an XDP half
 * left from an earlier xdp-mode run is removed after it (frames it already
 * marked are still delivered by the TC program). */
static int attach_tc_mode(struct loader *ld, int ifindex, const char *ifname)
{
	int err = tc_attach(ifindex, bpf_program__fd(ld->utc->progs.vtep_uplink_tc));

	if (err) {
		log_err("uplink %s: cannot attach the TC program: %s", ifname, strerror(-err));
		return err;
	}
	log_info("uplink %s: TC ingress attached (tc mode)", ifname);
	err = xdp_detach(ifindex, ifname);
	return err < 0 ? err : 0;
}

int loader_attach_uplink(struct loader *ld, int ifindex, const char *ifname,
			 struct uplink_choice *c, bool is_auto, bool veth)
{
	int err;

	if (c->mode == UPLINK_MODE_TC)
		return attach_tc_mode(ld, ifindex, ifname);
	if (!ld->uxdp)
		return -ENOENT; /* uplink_mode_choose() never picks XDP then */
	/* TC half first: it delivers what the XDP half decapsulates. */
	err = tc_attach(ifindex, bpf_program__fd(ld->utc->progs.vtep_uplink_xtc));
	if (err) {
		log_err("uplink %s: cannot attach the TC program: %s", ifname, strerror(-err));
		return err;
	}
	err = xdp_attach(ld, ifindex, ifname, c, is_auto, veth);
	if (!err || !is_auto)
		return err;
	uplink_mode_attach_refused(c, ifname, err);
	log_warn("uplink %s: %s; using tc", ifname, c->reason);
	return attach_tc_mode(ld, ifindex, ifname);
}

int loader_attach_port(struct loader *ld, int ifindex, const char *ifname)
{
	int err = tc_attach(ifindex, bpf_program__fd(ld->port->progs.vtep_port_ingress));

	if (err)
		log_err("port %s: cannot attach the TC program: %s", ifname, strerror(-err));
	else
		log_debug("port %s: TC ingress attached", ifname);
	return err;
}

int loader_detach_uplink(int ifindex, const char *ifname)
{
	int err = tc_detach(ifindex), e2 = xdp_detach(ifindex, ifname);

	if (err)
		log_warn("uplink %s: cannot detach the TC program: %s", ifname, strerror(-err));
	if (e2 < 0)
		log_warn("uplink %s: cannot detach XDP: %s", ifname, strerror(-e2));
	return err ? err : e2 < 0 ? e2 : 0;
}

int loader_detach_port(int ifindex, const char *ifname)
{
	int err = tc_detach(ifindex);

	if (err)
		log_warn("port %s: cannot detach the TC program: %s", ifname, strerror(-err));
	return err;
}

int loader_unpin(const char *bpffs)
{
	DIR *dir = opendir(bpffs);
	struct dirent *de;
	int err = 0, dfd;

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	dfd = dirfd(dir);
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "vtep_", 5))
			continue;
		if (unlinkat(dfd, de->d_name, 0) && !err)
			err = -errno;
	}
	closedir(dir);
	if (!err && rmdir(bpffs))
		err = -errno;
	return err;
}

/* ---- trial loads (vtepd --probe) --------------------------------------------- */

/* Every map of obj unpinned and small: a trial load must not touch the pins
 * of a running vtepd nor charge the configured capacities. */
static void trial_maps(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		bpf_map__set_pin_path(m, NULL);
		if (bpf_map__type(m) != BPF_MAP_TYPE_RINGBUF && bpf_map__max_entries(m) > 64)
			bpf_map__set_max_entries(m, 64);
	}
}

/* Loads the skeleton with its maps unpinned, after `setup` (knobs), and
 * keeps the kernel's answer in why. */
#define LOADER_TRIAL(skel_type, setup, why, len)                                       \
	({                                                                              \
		struct skel_type *s = skel_type##__open();                              \
		int __r = s ? 0 : (errno ? -errno : -EINVAL);                           \
		if (!__r) {                                                             \
			trial_maps(s->obj);                                             \
			setup;                                                          \
			bpflog_capture_begin(1);                                        \
			__r = skel_type##__load(s);                                     \
			bpflog_capture_end(why, len);                                   \
			if (__r && !(why)[0])                                           \
				snprintf(why, len, "%s", strerror(-__r));               \
		} else {                                                                \
			snprintf(why, len, "cannot open: %s", strerror(-__r));          \
		}                                                                       \
		skel_type##__destroy(s);                                                \
		__r;                                                                    \
	})

int loader_trial(const struct probe_set *k, char tc_why[UPLINK_REASON_LEN],
		 char xdp_why[UPLINK_REASON_LEN])
{
	int ret;

	tc_why[0] = xdp_why[0] = '\0';
	ret = LOADER_TRIAL(port_tc_bpf, LOADER_KNOBS(s, k), tc_why, UPLINK_REASON_LEN);
	if (!ret)
		ret = LOADER_TRIAL(uplink_tc_bpf, LOADER_KNOBS(s, k), tc_why, UPLINK_REASON_LEN);
	if (!uplink_mode_may_use_xdp(CFG_ATTACH_AUTO, k)) {
		snprintf(xdp_why, UPLINK_REASON_LEN, "not tried: the kernel lacks %s",
			 k->have[PROBE_F_xdp] ? "xdp_meta" : "xdp");
		return ret;
	}
	if (LOADER_TRIAL(uplink_xdp_bpf,
			 bpf_program__set_autoload(s->progs.vtep_uplink_xdp,
						   k->have[PROBE_F_xdp_frags]),
			 xdp_why, UPLINK_REASON_LEN) == 0)
		xdp_why[0] = '\0';
	return ret;
}
