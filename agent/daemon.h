/* daemon.h - the agent core as main.c starts it: start, run, free, and
 * vtepd --probe's report.
 *
 * What the control socket and the metrics endpoint may ask of the running
 * daemon is not declared here: daemon.c hands control_open_ops() and
 * metrics_start_ops() its own tables of operations (struct control_ops,
 * struct metrics_ops, declared by ctl/), so neither control nor metrics
 * knows the daemon's functions or insides.
 */
#ifndef VTEP_DAEMON_H
#define VTEP_DAEMON_H

#include "config.h"
#include "uplink_mode.h"

struct daemon;

/* What the kernel can run and the mode each uplink would get, without a
 * running vtepd (vtepd --probe): the kernel probes, a trial load of the
 * programs, and, with cfg, each uplink present in this network namespace.
 * Returns 0 when vtepd can run here with cfg (or any config when cfg is
 * NULL), -ENOTSUP when not, -EINVAL for a bad probe_override. */
int daemon_probe_report(const struct vtep_config *cfg, const char *probe_override,
			struct uplink_status *out);

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
