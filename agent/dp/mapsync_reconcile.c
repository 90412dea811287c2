/* mapsync_reconcile.c - making the maps equal to the intent after a
 * (re)start: scans every map for our stale leftovers (mapsync_reconcile),
 * and the BGP side's restart adoption of an earlier vtepd's BGP entries
 * (mapsync_bgp_adopt).
 */
#include "mapsync_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>

#include "log.h"
#include "mapscan.h"

/* ---- reconcile --------------------------------------------------------------- */

/* Calls fn on every entry of map m (mapscan.h: batched lookups when the map
 * supports them, get_next_key otherwise). */
typedef int (*ms_scan_fn)(struct mapsync *ms, enum ms_map m, const void *k, const void *v,
			  void *arg);

struct ms_scan_ctx {
	struct mapsync *ms;
	enum ms_map m;
	ms_scan_fn fn;
	void *arg;
};

static int ms_scan_chunk(const void *keys, const void *vals, size_t n, void *arg)
{
	const struct ms_scan_ctx *c = arg;
	const struct ms_desc *d = &ms_descs[c->m];
	size_t i;
	int err;

	for (i = 0; i < n; i++)
		if ((err = c->fn(c->ms, c->m, (const uint8_t *)keys + i * d->key_size,
				 (const uint8_t *)vals + i * d->val_size, c->arg)))
			return err;
	return 0;
}

static int ms_scan(struct mapsync *ms, enum ms_map m, ms_scan_fn fn, void *arg)
{
	struct ms_scan_ctx c = { .ms = ms, .m = m, .fn = fn, .arg = arg };

	return mapscan(ms->fd[m], ms_descs[m].key_size, ms_descs[m].val_size, ms_scan_chunk, &c);
}

/* Keys found in a map during reconcile that are ours and not desired. */
struct ms_stale {
	uint8_t *keys;
	size_t n, cap;
};

/* One entry of the map as it is: already right (drop it from the dirty set:
 * a restart with nothing changed writes nothing), stale (remember it), or
 * someone else's (leave it). */
static int ms_scan_entry(struct mapsync *ms, enum ms_map m, const void *k, const void *v,
			 void *arg)
{
	const struct ms_desc *d = &ms_descs[m];
	struct ms_stale *st = arg;
	uint8_t want[MS_MAX_ENTRY];
	const uint32_t *ix;

	if (ms_is_bgp(m, v))
		ms->bgp_found++;
	ix = hashmap_get(&ms->dirty[m], k);

	if (ix) {
		uint8_t *flags = ms_dq_flags(&ms->dq[m], *ix);

		if (!(*flags & MS_DIRTY_BGP) && ms_want(ms, m, k, NULL, want) &&
		    !memcmp(want, v, d->val_size)) {
			*flags |= MS_DIRTY_DROPPED;
			hashmap_del(&ms->dirty[m], k);
		}
		return 0;
	}
	if (!ms_ours(ms, m, v, false))
		return 0;
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 1024;
		uint8_t *nk = realloc(st->keys, cap * d->key_size);

		if (!nk)
			return -ENOMEM;
		st->keys = nk;
		st->cap = cap;
	}
	memcpy(st->keys + st->n++ * d->key_size, k, d->key_size);
	return 0;
}

int mapsync_reconcile(struct mapsync *ms)
{
	struct ms_stale stale[MS_NMAPS];
	size_t pos;
	const void *k;
	void *v;
	int m, err, e;

	/* 0. The maps as the writer thread leaves them. */
	err = ms_writer_drain(ms);
	if (err)
		log_warn("mapsync: a write before the reconcile failed: %s", strerror(-err));
	/* 1. Every key the intent names is a candidate for writing. */
	pos = 0;
	while ((k = hashmap_next(&ms->vnis, &pos, NULL)))
		if ((err = ms_dirty(ms, MS_VNIS, k)))
			return err;
	pos = 0;
	while ((k = hashmap_next(&ms->ports, &pos, &v)))
		if ((err = ms_dirty_port(ms, *(const uint32_t *)k, v)))
			return err;
	pos = 0;
	while ((k = hashmap_next(&ms->statics, &pos, &v)))
		if ((err = ms_dirty_static(ms, k, v)))
			return err;
	if ((err = ms6_dirty_statics(ms)))
		return err;
	/* 2. Read each map once: entries already right need no write, ours
	 * that the intent does not name are stale. */
	memset(stale, 0, sizeof(stale));
	err = 0;
	ms->bgp_found = 0;
	for (m = 0; m < MS_NMAPS && !err; m++) {
		if (ms->fd[m] < 0)
			continue;
		err = ms_scan(ms, m, ms_scan_entry, &stale[m]);
		if (err)
			log_err("%s: cannot read the map: %s", ms_descs[m].name, strerror(-err));
	}
	ms->bgp_scanned = !err;
	/* 3. Write what differs, then drop the stale entries in the reverse
	 * of the write order (see ms_order). */
	if (!err)
		err = mapsync_flush(ms);
	for (m = MS_NMAPS - 1; m >= 0; m--) {
		enum ms_map mm = ms_order[m];

		if (stale[mm].n && ms->fd[mm] >= 0) {
			e = ms_delete(ms, mm, stale[mm].keys, stale[mm].n);
			log_debug("%s: %zu stale entries deleted", ms_descs[mm].name, stale[mm].n);
			if (!err)
				err = e;
		}
		free(stale[mm].keys);
	}
	return err;
}

/* ---- adoption of BGP entries ------------------------------------------------- */

static int ms_adopt_entry(struct mapsync *ms, enum ms_map m, const void *k, const void *v,
			  void *arg)
{
	uint8_t want[MS_MAX_ENTRY];

	(void)arg;
	if (!ms_is_bgp(m, v))
		return 0;
	if (ms_want(ms, m, k, NULL, want) && !memcmp(want, v, ms_descs[m].val_size))
		return 0;
	return ms_dirty_bgp(ms, m, k);
}

int mapsync_bgp_adopt(struct mapsync *ms)
{
	static const enum ms_map maps[] = { MS_ROUTES, MS_FDB, MS_PREFIXES, MS_ROUTES6,
					    MS_PREFIXES6, MS_REMOTES };
	size_t i;
	int err;

	/* What the BGP side already asked for goes out first: with a full
	 * table the scan below reads millions of entries, and End-of-RIB
	 * (which brings us here) often arrives with the table's last routes. */
	err = mapsync_flush(ms);
	/* A start whose reconcile found no BGP entry (no earlier vtepd's):
	 * every BGP entry in the maps now is one the BGP side wrote. */
	if (!err && ms->bgp_scanned && ms->bgp_found == 0) {
		ms->bgp_adopted = true;
		return 0;
	}
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]) && !err; i++) {
		if (ms->fd[maps[i]] < 0)
			continue;
		err = ms_scan(ms, maps[i], ms_adopt_entry, NULL);
		if (err)
			log_err("%s: cannot read the map: %s", ms_descs[maps[i]].name,
				strerror(-err));
	}
	if (err)
		return err;
	ms->bgp_adopted = true;
	return mapsync_flush(ms);
}

bool mapsync_bgp_adopted(const struct mapsync *ms)
{
	return ms->bgp_adopted;
}
