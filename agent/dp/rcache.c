/* rcache.c - see rcache.h.
 *
 * The gen is 32 bits and wraps. An entry stored under gen g is stale once
 * gen moves on, but would look fresh again when gen comes back to g, 2^32
 * bumps later. So every set is emptied each time gen reaches a multiple of
 * 2^31 (and 1 after the wrap; 0 means off): an entry is never older than
 * one such flush by the time gen returns to its value. An entry the
 * datapath stores while a flush runs carries the gen just before it, half
 * a cycle away from the next flush, which empties it first.
 */
#include "rcache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loadorder.h"
#include "log.h"
#include "vtep_maps.h"

#define RCACHE_FLUSH_CHUNK 256  /* sets per batch update */

struct rcache {
	int ctl_fd, sets_fd;
	uint32_t sets;              /* per CPU */
	uint32_t slots;             /* the map's entries: sets * possible CPUs */
	uint32_t gen;               /* what ctl holds; 0: off */
	pthread_mutex_t mu;         /* the writer thread and the loop both bump */
};

uint32_t rcache_sets(uint32_t entries)
{
	return entries >= VTEP_RCACHE_WAYS ? entries / VTEP_RCACHE_WAYS : 1;
}

uint32_t rcache_slots(uint32_t entries)
{
	int ncpu = libbpf_num_possible_cpus();

	return ncpu > 0 ? rcache_sets(entries) * (uint32_t)ncpu : 0;
}

static int ctl_write(struct rcache *rc, uint32_t gen)
{
	struct vtep_rcache_ctl c = { .gen = gen, .mask = rc->sets - 1 };
	__u32 zero = 0;

	if (bpf_map_update_elem(rc->ctl_fd, &zero, &c, BPF_ANY))
		return -errno;
	/* Written under the mutex; vtepctl status reads it from any thread. */
	__atomic_store_n(&rc->gen, gen, __ATOMIC_RELAXED);
	return 0;
}

/* Every set of every CPU zeroed (gen 0 is no entry's). */
static int rcache_flush(struct rcache *rc)
{
	uint32_t chunk = rc->slots < RCACHE_FLUSH_CHUNK ? rc->slots : RCACHE_FLUSH_CHUNK;
	__u32 *keys = calloc(chunk, sizeof(*keys));
	void *vals = calloc(chunk, sizeof(struct vtep_rcache_set));
	int err = 0;

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < rc->slots && !err; i += chunk) {
		__u32 want = rc->slots - i < chunk ? rc->slots - i : chunk, n = want;

		for (__u32 k = 0; k < want; k++)
			keys[k] = i + k;
		if (!bpf_map_update_batch(rc->sets_fd, keys, vals, &n, NULL))
			continue;
		/* No batch ops for this map type here: one by one. */
		for (__u32 k = 0; k < want && !err; k++)
			if (bpf_map_update_elem(rc->sets_fd, &keys[k], vals, BPF_ANY))
				err = -errno;
	}
	free(keys);
	free(vals);
	return err;
}

/* The gen after g, flushing first where the wrap rule asks. */
static int rcache_advance(struct rcache *rc, uint32_t g)
{
	uint32_t next = g + 1;
	int err;

	if (next == 0)
		next = 1;
	if ((next & 0x7fffffffu) == 0 || next < g) {
		/* Off while the sets are emptied: nothing reads them. */
		err = ctl_write(rc, 0);
		err = err ?: rcache_flush(rc);
		if (err)
			return err;
	}
	return ctl_write(rc, next);
}

int rcache_open(int ctl_fd, int sets_fd, uint32_t entries, struct rcache **out)
{
	struct vtep_rcache_ctl c = {};
	struct rcache *rc;
	__u32 zero = 0;
	int err;

	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return -ENOMEM;
	rc->ctl_fd = ctl_fd;
	rc->sets_fd = sets_fd;
	rc->sets = rcache_sets(entries);
	rc->slots = rcache_slots(entries);
	pthread_mutex_init(&rc->mu, NULL);
	if (!rc->slots) {
		err = -EINVAL;
		goto fail;
	}
	if (entries && !dp_loads_in_order()) {
		log_info("route cache off: this CPU does not order loads as the datapath's "
			 "cache needs (x86 only)");
		entries = 0;
	}
	if (bpf_map_lookup_elem(ctl_fd, &zero, &c)) {
		err = -errno;
		goto fail;
	}
	if (!entries) {
		err = ctl_write(rc, 0);
	} else if (c.gen == 0) {
		/* Sets of unknown age (a new map, or an earlier vtepd ran
		 * with the cache off): empty before the first gen. */
		err = rcache_flush(rc);
		err = err ?: ctl_write(rc, 1);
	} else {
		err = rcache_advance(rc, c.gen);
	}
	if (err)
		goto fail;
	*out = rc;
	return 0;
fail:
	pthread_mutex_destroy(&rc->mu);
	free(rc);
	return err;
}

void rcache_close(struct rcache *rc)
{
	if (!rc)
		return;
	pthread_mutex_destroy(&rc->mu);
	free(rc);
}

int rcache_bump(struct rcache *rc)
{
	int err;

	if (!rc)
		return 0;
	pthread_mutex_lock(&rc->mu);
	if (!rc->gen) {
		pthread_mutex_unlock(&rc->mu);
		return 0;
	}
	err = rcache_advance(rc, rc->gen);
	if (err) {
		/* A cache that might be stale is worse than none. */
		log_err("route cache: cannot advance its generation (%s); cache off",
			  strerror(-err));
		if (ctl_write(rc, 0))
			log_err("route cache: cannot turn it off either: %s", strerror(errno));
	}
	pthread_mutex_unlock(&rc->mu);
	return err;
}

bool rcache_enabled(const struct rcache *rc)
{
	return rc && __atomic_load_n(&rc->gen, __ATOMIC_RELAXED);
}

uint32_t rcache_gen(const struct rcache *rc)
{
	return rc ? __atomic_load_n(&rc->gen, __ATOMIC_RELAXED) : 0;
}
