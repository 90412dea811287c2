/* rtab.h - vtepd's side of the flat route table (include/vtep_maps.h
 * vtep_rtab, bpf/rtab.h): a copy of vtep_routes that the datapath reads in
 * one cache line per lookup.
 *
 * The rule the datapath relies on: every change of vtep_routes is followed
 * by rtab_put() or rtab_del() of that key before anything else counts on it
 * (and before the route cache's bump, rcache.h), and nothing else writes
 * vtep_routes while the table is on. mapsync, vtep_routes' only writer,
 * does both at every place it writes the map.
 */
#ifndef VTEP_RTAB_AGENT_H
#define VTEP_RTAB_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtep_maps.h"

struct rtab;

/* Lines for a vtep_routes of `routes` entries: at most three quarters of
 * the slots used when it is full. */
uint32_t rtab_lines(uint32_t routes);
/* The map's max_entries: the lines and the header. */
uint32_t rtab_entries(uint32_t routes);

/* The table over the pinned map fd (vtep_rtab, rtab_entries() elements),
 * rebuilt from routes_fd (vtep_routes) and turned on: the header's epoch
 * stays odd while it is rebuilt, so the datapath asks vtep_routes
 * meanwhile. Off (and left off) on CPUs that do not keep loads in order as
 * x86 does (bpf/rtab.h). The fds stay the caller's. */
int rtab_open(int fd, int routes_fd, struct rtab **out);
/* Unmaps; the table stays on for the programs, whole, as the last change
 * of vtep_routes left it. */
void rtab_close(struct rtab *t);

/* After vtep_routes took (or lost) key k: the same in the table. Any
 * thread (a mutex orders them). NULL t: nothing. Returns 0, or -ENOSPC
 * when no slot is free (never with vtep_routes' capacity: lines hold more
 * than it), which turns the table off rather than leave it without a route. */
int rtab_put(struct rtab *t, const struct vtep_route_key *k, const struct vtep_route *v);
int rtab_del(struct rtab *t, const struct vtep_route_key *k);

/* Starts loading k's home line into the cache: a batch of puts touches
 * lines scattered over the whole table, one cache miss each unless the
 * caller asks for the next keys' lines a few entries ahead. */
void rtab_prefetch(const struct rtab *t, const struct vtep_route_key *k);

bool rtab_enabled(const struct rtab *t);
/* Routes the table holds, and its lines (for logs and tests). */
size_t rtab_count(const struct rtab *t);
uint32_t rtab_nlines(const struct rtab *t);
/* The table's own answer for k, as bpf/rtab.h would give it with no writer
 * active: 1 and *v filled, or 0 (tests). */
int rtab_get(const struct rtab *t, const struct vtep_route_key *k, struct vtep_route *v);

#endif /* VTEP_RTAB_AGENT_H */
