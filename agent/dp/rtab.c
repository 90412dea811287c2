/* rtab.c - see rtab.h; the layout is include/vtep_maps.h's vtep_rtab.
 *
 * Open addressing with linear probing over whole lines: a key lives in the
 * first line, from its home line on, that had a free slot when it went in,
 * and every line it passed counts it in `over`. A lookup therefore walks
 * from the home line until it finds the key or a line with over == 0.
 * Deleting clears the slot and takes the key's count off the lines it
 * passed; nothing moves, so no tombstones and no reader ever sees an entry
 * in two places.
 *
 * Every change keeps the datapath's invariant at every instant, one line at
 * a time: over >= the entries passing a line (an insert raises the counts
 * before it writes the slot; a deletion clears the slot before it lowers
 * them), so a reader never stops short of a key that is in the table.
 * A line is written between two seq increments (odd meanwhile); x86 keeps
 * stores in order, and the fences keep the compiler from moving them.
 */
#include "rtab.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loadorder.h"
#include "log.h"
#include "mapscan.h"

struct rtab {
	int fd;
	union vtep_rtab_elem *mem;  /* the mapping: [0] header, [1..lines] lines */
	size_t map_len;
	uint32_t lines;
	uint32_t epoch;             /* what the header holds */
	size_t count;               /* written under mu; read from any thread */
	bool on;                    /* the same */
	pthread_mutex_t mu;         /* the writer thread and the loop both write */
};

uint32_t rtab_lines(uint32_t routes)
{
	uint64_t l = ((uint64_t)routes * 4 + 8) / 9;

	return l ? (uint32_t)l : 1;
}

uint32_t rtab_entries(uint32_t routes)
{
	return rtab_lines(routes) + 1;
}

/* The datapath's home line (include/vtep_maps.h: one definition). */
static uint32_t rtab_home(uint32_t vni, uint32_t ip, uint32_t lines)
{
	return vtep_rtab_home(vni, ip, lines);
}

static struct vtep_rtab_line *line_at(const struct rtab *t, uint32_t idx)
{
	return &t->mem[idx].line;
}

static uint32_t line_next(const struct rtab *t, uint32_t idx)
{
	return idx >= t->lines ? 1 : idx + 1;
}

/* seq odd: the line is being written (readers ask vtep_routes). */
static void line_begin(struct vtep_rtab_line *l)
{
	__atomic_store_n(&l->seq, (uint16_t)(l->seq + 1), __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void line_end(struct vtep_rtab_line *l)
{
	__atomic_store_n(&l->seq, (uint16_t)(l->seq + 1), __ATOMIC_RELEASE);
}

static void hdr_epoch(struct rtab *t, uint32_t epoch)
{
	__atomic_store_n(&t->mem[0].hdr.epoch, epoch, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	t->epoch = epoch;
}

static bool slot_is(const struct vtep_rtab_slot *s, const struct vtep_route_key *k)
{
	return (s->state & VTEP_RTAB_F_USED) && s->vni == k->vni && s->ip == k->ip;
}

/* Where k is: its line and slot (1), or 0. */
static int rtab_find(const struct rtab *t, const struct vtep_route_key *k, uint32_t *li, int *si)
{
	uint32_t idx = rtab_home(k->vni, k->ip, t->lines), n;
	int s;

	for (n = 0; n < t->lines; n++, idx = line_next(t, idx)) {
		const struct vtep_rtab_line *l = line_at(t, idx);

		for (s = 0; s < VTEP_RTAB_SLOTS; s++) {
			if (slot_is(&l->slot[s], k)) {
				*li = idx;
				*si = s;
				return 1;
			}
		}
		if (!l->over)
			return 0;
	}
	return 0;
}

static void slot_fill(struct vtep_rtab_slot *s, const struct vtep_route_key *k,
		      const struct vtep_route *v)
{
	s->vni = k->vni;
	s->ip = k->ip;
	s->nh = v->vtep ? v->vtep : v->ifindex;
	memcpy(s->mac, v->mac, sizeof(s->mac));
	s->rt_flags = v->flags;
	s->state = VTEP_RTAB_F_USED | (v->vtep ? 0 : VTEP_RTAB_F_LOCAL);
}

/* With the mutex held (or before the table is shared). */
static int put_locked(struct rtab *t, const struct vtep_route_key *k, const struct vtep_route *v)
{
	uint32_t home = rtab_home(k->vni, k->ip, t->lines), idx = home, n, li;
	struct vtep_rtab_line *l;
	int s, si;

	if (rtab_find(t, k, &li, &si)) {
		l = line_at(t, li);
		line_begin(l);
		slot_fill(&l->slot[si], k, v);
		line_end(l);
		return 0;
	}
	/* The first line from home with a free slot. */
	for (n = 0; n < t->lines; n++, idx = line_next(t, idx)) {
		l = line_at(t, idx);
		for (s = 0; s < VTEP_RTAB_SLOTS; s++)
			if (!(l->slot[s].state & VTEP_RTAB_F_USED))
				break;
		if (s < VTEP_RTAB_SLOTS)
			break;
		if (l->over == UINT16_MAX)
			return -ENOSPC;
	}
	if (n == t->lines)
		return -ENOSPC;
	/* Counts first, then the slot: a reader never stops short of it. */
	for (li = home; li != idx; li = line_next(t, li)) {
		struct vtep_rtab_line *p = line_at(t, li);

		line_begin(p);
		p->over++;
		line_end(p);
	}
	line_begin(l);
	slot_fill(&l->slot[s], k, v);
	line_end(l);
	__atomic_store_n(&t->count, t->count + 1, __ATOMIC_RELAXED);
	return 0;
}

static int del_locked(struct rtab *t, const struct vtep_route_key *k)
{
	uint32_t li, idx;
	struct vtep_rtab_line *l;
	int si;

	if (!rtab_find(t, k, &li, &si))
		return 0;
	/* The slot first, then the counts of the lines it had passed. */
	l = line_at(t, li);
	line_begin(l);
	memset(&l->slot[si], 0, sizeof(l->slot[si]));
	line_end(l);
	for (idx = rtab_home(k->vni, k->ip, t->lines); idx != li; idx = line_next(t, idx)) {
		struct vtep_rtab_line *p = line_at(t, idx);

		line_begin(p);
		p->over--;
		line_end(p);
	}
	__atomic_store_n(&t->count, t->count - 1, __ATOMIC_RELAXED);
	return 0;
}

/* A change the table cannot take: off (epoch 0: every lookup asks
 * vtep_routes) rather than on without a route. */
static void rtab_fail(struct rtab *t, int err)
{
	hdr_epoch(t, 0);
	__atomic_store_n(&t->on, false, __ATOMIC_RELAXED);
	log_err("flat route table: %s; off until vtepd restarts (lookups use vtep_routes)",
		strerror(-err));
}

int rtab_put(struct rtab *t, const struct vtep_route_key *k, const struct vtep_route *v)
{
	int err = 0;

	if (!t)
		return 0;
	pthread_mutex_lock(&t->mu);
	if (t->on && (err = put_locked(t, k, v)))
		rtab_fail(t, err);
	pthread_mutex_unlock(&t->mu);
	return err;
}

int rtab_del(struct rtab *t, const struct vtep_route_key *k)
{
	if (!t)
		return 0;
	pthread_mutex_lock(&t->mu);
	if (t->on)
		del_locked(t, k);
	pthread_mutex_unlock(&t->mu);
	return 0;
}

/* A chunk of vtep_routes into the table, each key's line asked for 8 keys
 * ahead: the lines are scattered over the whole table. */
static int rtab_fill_chunk(const void *keys, const void *vals, size_t n, void *arg)
{
	const struct vtep_route_key *ks = keys;
	const struct vtep_route *vs = vals;
	struct rtab *t = arg;
	size_t i;
	int err;

	for (i = 0; i < n && i < 8; i++)
		__builtin_prefetch(line_at(t, rtab_home(ks[i].vni, ks[i].ip, t->lines)), 1);
	for (i = 0; i < n; i++) {
		if (i + 8 < n)
			__builtin_prefetch(line_at(t, rtab_home(ks[i + 8].vni, ks[i + 8].ip, t->lines)),
					   1);
		if ((err = put_locked(t, &ks[i], &vs[i])))
			return err;
	}
	return 0;
}

/* Every entry of vtep_routes into the (empty) table (mapscan.h). */
static int rtab_fill(struct rtab *t, int routes_fd)
{
	return mapscan(routes_fd, sizeof(struct vtep_route_key), sizeof(struct vtep_route),
		       rtab_fill_chunk, t);
}

/* A table vtepd cannot write must not stay on for the programs: an earlier
 * vtepd's copy would miss every change from now on. */
static void rtab_off_by_syscall(int fd)
{
	union vtep_rtab_elem zero = {};
	__u32 key = 0;

	bpf_map_update_elem(fd, &key, &zero, BPF_ANY);
}

int rtab_open(int fd, int routes_fd, struct rtab **out)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct timespec t0, t1;
	struct rtab *t;
	uint32_t odd;
	long page = sysconf(_SC_PAGESIZE);
	int err;

	*out = NULL;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_ARRAY || info.value_size != sizeof(union vtep_rtab_elem) ||
	    info.max_entries < 2 || !(info.map_flags & BPF_F_MMAPABLE)) {
		rtab_off_by_syscall(fd);
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		rtab_off_by_syscall(fd);
		return -ENOMEM;
	}
	pthread_mutex_init(&t->mu, NULL);
	t->fd = fd;
	t->lines = info.max_entries - 1;
	t->map_len = ((size_t)info.max_entries * sizeof(union vtep_rtab_elem) + page - 1) /
		     page * page;
	t->mem = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (t->mem == MAP_FAILED) {
		err = -errno;
		free(t);
		rtab_off_by_syscall(fd);
		return err;
	}
	t->epoch = t->mem[0].hdr.epoch;
	if (!dp_loads_in_order()) {
		hdr_epoch(t, 0);
		log_info("flat route table: off (this CPU does not order loads as bpf/rtab.h needs)");
		*out = t;
		return 0;
	}
	/* Odd while rebuilding: programs ask vtep_routes, and one that read the
	 * old even epoch sees it changed when it checks again. */
	odd = t->epoch | 1;
	hdr_epoch(t, odd);
	t->mem[0].hdr.lines = t->lines;
	memset(&t->mem[1], 0, (size_t)t->lines * sizeof(union vtep_rtab_elem));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = rtab_fill(t, routes_fd);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err) {
		hdr_epoch(t, 0);
		log_err("flat route table: cannot copy vtep_routes: %s; off (lookups use vtep_routes)",
			strerror(-err));
		*out = t;
		return 0;
	}
	hdr_epoch(t, odd + 1 ? odd + 1 : 2);
	__atomic_store_n(&t->on, true, __ATOMIC_RELAXED);
	log_info("flat route table: %u lines (%zu KiB), %zu routes copied from vtep_routes in %ld ms",
		 t->lines, t->map_len / 1024, t->count,
		 (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	*out = t;
	return 0;
}

void rtab_close(struct rtab *t)
{
	if (!t)
		return;
	munmap(t->mem, t->map_len);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

void rtab_prefetch(const struct rtab *t, const struct vtep_route_key *k)
{
	if (t && __atomic_load_n(&t->on, __ATOMIC_RELAXED))
		__builtin_prefetch(line_at(t, rtab_home(k->vni, k->ip, t->lines)), 1);
}

bool rtab_enabled(const struct rtab *t)
{
	return t && __atomic_load_n(&t->on, __ATOMIC_RELAXED);
}

size_t rtab_count(const struct rtab *t)
{
	return t ? __atomic_load_n(&t->count, __ATOMIC_RELAXED) : 0;
}

uint32_t rtab_nlines(const struct rtab *t)
{
	return t ? t->lines : 0;
}

int rtab_get(const struct rtab *t, const struct vtep_route_key *k, struct vtep_route *v)
{
	const struct vtep_rtab_slot *s;
	uint32_t li;
	int si;

	if (!t || !t->on || !rtab_find(t, k, &li, &si))
		return 0;
	s = &line_at(t, li)->slot[si];
	memset(v, 0, sizeof(*v));
	if (s->state & VTEP_RTAB_F_LOCAL)
		v->ifindex = s->nh;
	else
		v->vtep = s->nh;
	memcpy(v->mac, s->mac, sizeof(v->mac));
	v->flags = s->rt_flags;
	return 1;
}
