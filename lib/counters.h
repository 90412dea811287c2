/* counters.h - user space's view of the datapath counters (names, help,
 * summing the per-CPU copies). */
#ifndef VTEP_LIB_COUNTERS_H
#define VTEP_LIB_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include "vtep_maps.h"

struct counter_desc {
	const char *name;
	const char *help;
	size_t offset; /* within struct vtep_stats */
};

extern const struct counter_desc counter_descs[];
extern const size_t counter_count;

/* Sums the per-CPU values read from vtep_stats (ncpu copies) into out. */
void counters_sum(const struct vtep_stats *percpu, int ncpu, struct vtep_stats *out);
uint64_t counter_value(const struct vtep_stats *s, size_t i);

#endif
