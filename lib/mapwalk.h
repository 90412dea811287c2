/* mapwalk.h - streaming every entry of a BPF map in bounded chunks.
 *
 * For readers that aggregate or copy rather than keep a whole dump (the
 * /metrics route tally, map migration): memory stays one chunk whatever the
 * map holds. Hash and array maps are read with BPF_MAP_LOOKUP_BATCH; maps
 * without batch operations (the LPM trie) with BPF_MAP_GET_NEXT_KEY + lookup,
 * capped at the map's capacity so a map that changes underneath can not
 * loop forever. Entries added or deleted meanwhile may or may not be seen.
 */
#ifndef VTEP_MAPWALK_H
#define VTEP_MAPWALK_H

#include <stddef.h>

/* Called with n entries: keys (n * key_size bytes) and values (n *
 * value_size bytes, per-CPU maps: value_size is the whole per-CPU value,
 * mapwalk_value_size()). Return 0 to go on, anything else stops the walk
 * and is returned by mapwalk(). */
typedef int (*mapwalk_fn)(void *ctx, const void *keys, const void *values, size_t n);

/* Returns 0 or -errno (or fn's non-zero result). key_size/value_size must
 * be the map's (-EPROTO otherwise, from the kernel's map info). */
int mapwalk(int fd, size_t key_size, size_t value_size, mapwalk_fn fn, void *ctx);

/* Bytes one lookup returns for a map of this type and value size:
 * round_up(value_size, 8) per possible CPU for per-CPU maps. Returns 0 when
 * the CPU count is unknown. */
size_t mapwalk_value_size(unsigned int map_type, size_t value_size);

#endif /* VTEP_MAPWALK_H */
