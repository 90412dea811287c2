/* loader.c - see loader.h.
 *
 * Order, libbpf-bootstrap style: open (pin_root_path) -> size maps -> check
 * existing pins, migrating those of another layout or capacity (migrate.h)
 * -> load (libbpf creates or reuses the pins) -> write vtep_global ->
 * attach. One cleanup path per function.
 */
#include "loader.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
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

#include "log.h"
#include "migrate.h"
#include "vtep_maps.h"
#include "port_tc.skel.h"
#include "uplink_tc.skel.h"
#include "uplink_xdp.skel.h"

struct loader {
	struct port_tc_bpf    *port;
	struct uplink_tc_bpf  *utc;
	struct uplink_xdp_bpf *uxdp;  /* NULL in tc mode */
};

/* libbpf's messages through our log; its debug chatter only with -v. The
 * netlink "Exclusivity flag on" note is what an existing clsact qdisc
 * answers to bpf_tc_hook_create: expected, not a warning. */
static int loader_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *buf = NULL;
	size_t n;

	/* Unbounded: a verifier log's last lines are the ones that matter. */
	if (vasprintf(&buf, fmt, ap) < 0)
		return 0;
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (level == LIBBPF_DEBUG || strstr(buf, "Exclusivity flag on") ||
	    strstr(buf, "Cannot find specified filter chain"))
		log_debug("%s", buf);
	else
		log_msg(level == LIBBPF_WARN ? LOG_LVL_WARN : LOG_LVL_INFO, "%s", buf);
	free(buf);
	return 0;
}

void loader_log_init(void)
{
	libbpf_set_print(loader_libbpf_print);
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
			 "bpffs: %s is not on a bpf filesystem (mount -t bpf bpf DIR first)",
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
		{ VTEP_MAP_NEIGH, offsetof(struct vtep_config, limit_routes) },
		{ VTEP_MAP_FDB, offsetof(struct vtep_config, limit_fdb) },
		{ VTEP_MAP_PORTS, offsetof(struct vtep_config, limit_ports) },
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, lim[i].name);
		uint32_t v = *(const uint32_t *)((const char *)cfg + lim[i].off);

		if (!m)
			return -ENOENT;
		err = bpf_map__set_max_entries(m, v);
		if (err)
			return err;
	}
	return 0;
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
		int __r = skel_type##__load((ld)->field);                               \
		if (__r)                                                                \
			snprintf(err, CFG_ERR_LEN, "cannot load %s: %s (see libbpf "    \
				 "messages above)", #skel_type, strerror(-__r));        \
		__r;                                                                    \
	})

/* The other objects share the first one's maps: their pins are redirected
 * to the migrating maps' temporary names too. */
#define LOADER_OPEN_LOAD(skel_type, field, ld, cfg, mig, err)                          \
	({                                                                              \
		int __r = LOADER_OPEN(skel_type, field, ld, cfg, err);                  \
		if (!__r && (__r = migrate_redirect(mig, (ld)->field->obj)))            \
			snprintf(err, CFG_ERR_LEN, "%s: cannot redirect pins: %s",      \
				 #skel_type, strerror(-__r));                           \
		if (!__r)                                                               \
			__r = LOADER_LOAD(skel_type, field, ld, err);                   \
		__r;                                                                    \
	})

int loader_open(const struct vtep_config *cfg, struct loader **out, char err[CFG_ERR_LEN])
{
	return loader_open_with(cfg, &migrate_history, out, err);
}

/* Order (see migrate.h for why nothing is lost): port_tc opened and sized
 * -> its pins compared (migrate_plan refuses, or redirects the maps to
 * migrate to temporary pins) -> load (new maps created there) -> entries
 * copied -> the uplink objects loaded onto the same maps -> temporary pins
 * renamed over the old ones -> vtep_global written with our layout. Any
 * failure before the commit leaves the old pins as they were. */
int loader_open_with(const struct vtep_config *cfg, const struct migrate_table *t,
		     struct loader **out, char err[CFG_ERR_LEN])
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
	if (!ret)
		ret = LOADER_LOAD(port_tc_bpf, port, ld, err);
	if (!ret && mig)
		ret = migrate_copy(mig, ld->port->obj, err);
	if (!ret)
		ret = LOADER_OPEN_LOAD(uplink_tc_bpf, utc, ld, cfg, mig, err);
	if (!ret && cfg->uplink_attach == CFG_ATTACH_XDP)
		ret = LOADER_OPEN_LOAD(uplink_xdp_bpf, uxdp, ld, cfg, mig, err);
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
	g.flags = cfg->uplink_attach == CFG_ATTACH_TC ? VTEP_GF_UPLINK_TC : 0;
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

/* The program for a mode: native XDP gets the multi-buffer build (a driver
 * refuses a program without frags above a ~3.5k MTU), generic XDP the one
 * without (bpf/uplink_xdp.bpf.c says why). */
static int xdp_prog_fd(const struct loader *ld, __u32 mode)
{
	return bpf_program__fd(mode == XDP_FLAGS_DRV_MODE ? ld->uxdp->progs.vtep_uplink_xdp
							  : ld->uxdp->progs.vtep_uplink_gen);
}

/* Is the device a veth (ETHTOOL_GDRVINFO's driver name)? 0 when unsure. */
static int dev_is_veth(const char *ifname)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr;
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	if (!ioctl(fd, SIOCETHTOOL, &ifr))
		ret = !strcmp(info.driver, "veth");
	close(fd);
	return ret;
}

/* Native XDP on a veth has a price for TCP that the operator should know
 * (README, "XDP or TC on the uplink"): veth_xdp_set() (drivers/net/veth.c)
 * clears NETIF_F_GSO_SOFTWARE on the peer for any XDP program, frags or
 * not, so every TSO/GSO packet is cut to the MTU before it crosses, and the
 * veth copies each one (skb_pp_cow_data) before the program runs. The TC
 * uplink sees the 64k GSO packet once. Measured by bench/tcp.sh. */
static void xdp_veth_note(const char *ifname)
{
	if (dev_is_veth(ifname))
		log_warn("uplink %s is a veth: native XDP there turns TSO/GSO off on its "
			 "peer, so TCP through the tunnel is segmented before it arrives "
			 "(several times slower than vtep.uplink_attach \"tc\" in "
			 "bench/tcp.sh); consider \"tc\" on veth uplinks", ifname);
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

static int xdp_attach(struct loader *ld, int ifindex, const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err, oldfd;
	__u32 old, mode;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err) {
		log_err("uplink %s: cannot query XDP: %s", ifname, strerror(-err));
		return err;
	}
	old = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	mode = q.drv_prog_id ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
	err = old ? prog_is_xdp(old) : 1;
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
	if (old) {
		/* Restart: swap ours for ours, atomically, in the same mode. */
		LIBBPF_OPTS(bpf_xdp_attach_opts, ao);

		oldfd = bpf_prog_get_fd_by_id(old);
		if (oldfd < 0)
			return oldfd;
		ao.old_prog_fd = oldfd;
		err = bpf_xdp_attach(ifindex, xdp_prog_fd(ld, mode), mode | XDP_FLAGS_REPLACE, &ao);
		close(oldfd);
		if (!err)
			log_info("uplink %s: XDP program replaced (%s mode)", ifname,
				 mode == XDP_FLAGS_DRV_MODE ? "native" : "generic");
		if (!err && mode == XDP_FLAGS_DRV_MODE)
			xdp_veth_note(ifname);
		return err;
	}
	err = bpf_xdp_attach(ifindex, xdp_prog_fd(ld, XDP_FLAGS_DRV_MODE),
			     XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (!err) {
		log_info("uplink %s: XDP attached (native mode)", ifname);
		xdp_veth_note(ifname);
		return 0;
	}
	log_info("uplink %s: native XDP unavailable (%s), using generic mode", ifname,
		 strerror(-err));
	err = bpf_xdp_attach(ifindex, xdp_prog_fd(ld, XDP_FLAGS_SKB_MODE),
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

int loader_attach_uplink(struct loader *ld, int ifindex, const char *ifname,
			 enum cfg_uplink_attach mode)
{
	int err;

	/* TC half first: in xdp mode it is the one that delivers what the XDP
	 * half decapsulated, so it must be there before XDP starts. */
	err = tc_attach(ifindex, bpf_program__fd(ld->utc->progs.vtep_uplink_tc));
	if (err) {
		log_err("uplink %s: cannot attach the TC program: %s", ifname, strerror(-err));
		return err;
	}
	log_info("uplink %s: TC ingress attached", ifname);
	if (mode == CFG_ATTACH_XDP && ld->uxdp)
		return xdp_attach(ld, ifindex, ifname);
	err = xdp_detach(ifindex, ifname); /* left from an earlier xdp-mode run */
	return err < 0 ? err : 0;
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
