/* stats.h - counting verdicts.
 *
 * STAT_INC(name) bumps the named field of this CPU's struct vtep_stats; the
 * map is per-CPU, so a plain increment is race free. Drop reasons are not
 * counted with it: a drop is returned as DROP(reason) and counted at the
 * program's one exit (drop.h); STAT_INC(drop_...) does not compile.
 */
#ifndef VTEP_STATS_H
#define VTEP_STATS_H

#include "maps.bpf.h"

static __always_inline struct vtep_stats *stats_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vtep_stats, &zero);
}

#define STAT_INC(name)                                                  \
	do {                                                            \
		_Static_assert(__builtin_strncmp(#name, "drop_", 5) != 0, \
			       #name ": return DROP(reason) (drop.h)"); \
		struct vtep_stats *__s = stats_get();                   \
		if (__s)                                                \
			__s->name++;                                    \
	} while (0)

#endif /* VTEP_STATS_H */
