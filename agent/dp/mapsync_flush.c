/* mapsync_flush.c - the writer: resolves the dirty keys of every map and
 * writes or deletes them in batched syscalls, in an order that keeps every
 * reachable entry's targets present (ms_order).
 */
#include "mapsync_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>

#include "log.h"

/* Below this many changes one syscall per entry is as cheap as a batch. */
#define MS_FEW   4
/* Slots a dirty set may keep between flushes (hashmap_clear keeps them). */
#define MS_DIRTY_KEEP 16384
#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's internal "not supported", seen by user space */
#endif

/* ---- writer ---------------------------------------------------------------- */

bool ms_batch_unsupported(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUPP || err == -ENOSYS;
}

static int ms_note_err(struct mapsync_stats *st, enum ms_map m, const void *key,
		       const char *what, int err, int first)
{
	char kb[MS_MAX_ENTRY];

	st->errors++;
	log_warn("%s: cannot %s %s: %s", ms_descs[m].name, what,
		 ms_fmt_key(m, key, kb, sizeof(kb)), strerror(-err));
	return first ? first : err;
}

/* Writes n entries: batches of MS_CHUNK when more than a few change, one
 * syscall each otherwise or when the map type has no batch support. Counts
 * into *st: each thread of a parallel write has its own. Of the shared
 * state it reads fd[m] and may clear batch_ok[m], which a parallel write
 * never meets: it starts only when batch_ok[m] holds, on hash maps, whose
 * batch operations every supported kernel has. */
static int ms_write(struct mapsync *ms, enum ms_map m, const uint8_t *keys, const uint8_t *vals,
		    size_t n, struct mapsync_stats *st)
{
	size_t ks = ms_descs[m].key_size, vs = ms_descs[m].val_size, i = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	int fd = ms->fd[m], first = 0, err;

	while (i < n) {
		if (n - i > MS_FEW && ms->batch_ok[m]) {
			__u32 cnt = n - i > MS_CHUNK ? MS_CHUNK : n - i;

			int berr;

			berr = bpf_map_update_batch(fd, keys + i * ks, vals + i * vs, &cnt, &opts);
			st->batches++;
			if (cnt > n - i)
				cnt = 0; /* never trust a count we did not get */
			st->updates += cnt;
			i += cnt;
			if (!berr)
				continue;
			/* Entry i failed (or batching is unsupported): redo it alone. */
			err = bpf_map_update_elem(fd, keys + i * ks, vals + i * vs, BPF_ANY);
			if (!err && cnt == 0 && ms_batch_unsupported(berr))
				ms->batch_ok[m] = false;
		} else {
			err = bpf_map_update_elem(fd, keys + i * ks, vals + i * vs, BPF_ANY);
		}
		if (err)
			first = ms_note_err(st, m, keys + i * ks, "write", err, first);
		else
			st->updates++;
		i++;
	}
	return first;
}

int ms_delete(struct mapsync *ms, enum ms_map m, const uint8_t *keys, size_t n)
{
	size_t ks = ms_descs[m].key_size, i = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = ms->fd[m], first = 0, err;

	while (i < n) {
		if (n - i > MS_FEW && ms->batch_ok[m]) {
			__u32 cnt = n - i > MS_CHUNK ? MS_CHUNK : n - i;

			int berr;

			berr = bpf_map_delete_batch(fd, keys + i * ks, &cnt, &opts);
			ms->stats.batches++;
			if (cnt > n - i)
				cnt = 0;
			ms->stats.deletes += cnt;
			i += cnt;
			if (!berr)
				continue;
			/* Entry i failed: redo it alone (ENOENT is fine: gone already). */
			err = bpf_map_delete_elem(fd, keys + i * ks);
			if (cnt == 0 && (!err || err == -ENOENT) && ms_batch_unsupported(berr))
				ms->batch_ok[m] = false;
		} else {
			err = bpf_map_delete_elem(fd, keys + i * ks);
		}
		if (err && err != -ENOENT)
			first = ms_note_err(&ms->stats, m, keys + i * ks, "delete", err, first);
		else if (!err)
			ms->stats.deletes++;
		i++;
	}
	return first;
}

/* One map's resolved dirty keys: the entries to write, the keys to delete. */
struct ms_res {
	uint8_t *ukeys, *uvals;
	size_t nu;
	uint8_t *dkeys;
	size_t nd;
};

/* Resolves every dirty key of map m, in the order the keys were marked,
 * into r (the entries to write; those to delete: ours, no longer desired),
 * and empties the dirty set. Reads the intent and map m only, so every map
 * can be resolved before any is written. */
static int ms_resolve_map(struct mapsync *ms, enum ms_map m, struct ms_res *r)
{
	const struct ms_desc *d = &ms_descs[m];
	struct ms_dq *q = &ms->dq[m];
	size_t n = q->n, i;
	uint8_t cur[MS_MAX_ENTRY];
	int err = 0;

	memset(r, 0, sizeof(*r));
	if (!n)
		return 0;
	r->ukeys = malloc(n * d->key_size);
	r->uvals = malloc(n * d->val_size);
	r->dkeys = malloc(n * d->key_size);
	if (!r->ukeys || !r->uvals || !r->dkeys) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *key = ms_dq_key(q, i);
		uint8_t *flags = ms_dq_flags(q, i);
		uint8_t *v = r->uvals + r->nu * d->val_size;
		bool touched = *flags & MS_DIRTY_BGP;

		if (*flags & MS_DIRTY_DROPPED)
			continue;
		if (ms_want(ms, m, key, ms_dirty_size(m) > 1 ?
			    (const struct ms_dirty *)(const void *)flags : NULL, v)) {
			/* Before the BGP side adopts the maps, a remote that an
			 * earlier vtepd's BGP routes named keeps that claim. */
			if (m == MS_REMOTES && !ms->bgp_adopted && !touched &&
			    !bpf_map_lookup_elem(ms->fd[m], key, cur))
				((struct vtep_remote *)v)->sources |=
					((struct vtep_remote *)cur)->sources & (1u << VTEP_SRC_BGP);
			memcpy(r->ukeys + r->nu++ * d->key_size, key, d->key_size);
		} else if (d->src_off == MS_OWNED_ALL || ms->bgp_adopted || touched ||
			   (!bpf_map_lookup_elem(ms->fd[m], key, cur) && ms_ours(ms, m, cur, false))) {
			/* Every source is ours once BGP is adopted, and a key
			 * BGP touched holds BGP's entry or one of ours: delete
			 * without looking. Otherwise spare an earlier run's BGP
			 * entries. */
			memcpy(r->dkeys + r->nd++ * d->key_size, key, d->key_size);
		}
	}
	log_debug("%s: %zu to write, %zu to delete", d->name, r->nu, r->nd);
out:
	/* A big burst (a full table, a reconcile) grew the dirty set: give the
	 * memory back, or every later flush would clear its empty slots (a
	 * 1M-key set costs milliseconds per flush; MAC moves need less). */
	if (ms->dirty[m].cap > MS_DIRTY_KEEP) {
		hashmap_free(&ms->dirty[m]);
		free(q->buf);
		q->buf = NULL;
		q->cap = 0;
	} else {
		hashmap_clear(&ms->dirty[m]);
	}
	q->n = 0;
	return err;
}

static void ms_res_free(struct ms_res *r)
{
	free(r->ukeys);
	free(r->uvals);
	free(r->dkeys);
}

/* Writes go in this order and deletions in the reverse one, so that at
 * every instant what the datapath can reach exists: a remote VTEP is
 * accepted before routes send to it, a port's entry exists before a route
 * names its ifindex, and routes go before what they name. */
const enum ms_map ms_order[MS_NMAPS] = {
	MS_VNIS, MS_REMOTES, MS_PORTS, MS_FDB, MS_PREFIXES, MS_ROUTES, MS_PREFIXES6, MS_ROUTES6,
};

/* ms_write of one map's resolved entries, in arrival order, so that the
 * last key marked is the last one written. (Splitting big writes over two
 * threads was tried in session 2: no measurable gain on 2 busy vCPUs, so it
 * was left out; the kernel's per-entry insert for BPF_F_NO_PREALLOC maps is
 * most of the cost.) */
static int ms_write_res(struct mapsync *ms, enum ms_map m, const struct ms_res *r)
{
	return ms_write(ms, m, r->ukeys, r->uvals, r->nu, &ms->stats);
}

int mapsync_flush(struct mapsync *ms)
{
	struct ms_res res[MS_NMAPS];
	int i, err = 0, e;

	for (i = 0; i < MS_NMAPS; i++) {
		e = ms_resolve_map(ms, ms_order[i], &res[i]);
		if (!err)
			err = e;
	}
	for (i = 0; i < MS_NMAPS; i++) {
		e = ms_write_res(ms, ms_order[i], &res[i]);
		if (!err)
			err = e;
	}
	for (i = MS_NMAPS - 1; i >= 0; i--) {
		e = ms_delete(ms, ms_order[i], res[i].dkeys, res[i].nd);
		if (!err)
			err = e;
		ms_res_free(&res[i]);
	}
	if (ms->bgp.flushed)
		ms->bgp.flushed(ms->bgp.ctx);
	return err;
}
