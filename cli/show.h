/* show.h - the map dumps (routes, ports, neigh, fdb, vnis, stats): read
 * straight from the pins under -b, so they work while vtepd is down. */
#ifndef VTEPCTL_SHOW_H
#define VTEPCTL_SHOW_H

#include "cmdline.h"

/* Returns the exit status. */
int show_maps(const struct cmdline *c);

#endif
