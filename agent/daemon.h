/* daemon.h - what the control socket and the metrics endpoint may ask of the
 * running daemon. The agent core (agent/daemon.c) implements these; control.c
 * and metrics.c only call them, so neither needs to know the daemon's insides.
 *
 * Every call returns 0 or -errno; on error err holds one line for the user
 * (vtepctl prints it and exits 1).
 */
#ifndef VTEP_DAEMON_H
#define VTEP_DAEMON_H

#include <stdint.h>
#include <stddef.h>
#include "config.h"
#include "probe.h"
#include "uplink_mode.h"

struct daemon;

/* Run-time edits: applied to the maps at once and persisted in state_dir. */
int daemon_route_add(struct daemon *d, const struct cfg_route *r, char err[CFG_ERR_LEN]);
int daemon_route_del(struct daemon *d, uint32_t vni, uint32_t prefix, uint8_t prefixlen,
		     char err[CFG_ERR_LEN]);
/* p->mac_auto selects "auto"; the port need not exist yet (attached when it appears). */
int daemon_port_add(struct daemon *d, const struct cfg_port *p, char err[CFG_ERR_LEN]);
int daemon_port_del(struct daemon *d, const char *ifname, char err[CFG_ERR_LEN]);
/* Re-reads the config file and applies the difference (same as SIGHUP). */
int daemon_reload(struct daemon *d, char err[CFG_ERR_LEN]);

/* What the kernel can run and what each uplink runs (vtepctl status,
 * /metrics vtepd_datapath_feature and vtepd_uplink_mode). */
struct daemon_uplink_info {
	char ifname[CFG_IFNAMSIZ];
	int ifindex;
	bool attached;
	enum uplink_mode mode;
	bool generic;                  /* XDP in generic mode */
	char reason[UPLINK_REASON_LEN];
};
struct daemon_status {
	struct probe_set features;
	bool test_override;            /* the test-only probe override is in force */
	/* The XDP half: "loaded", "not needed (...)", or why the kernel refused
	 * it; for vtepd --probe, tc_refusal says why the TC programs would not
	 * load ("" when they do: vtepd can run). */
	char xdp_program[UPLINK_REASON_LEN];
	char tc_refusal[UPLINK_REASON_LEN];
	size_t n_uplinks;
	struct daemon_uplink_info uplinks[CFG_MAX_UPLINKS];
};
int daemon_status(struct daemon *d, struct daemon_status *out);
/* The same without a running vtepd (vtepd --probe): the kernel probes, a
 * trial load of the programs, and, with cfg, the mode each uplink present
 * in this network namespace would get. Returns 0 when vtepd can run here
 * with cfg (or any config when cfg is NULL), -ENOTSUP when not. */
int daemon_probe_report(const struct vtep_config *cfg, const char *probe_override,
			struct daemon_status *out);

/* The configuration in force (for vtepctl peers/vnis and metrics). */
const struct vtep_config *daemon_config(const struct daemon *d);

/* BGP neighbours as vtepctl peers and the metrics show them (bgp_peer.h):
 * a copy of the speaker's snapshots. */
struct bgp_peer_info;
/* Fills up to max entries; returns the number of peers. */
size_t daemon_peers(const struct daemon *d, struct bgp_peer_info *out, size_t max);

/* The histogram of the time from an UPDATE's arrival to the map write of
 * its routes (rib_latency_get). 0, or -ENOTSUP when BGP is not configured.
 * Safe from the metrics thread. */
struct rib_latency;
int daemon_rib_latency(const struct daemon *d, struct rib_latency *out);

/* `vtepctl bgp routes`: every path the RIB holds (each peer's Adj-RIB-In
 * and our own routes) with the address of the peer it came from (0: ours).
 * vni 0 and peer_address 0 select all. fn returns non-zero to stop.
 * Returns 0, or -ENOTSUP when BGP is not configured. Loop thread only. */
struct rib_route_info;
typedef int (*daemon_bgp_route_fn)(void *ctx, const struct rib_route_info *ri,
				   uint32_t peer_address);
int daemon_bgp_routes(struct daemon *d, uint32_t vni, uint32_t peer_address,
		      daemon_bgp_route_fn fn, void *ctx);

/* Map file descriptors for readers in the daemon (metrics occupancy, stats). */
int daemon_map_fd(const struct daemon *d, const char *map_name);

/* ---- Lifecycle, for main.c (additions) ---- */

/* Starts the agent: state, programs and maps, ports, uplinks, ring buffer,
 * control socket, metrics. Takes over *cfg's contents (cfg is zeroed).
 * Returns 0 or -errno (logged). Signals SIGHUP/SIGTERM/SIGINT are blocked
 * from here on and read through a signalfd by the event loop.
 * probe_override: NULL, or the test-only spec of probe_override() ("name=0,
 * ..."), checked here (-EINVAL when bad). */
int daemon_start(const char *cfg_path, struct vtep_config *cfg, const char *probe_override,
		 struct daemon **out);
/* Runs the event loop until SIGTERM/SIGINT. */
int daemon_run(struct daemon *d);
/* Frees everything in user space; the datapath stays attached and keeps
 * forwarding (the next vtepd picks up the pins). NULL is a no-op. */
void daemon_free(struct daemon *d);

#endif /* VTEP_DAEMON_H */
