/* hashmap.h - a small open-addressing hash table of fixed-size keys and
 * values, for vtepd's in-memory desired state (1M routes must stay O(1) per
 * add/delete and cost tens of bytes each, not a malloc per entry).
 *
 * Linear probing with backward-shift deletion (no tombstones, so a table that
 * sees endless add/delete churn never degrades). Keys are compared with
 * memcmp: callers zero any padding in their key structs. The table doubles
 * when it is 3/4 full. Pointers returned by hashmap_get/hashmap_put stay
 * valid only until the next put or del.
 *
 * Iteration (hashmap_next) must not be mixed with put/del on the same table:
 * collect the keys first, then change the table.
 */
#ifndef VTEP_HASHMAP_H
#define VTEP_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hashmap {
	size_t    key_size;
	size_t    val_size;
	size_t    val_off;    /* offset of the value inside a slot */
	size_t    slot_size;
	size_t    cap;        /* number of slots, a power of two (0 before first put) */
	size_t    count;
	uint32_t *hashes;     /* per slot: 0 = empty, else the key's hash | 1 */
	uint8_t  *slots;
};

/* Returns 0 or -EINVAL (key_size 0). cap_hint pre-sizes the table for that
 * many entries (0 = grow on demand). */
int hashmap_init(struct hashmap *m, size_t key_size, size_t val_size, size_t cap_hint);
void hashmap_free(struct hashmap *m);
void hashmap_clear(struct hashmap *m);

static inline size_t hashmap_count(const struct hashmap *m)
{
	return m->count;
}

/* The value stored for key (a non-NULL pointer even when val_size is 0), or
 * NULL when absent. */
void *hashmap_get(const struct hashmap *m, const void *key);
/* Inserts or replaces. val may be NULL (value zeroed on insert, kept on
 * replace). Returns the stored value's address, or NULL when out of memory.
 * *created (may be NULL) tells whether the key is new. */
void *hashmap_put(struct hashmap *m, const void *key, const void *val, bool *created);
/* Returns 0, or -ENOENT when the key is absent. */
int hashmap_del(struct hashmap *m, const void *key);

/* Iterates: start with *pos = 0; returns the next key (its value in *val when
 * val is not NULL) or NULL at the end. */
const void *hashmap_next(const struct hashmap *m, size_t *pos, void **val);

#endif /* VTEP_HASHMAP_H */
