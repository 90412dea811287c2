/* mapsync_pending.c - a full map is an operating state: the entries it
 * refuses (E2BIG) wait here, in order, and go in as soon as there is room.
 *
 * Rules:
 *   - Local ports and static routes come first. A flush writes them before
 *     BGP entries (mapsync_flush.c), and when a full map refuses one of
 *     them, a BGP entry is moved out to make room (ms_pending_make_room):
 *     a full map never costs a local workload its connectivity. BGP
 *     entries never move a local or static one out.
 *   - What waits is the key; its value is resolved again when it is
 *     retried (a withdrawn route simply stops waiting, a moved one goes in
 *     with its new place).
 *   - Order: local and static entries, then BGP entries in the order a
 *     full map first refused them (first refused, first installed).
 *   - When: whenever a job deleted entries of that map (withdrawals, a
 *     port gone), after the results are applied and no job runs; at start
 *     every route is offered again anyway, so a capacity raised by a
 *     restart (limits, read at start) takes them all.
 *   - Reporting: one warning per map when it first refuses, naming the map,
 *     its capacity, how many entries wait and the limit to raise; then at
 *     most one a minute while the number changes, and one line when none
 *     waits any more (ms_pending_report). The count is
 *     mapsync_pending_get() (metrics, vtepctl status); whether one key
 *     waits is mapsync_pending_*() (vtepctl bgp routes).
 */
#include "mapsync_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/bpf.h>

#include "log.h"

/* A retry offers the map as many waiting BGP entries as it deleted since
 * the last one (plus a few), doubling while they all go in, up to this. */
#define MS_RETRY_MAX 65536
/* Between two full-map messages for one map (while the count changes). */
#define MS_REPORT_NS (60ull * 1000000000ull)

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *limit_name(enum ms_map m)
{
	return m == MS_FDB ? "limits.fdb" : "limits.routes";
}

/* ---- the queues --------------------------------------------------------------- */

static size_t pq_stride(enum ms_map m)
{
	return ((ms_descs[m].key_size + 3) & ~(size_t)3) + sizeof(uint32_t);
}

static uint8_t *pq_at(const struct ms_pq *q, enum ms_map m, size_t i)
{
	return q->buf + i * pq_stride(m);
}

static uint32_t pq_seq(const struct ms_pq *q, enum ms_map m, size_t i)
{
	uint32_t s;

	memcpy(&s, pq_at(q, m, i) + pq_stride(m) - sizeof(s), sizeof(s));
	return s;
}

static int pq_push(struct ms_pq *q, enum ms_map m, const void *key, uint32_t seq)
{
	size_t st = pq_stride(m);

	if (q->head && q->head == q->n) {
		q->head = q->n = 0;   /* all consumed: start over */
	}
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		uint8_t *nb = realloc(q->buf, cap * st);

		if (!nb)
			return -ENOMEM;
		q->buf = nb;
		q->cap = cap;
	}
	memset(pq_at(q, m, q->n), 0, st);
	memcpy(pq_at(q, m, q->n), key, ms_descs[m].key_size);
	memcpy(pq_at(q, m, q->n) + st - sizeof(seq), &seq, sizeof(seq));
	q->n++;
	return 0;
}

/* Is queue entry i still the one the index holds for its key? */
static bool pq_live(const struct ms_pending *p, const struct ms_pq *q, enum ms_map m, size_t i)
{
	const struct ms_pend *e = hashmap_get(&p->idx, pq_at(q, m, i));

	return e && e->seq == pq_seq(q, m, i) && &p->q[e->cls] == q;
}

/* Drops dead entries: from the head always, and all of them once they
 * are most of the queue (live: the class's live entries). */
static void pq_compact(struct ms_pending *p, struct ms_pq *q, enum ms_map m, size_t live)
{
	size_t i, o = 0, st = pq_stride(m);

	while (q->head < q->n && !pq_live(p, q, m, q->head))
		q->head++;
	if (q->head == q->n) {
		q->head = q->n = 0;
		return;
	}
	if (q->n - q->head <= 2 * live + 64)
		return;
	for (i = q->head; i < q->n; i++)
		if (pq_live(p, q, m, i))
			memmove(pq_at(q, m, o++), pq_at(q, m, i), st);
	q->head = 0;
	q->n = o;
}

static void count_set(struct ms_pending *p)
{
	__atomic_store_n(&p->count, (uint64_t)hashmap_count(&p->idx), __ATOMIC_RELAXED);
}

/* The key's entry leaves the index (its class count follows). */
static bool pend_del(struct ms_pending *p, const void *key)
{
	const struct ms_pend *e = hashmap_get(&p->idx, key);

	if (!e)
		return false;
	p->ncls[e->cls]--;
	hashmap_del(&p->idx, key);
	count_set(p);
	return true;
}

/* ---- entry points for the rest of mapsync ---------------------------------------- */

int ms_pending_init(struct mapsync *ms)
{
	int m, err = 0;

	for (m = 0; m < MS_NMAPS && !err; m++) {
		struct ms_pending *p = &ms->pend[m];

		memset(p, 0, sizeof(*p));
		if (!ms_has_pending(m))
			continue;
		err = hashmap_init(&p->idx, ms_descs[m].key_size, sizeof(struct ms_pend), 0);
		if (!err && ms->fd[m] >= 0) {
			struct bpf_map_info info;
			__u32 len = sizeof(info);

			memset(&info, 0, sizeof(info));
			if (!bpf_obj_get_info_by_fd(ms->fd[m], &info, &len))
				p->capacity = info.max_entries;
		}
	}
	return err;
}

void ms_pending_free(struct mapsync *ms)
{
	int m;

	for (m = 0; m < MS_NMAPS; m++) {
		struct ms_pending *p = &ms->pend[m];

		hashmap_free(&p->idx);
		free(p->q[0].buf);
		free(p->q[1].buf);
		memset(p, 0, sizeof(*p));
	}
}

bool ms_pending_has(const struct mapsync *ms, enum ms_map m, const void *key)
{
	return ms_has_pending(m) && hashmap_count(&ms->pend[m].idx) &&
	       hashmap_get(&ms->pend[m].idx, key);
}

void ms_pending_clear(struct mapsync *ms, enum ms_map m, const void *key)
{
	struct ms_pending *p = &ms->pend[m];

	if (!ms_has_pending(m) || !hashmap_count(&p->idx))
		return;
	pend_del(p, key);
}

void ms_pending_add(struct mapsync *ms, enum ms_map m, const void *key, uint8_t src)
{
	struct ms_pending *p = &ms->pend[m];
	uint8_t cls = src == VTEP_SRC_BGP ? 1 : 0;
	struct ms_pend *e;
	bool created;

	if (!ms_has_pending(m))
		return;
	p->full = true;
	e = hashmap_put(&p->idx, key, NULL, &created);
	if (!e) {
		log_err("%s: out of memory: an entry the full map refused is lost until it "
			"changes", ms_descs[m].name);
		return;
	}
	if (!created && e->cls == cls)
		return;   /* keeps its place in the queue */
	if (!created)
		p->ncls[e->cls]--;
	e->cls = cls;
	e->seq = ++p->seq;
	p->ncls[cls]++;
	if (cls == 0)
		p->retry = true;  /* a local or static entry makes room at once */
	if (pq_push(&p->q[cls], m, key, e->seq)) {
		pend_del(p, key);
		log_err("%s: out of memory: an entry the full map refused is lost until it "
			"changes", ms_descs[m].name);
	}
	count_set(p);
}

/* A BGP entry of map m other than key, found by walking the map: the one to
 * move out. 0 with *victim filled, or -ENOENT. */
static int find_victim(struct mapsync *ms, enum ms_map m, const void *key, uint8_t *victim)
{
	size_t ks = ms_descs[m].key_size;
	uint8_t k[MS_MAX_ENTRY], prev[MS_MAX_ENTRY], v[MS_MAX_ENTRY];
	int err, steps = 0;

	err = bpf_map_get_next_key(ms->fd[m], NULL, k);
	while (!err && steps++ < 1000000) {
		if (memcmp(k, key, ks) && !bpf_map_lookup_elem(ms->fd[m], k, v) &&
		    ms_is_bgp(m, v)) {
			memcpy(victim, k, ks);
			return 0;
		}
		memcpy(prev, k, ks);
		err = bpf_map_get_next_key(ms->fd[m], prev, k);
	}
	return -ENOENT;
}

int ms_pending_make_room(struct mapsync *ms, enum ms_map m, const void *key, const void *val)
{
	uint8_t victim[MS_MAX_ENTRY];
	char kb[MS_MAX_ENTRY], vb[MS_MAX_ENTRY];
	int err, tries;

	for (tries = 0; tries < 4; tries++) {
		err = bpf_map_update_elem(ms->fd[m], key, val, BPF_ANY);
		if (!err) {
			ms->stats.updates++;
			ms_mirror(ms->rt, m, key, val, 1);
			ms_pending_clear(ms, m, key);
			ms_changed(ms->rc, m);
			return 0;
		}
		if (err != -E2BIG)
			break;
		if (find_victim(ms, m, key, victim))
			break;
		err = bpf_map_delete_elem(ms->fd[m], victim);
		if (err && err != -ENOENT)
			break;
		ms_mirror(ms->rt, m, victim, NULL, 1);
		ms->stats.deletes++;
		ms_pending_add(ms, m, victim, VTEP_SRC_BGP);
		log_info("%s is full: the BGP entry %s waits, so that the %s entry %s fits",
			 ms_descs[m].name, ms_fmt_key(m, victim, vb, sizeof(vb)),
			 ms_val_source(m, val) == VTEP_SRC_LOCAL ? "local port's" : "static route's",
			 ms_fmt_key(m, key, kb, sizeof(kb)));
	}
	if (tries)
		ms_changed(ms->rc, m); /* victims moved out */
	ms_pending_add(ms, m, key, ms_val_source(m, val));
	log_err("%s is full and holds no BGP entry to move out: the %s entry %s waits",
		ms_descs[m].name,
		ms_val_source(m, val) == VTEP_SRC_LOCAL ? "local port's" : "static route's",
		ms_fmt_key(m, key, kb, sizeof(kb)));
	return err ? err : -E2BIG;
}

/* Up to max waiting BGP entries of map m, oldest first, resolved again,
 * into r (those no longer wanted, or held by a local or static entry now,
 * stop waiting). */
static int collect_bgp(struct mapsync *ms, enum ms_map m, size_t max, struct ms_res *r)
{
	struct ms_pending *p = &ms->pend[m];
	size_t ks = ms_descs[m].key_size, vs = ms_descs[m].val_size, i;

	if (max > p->ncls[1])
		max = p->ncls[1];
	r->nu = 0;
	if (!max)
		return 0;
	r->ukeys = malloc(max * ks);
	r->uvals = malloc(max * vs);
	if (!r->ukeys || !r->uvals)
		return -ENOMEM;
	for (i = p->q[1].head; i < p->q[1].n && r->nu < max; i++) {
		const uint8_t *key = pq_at(&p->q[1], m, i);

		if (!pq_live(p, &p->q[1], m, i))
			continue;
		if (!ms_want(ms, m, key, NULL, r->uvals + r->nu * vs) ||
		    ms_val_source(m, r->uvals + r->nu * vs) != VTEP_SRC_BGP) {
			/* Withdrawn meanwhile, or a local or static entry
			 * holds the key now (it was written then). */
			ms_pending_clear(ms, m, key);
			continue;
		}
		memcpy(r->ukeys + r->nu++ * ks, key, ks);
	}
	return 0;
}

/* Writes r's entries in order up to the first one the map refuses; those
 * written stop waiting. Returns true when all went in. */
static bool write_until_full(struct mapsync *ms, enum ms_map m, struct ms_res *r)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	size_t ks = ms_descs[m].key_size, vs = ms_descs[m].val_size, done = 0, i;

	while (done < r->nu) {
		__u32 cnt = r->nu - done > MS_CHUNK ? MS_CHUNK : (__u32)(r->nu - done);
		int e;

		e = bpf_map_update_batch(ms->fd[m], r->ukeys + done * ks, r->uvals + done * vs,
					 &cnt, &opts);
		ms->stats.batches++;
		if (cnt > r->nu - done)
			cnt = 0;
		ms_mirror(ms->rt, m, r->ukeys + done * ks, r->uvals + done * vs, cnt);
		for (i = done; i < done + cnt; i++)
			ms_pending_clear(ms, m, r->ukeys + i * ks);
		ms->stats.updates += cnt;
		done += cnt;
		if (e)
			return false;
	}
	return true;
}

/* Retries map m's waiting entries: local and static ones one by one (each
 * may move a BGP entry out), then BGP ones in order, as many as the room
 * freed since the last try (doubling while they all go in), until the map
 * refuses again. */
static int retry_map(struct mapsync *ms, enum ms_map m)
{
	struct ms_pending *p = &ms->pend[m];
	size_t ks = ms_descs[m].key_size, i, want;
	uint8_t val[MS_MAX_ENTRY];
	int err = 0;

	p->retry = false;
	want = p->room + 64;
	p->room = 0;
	/* Local and static first. */
	for (i = p->q[0].head; i < p->q[0].n && p->ncls[0]; i++) {
		uint8_t key[MS_MAX_ENTRY];

		if (!pq_live(p, &p->q[0], m, i))
			continue;
		memcpy(key, pq_at(&p->q[0], m, i), ks);
		if (!ms_want(ms, m, key, NULL, val)) {
			ms_pending_clear(ms, m, key);
			continue;
		}
		if (ms_val_source(m, val) == VTEP_SRC_BGP) {
			/* It became BGP's (the port left, a route won): it
			 * waits with them. */
			ms_pending_add(ms, m, key, VTEP_SRC_BGP);
			continue;
		}
		if (ms_pending_make_room(ms, m, key, val) && !err)
			err = -E2BIG;
	}
	pq_compact(p, &p->q[0], m, p->ncls[0]);
	/* Then BGP, oldest first. */
	while (p->ncls[1]) {
		struct ms_res r;
		bool all;

		memset(&r, 0, sizeof(r));
		if (collect_bgp(ms, m, want, &r)) {
			free(r.ukeys);
			free(r.uvals);
			return -ENOMEM;
		}
		all = write_until_full(ms, m, &r);
		free(r.ukeys);
		free(r.uvals);
		if (!all)
			break;
		if (want < MS_RETRY_MAX)
			want *= 2;
	}
	pq_compact(p, &p->q[1], m, p->ncls[1]);
	if (!hashmap_count(&p->idx))
		p->full = false;
	ms_changed(ms->rc, m);
	return err;
}

int ms_pending_retry(struct mapsync *ms)
{
	int m, err = 0, e;

	for (m = 0; m < MS_NMAPS; m++) {
		struct ms_pending *p = &ms->pend[m];

		if (!ms_has_pending(m) || !p->retry)
			continue;
		if (!hashmap_count(&p->idx)) {
			p->retry = false;
			continue;
		}
		e = retry_map(ms, m);
		if (!err)
			err = e;
	}
	return err;
}

void ms_pending_report(struct mapsync *ms)
{
	uint64_t now = 0;
	int m;

	for (m = 0; m < MS_NMAPS; m++) {
		struct ms_pending *p = &ms->pend[m];
		uint64_t n = hashmap_count(&p->idx);

		if (!ms_has_pending(m))
			continue;
		if (!n) {
			if (p->logged_ns) {
				log_info("%s: no entry waits for room any more",
					 ms_descs[m].name);
				p->logged_ns = 0;
				p->logged_count = 0;
			}
			continue;
		}
		if (!now)
			now = mono_ns();
		if (p->logged_ns && (now - p->logged_ns < MS_REPORT_NS || n == p->logged_count))
			continue;
		log_warn("%s is full (capacity %u entries): %llu route%s wait%s to be installed "
			 "and will be as room frees; raise %s (read at start) to hold them all",
			 ms_descs[m].name, p->capacity, (unsigned long long)n, n == 1 ? "" : "s",
			 n == 1 ? "s" : "", limit_name(m));
		p->logged_ns = now;
		p->logged_count = n;
	}
}
