/* metrics_priv.h - the metrics module's insides, shared by metrics.c (the
 * server and the families it renders itself) and metrics_status.c, which
 * metrics.c calls (never the other way: metrics_family is inline here).
 * Nothing outside ctl/ includes this. */
#ifndef VTEP_METRICS_PRIV_H
#define VTEP_METRICS_PRIV_H

#include <stdio.h>
#include "metrics.h"

/* HELP and TYPE lines of one family. */
static inline void metrics_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* vtepd_datapath_feature{feature} and vtepd_uplink_mode{ifname,mode}. */
void metrics_render_status(FILE *f, struct daemon *d, const struct metrics_ops *ops);

#endif /* VTEP_METRICS_PRIV_H */
