/* mapsync_priv.h - mapsync's insides, shared by mapsync.c (intent tables,
 * dirty set, public edits), mapsync_resolve.c (intent -> desired map value
 * for one key), mapsync_flush.c (dirty keys -> jobs of batched syscalls,
 * and their results), mapsync_writer.c (the thread that runs big jobs while
 * the loop goes on), mapsync_pending.c (entries a full map refused: kept,
 * retried, reported) and mapsync_reconcile.c (restart scans, BGP
 * adoption). Nothing else includes this.
 */
#ifndef VTEP_MAPSYNC_PRIV_H
#define VTEP_MAPSYNC_PRIV_H

#include <arpa/inet.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hashmap.h"
#include "mapsync.h"
#include "rcache.h"
#include "rtab.h"

/* Entries per batch syscall: bounds our buffers; the kernel takes any. */
#define MS_CHUNK 8192

/* The largest key or value of a map mapsync writes: stack buffers for one
 * entry have this size (checked for every layout struct). */
#define MS_MAX_ENTRY 128
_Static_assert(sizeof(struct vtep_vni) <= MS_MAX_ENTRY, "vtep_vni fits MS_MAX_ENTRY");
_Static_assert(sizeof(struct vtep_port) <= MS_MAX_ENTRY, "vtep_port fits MS_MAX_ENTRY");
_Static_assert(sizeof(struct vtep_route) <= MS_MAX_ENTRY, "vtep_route fits MS_MAX_ENTRY");
_Static_assert(sizeof(struct vtep_prefix_key) <= MS_MAX_ENTRY, "prefix key fits");
_Static_assert(sizeof(struct vtep_fdb) <= MS_MAX_ENTRY, "vtep_fdb fits MS_MAX_ENTRY");

enum ms_map { MS_VNIS, MS_PORTS, MS_ROUTES, MS_PREFIXES, MS_FDB, MS_REMOTES,
	      MS_ROUTES6, MS_PREFIXES6, MS_NMAPS };

#define MS_OWNED_ALL -1  /* the whole map is ours */
#define MS_OWNED_REM -2  /* vtep_remotes: ours unless the BGP bit is set */

struct ms_desc {
	const char *name;
	size_t key_size, val_size;
	int src_off; /* offset of the source byte in the value, or MS_OWNED_* */
};
extern const struct ms_desc ms_descs[MS_NMAPS];

/* A static route as stored: key (vni, prefix, len), value (vtep, mac). */
struct ms_st_key {
	uint32_t vni;
	uint32_t prefix;   /* network order */
	uint32_t len;
};
struct ms_st_val {
	uint32_t vtep;     /* network order */
	uint8_t  mac[6];
	uint8_t  pad[2];
};

/* The dirty keys of one map in the order they were first marked, each
 * followed by its struct ms_dirty (or flags byte): the flush writes them in
 * that order, so the entries of the last route received are the last ones
 * written (what a reader polling for the last key expects), and it walks an
 * array instead of a hash table's empty slots. */
struct ms_dq {
	uint8_t *buf;
	size_t n, cap;
	size_t stride;            /* bytes per entry */
	size_t doff;              /* offset of the flags / struct ms_dirty */
};

/* One map's part of a job: the entries to write (in order) and the keys
 * to delete, resolved on the loop's thread; then what running them gave. */
struct ms_res {
	uint8_t *ukeys, *uvals;
	size_t nu;
	uint8_t *dkeys;
	size_t nd;
	size_t cap;               /* entries ukeys, uvals and dkeys have room for */
	/* Results (filled by ms_job_run): the updates refused, as indexes
	 * with their -errno, and the deletions that removed an entry. */
	uint32_t *fail;
	int *fail_err;
	size_t nfail, fail_cap;
	size_t deleted;
	bool batch_ok;            /* in: batches allowed; out: still allowed */
	struct rtab *rt;          /* vtep_routes' flat copy to follow (MS_ROUTES) */
};

/* A flush's worth of map changes: resolved on the loop's thread, run there
 * (mapsync_flush) or on the writer thread (mapsync_flush_async), and its
 * results applied on the loop's thread again (ms_job_done). */
struct ms_job {
	struct ms_res res[MS_NMAPS];  /* by enum ms_map */
	uint64_t gen;                 /* mapsync's flush generation */
	struct rcache *rc;            /* bumped when the job touched vtep_routes */
	struct mapsync_stats st;      /* what running it counted */
	struct ms_job *next;
};

/* The writer thread (mapsync_writer.c): one job at a time, in order. */
struct ms_writer {
	pthread_t th;
	bool started, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;            /* a job to run, or stop */
	pthread_cond_t done_cv;       /* a job finished */
	struct ms_job *todo, *done;   /* FIFO lists (todo: at most one waits) */
	int efd;                      /* eventfd: readable while done is not empty */
	const int *fd;                /* the maps (mapsync's fd[], fixed) */
};

/* Entries of one map that a full map refused, waiting for room. Keys in
 * the order they were first refused (a FIFO of key + seq; an entry is live
 * when the index maps its key to the same seq), in two classes: local
 * ports and static routes (first), then BGP. */
struct ms_pq {
	uint8_t *buf;             /* stride: key + uint32 seq */
	size_t head, n, cap;
};
struct ms_pending {
	struct hashmap idx;       /* key -> struct ms_pend */
	struct ms_pq q[2];        /* 0: local and static, 1: BGP */
	uint32_t seq;
	uint32_t capacity;        /* the map's max_entries (0: unknown) */
	uint64_t count;           /* live entries (the metrics thread reads it) */
	size_t ncls[2];           /* live entries per class */
	size_t room;              /* entries deleted since the last retry */
	bool full;                /* refused since the last time room was seen */
	bool retry;               /* room freed: try the queue again */
	uint64_t logged_ns;       /* last full-map message */
	uint64_t logged_count;
};
struct ms_pend {
	uint32_t seq;
	uint8_t cls;              /* index into ms_pending.q */
};

struct mapsync {
	int fd[MS_NMAPS];
	bool batch_ok[MS_NMAPS];
	struct hashmap vnis;      /* vni -> struct vtep_vni */
	struct hashmap ports;     /* ifindex -> struct vtep_port */
	struct hashmap local_ip;  /* struct vtep_route_key -> ifindex */
	struct hashmap local_mac; /* struct vtep_fdb_key -> ifindex */
	struct hashmap statics;   /* struct ms_st_key -> struct ms_st_val */
	struct hashmap st_remote; /* vtep -> refs (IPv4 and IPv6 static routes) */
	struct hashmap local_ip6; /* struct vtep_route6_key -> ifindex (mapsync6.c) */
	struct hashmap statics6;  /* struct ms_st6_key -> struct ms_st_val (mapsync6.c) */
	struct hashmap dirty[MS_NMAPS]; /* keys to resolve and write at the next flush;
					 * value: uint32 index into dq[] */
	struct ms_dq dq[MS_NMAPS];      /* the dirty keys in the order first marked */
	struct mapsync_stats stats;
	struct ms_pending pend[MS_NMAPS]; /* the maps BGP fills (ms_has_pending) */
	struct ms_writer w;
	struct ms_job *spare;     /* a finished job kept with its buffers for the next */
	uint8_t *scratch[2];      /* resolving: BGP keys and values (scratch_cap entries) */
	size_t scratch_cap;
	uint64_t gen;             /* jobs formed so far */
	uint64_t gen_done;        /* the last job whose results are applied */
	size_t inflight;          /* jobs handed to the writer, results not applied */
	struct mapsync_bgp bgp;   /* the BGP side; all NULL when there is none */
	struct rcache *rc;        /* the datapath's route cache (NULL: none); not owned */
	struct rtab *rt;          /* the datapath's flat route table (NULL: none); not owned */
	bool bgp_adopted;         /* every BGP entry in the maps is the BGP side's */
	/* BGP entries the last full reconcile scan found in the maps (an
	 * earlier vtepd's); valid when bgp_scanned. None: adoption has
	 * nothing to look for. */
	bool bgp_scanned;
	size_t bgp_found;
};

/* A dirty key's value. Maps with BGP entries keep the BGP side's answer for
 * the key too (ms_dirty_size()); the others only the flags. */
#define MS_DIRTY_BGP    0x1 /* the BGP side touched the key: its entry there is ours */
#define MS_DIRTY_ANSWER 0x2 /* ans holds the BGP side's answer ... */
#define MS_DIRTY_WANT   0x4 /* ... which is "this entry" (else "none") */
#define MS_DIRTY_OVER   0x8 /* ... and replaces a local port's entry */
#define MS_DIRTY_DROPPED 0x10 /* taken back out (reconcile found it right) */
struct ms_dirty {
	uint8_t flags;
	uint8_t pad[3];
	union {
		struct vtep_route r;  /* routes, prefixes */
		struct vtep_fdb f;    /* fdb */
	} ans;
};

static inline size_t ms_dirty_size(enum ms_map m)
{
	switch (m) {
	case MS_ROUTES:
	case MS_PREFIXES:
	case MS_FDB:
	case MS_ROUTES6:
	case MS_PREFIXES6:
		return sizeof(struct ms_dirty);
	default:
		return 1; /* flags only */
	}
}

/* ---- keys and the dirty queue (small: inline) ----------------------------- */

static inline struct vtep_route_key ms_route_key(uint32_t vni, uint32_t ip)
{
	struct vtep_route_key k = { .vni = vni, .ip = ip };

	return k;
}

static inline struct vtep_fdb_key ms_fdb_key(uint32_t vni, const uint8_t mac[6])
{
	struct vtep_fdb_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	memcpy(k.mac, mac, 6);
	return k;
}

static inline struct vtep_prefix_key ms_prefix_key(uint32_t vni, uint32_t prefix, uint8_t len)
{
	struct vtep_prefix_key k = { .prefixlen = 32 + len, .vni = htonl(vni), .ip = prefix };

	return k;
}

static inline struct ms_st_key ms_static_key(uint32_t vni, uint32_t prefix, uint8_t len)
{
	struct ms_st_key k = { .vni = vni, .prefix = prefix, .len = len };

	return k;
}

static inline uint8_t *ms_dq_key(const struct ms_dq *q, size_t i)
{
	return q->buf + i * q->stride;
}

static inline uint8_t *ms_dq_flags(const struct ms_dq *q, size_t i)
{
	return q->buf + i * q->stride + q->doff;
}

/* mapsync.c: the dirty set. ms_dirty marks a key for the next flush (0 or
 * -ENOMEM; nothing when the map is absent); ms_dirty_bgp marks it for the
 * BGP side, to be asked at flush time; ms_dirty_bgp_ans with the BGP side's
 * answer (ans NULL: none wanted), when has_ans. */
int ms_dirty(struct mapsync *ms, enum ms_map m, const void *key);
int ms_dirty_bgp(struct mapsync *ms, enum ms_map m, const void *key);
int ms_dirty_bgp_ans(struct mapsync *ms, enum ms_map m, const void *key, bool has_ans,
		     const void *ans, size_t ans_size, bool over);
/* Marks every key a port / a static route contributes. */
int ms_dirty_port(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p);
int ms_dirty_static(struct mapsync *ms, const struct ms_st_key *k,
		    const struct ms_st_val *v);
const char *ms_fmt_key(enum ms_map m, const void *key, char *buf, size_t len);

/* mapsync_resolve.c */
bool ms_want(const struct mapsync *ms, enum ms_map m, const void *key,
	     const struct ms_dirty *d, void *val);
bool ms_is_bgp(enum ms_map m, const void *val);
bool ms_ours(const struct mapsync *ms, enum ms_map m, const void *val, bool bgp_touched);

/* mapsync_flush.c */
extern const enum ms_map ms_order[MS_NMAPS];
bool ms_batch_unsupported(int err);
int ms_delete(struct mapsync *ms, enum ms_map m, const uint8_t *keys, size_t n);
/* Runs a job's writes (in ms_order) and deletions (in reverse), recording
 * the results in it. Touches nothing but the maps and the job: safe on the
 * writer thread. */
void ms_job_run(const int fd[MS_NMAPS], struct ms_job *j);
/* Applies a job's results on the loop's thread (stats, errors, pending
 * entries, retries), calls the BGP side's written hook, frees the job.
 * Returns the first -errno a map refused (a full map's refusal is not an
 * error: the entry waits). */
int ms_job_done(struct mapsync *ms, struct ms_job *j);
void ms_job_free(struct ms_job *j);
/* Map m's entries in the map writer's value format are sourced from: */
uint8_t ms_val_source(enum ms_map m, const void *val);

/* mapsync_writer.c */
int ms_writer_init(struct mapsync *ms);
void ms_writer_free(struct mapsync *ms);
int ms_writer_submit(struct mapsync *ms, struct ms_job *j);
/* Applies the results of finished jobs: all of them, waiting for those
 * still running (drain), or only those already done (reap). Returns the
 * first -errno of their results. */
int ms_writer_drain(struct mapsync *ms);
int ms_writer_reap(struct mapsync *ms);
void ms_writer_stop(struct mapsync *ms);

/* mapsync_pending.c */
static inline bool ms_has_pending(enum ms_map m)
{
	return m == MS_ROUTES || m == MS_PREFIXES || m == MS_FDB || m == MS_ROUTES6 ||
	       m == MS_PREFIXES6;
}
int ms_pending_init(struct mapsync *ms);
void ms_pending_free(struct mapsync *ms);
/* A key of map m now holds what it should, or should hold nothing: no
 * longer pending. */
void ms_pending_clear(struct mapsync *ms, enum ms_map m, const void *key);
/* The map refused key (E2BIG: full); its entry (source src) waits. */
void ms_pending_add(struct mapsync *ms, enum ms_map m, const void *key, uint8_t src);
bool ms_pending_has(const struct mapsync *ms, enum ms_map m, const void *key);
/* A local or static entry the map refused: makes room by moving a BGP
 * entry out to the pending queue, then writes it. 0 or -errno. */
int ms_pending_make_room(struct mapsync *ms, enum ms_map m, const void *key, const void *val);
/* Room may have been freed: writes what waits, in order, until the map
 * refuses again. Then logs the state of every map (rate-limited). */
int ms_pending_retry(struct mapsync *ms);
void ms_pending_report(struct mapsync *ms);

/* ---- IPv6 (mapsync6.c) ----------------------------------------------------
 *
 *   port with ip6 (attached, MAC known)
 *                      vtep_routes6{vni, ip6} -> {vtep 0, ifindex, mac, LOCAL}
 *                      (its link-local address is in vtep_ports only: the
 *                      datapath checks a port's own addresses there, and no
 *                      route leads to a link-local address)
 *   static route /128  vtep_routes6{vni, ip6} -> {vtep, mac, STATIC}
 *   static route </128 vtep_prefixes6{32 + len, htonl(vni), prefix} -> {...}
 * with the precedence of the IPv4 maps (local > static > BGP, except a
 * workload that moved away), and vtep_remotes shared with IPv4. */
struct ms_st6_key {
	uint32_t vni;
	uint8_t  prefix[16];
	uint32_t len;
};

static inline struct vtep_route6_key ms_route6_key(uint32_t vni, const uint8_t ip[16])
{
	struct vtep_route6_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	memcpy(k.ip, ip, 16);
	return k;
}

static inline struct vtep_prefix6_key ms_prefix6_key(uint32_t vni, const uint8_t prefix[16],
						     uint8_t len)
{
	struct vtep_prefix6_key k;

	memset(&k, 0, sizeof(k));
	k.prefixlen = 32u + len;
	k.vni = htonl(vni);
	memcpy(k.ip, prefix, 16);
	return k;
}

int ms6_init(struct mapsync *ms);
void ms6_free(struct mapsync *ms);
/* A port's IPv6 part: index (port set), unindex (port replaced or gone),
 * and mark its vtep_routes6 key. */
int ms6_index_port(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p);
void ms6_unindex_port(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p);
int ms6_dirty_port(struct mapsync *ms, const struct vtep_port *p);
/* The IPv6 static routes (mapsync_route_add and friends dispatch here). */
int ms6_route_add(struct mapsync *ms, const struct mapsync_route *r);
int ms6_route_del(struct mapsync *ms, uint32_t vni, const uint8_t prefix[16], uint8_t len);
bool ms6_route_get(const struct mapsync *ms, uint32_t vni, const uint8_t prefix[16],
		   uint8_t len, struct mapsync_route *out);
bool ms6_route_next(const struct mapsync *ms, size_t *pos, struct mapsync_route *out);
/* Every key the IPv6 static routes name (reconcile). */
int ms6_dirty_statics(struct mapsync *ms);
/* Resolve (mapsync_resolve.c's ms_want for the IPv6 maps). */
bool ms6_want(const struct mapsync *ms, enum ms_map m, const void *key,
	      const struct ms_dirty *d, void *val);
const char *ms6_fmt_key(enum ms_map m, const void *key, char *buf, size_t len);

/* Keys ahead whose table lines ms_mirror() asks the cache for. */
#define MS_MIRROR_AHEAD 8

/* After vtep_routes took the entries keys/vals (vals NULL: lost the keys),
 * the flat route table follows them (rtab.h), before ms_changed(). Other
 * maps: nothing. */
static inline void ms_mirror(struct rtab *rt, enum ms_map m, const uint8_t *keys,
			     const uint8_t *vals, size_t n)
{
	const struct vtep_route_key *ks = (const void *)keys;
	size_t i;

	if (m != MS_ROUTES || !rt)
		return;
	for (i = 0; i < n && i < MS_MIRROR_AHEAD; i++)
		rtab_prefetch(rt, &ks[i]);
	for (i = 0; i < n; i++) {
		const struct vtep_route_key *k = &ks[i];

		if (i + MS_MIRROR_AHEAD < n)
			rtab_prefetch(rt, &ks[i + MS_MIRROR_AHEAD]);

		if (vals)
			rtab_put(rt, k, (const void *)(vals + i * sizeof(struct vtep_route)));
		else
			rtab_del(rt, k);
	}
}

/* After a write or deletion in map m: vtep_routes' changes make the
 * datapath's cached copies stale (rcache.h). */
static inline void ms_changed(struct rcache *rc, enum ms_map m)
{
	if (m == MS_ROUTES)
		rcache_bump(rc);
}

#endif /* VTEP_MAPSYNC_PRIV_H */
