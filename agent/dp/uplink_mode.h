/* uplink_mode.h - XDP or TC on an uplink, and why (vtep.uplink_attach).
 *
 * `auto` (the default) picks native XDP only where the whole XDP path can
 * be shown to work: the kernel loads every XDP helper the uplink program
 * uses (probe.h), the driver runs native XDP and is known to keep the
 * metadata area the XDP half hands to the TC half, and the device is not a
 * veth (veth_xdp_set() in drivers/net/veth.c turns off GSO on the peer for
 * any XDP program, which cuts TCP through the tunnel several times). TC
 * everywhere else. `xdp` is the operator's word: honoured where it can run
 * at all (generic XDP on a driver without a native one), refused at start
 * where the kernel cannot run it, never silently changed to TC.
 *
 * The choice is a pure function of the probes, so every branch is tested
 * without the kernel or device it describes.
 */
#ifndef VTEP_UPLINK_MODE_H
#define VTEP_UPLINK_MODE_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "probe.h"

#define UPLINK_REASON_LEN 200

enum uplink_mode { UPLINK_MODE_TC = 0, UPLINK_MODE_XDP = 1 };

struct uplink_choice {
	enum uplink_mode mode;
	bool generic;   /* XDP in generic (skb) mode: the driver has no native XDP */
	bool frags;     /* the multi-buffer (xdp.frags) program */
	char reason[UPLINK_REASON_LEN];
};

/* xdp_refusal: "" when the XDP program loaded (or was not needed), else
 * why the kernel refused it. Returns 0 with *c filled, or -EOPNOTSUPP when
 * an explicit "xdp" cannot run here (c->reason is the message to print). */
int uplink_mode_choose(enum cfg_uplink_attach want, const struct probe_set *k,
		       const char *xdp_refusal, const struct probe_dev *d,
		       struct uplink_choice *c);

/* An `auto` uplink whose native XDP attach the driver refused: TC instead. */
void uplink_mode_attach_refused(struct uplink_choice *c, const char *ifname, int err);

const char *uplink_mode_name(enum uplink_mode m);

/* Whether programs for XDP must be loaded at all for this configuration. */
bool uplink_mode_may_use_xdp(enum cfg_uplink_attach want, const struct probe_set *k);

/* What the kernel can run and what each uplink runs, as vtepctl status,
 * vtepd --probe and /metrics (vtepd_datapath_feature, vtepd_uplink_mode)
 * report it: the daemon fills it, control and metrics render it. */
struct uplink_info {
	char ifname[CFG_IFNAMSIZ];
	int ifindex;
	bool attached;
	enum uplink_mode mode;
	bool generic;                  /* XDP in generic mode */
	char reason[UPLINK_REASON_LEN];
};
/* A map a full table can hold entries back from (mapsync.h: they wait for
 * room): vtepctl status and vtepd_map_pending. */
#define STATUS_MAPS 5
struct map_status {
	char map[16];
	uint32_t capacity;
	uint64_t pending;              /* entries waiting for room */
};
struct uplink_status {
	struct probe_set features;
	bool test_override;            /* the test-only probe override is in force */
	/* The XDP half: "loaded", "not needed (...)", or why the kernel refused
	 * it; for vtepd --probe, tc_refusal says why the TC programs would not
	 * load ("" when they do: vtepd can run). */
	char xdp_program[UPLINK_REASON_LEN];
	char tc_refusal[UPLINK_REASON_LEN];
	size_t n_uplinks;
	struct uplink_info uplinks[CFG_MAX_UPLINKS];
	size_t n_maps;                 /* 0 for vtepd --probe: no maps yet */
	struct map_status maps[STATUS_MAPS];
	/* The IPv4 host-route lookup's two layers in front of vtep_routes
	 * (rcache.h, rtab.h); have is false for vtepd --probe. */
	struct {
		bool have;
		bool cache_on;
		uint32_t cache_entries;        /* per CPU (limits.route_cache) */
		uint32_t cache_gen;
		bool table_on;
		uint32_t table_lines;
		uint64_t table_routes;
	} lookup;
};

#endif /* VTEP_UPLINK_MODE_H */
