/* fake_daemon.h - weak stand-ins for agent/daemon.h, for unit tests of the
 * modules that call the daemon (control, metrics).
 *
 * Unit tests link every agent object but main.o. Until agent/daemon.c
 * exists these weak definitions satisfy control.o's and metrics.o's
 * references; once it exists its strong definitions win and these are
 * dropped. Either way the tests never call them: they drive control and
 * metrics through their ops tables (control_open_ops, metrics_render). */
#ifndef TEST_FAKE_DAEMON_H
#define TEST_FAKE_DAEMON_H

#include <errno.h>
#include "daemon.h"

#define WEAK __attribute__((weak))

WEAK int daemon_route_add(struct daemon *d, const struct cfg_route *r, char err[CFG_ERR_LEN])
{ (void)d; (void)r; (void)err; return -ENOSYS; }
WEAK int daemon_route_del(struct daemon *d, uint32_t vni, uint32_t prefix, uint8_t prefixlen,
			  char err[CFG_ERR_LEN])
{ (void)d; (void)vni; (void)prefix; (void)prefixlen; (void)err; return -ENOSYS; }
WEAK int daemon_port_add(struct daemon *d, const struct cfg_port *p, char err[CFG_ERR_LEN])
{ (void)d; (void)p; (void)err; return -ENOSYS; }
WEAK int daemon_port_del(struct daemon *d, const char *ifname, char err[CFG_ERR_LEN])
{ (void)d; (void)ifname; (void)err; return -ENOSYS; }
WEAK int daemon_reload(struct daemon *d, char err[CFG_ERR_LEN])
{ (void)d; (void)err; return -ENOSYS; }
WEAK const struct vtep_config *daemon_config(const struct daemon *d)
{ (void)d; return NULL; }
WEAK size_t daemon_peers(const struct daemon *d, struct bgp_peer_info *out, size_t max)
{ (void)d; (void)out; (void)max; return 0; }
WEAK int daemon_rib_latency(const struct daemon *d, struct rib_latency *out)
{ (void)d; (void)out; return -ENOTSUP; }
WEAK int daemon_map_fd(const struct daemon *d, const char *map_name)
{ (void)d; (void)map_name; return -ENOENT; }

#undef WEAK
#endif
