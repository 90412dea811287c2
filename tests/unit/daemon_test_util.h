/* daemon_test_util.h - a whole vtepd for the unit tests of agent/'s root
 * (test_daemon_reload.c, test_cleanup.c): daemon_start() in the case's own
 * network and mount namespaces, with a bpffs of its own, its event loop on
 * a thread, talked to through its control socket as vtepctl does, and
 * stopped with SIGTERM as the service manager does.
 *
 * dt_setup() (a checked fixture: in the forked case) makes the namespaces,
 * a private tmpfs on /tmp (nothing is left behind, whatever happens), a
 * directory DIR there with a bpffs mounted on DIR/bpf, and veths up0,
 * up1, up2 (uplinks) and w1 .. w4 (ports), each with its peer (NAMEp) up.
 * A configuration is JSON in which every "@DIR@" stands for DIR; the one
 * file is DIR/vtepd.json. Needs root. The code is in daemon_test_util.c.
 */
#ifndef DAEMON_TEST_UTIL_H
#define DAEMON_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct daemon;

/* The case's directory and what lives in it. */
extern char dt_dir[64];
extern char dt_cfg_path[128];

void dt_setup(void);
/* Stops a vtepd still running and removes DIR. */
void dt_teardown(void);

/* Writes DIR/vtepd.json from json ("@DIR@" replaced). */
void dt_write_config(const char *json);
/* Parses DIR/vtepd.json as vtepd -c does; the test fails if refused. */
void dt_load_config(struct vtep_config *c);

/* Starts vtepd on DIR/vtepd.json and runs its loop on a thread; the test
 * fails if it does not start. */
void dt_start(void);
/* SIGTERM, the loop thread joined, daemon_free(): what vtepd does when the
 * service manager stops it (the datapath stays attached). */
void dt_stop(void);
bool dt_running(void);

/* One control request (args: JSON text or NULL) to the running vtepd on
 * path (NULL: the socket of DIR/vtepd.json's first run). Returns 1 for
 * {"ok": true}, 0 for {"ok": false} with the error in err (when not NULL),
 * -errno when nobody answered. */
int dt_ctl(const char *path, const char *cmd, const char *args, char *err, size_t errlen);

/* The bpffs pin DIR/bpf/<sub>/<map> opened (a fd, the caller closes it),
 * or -errno. */
int dt_map(const char *sub, const char *map);

/* Whether a program of ours is attached: a bpf filter on the device's tc
 * ingress, an XDP program. */
bool dt_tc_attached(const char *ifname);
bool dt_xdp_attached(const char *ifname);

#endif /* DAEMON_TEST_UTIL_H */
