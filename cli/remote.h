/* remote.h - the commands that need vtepd: edits (routes/ports add/del,
 * reload) and live state (peers, bgp routes), over the control socket
 * (lib/ctlproto.h). */
#ifndef VTEPCTL_REMOTE_H
#define VTEPCTL_REMOTE_H

#include "cmdline.h"

/* Returns the exit status (3 when vtepd is not reachable). */
int remote_run(const struct cmdline *c);

#endif
