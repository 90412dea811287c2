/* ratemap.h - vtep_port_rates (include/vtep_maps.h): the egress limits of
 * ports, one bucket per host-side ifindex, which the port program polices
 * with (bpf/police.h). ports.c keeps it in step with the ports: an entry
 * while a port with a limit is attached, none otherwise.
 * Every function returns 0 or -errno.
 */
#ifndef VTEP_RATEMAP_H
#define VTEP_RATEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vtep_maps.h"

/* ifindex polices at rate bits/s with a bucket of burst_bits (0: the
 * default; lib/portrate.h turns it into bytes). An entry already holding
 * the same rate and bucket is left alone, so a vtepd restart does not
 * refill a bucket the pod has emptied; anything else is written full. */
int ratemap_set(int fd, int ifindex, uint64_t rate, uint64_t burst_bits);
/* No limit on ifindex (0 when there was none). */
int ratemap_del(int fd, int ifindex);

/* Deletes every entry keep() refuses (ports gone while vtepd was down:
 * an ifindex may come back as another interface). *removed counts them. */
typedef bool (*ratemap_keep_fn)(void *ctx, int ifindex);
int ratemap_prune(int fd, ratemap_keep_fn keep, void *ctx, size_t *removed);

#endif /* VTEP_RATEMAP_H */
