/* hashmap.c - see hashmap.h. */
#include "hashmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HM_MIN_CAP 16

static size_t round_up8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* 64-bit multiply-xorshift over the key's bytes (keys are 4..16 bytes of
 * addresses and VNIs: a cheap mix is enough, but consecutive IPs must not
 * land in consecutive slots of one cluster). */
static uint32_t hm_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;

		memcpy(&w, p, len);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
		h ^= h >> 29;
	}
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 32;
	return (uint32_t)h | 1; /* 0 marks an empty slot */
}

static uint8_t *slot_at(const struct hashmap *m, size_t i)
{
	return m->slots + i * m->slot_size;
}

int hashmap_init(struct hashmap *m, size_t key_size, size_t val_size, size_t cap_hint)
{
	memset(m, 0, sizeof(*m));
	if (!key_size)
		return -EINVAL;
	m->key_size = key_size;
	m->val_size = val_size;
	m->val_off = round_up8(key_size);
	m->slot_size = round_up8(m->val_off + val_size);
	if (cap_hint) {
		size_t cap = HM_MIN_CAP;

		while (cap * 3 / 4 < cap_hint)
			cap <<= 1;
		m->hashes = calloc(cap, sizeof(*m->hashes));
		m->slots = malloc(cap * m->slot_size);
		if (!m->hashes || !m->slots) {
			hashmap_free(m);
			return -ENOMEM;
		}
		m->cap = cap;
	}
	return 0;
}

void hashmap_free(struct hashmap *m)
{
	free(m->hashes);
	free(m->slots);
	m->hashes = NULL;
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}

void hashmap_clear(struct hashmap *m)
{
	if (m->hashes)
		memset(m->hashes, 0, m->cap * sizeof(*m->hashes));
	m->count = 0;
}

/* Index of key's slot, or of the empty slot where it would go. */
static size_t hm_find(const struct hashmap *m, const void *key, uint32_t h, bool *found)
{
	size_t mask = m->cap - 1, i = h & mask;

	for (;;) {
		if (!m->hashes[i]) {
			*found = false;
			return i;
		}
		if (m->hashes[i] == h && !memcmp(slot_at(m, i), key, m->key_size)) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
}

static int hm_grow(struct hashmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : HM_MIN_CAP;
	uint32_t *nh = calloc(ncap, sizeof(*nh));
	uint8_t *ns = malloc(ncap * m->slot_size);
	size_t i;

	if (!nh || !ns) {
		free(nh);
		free(ns);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->hashes[i])
			continue;
		j = m->hashes[i] & (ncap - 1);
		while (nh[j])
			j = (j + 1) & (ncap - 1);
		nh[j] = m->hashes[i];
		memcpy(ns + j * m->slot_size, slot_at(m, i), m->slot_size);
	}
	free(m->hashes);
	free(m->slots);
	m->hashes = nh;
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

void *hashmap_get(const struct hashmap *m, const void *key)
{
	bool found;
	size_t i;

	if (!m->count)
		return NULL;
	i = hm_find(m, key, hm_hash(key, m->key_size), &found);
	return found ? slot_at(m, i) + m->val_off : NULL;
}

void *hashmap_put(struct hashmap *m, const void *key, const void *val, bool *created)
{
	uint32_t h = hm_hash(key, m->key_size);
	bool found;
	uint8_t *s;
	size_t i;

	if ((m->count + 1) * 4 > m->cap * 3 && hm_grow(m))
		return NULL;
	i = hm_find(m, key, h, &found);
	s = slot_at(m, i);
	if (!found) {
		m->hashes[i] = h;
		memcpy(s, key, m->key_size);
		if (!val)
			memset(s + m->val_off, 0, m->val_size);
		m->count++;
	}
	if (val)
		memcpy(s + m->val_off, val, m->val_size);
	if (created)
		*created = !found;
	return s + m->val_off;
}

int hashmap_del(struct hashmap *m, const void *key)
{
	size_t mask, i, j;
	bool found;

	if (!m->count)
		return -ENOENT;
	mask = m->cap - 1;
	i = hm_find(m, key, hm_hash(key, m->key_size), &found);
	if (!found)
		return -ENOENT;
	/* Backward shift: pull later members of the probe run into the hole
	 * unless their home slot lies cyclically in (hole, their slot]. */
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!m->hashes[j])
			break;
		home = m->hashes[j] & mask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->hashes[i] = m->hashes[j];
		memcpy(slot_at(m, i), slot_at(m, j), m->slot_size);
		i = j;
	}
	m->hashes[i] = 0;
	m->count--;
	return 0;
}

const void *hashmap_next(const struct hashmap *m, size_t *pos, void **val)
{
	while (*pos < m->cap) {
		size_t i = (*pos)++;

		if (m->hashes[i]) {
			if (val)
				*val = slot_at(m, i) + m->val_off;
			return slot_at(m, i);
		}
	}
	return NULL;
}
