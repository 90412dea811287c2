/* probe.h - what this kernel and each uplink device can run, found out by
 * loading, never by a list of versions.
 *
 * probe_kernel() loads one small program per capability (bpf/probe.bpf.c),
 * each calling its helpers with valid arguments in the program type and
 * with the flags the datapath uses, and keeps the verifier's answer. A
 * kernel build may refuse a helper that `bpftool feature probe` lists (seen:
 * bpf_xdp_adjust_meta on 6.18.44-fc-v1300), so only a real load counts.
 * probe_device() asks the kernel what a device's driver does in XDP (the
 * netdev generic netlink family's xdp-features, Linux 6.3+) and which driver
 * it is (ethtool).
 *
 * Capabilities with a fallback degrade (agent/dp/uplink_mode.c, the loader's
 * rodata knobs); those without one stop vtepd with the capability and the
 * kernel that brings it named (probe_required_missing()).
 */
#ifndef VTEP_PROBE_H
#define VTEP_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* Capabilities, in the order they are reported. */
#define PROBE_FEATURES(X)                                                                     \
	X(btf,            "5.4",  1, "kernel BTF (/sys/kernel/btf/vmlinux) for CO-RE relocations") \
	X(clsact,         "4.5",  1, "the clsact qdisc that holds the TC programs")                \
	X(ringbuf,        "5.8",  1, "BPF ring buffer for MAC learn and ARP events")               \
	X(fib_lookup,     "4.18", 1, "bpf_fib_lookup for the underlay next hop and MTU")            \
	X(redirect_neigh, "5.10", 1, "bpf_redirect_neigh to an unresolved underlay next hop")       \
	X(redirect_peer,  "5.10", 0, "bpf_redirect_peer into a workload veth's namespace")          \
	X(ktime_coarse,   "5.11", 0, "bpf_ktime_get_coarse_ns, the underlay cache's cheap clock")  \
	X(xdp,            "4.18", 0, "XDP programs that strip and trim frames (XDP uplink)")        \
	X(xdp_meta,       "4.15", 0, "bpf_xdp_adjust_meta: the XDP to TC hand-off (XDP uplink)")    \
	X(xdp_frags,      "5.18", 0, "multi-buffer XDP (xdp.frags) for jumbo underlays")            \
	X(ct_lookup,      "6.0",  0, "bpf_skb_ct_lookup: replies of host-NATed flows via the host") \
	X(check_mtu,      "5.12", 0, "bpf_check_mtu: the port MTU in router advertisements")

enum probe_feature {
#define PROBE_ENUM(name, kernel, required, what) PROBE_F_##name,
	PROBE_FEATURES(PROBE_ENUM)
#undef PROBE_ENUM
	PROBE_F_COUNT
};

#define PROBE_NOTE_LEN 160

struct probe_set {
	bool have[PROBE_F_COUNT];
	bool forced_off[PROBE_F_COUNT];      /* by the test override */
	char note[PROBE_F_COUNT][PROBE_NOTE_LEN]; /* why a capability is missing */
};

const char *probe_name(enum probe_feature f);
const char *probe_min_kernel(enum probe_feature f);
const char *probe_what(enum probe_feature f);
bool probe_is_required(enum probe_feature f);
/* PROBE_F_COUNT when name is not a capability. */
enum probe_feature probe_by_name(const char *name);

/* Runs every kernel probe. Never fails: a probe that cannot run counts as
 * the capability missing, with the reason in note[]. */
void probe_kernel(struct probe_set *s);

/* Test-only override: a spec "name=0[,name=0...]" turns capabilities off as
 * if the kernel lacked them (never on: that would load programs the kernel
 * refuses). Returns 0, or -EINVAL with err naming the bad item. */
int probe_override(struct probe_set *s, const char *spec, char *err, size_t errlen);

/* The first required capability that is missing, or PROBE_F_COUNT. */
enum probe_feature probe_required_missing(const struct probe_set *s);

/* One line for the log: "btf clsact ... -xdp_meta(reason) ...". */
void probe_format(const struct probe_set *s, char *buf, size_t len);

/* ---- devices ---------------------------------------------------------------- */

enum probe_tristate { PROBE_NO = 0, PROBE_YES = 1, PROBE_UNKNOWN = -1 };

struct probe_dev {
	char driver[32];                 /* ethtool's driver name, "" if none */
	bool veth;
	enum probe_tristate xdp_native;  /* NETDEV_XDP_ACT_BASIC */
	enum probe_tristate xdp_sg;      /* NETDEV_XDP_ACT_RX_SG */
	bool meta_driver;                /* driver known to keep XDP metadata */
	unsigned int mtu;
};

/* Fills *d for the device (in vtepd's network namespace). 0 or -errno. */
int probe_device(int ifindex, const char *ifname, struct probe_dev *d);

/* Whether a driver is known to give XDP programs a metadata area
 * (xdp_prepare_buff(..., meta_valid = true) in its receive path). */
bool probe_driver_keeps_meta(const char *driver);

#endif /* VTEP_PROBE_H */
