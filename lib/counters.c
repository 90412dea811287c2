/* counters.c - see counters.h. */
#include "counters.h"

#include <string.h>

#define COUNTER_DESC(n, h) { #n, h, offsetof(struct vtep_stats, n) },
const struct counter_desc counter_descs[] = { VTEP_COUNTERS(COUNTER_DESC) };
#undef COUNTER_DESC
const size_t counter_count = sizeof(counter_descs) / sizeof(counter_descs[0]);

uint64_t counter_value(const struct vtep_stats *s, size_t i)
{
	uint64_t v;

	memcpy(&v, (const char *)s + counter_descs[i].offset, sizeof(v));
	return v;
}

void counters_sum(const struct vtep_stats *percpu, int ncpu, struct vtep_stats *out)
{
	const uint64_t *in;
	uint64_t *o = (uint64_t *)out;
	size_t n = sizeof(*out) / sizeof(uint64_t);

	memset(out, 0, sizeof(*out));
	for (int c = 0; c < ncpu; c++) {
		in = (const uint64_t *)&percpu[c];
		for (size_t i = 0; i < n; i++)
			o[i] += in[i];
	}
}
