/* daemon_priv.h - the daemon's insides, shared by the root of agent/:
 * daemon.c (life cycle, run-time edits, event handlers, the operation
 * tables of control and metrics), daemon_reload.c (applying a new config
 * file), daemon_probe.c (kernel probes, uplink attach, status) and
 * daemon_sync.c (config records into map records, the flush) and
 * daemon_cni.c (the CNI service's pods). They call one way: daemon.c ->
 * daemon_cni.c, daemon_reload.c -> daemon_probe.c, daemon_sync.c.
 * Nothing else includes this: main.c sees daemon.h, control and metrics
 * only the operations daemon.c hands them.
 */
#ifndef VTEP_DAEMON_PRIV_H
#define VTEP_DAEMON_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include "config.h"
#include "daemon.h"
#include "probe.h"
#include "uplink_mode.h"
#include "pods.h"
#include "state.h"
#include "vtep_maps.h"

struct loader;
struct mapsync;
struct netlink;
struct netlink_link;
struct hostroute;
struct hostaddr;
struct hostaddr6;
struct underlay;
struct ports;
struct events;
struct loop;
struct control;
struct metrics;
struct rib;
struct evpn_export;
struct bgp;

struct daemon_uplink {
	char name[CFG_IFNAMSIZ];
	int  ifindex;           /* 0 while absent or not attached */
	bool chosen;            /* choice is valid (the device was seen) */
	struct uplink_choice choice;
};

struct daemon {
	char cfg_path[PATH_MAX];
	/* The config in force. Swapped by reload under lock, because
	 * daemon_peers() reads it from the metrics thread. */
	struct vtep_config *cfg;
	pthread_mutex_t lock;
	struct state st;        /* run-time edits (state_dir) */

	struct loader    *ld;
	struct mapsync   *ms;
	struct rcache    *rc;     /* the datapath's route cache (agent/dp/rcache.h) */
	struct rtab      *rt;     /* the datapath's flat route table (agent/dp/rtab.h) */
	struct netlink   *nl;
	struct hostroute *hr;
	struct hostaddr  *ha;   /* vtep_hostaddrs, kept from address events */
	struct hostaddr6 *ha6;  /* vtep_hostaddrs6, the same for IPv6 */
	struct underlay  *ul;   /* empties vtep_underlay on underlay changes */
	struct ports     *ports;
	struct events    *ev;
	struct loop      *loop;
	struct control   *ctl;
	struct control   *cni;  /* the CNI socket (ctl/cnictl.h), NULL when disabled */
	struct pods       pods; /* the CNI's pods (state_dir/pods.json) */
	struct metrics   *met;
	/* BGP EVPN control plane, when the config has "bgp": NULL otherwise. */
	struct evpn_export *exp;
	struct rib       *rib;
	struct bgp       *bgp;
	bool restarted;         /* pins existed at start: the datapath kept forwarding */
	/* What the kernel can run (daemon_probe.c), under lock: the metrics
	 * thread reads it. probe_override: the test-only override, or NULL. */
	struct probe_set feat;
	char *probe_override;
	int sigfd;

	struct daemon_uplink uplinks[CFG_MAX_UPLINKS];
	size_t n_uplinks;
	volatile bool stop;
};

/* daemon_sync.c: the map form of a configured VNI, and mapsync's record of
 * a configured (or run-time) static route. */
struct mapsync_route;
void daemon_vni_to_map(const struct vtep_config *cfg, const struct cfg_vni *cv,
		       struct vtep_vni *out);
void daemon_route_to_sync(const struct cfg_route *r, struct mapsync_route *out);
/* daemon_probe.c: runs the kernel probes (and the test override), logs
 * them in one line; -ENOTSUP when a capability without fallback is
 * missing or an explicit "xdp" cannot run (the reason is logged). */
int daemon_probe(struct daemon *d);
/* Reload: probes again and logs what changed since the last probe. */
void daemon_reprobe(struct daemon *d);
/* Attaches the programs to uplink slot i if its interface exists, in the
 * mode uplink_mode_choose() picks for its device; at ifindex when known
 * (a link event), else looked up by name. -EOPNOTSUPP: an explicit "xdp"
 * this device cannot run. */
int daemon_uplink_attach(struct daemon *d, size_t i);
int daemon_uplink_attach_at(struct daemon *d, size_t i, int ifindex);
/* daemon_sync.c: after any handler that may have changed ports or the RIB,
 * pending map writes and our changed advertisements go out (bgp_flush). */
void daemon_bgp_flush(struct daemon *d);

/* The operations control and metrics call (daemon.c's tables; control.h
 * and metrics.h say what each does), defined outside daemon.c:
 * daemon_reload.c re-reads the config file and applies the difference;
 * daemon_probe.c reports what the kernel and each uplink run. */
int daemon_reload(struct daemon *d, char err[CFG_ERR_LEN]);
int daemon_status(struct daemon *d, struct uplink_status *out);

/* daemon_cni.c: the CNI service's pods. restore: read pods.json and make
 * each pod a port again (start-up, before the reconcile); open: the CNI
 * socket, when configured, on the loop; pods: the records (vtepctl pods). */
int daemon_cni_restore(struct daemon *d);
int daemon_cni_open(struct daemon *d);
const struct pods *daemon_pods(const struct daemon *d);

/* daemon_hostlink.c: the host links of the VNIs with host_ip
 * (host/hostlink.h): made, made ports, written into vtep_hostlinks; those
 * of VNIs without one removed. Start-up (before the reconcile) and reload.
 * link: a link event (the datapath end came back: its new ifindex into
 * vtep_hostlinks). */
int daemon_hostlinks_apply(struct daemon *d);
void daemon_hostlink_link(struct daemon *d, const struct netlink_link *l);

#endif /* VTEP_DAEMON_PRIV_H */
