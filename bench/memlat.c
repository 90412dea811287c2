/* memlat.c - the machine's own random-access memory latency, as a
 * reference beside the datapath's cost per packet (bench/progcost.sh): ns
 * per dependent load when the loads walk a random cycle through a table of
 * N entries of B bytes, pointer to pointer, so that no two overlap.
 *
 *   memlat [-n ENTRIES] [-b ENTRY_BYTES] [--pages 4k|2m] [--among TOTAL] [-C CPU] [-j]
 *
 * With N entries of the size of a vtep_routes element (96 bytes: the hash
 * table's element header, the key and the value, as the kernel's kmalloc
 * cache holds them), the table is as big as the route map's entries that
 * N active destinations touch, and one load is what one miss of the route
 * lookup costs at that working set: in the caches for a few thousand
 * entries, DRAM (and, with 4 KiB pages, a page walk) for a million.
 * --pages 4k (default) advises the kernel against huge pages (like a
 * vmalloc'ed map area); 2m asks for them (like the kernel's direct map,
 * where slab objects live). The cycle is built with Sattolo's algorithm (one
 * cycle through every entry), walked once to fault the pages in, then
 * timed over max(10 N, 4M) loads.
 *
 * --among TOTAL: the table has TOTAL entries and the cycle visits N of
 * them, chosen at random: N active destinations scattered among the TOTAL
 * routes loaded, as the kernel's hash map holds them (each element where
 * the allocator put it, each bucket where its hash falls). A dense table of
 * N entries fits the caches and the TLB where the scattered ones do not.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: plenty for a shuffle. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pages", 1, 0, 'p' }, { "json", 0, 0, 'j' }, { "among", 1, 0, 'a' }, { 0 },
	};
	size_t n = 1000000, b = 96, total = 0, i, len, steps;
	int c, cpu = -1, json = 0, huge = 0;
	uint32_t *perm;
	uint8_t *mem;
	void **p;
	double t0, t1;

	while ((c = getopt_long(argc, argv, "n:b:C:jp:a:", lo, NULL)) != -1) {
		switch (c) {
		case 'a': total = strtoul(optarg, NULL, 0); break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'b': b = strtoul(optarg, NULL, 0); break;
		case 'C': cpu = atoi(optarg); break;
		case 'j': json = 1; break;
		case 'p': huge = !strcmp(optarg, "2m"); break;
		default:
			fprintf(stderr, "usage: memlat [-n ENTRIES] [-b ENTRY_BYTES] [--pages 4k|2m] "
				"[--among TOTAL] [-C CPU] [-j]\n");
			return 2;
		}
	}
	if (n < 2 || b < sizeof(void *) || b % sizeof(void *) || (total && total < n) ||
	    (total ? total : n) > UINT32_MAX) {
		fprintf(stderr, "memlat: need 2 or more entries of a multiple of %zu bytes, "
			"--among at least -n and below 2^32\n", sizeof(void *));
		return 2;
	}
	if (!total)
		total = n;
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	len = total * b;
	mem = mmap(NULL, len + (2u << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	perm = malloc(total * sizeof(*perm));
	if (mem == MAP_FAILED || !perm) {
		fprintf(stderr, "memlat: %zu bytes: %s\n", len, strerror(errno));
		return 1;
	}
	if (huge)
		mem = (uint8_t *)(((uintptr_t)mem + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
	madvise(mem, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	/* The n entries visited: the first n of a random order of all total
	 * (all of them, in order, without --among). */
	for (i = 0; i < total; i++)
		perm[i] = (uint32_t)i;
	for (i = 0; total > n && i < n; i++) {
		size_t j = i + rng() % (total - i);
		uint32_t t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	/* Sattolo over those n: one cycle through all of them. */
	for (i = n - 1; i > 0; i--) {
		size_t j = rng() % i;
		uint32_t t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < n; i++)
		*(void **)(mem + (size_t)perm[i] * b) = mem + (size_t)perm[(i + 1) % n] * b;
	p = (void **)(mem + (size_t)perm[0] * b);
	free(perm);
	/* Once around to fault every page in, then the timed walk. */
	for (i = 0; i < n; i++)
		p = *p;
	steps = 10 * n > 4000000 ? 10 * n : 4000000;
	t0 = now_s();
	for (i = 0; i < steps; i++)
		p = *p;
	t1 = now_s();
	if (json)
		printf("{\"entries\":%zu,\"among\":%zu,\"entry_bytes\":%zu,\"table_bytes\":%zu,"
		       "\"pages\":\"%s\",\"loads\":%zu,\"ns_per_load\":%.1f,\"end\":%d}\n", n,
		       total, b, len, huge ? "2m" : "4k", steps, (t1 - t0) * 1e9 / (double)steps,
		       p == NULL);
	else
		printf("memlat: %zu entries of %zu bytes among %zu (%zu KiB, %s pages): %.1f ns per "
		       "dependent load%s\n", n, b, total, len >> 10, huge ? "2 MiB" : "4 KiB",
		       (t1 - t0) * 1e9 / (double)steps, p == NULL ? "!" : "");
	return 0;
}
