/* rcache.h - vtepd's side of the datapath's route cache (bpf/rcache.h):
 * its size, its control word, and the generation that makes every cached
 * copy of a route stale once vtep_routes changes.
 *
 * The rule the datapath relies on: after any write or deletion in
 * vtep_routes, rcache_bump() before anything else counts on the change.
 * mapsync (the only writer of vtep_routes) calls it after each job, each
 * deletion and each pending-route install that touched the map.
 */
#ifndef VTEP_RCACHE_AGENT_H
#define VTEP_RCACHE_AGENT_H

#include <stdbool.h>
#include <stdint.h>

struct rcache;

/* Entries per CPU -> sets per CPU (1 when off: a map must have one). */
uint32_t rcache_sets(uint32_t entries);
/* vtep_rcache's max_entries: sets per CPU times the possible CPUs (0 when
 * the CPUs cannot be counted). */
uint32_t rcache_slots(uint32_t entries);

/* The cache over the pinned maps ctl_fd (vtep_rcache_ctl) and sets_fd
 * (vtep_rcache), with `entries` per CPU (0: off). Turns it on with a gen
 * no entry of an earlier vtepd can hold: the pinned gen + 1, or, when the
 * pins do not say (gen 0), after emptying every set. Off on CPUs that do
 * not order loads as x86 does (bpf/rcache.h). The fds stay the caller's. */
int rcache_open(int ctl_fd, int sets_fd, uint32_t entries, struct rcache **out);
void rcache_close(struct rcache *rc);

/* vtep_routes changed: every cached copy is stale from now. Any thread.
 * A failure turns the cache off (gen 0), never leaves it on stale. */
int rcache_bump(struct rcache *rc);

bool rcache_enabled(const struct rcache *rc);
uint32_t rcache_gen(const struct rcache *rc);

#endif /* VTEP_RCACHE_AGENT_H */
