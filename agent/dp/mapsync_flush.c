/* mapsync_flush.c - the writer: resolves the dirty keys of every map into a
 * job, runs its batched syscalls in an order that keeps every reachable
 * entry's targets present (ms_order), and applies the results: errors,
 * entries a full map refused (mapsync_pending.c), the BGP side's hooks.
 * A job runs here (mapsync_flush) or on the writer thread
 * (mapsync_flush_async, mapsync_writer.c); resolving and applying results
 * always happen on the loop's thread.
 */
#include "mapsync_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>

#include "log.h"
#include "mapscan.h"

/* Below this many changes one syscall per entry is as cheap as a batch. */
#define MS_FEW   4
/* Slots a dirty set may keep between flushes (hashmap_clear keeps them). */
#define MS_DIRTY_KEEP 16384
/* Fewer dirty keys than this are written at once by mapsync_flush_async
 * too: handing them to the writer thread would cost more than the writes. */
#ifndef MS_ASYNC_MIN
#define MS_ASYNC_MIN 2048
#endif
/* While the writer is busy, changes gather for its next job up to this
 * many keys; then the loop waits for it. Bounded, the dirty set stays in
 * the cache (a key's dirty entry is a random access into it). */
#define MS_ASYNC_MAX 16384

/* ---- running a job (any thread) ---------------------------------------------- */

bool ms_batch_unsupported(int err)
{
	return mapscan_batch_unsupported(err);
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

/* Records that entry i of r (an update when i < nu, else deletion i - nu)
 * was refused with err. Out of memory here loses only the report. */
static void res_fail(struct ms_res *r, size_t i, int err)
{
	if (r->nfail == r->fail_cap) {
		size_t cap = r->fail_cap ? r->fail_cap * 2 : 16;
		uint32_t *f = realloc(r->fail, cap * sizeof(*f));
		int *e = f ? realloc(r->fail_err, cap * sizeof(*e)) : NULL;

		if (f)
			r->fail = f;
		if (!f || !e)
			return;
		r->fail_err = e;
		r->fail_cap = cap;
	}
	r->fail[r->nfail] = (uint32_t)i;
	r->fail_err[r->nfail++] = err;
}

/* Writes r's entries: batches of MS_CHUNK when more than a few change, one
 * syscall each otherwise or when the map type has no batch support. A
 * refused entry is recorded and the batch goes on after it: a full map
 * (E2BIG) still takes updates of the keys it holds. */
static void run_write(int fd, enum ms_map m, struct ms_res *r, struct mapsync_stats *st)
{
	size_t ks = ms_descs[m].key_size, vs = ms_descs[m].val_size, i = 0, n = r->nu;
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	const uint8_t *keys = r->ukeys, *vals = r->uvals;
	int err;

	while (i < n) {
		if (n - i > MS_FEW && r->batch_ok) {
			__u32 cnt = n - i > MS_CHUNK ? MS_CHUNK : n - i;
			int berr;

			berr = bpf_map_update_batch(fd, keys + i * ks, vals + i * vs, &cnt, &opts);
			st->batches++;
			if (cnt > n - i)
				cnt = 0; /* never trust a count we did not get */
			st->updates += cnt;
			ms_mirror(r->rt, m, keys + i * ks, vals + i * vs, cnt);
			i += cnt;
			if (!berr)
				continue;
			if (i >= n)
				break;
			/* The batch stopped at entry i with that entry's own
			 * error, unless batching itself is refused: then it is
			 * redone alone to tell which. */
			err = berr;
			if (ms_batch_unsupported(berr)) {
				err = bpf_map_update_elem(fd, keys + i * ks, vals + i * vs, BPF_ANY);
				if (!err && cnt == 0)
					r->batch_ok = false;
			}
		} else {
			err = bpf_map_update_elem(fd, keys + i * ks, vals + i * vs, BPF_ANY);
		}
		if (err) {
			res_fail(r, i, err);
		} else {
			st->updates++;
			ms_mirror(r->rt, m, keys + i * ks, vals + i * vs, 1);
		}
		i++;
	}
}

static void run_delete(int fd, enum ms_map m, struct ms_res *r, struct mapsync_stats *st)
{
	size_t ks = ms_descs[m].key_size, i = 0, n = r->nd;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	const uint8_t *keys = r->dkeys;
	int err;

	while (i < n) {
		if (n - i > MS_FEW && r->batch_ok) {
			__u32 cnt = n - i > MS_CHUNK ? MS_CHUNK : n - i;
			int berr;

			berr = bpf_map_delete_batch(fd, keys + i * ks, &cnt, &opts);
			st->batches++;
			if (cnt > n - i)
				cnt = 0;
			st->deletes += cnt;
			r->deleted += cnt;
			ms_mirror(r->rt, m, keys + i * ks, NULL, cnt);
			i += cnt;
			if (!berr)
				continue;
			if (i >= n)
				break;
			/* Entry i failed: redo it alone (ENOENT is fine: gone already). */
			err = bpf_map_delete_elem(fd, keys + i * ks);
			if (cnt == 0 && (!err || err == -ENOENT) && ms_batch_unsupported(berr))
				r->batch_ok = false;
		} else {
			err = bpf_map_delete_elem(fd, keys + i * ks);
		}
		if (err && err != -ENOENT) {
			res_fail(r, r->nu + i, err);
		} else {
			ms_mirror(r->rt, m, keys + i * ks, NULL, 1);
			if (!err) {
				st->deletes++;
				r->deleted++;
			}
		}
		i++;
	}
}

int ms_delete(struct mapsync *ms, enum ms_map m, const uint8_t *keys, size_t n)
{
	struct ms_res r;
	size_t i;
	int first = 0;

	memset(&r, 0, sizeof(r));
	r.dkeys = (uint8_t *)keys;
	r.nd = n;
	r.batch_ok = ms->batch_ok[m];
	r.rt = ms->rt;
	run_delete(ms->fd[m], m, &r, &ms->stats);
	ms->batch_ok[m] = r.batch_ok;
	if (n)
		ms_changed(ms->rc, m);
	for (i = 0; i < r.nfail; i++)
		first = ms_note_err(&ms->stats, m, keys + (r.fail[i] - r.nu) * ms_descs[m].key_size,
				    "delete", r.fail_err[i], first);
	if (r.deleted && ms_has_pending(m) && ms->pend[m].count) {
		ms->pend[m].retry = true;
		ms->pend[m].room += r.deleted;
	}
	free(r.fail);
	free(r.fail_err);
	return first;
}

/* Writes go in this order and deletions in the reverse one, so that at
 * every instant what the datapath can reach exists: a remote VTEP is
 * accepted before routes send to it, a port's entry exists before a route
 * names its ifindex, and routes go before what they name. */
const enum ms_map ms_order[MS_NMAPS] = {
	MS_VNIS, MS_REMOTES, MS_PORTS, MS_FDB, MS_PREFIXES, MS_ROUTES, MS_PREFIXES6, MS_ROUTES6,
};

void ms_job_run(const int fd[MS_NMAPS], struct ms_job *j)
{
	int i;

	for (i = 0; i < MS_NMAPS; i++) {
		enum ms_map m = ms_order[i];

		if (j->res[m].nu)
			run_write(fd[m], m, &j->res[m], &j->st);
	}
	for (i = MS_NMAPS - 1; i >= 0; i--) {
		enum ms_map m = ms_order[i];

		if (j->res[m].nd)
			run_delete(fd[m], m, &j->res[m], &j->st);
	}
	if (j->res[MS_ROUTES].nu || j->res[MS_ROUTES].nd)
		ms_changed(j->rc, MS_ROUTES);
}

/* ---- resolving (the loop's thread) ------------------------------------------ */

uint8_t ms_val_source(enum ms_map m, const void *val)
{
	int off = ms_descs[m].src_off;

	return off < 0 ? 0 : ((const uint8_t *)val)[off];
}

/* Room for n entries in r (buffers kept from an earlier job when they
 * suffice: a burst of jobs reuses the same pages). */
static int ms_res_reserve(struct ms_res *r, enum ms_map m, size_t n)
{
	const struct ms_desc *d = &ms_descs[m];
	uint8_t *k, *v, *dk;

	if (r->cap >= n)
		return 0;
	k = realloc(r->ukeys, n * d->key_size);
	if (k)
		r->ukeys = k;
	v = k ? realloc(r->uvals, n * d->val_size) : NULL;
	if (v)
		r->uvals = v;
	dk = v ? realloc(r->dkeys, n * d->key_size) : NULL;
	if (!dk)
		return -ENOMEM;
	r->dkeys = dk;
	r->cap = n;
	return 0;
}

static int ms_scratch_reserve(struct mapsync *ms, size_t n)
{
	uint8_t *a, *b;

	if (ms->scratch_cap >= n)
		return 0;
	a = realloc(ms->scratch[0], n * MS_MAX_ENTRY / 4);
	if (a)
		ms->scratch[0] = a;
	b = a ? realloc(ms->scratch[1], n * MS_MAX_ENTRY / 4) : NULL;
	if (!b)
		return -ENOMEM;
	ms->scratch[1] = b;
	ms->scratch_cap = n;
	return 0;
}

/* Resolves every dirty key of map m, in the order the keys were marked,
 * into r (the entries to write; those to delete: ours, no longer desired),
 * and empties the dirty set. Local and static entries go before BGP ones:
 * when the map is short of room, they are the ones that get it. Reads the
 * intent and map m only, so every map can be resolved before any is
 * written. */
static int ms_resolve_map(struct mapsync *ms, enum ms_map m, struct ms_res *r)
{
	const struct ms_desc *d = &ms_descs[m];
	struct ms_dq *q = &ms->dq[m];
	size_t n = q->n, i, nbgp = 0;
	uint8_t cur[MS_MAX_ENTRY], *bkeys = NULL, *bvals = NULL;
	int err = 0;

	r->batch_ok = ms->batch_ok[m];
	r->nu = r->nd = r->nfail = r->deleted = 0;
	if (!n)
		return 0;
	if ((err = ms_res_reserve(r, m, n)) ||
	    (ms_has_pending(m) && (err = ms_scratch_reserve(ms, n))))
		goto out;
	if (ms_has_pending(m)) {
		bkeys = ms->scratch[0];
		bvals = ms->scratch[1];
	}
	for (i = 0; i < n; i++) {
		const uint8_t *key = ms_dq_key(q, i);
		uint8_t *flags = ms_dq_flags(q, i);
		uint8_t *v = r->uvals + r->nu * d->val_size;
		bool touched = *flags & MS_DIRTY_BGP;

		if (*flags & MS_DIRTY_DROPPED)
			continue;
		if (bvals && nbgp < n)
			v = bvals + nbgp * d->val_size;
		if (ms_want(ms, m, key, ms_dirty_size(m) > 1 ?
			    (const struct ms_dirty *)(const void *)flags : NULL, v)) {
			/* Before the BGP side adopts the maps, a remote that an
			 * earlier vtepd's BGP routes named keeps that claim. */
			if (m == MS_REMOTES && !ms->bgp_adopted && !touched &&
			    !bpf_map_lookup_elem(ms->fd[m], key, cur))
				((struct vtep_remote *)v)->sources |=
					((struct vtep_remote *)cur)->sources & (1u << VTEP_SRC_BGP);
			if (bkeys && ms_val_source(m, v) == VTEP_SRC_BGP) {
				memcpy(bkeys + nbgp++ * d->key_size, key, d->key_size);
			} else {
				if (bvals)
					memcpy(r->uvals + r->nu * d->val_size, v, d->val_size);
				memcpy(r->ukeys + r->nu++ * d->key_size, key, d->key_size);
			}
		} else if (d->src_off == MS_OWNED_ALL || ms->bgp_adopted || touched ||
			   (!bpf_map_lookup_elem(ms->fd[m], key, cur) && ms_ours(ms, m, cur, false))) {
			/* Every source is ours once BGP is adopted, and a key
			 * BGP touched holds BGP's entry or one of ours: delete
			 * without looking. Otherwise spare an earlier run's BGP
			 * entries. */
			memcpy(r->dkeys + r->nd++ * d->key_size, key, d->key_size);
		}
	}
	/* The BGP entries after the local and static ones, in their order. */
	if (nbgp) {
		memcpy(r->ukeys + r->nu * d->key_size, bkeys, nbgp * d->key_size);
		memcpy(r->uvals + r->nu * d->val_size, bvals, nbgp * d->val_size);
		r->nu += nbgp;
	}
	log_debug("%s: %zu to write, %zu to delete", d->name, r->nu, r->nd);
out:
	/* A big burst (a full table, a reconcile) grew the dirty set: give the
	 * memory back, or every later flush would clear its empty slots (a
	 * 1M-key set costs milliseconds per flush; MAC moves need less). Not
	 * while the writer thread runs: the next burst needs the set as big,
	 * and freeing mapped memory interrupts the writer's CPU (a TLB
	 * shootdown); ms_dirty_trim() does it when the writer is idle. */
	if (ms->dirty[m].cap > MS_DIRTY_KEEP && !ms->inflight) {
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

/* The most entries a map of job j has room for. */
static size_t ms_job_size(const struct ms_job *j)
{
	size_t n = 0;
	int m;

	for (m = 0; m < MS_NMAPS; m++)
		if (j->res[m].cap > n)
			n = j->res[m].cap;
	return n;
}

/* The writer is idle: the memory big bursts took goes back. */
static void ms_dirty_trim(struct mapsync *ms)
{
	int m;

	if (ms->scratch_cap > MS_DIRTY_KEEP) {
		free(ms->scratch[0]);
		free(ms->scratch[1]);
		ms->scratch[0] = ms->scratch[1] = NULL;
		ms->scratch_cap = 0;
	}
	if (ms->spare && ms_job_size(ms->spare) > MS_DIRTY_KEEP) {
		ms_job_free(ms->spare);
		ms->spare = NULL;
	}
	for (m = 0; m < MS_NMAPS; m++) {
		if (ms->dq[m].n || ms->dirty[m].cap <= MS_DIRTY_KEEP)
			continue;
		hashmap_free(&ms->dirty[m]);
		free(ms->dq[m].buf);
		ms->dq[m].buf = NULL;
		ms->dq[m].cap = 0;
	}
}

void ms_job_free(struct ms_job *j)
{
	int m;

	if (!j)
		return;
	for (m = 0; m < MS_NMAPS; m++) {
		free(j->res[m].ukeys);
		free(j->res[m].uvals);
		free(j->res[m].dkeys);
		free(j->res[m].fail);
		free(j->res[m].fail_err);
	}
	free(j);
}

static size_t ms_dirty_total(const struct mapsync *ms)
{
	size_t n = 0;
	int m;

	for (m = 0; m < MS_NMAPS; m++)
		n += ms->dq[m].n;
	return n;
}

/* A job of every dirty key (NULL with *err set when out of memory, or when
 * nothing is dirty, with *err 0). */
static struct ms_job *ms_job_make(struct mapsync *ms, int *err)
{
	struct ms_job *j;
	int m, e;

	*err = 0;
	if (!ms_dirty_total(ms))
		return NULL;
	j = ms->spare;
	ms->spare = NULL;
	if (j)
		memset(&j->st, 0, sizeof(j->st));
	else
		j = calloc(1, sizeof(*j));
	if (!j) {
		*err = -ENOMEM;
		return NULL;
	}
	for (m = 0; m < MS_NMAPS; m++) {
		e = ms_resolve_map(ms, m, &j->res[m]);
		if (e && !*err)
			*err = e;
	}
	j->gen = ++ms->gen;
	j->rc = ms->rc;
	j->res[MS_ROUTES].rt = ms->rt;
	return j;
}

/* Would resolving the dirty keys read a map? Only before the BGP side
 * adopts the maps, for keys it did not touch (mapsync_resolve.c): then a
 * job still running must finish first, or the read could see the map from
 * before it. */
static bool ms_resolve_reads(const struct mapsync *ms)
{
	size_t i;
	int m;

	if (ms->bgp_adopted)
		return false;
	for (m = 0; m < MS_NMAPS; m++) {
		if (ms_descs[m].src_off == MS_OWNED_ALL)
			continue;
		for (i = 0; i < ms->dq[m].n; i++)
			if (!(*ms_dq_flags(&ms->dq[m], i) & (MS_DIRTY_BGP | MS_DIRTY_DROPPED)))
				return true;
	}
	return false;
}

/* ---- results (the loop's thread) ----------------------------------------------- */

static const uint8_t *res_key(enum ms_map m, const struct ms_res *r, size_t i)
{
	size_t ks = ms_descs[m].key_size;

	return i < r->nu ? r->ukeys + i * ks : r->dkeys + (i - r->nu) * ks;
}

int ms_job_done(struct mapsync *ms, struct ms_job *j)
{
	int m, first = 0;
	size_t i, f;

	ms->stats.updates += j->st.updates;
	ms->stats.deletes += j->st.deletes;
	ms->stats.batches += j->st.batches;
	for (m = 0; m < MS_NMAPS; m++) {
		struct ms_res *r = &j->res[m];
		size_t ks = ms_descs[m].key_size, vs = ms_descs[m].val_size;

		if (!r->batch_ok)
			ms->batch_ok[m] = false;
		/* What a full map refused waits; everything else is an error,
		 * logged as before. */
		for (f = 0; f < r->nfail; f++) {
			size_t ix = r->fail[f];
			int e = r->fail_err[f];

			if (ix < r->nu && e == -E2BIG && ms_has_pending(m)) {
				ms_pending_add(ms, m, res_key(m, r, ix),
					       ms_val_source(m, r->uvals + ix * vs));
				continue;
			}
			first = ms_note_err(&ms->stats, m, res_key(m, r, ix),
					    ix < r->nu ? "write" : "delete", e, first);
		}
		if (!ms_has_pending(m) || !ms->pend[m].count)
			continue;
		/* Written or deleted: no longer waiting. */
		for (i = 0, f = 0; i < r->nu + r->nd; i++) {
			if (f < r->nfail && r->fail[f] == i) {
				f++;
				continue;
			}
			ms_pending_clear(ms, m, i < r->nu ? r->ukeys + i * ks
							  : r->dkeys + (i - r->nu) * ks);
		}
		if (r->deleted && ms->pend[m].count) {
			ms->pend[m].retry = true;
			ms->pend[m].room += r->deleted;
		}
	}
	ms->gen_done = j->gen;
	/* Kept for the next job, unless a big one (a reconcile, a whole
	 * table at once) grew it: that memory goes back. */
	if (!ms->spare && ms_job_size(j) <= MS_ASYNC_MAX * 2) {
		j->next = NULL;
		ms->spare = j;
	} else {
		ms_job_free(j);
	}
	if (ms->bgp.written)
		ms->bgp.written(ms->bgp.ctx, ms->gen_done);
	return first;
}

/* ---- the entry points ---------------------------------------------------------- */

/* After the results are in and no job runs: what waits for room, and the
 * full-map report. */
static int ms_after_jobs(struct mapsync *ms)
{
	int err = 0;

	if (ms->inflight)
		return 0;
	err = ms_pending_retry(ms);
	ms_pending_report(ms);
	ms_dirty_trim(ms);
	return err;
}

int mapsync_flush(struct mapsync *ms)
{
	struct ms_job *j;
	int err, e;

	err = ms_writer_drain(ms);
	j = ms_job_make(ms, &e);
	if (!err)
		err = e;
	if (j) {
		ms_job_run(ms->fd, j);
		e = ms_job_done(ms, j);
		if (!err)
			err = e;
	}
	e = ms_after_jobs(ms);
	if (!err)
		err = e;
	if (ms->bgp.flushed)
		ms->bgp.flushed(ms->bgp.ctx, ms->gen);
	return err;
}

int mapsync_flush_async(struct mapsync *ms)
{
	struct ms_job *j;
	int err, e;

	err = ms_writer_reap(ms);
	if (ms->inflight && ms_dirty_total(ms) < MS_ASYNC_MAX) {
		/* The writer is busy: the keys stay dirty and go with the next
		 * job, which mapsync_poll() starts when this one is done. */
		if (ms->bgp.flushed)
			ms->bgp.flushed(ms->bgp.ctx, 0);
		return err;
	}
	if (ms->inflight) {
		/* Enough waits: hold the loop until the writer can take it. */
		e = ms_writer_drain(ms);
		if (!err)
			err = e;
		e = ms_after_jobs(ms);
		if (!err)
			err = e;
	}
	if (ms_dirty_total(ms) < MS_ASYNC_MIN || ms_resolve_reads(ms)) {
		e = mapsync_flush(ms);
		return err ? err : e;
	}
	j = ms_job_make(ms, &e);
	if (!err)
		err = e;
	if (j) {
		e = ms_writer_submit(ms, j);
		if (e) {
			/* No thread: run it here. */
			ms_job_run(ms->fd, j);
			e = ms_job_done(ms, j);
			ms_after_jobs(ms);
		}
		if (!err)
			err = e;
	}
	if (ms->bgp.flushed)
		ms->bgp.flushed(ms->bgp.ctx, ms->gen);
	return err;
}

int mapsync_poll(struct mapsync *ms)
{
	int err = ms_writer_reap(ms), e;

	if (ms->inflight)
		return err;
	e = ms_after_jobs(ms);
	if (!err)
		err = e;
	/* What came while the last job ran. */
	if (ms_dirty_total(ms)) {
		e = mapsync_flush_async(ms);
		if (!err)
			err = e;
	}
	return err;
}

int mapsync_sync(struct mapsync *ms)
{
	int err = ms_writer_drain(ms), e = ms_after_jobs(ms);

	return err ? err : e;
}
