/* stats.h - counting verdicts and drop reasons.
 *
 * STAT_INC(name) bumps the named field of this CPU's struct vtep_stats; the
 * map is per-CPU, so a plain increment is race free.
 */
#ifndef VTEP_STATS_H
#define VTEP_STATS_H

#include "maps.bpf.h"

static __always_inline struct vtep_stats *stats_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vtep_stats, &zero);
}

#define STAT_INC(name)                                   \
	do {                                             \
		struct vtep_stats *__s = stats_get();    \
		if (__s)                                 \
			__s->name++;                     \
	} while (0)

#endif /* VTEP_STATS_H */
