/* loader.h - loading the datapath programs, pinning their maps, attaching
 * them through netlink.
 *
 * The three BPF objects (port_tc, uplink_xdp, uplink_tc) are opened with
 * pin_root_path = cfg->bpffs: every map is LIBBPF_PIN_BY_NAME, so the first
 * object creates the pins and the others (and every later vtepd) reuse them,
 * entries included. Capacities come from `limits` and are set before load;
 * pins of another layout version or capacity are migrated into new maps
 * (agent/dp/migrate.h) or, where that cannot be done, refused with a message -
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
#include "probe.h"
#include "uplink_mode.h"

/* Our cls_bpf filter's identity on every clsact ingress hook we use. */
#define LOADER_TC_HANDLE 0x7674   /* "vt" */
#define LOADER_TC_PRIO   0x7674

/* Program names as the kernel keeps them (BPF_OBJ_NAME_LEN - 1 = 15 chars):
 * how an attached program is recognised as ours. */
#define LOADER_PROG_PORT      "vtep_port_ingress"
#define LOADER_PROG_UPLINK_XDP "vtep_uplink_xdp"  /* native XDP, multi-buffer */
#define LOADER_PROG_UPLINK_GEN "vtep_uplink_gen"  /* the same in generic XDP */
#define LOADER_PROG_UPLINK_TC "vtep_uplink_tc"   /* uplink in tc mode */
#define LOADER_PROG_UPLINK_XTC "vtep_uplink_xtc" /* TC half of an xdp-mode uplink */

struct loader;

/* Routes libbpf's messages through our log (call once, before any libbpf
 * use, including the detach functions). */
void loader_log_init(void);

/* Makes sure path is a directory on a bpffs, creating it (and missing
 * parents) only inside a mounted bpffs. Returns 0 or -errno, err says why. */
int loader_check_bpffs(const char *path, char err[CFG_ERR_LEN]);

/* Checks the bpffs, opens, sizes and loads the objects (reusing compatible
 * pins), and writes vtep_global. k (probe_kernel()) sets the programs'
 * fallbacks (bpf/features.h) and whether the XDP half is loaded at all:
 * only when an uplink may use it, and without its multi-buffer program on
 * a kernel without xdp_frags. Under `auto` a refused XDP half is not an
 * error (loader_xdp_refusal() says why). Returns 0 or -errno with err
 * filled, naming the verifier's reason when the kernel refused a program. */
int loader_open(const struct vtep_config *cfg, const struct probe_set *k, struct loader **out,
		char err[CFG_ERR_LEN]);
/* The same with another layout history than this build's (tests). */
struct migrate_table;
int loader_open_with(const struct vtep_config *cfg, const struct probe_set *k,
		     const struct migrate_table *t, struct loader **out, char err[CFG_ERR_LEN]);
/* Whether the XDP half is loaded (some uplink may run XDP). */
bool loader_has_xdp(const struct loader *ld);
/* Why the XDP half did not load ("" when it did or was not needed). */
const char *loader_xdp_refusal(const struct loader *ld);

/* Loads the datapath objects as loader_open() would, but with their maps
 * unpinned and small (vtepd --probe: touches no running vtepd). Returns 0
 * when the TC programs load (else -errno, tc_why says why); xdp_why is ""
 * when the XDP half loads too, else why not. */
int loader_trial(const struct probe_set *k, char tc_why[UPLINK_REASON_LEN],
		 char xdp_why[UPLINK_REASON_LEN]);
/* Frees user-space handles only: attached programs and pins stay. */
void loader_close(struct loader *ld);

/* fd of a pinned map by name (VTEP_MAP_*), or -ENOENT. */
int loader_map_fd(const struct loader *ld, const char *name);
/* (Re)writes vtep_global from cfg (vtep_ip, flags, layout, VXLAN port). */
int loader_write_global(struct loader *ld, const struct vtep_config *cfg);

/* Uplink, as chosen by uplink_mode_choose(): in xdp mode the TC half
 * (vtep_uplink_xtc) and the XDP half (native, multi-buffer where the kernel
 * has xdp_frags so jumbo MTUs keep native XDP; generic when the choice says
 * so); in tc mode the TC program alone (a leftover XDP program of ours is
 * removed). is_auto: a native attach the driver refuses turns the uplink to
 * tc mode (c updated with the reason) instead of failing; veth: warn about
 * GSO for an explicit native XDP. 0 or -errno. */
int loader_attach_uplink(struct loader *ld, int ifindex, const char *ifname,
			 struct uplink_choice *c, bool is_auto, bool veth);
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
