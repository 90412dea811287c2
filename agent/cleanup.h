/* cleanup.h - `vtepd --cleanup -c FILE`: undo everything a vtepd with this
 * config left in the kernel. Detaches our programs (XDP and our TC filter on
 * the uplinks, our TC filter on every port: the config's, the state file's
 * and whatever the pinned vtep_ports map names), deletes our host routes and
 * neighbour entries, and removes the pinned maps and the pin directory.
 * Refuses while a vtepd answers on the control socket.
 */
#ifndef VTEP_CLEANUP_H
#define VTEP_CLEANUP_H

#include "config.h"

/* Returns 0, -EBUSY (vtepd is running) or the first -errno met (the rest
 * is still attempted). */
int cleanup_run(const struct vtep_config *cfg);

#endif /* VTEP_CLEANUP_H */
