/* loader.h - loading the datapath programs, pinning their maps, attaching
 * them through netlink.
 *
 * The three BPF objects (port_tc, uplink_xdp, uplink_tc) are opened with
 * pin_root_path = cfg->bpffs: every map is LIBBPF_PIN_BY_NAME, so the first
 * object creates the pins and the others (and every later vtepd) reuse them,
 * entries included. Capacities come from `limits` and are set before load;
 * pins of another layout version or capacity are migrated into new maps
 * (agent/migrate.h) or, where that cannot be done, refused with a message -
 * never silently replaced.
 *
 * Programs are attached through netlink (XDP: IFLA_XDP; TC: a cls_bpf filter
 * on the clsact ingress hook), so they show in `bpftool net` / `tc filter
 * show` and keep forwarding after vtepd exits. A restart replaces them in
 * place: XDP with XDP_FLAGS_REPLACE against the old program, TC with
 * BPF_TC_F_REPLACE on our fixed handle and priority: no packet meets a gap.
 */
#ifndef VTEP_LOADER_H
#define VTEP_LOADER_H

#include <stdbool.h>
#include "config.h"

/* Our cls_bpf filter's identity on every clsact ingress hook we use. */
#define LOADER_TC_HANDLE 0x7674   /* "vt" */
#define LOADER_TC_PRIO   0x7674

/* Program names as the kernel keeps them (BPF_OBJ_NAME_LEN - 1 = 15 chars):
 * how an attached program is recognised as ours. */
#define LOADER_PROG_PORT      "vtep_port_ingress"
#define LOADER_PROG_UPLINK_XDP "vtep_uplink_xdp"  /* native XDP, multi-buffer */
#define LOADER_PROG_UPLINK_GEN "vtep_uplink_gen"  /* the same in generic XDP */
#define LOADER_PROG_UPLINK_TC "vtep_uplink_tc"

struct loader;

/* Routes libbpf's messages through our log (call once, before any libbpf
 * use, including the detach functions). */
void loader_log_init(void);

/* Makes sure path is a directory on a bpffs, creating it (and missing
 * parents) only inside a mounted bpffs. Returns 0 or -errno, err says why. */
int loader_check_bpffs(const char *path, char err[CFG_ERR_LEN]);

/* Checks the bpffs, opens, sizes and loads the objects (reusing compatible
 * pins), and writes vtep_global. Returns 0 or -errno with err filled. */
int loader_open(const struct vtep_config *cfg, struct loader **out, char err[CFG_ERR_LEN]);
/* The same with another layout history than this build's (tests). */
struct migrate_table;
int loader_open_with(const struct vtep_config *cfg, const struct migrate_table *t,
		     struct loader **out, char err[CFG_ERR_LEN]);
/* Frees user-space handles only: attached programs and pins stay. */
void loader_close(struct loader *ld);

/* fd of a pinned map by name (VTEP_MAP_*), or -ENOENT. */
int loader_map_fd(const struct loader *ld, const char *name);
/* (Re)writes vtep_global from cfg (vtep_ip, flags, layout, VXLAN port). */
int loader_write_global(struct loader *ld, const struct vtep_config *cfg);

/* Uplink: in CFG_ATTACH_XDP mode the XDP half (native mode with
 * BPF_F_XDP_HAS_FRAGS, so jumbo MTUs keep native XDP; generic mode, without
 * frags, when the driver has none) and the TC half; in CFG_ATTACH_TC mode only the TC half
 * (and a leftover XDP program of ours is removed). */
int loader_attach_uplink(struct loader *ld, int ifindex, const char *ifname,
			 enum cfg_uplink_attach mode);
int loader_attach_port(struct loader *ld, int ifindex, const char *ifname);

/* Detaching needs no loaded objects (vtepd --cleanup): only programs that
 * are ours (by name, or by our TC handle/priority) are removed. 0 when
 * there was nothing to remove. */
int loader_detach_uplink(int ifindex, const char *ifname);
int loader_detach_port(int ifindex, const char *ifname);

/* Removes our pins (vtep_* files) and the directory. */
int loader_unpin(const char *bpffs);

/* The layout version recorded in existing pins: 0 when there are none
 * (read whatever the pinned vtep_global's value size). */
int loader_pinned_layout(const char *bpffs, unsigned int *version);

#endif /* VTEP_LOADER_H */
