/* mapsync.c - see mapsync.h.
 *
 * Layout: the intent tables, then resolve (intent -> desired map value for
 * one key), then the writer (dirty keys -> batched syscalls), then the
 * public edits that tie them together.
 */
#include "mapsync.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "addr.h"
#include "hashmap.h"
#include "log.h"

/* Entries per batch syscall: bounds our buffers; the kernel takes any. */
#define MS_CHUNK 8192
/* Below this many changes one syscall per entry is as cheap as a batch. */
#define MS_FEW   4
/* Slots a dirty set may keep between flushes (hashmap_clear keeps them). */
#define MS_DIRTY_KEEP 16384
#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's internal "not supported", seen by user space */
#endif

enum ms_map { MS_VNIS, MS_PORTS, MS_ROUTES, MS_PREFIXES, MS_NEIGH, MS_FDB, MS_REMOTES, MS_NMAPS };

#define MS_OWNED_ALL -1  /* the whole map is ours */
#define MS_OWNED_REM -2  /* vtep_remotes: ours unless the BGP bit is set */

static const struct ms_desc {
	const char *name;
	size_t key_size, val_size;
	int src_off; /* offset of the source byte in the value, or MS_OWNED_* */
} ms_descs[MS_NMAPS] = {
	[MS_VNIS] = { VTEP_MAP_VNIS, sizeof(__u32), sizeof(struct vtep_vni), MS_OWNED_ALL },
	[MS_PORTS] = { VTEP_MAP_PORTS, sizeof(__u32), sizeof(struct vtep_port), MS_OWNED_ALL },
	[MS_ROUTES] = { VTEP_MAP_ROUTES, sizeof(struct vtep_route_key), sizeof(struct vtep_route),
			offsetof(struct vtep_route, source) },
	[MS_PREFIXES] = { VTEP_MAP_PREFIXES, sizeof(struct vtep_prefix_key),
			  sizeof(struct vtep_route), offsetof(struct vtep_route, source) },
	[MS_NEIGH] = { VTEP_MAP_NEIGH, sizeof(struct vtep_route_key), sizeof(struct vtep_neigh),
		       offsetof(struct vtep_neigh, source) },
	[MS_FDB] = { VTEP_MAP_FDB, sizeof(struct vtep_fdb_key), sizeof(struct vtep_fdb),
		     offsetof(struct vtep_fdb, source) },
	[MS_REMOTES] = { VTEP_MAP_REMOTES, sizeof(__u32), sizeof(struct vtep_remote),
			 MS_OWNED_REM },
};

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
/* How many static routes name one (vni, mac), and the VTEP they give. */
struct ms_fdbref {
	uint32_t refs;
	uint32_t vtep;
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

struct mapsync {
	int fd[MS_NMAPS];
	bool batch_ok[MS_NMAPS];
	struct hashmap vnis;      /* vni -> struct vtep_vni */
	struct hashmap ports;     /* ifindex -> struct vtep_port */
	struct hashmap local_ip;  /* struct vtep_route_key -> ifindex */
	struct hashmap local_mac; /* struct vtep_fdb_key -> ifindex */
	struct hashmap statics;   /* struct ms_st_key -> struct ms_st_val */
	struct hashmap st_fdb;    /* struct vtep_fdb_key -> struct ms_fdbref */
	struct hashmap st_remote; /* vtep -> refs */
	struct hashmap dirty[MS_NMAPS]; /* keys to resolve and write at the next flush;
					 * value: uint32 index into dq[] */
	struct ms_dq dq[MS_NMAPS];      /* the dirty keys in the order first marked */
	struct mapsync_stats stats;
	struct mapsync_bgp bgp;   /* the BGP side; all NULL when there is none */
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
		struct vtep_route r;  /* routes, neigh, prefixes */
		struct vtep_fdb f;    /* fdb */
	} ans;
};

static size_t ms_dirty_size(enum ms_map m)
{
	switch (m) {
	case MS_ROUTES:
	case MS_NEIGH:
	case MS_PREFIXES:
	case MS_FDB:
		return sizeof(struct ms_dirty);
	default:
		return 1; /* flags only */
	}
}

/* ---- keys ---------------------------------------------------------------- */

static struct vtep_route_key route_key(uint32_t vni, uint32_t ip)
{
	struct vtep_route_key k = { .vni = vni, .ip = ip };

	return k;
}

static struct vtep_fdb_key fdb_key(uint32_t vni, const uint8_t mac[6])
{
	struct vtep_fdb_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	memcpy(k.mac, mac, 6);
	return k;
}

static struct vtep_prefix_key prefix_key(uint32_t vni, uint32_t prefix, uint8_t len)
{
	struct vtep_prefix_key k = { .prefixlen = 32 + len, .vni = htonl(vni), .ip = prefix };

	return k;
}

static struct ms_st_key st_key(uint32_t vni, uint32_t prefix, uint8_t len)
{
	struct ms_st_key k = { .vni = vni, .prefix = prefix, .len = len };

	return k;
}

static void ms_dq_init(struct ms_dq *q, enum ms_map m)
{
	q->doff = (ms_descs[m].key_size + 3) & ~(size_t)3;
	q->stride = q->doff + ((ms_dirty_size(m) + 3) & ~(size_t)3);
}

static uint8_t *ms_dq_key(const struct ms_dq *q, size_t i)
{
	return q->buf + i * q->stride;
}

static uint8_t *ms_dq_flags(const struct ms_dq *q, size_t i)
{
	return q->buf + i * q->stride + q->doff;
}

/* The flags (first byte of struct ms_dirty) of key's dirty entry, which is
 * appended (zeroed) when the key is not dirty yet; NULL without memory. */
static uint8_t *ms_dirty_entry(struct mapsync *ms, enum ms_map m, const void *key)
{
	struct ms_dq *q = &ms->dq[m];
	uint32_t *ix;
	bool created;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		uint8_t *nb = realloc(q->buf, cap * q->stride);

		if (!nb)
			return NULL;
		q->buf = nb;
		q->cap = cap;
	}
	ix = hashmap_put(&ms->dirty[m], key, NULL, &created);
	if (!ix)
		return NULL;
	if (created) {
		*ix = (uint32_t)q->n++;
		memset(ms_dq_key(q, *ix), 0, q->stride);
		memcpy(ms_dq_key(q, *ix), key, ms_descs[m].key_size);
	}
	return ms_dq_flags(q, *ix);
}

static int ms_dirty(struct mapsync *ms, enum ms_map m, const void *key)
{
	if (ms->fd[m] < 0)
		return 0;
	return ms_dirty_entry(ms, m, key) ? 0 : -ENOMEM;
}

/* Marks a key for the BGP side, with its answer (ans: the entry, or NULL for
 * none) or, with has_ans false, to be asked at flush time. */
static int ms_dirty_bgp_ans(struct mapsync *ms, enum ms_map m, const void *key, bool has_ans,
			    const void *ans, size_t ans_size, bool over)
{
	struct ms_dirty *d;
	uint8_t *f;

	if (ms->fd[m] < 0)
		return 0;
	f = ms_dirty_entry(ms, m, key);
	if (!f)
		return -ENOMEM;
	*f = (*f & ~(MS_DIRTY_ANSWER | MS_DIRTY_WANT | MS_DIRTY_OVER)) | MS_DIRTY_BGP;
	if (!has_ans || ms_dirty_size(m) == 1)
		return 0;
	d = (struct ms_dirty *)f;
	d->flags |= MS_DIRTY_ANSWER | (ans ? MS_DIRTY_WANT : 0) | (over ? MS_DIRTY_OVER : 0);
	if (ans)
		memcpy(&d->ans, ans, ans_size);
	return 0;
}

static int ms_dirty_bgp(struct mapsync *ms, enum ms_map m, const void *key)
{
	return ms_dirty_bgp_ans(ms, m, key, false, NULL, 0, false);
}

static const char *ms_fmt_key(enum ms_map m, const void *key, char *buf, size_t len)
{
	char a[ADDR_IP_STRLEN], mac[ADDR_MAC_STRLEN];

	switch (m) {
	case MS_ROUTES:
	case MS_NEIGH: {
		const struct vtep_route_key *k = key;

		snprintf(buf, len, "vni %u %s", k->vni, addr_fmt_ip(k->ip, a));
		break;
	}
	case MS_PREFIXES: {
		const struct vtep_prefix_key *k = key;

		snprintf(buf, len, "vni %u %s/%u", ntohl(k->vni), addr_fmt_ip(k->ip, a),
			 k->prefixlen - 32);
		break;
	}
	case MS_FDB: {
		const struct vtep_fdb_key *k = key;

		snprintf(buf, len, "vni %u %s", k->vni, addr_fmt_mac(k->mac, mac));
		break;
	}
	case MS_REMOTES:
		snprintf(buf, len, "%s", addr_fmt_ip(*(const uint32_t *)key, a));
		break;
	default:
		snprintf(buf, len, "%u", *(const uint32_t *)key);
		break;
	}
	return buf;
}

/* ---- resolve: what the intent wants at one key ---------------------------- */

/* The attached port at (vni, ip), or NULL. */
static const struct vtep_port *local_at_ip(const struct mapsync *ms, uint32_t vni, uint32_t ip,
					   uint32_t *ifindex)
{
	struct vtep_route_key k = route_key(vni, ip);
	const uint32_t *idx = hashmap_get(&ms->local_ip, &k);

	if (!idx)
		return NULL;
	*ifindex = *idx;
	return hashmap_get(&ms->ports, idx);
}

/* The BGP side's answer at a key: the one it left in the dirty entry when it
 * marked the key (computed while its tables were hot in the cache), else
 * asked now. */
static bool bgp_route(const struct mapsync *ms, const struct vtep_route_key *k,
		      const struct ms_dirty *d, struct vtep_route *out, bool *over)
{
	*over = false;
	if (d && (d->flags & MS_DIRTY_ANSWER)) {
		*over = d->flags & MS_DIRTY_OVER;
		*out = d->ans.r;
		return d->flags & MS_DIRTY_WANT;
	}
	return ms->bgp.route && ms->bgp.route(ms->bgp.ctx, k, out, over);
}

static bool bgp_fdb(const struct mapsync *ms, const struct vtep_fdb_key *k,
		    const struct ms_dirty *d, struct vtep_fdb *out, bool *over)
{
	*over = false;
	if (d && (d->flags & MS_DIRTY_ANSWER)) {
		*over = d->flags & MS_DIRTY_OVER;
		*out = d->ans.f;
		return d->flags & MS_DIRTY_WANT;
	}
	return ms->bgp.fdb && ms->bgp.fdb(ms->bgp.ctx, k, out, over);
}

static bool bgp_prefix(const struct mapsync *ms, const struct vtep_prefix_key *k,
		       const struct ms_dirty *d, struct vtep_route *out)
{
	if (d && (d->flags & MS_DIRTY_ANSWER)) {
		*out = d->ans.r;
		return d->flags & MS_DIRTY_WANT;
	}
	return ms->bgp.prefix && ms->bgp.prefix(ms->bgp.ctx, k, out);
}

static bool want_route(const struct mapsync *ms, const struct vtep_route_key *k,
		       const struct ms_dirty *d, struct vtep_route *out)
{
	const struct vtep_port *p;
	struct ms_st_key sk;
	const struct ms_st_val *st;
	uint32_t ifindex;
	bool over;

	memset(out, 0, sizeof(*out));
	p = local_at_ip(ms, k->vni, k->ip, &ifindex);
	if (p) {
		/* A local workload whose MAC is not known yet hides any static
		 * or BGP route to its IP but cannot be delivered to: no entry. */
		if (addr_mac_is_zero(p->mac))
			return false;
		/* The workload moved to another VTEP (RFC 7432 15): the
		 * remote route with the higher sequence wins. */
		if (bgp_route(ms, k, d, out, &over) && over)
			return true;
		memset(out, 0, sizeof(*out));
		out->ifindex = ifindex;
		memcpy(out->mac, p->mac, 6);
		out->source = VTEP_SRC_LOCAL;
		return true;
	}
	sk = st_key(k->vni, k->ip, 32);
	st = ms->statics.count ? hashmap_get(&ms->statics, &sk) : NULL;
	if (!st)
		return bgp_route(ms, k, d, out, &over);
	out->vtep = st->vtep;
	memcpy(out->mac, st->mac, 6);
	out->source = VTEP_SRC_STATIC;
	return true;
}

static bool want_prefix(const struct mapsync *ms, const struct vtep_prefix_key *k,
			const struct ms_dirty *d, struct vtep_route *out)
{
	struct ms_st_key sk;
	const struct ms_st_val *st;

	memset(out, 0, sizeof(*out));
	if (k->prefixlen < 32 || k->prefixlen > 64)
		return false;
	/* Static /32s live in vtep_routes; a BGP type-5 /32 is a prefix. */
	sk = st_key(ntohl(k->vni), k->ip, k->prefixlen - 32);
	st = k->prefixlen < 64 ? hashmap_get(&ms->statics, &sk) : NULL;
	if (!st)
		return bgp_prefix(ms, k, d, out);
	out->vtep = st->vtep;
	memcpy(out->mac, st->mac, 6);
	out->source = VTEP_SRC_STATIC;
	return true;
}

static bool want_neigh(const struct mapsync *ms, const struct vtep_route_key *k,
		       const struct ms_dirty *d, struct vtep_neigh *out)
{
	struct vtep_route r;

	memset(out, 0, sizeof(*out));
	if (!want_route(ms, k, d, &r))
		return false;
	memcpy(out->mac, r.mac, 6);
	out->source = r.source;
	return true;
}

static bool want_fdb(const struct mapsync *ms, const struct vtep_fdb_key *k,
		     const struct ms_dirty *d, struct vtep_fdb *out)
{
	const uint32_t *idx = hashmap_get(&ms->local_mac, k);
	const struct ms_fdbref *fr;
	bool over;

	memset(out, 0, sizeof(*out));
	if (idx) {
		if (bgp_fdb(ms, k, d, out, &over) && over)
			return true; /* moved away (RFC 7432 15) */
		memset(out, 0, sizeof(*out));
		out->ifindex = *idx;
		out->source = VTEP_SRC_LOCAL;
		return true;
	}
	fr = ms->st_fdb.count ? hashmap_get(&ms->st_fdb, k) : NULL;
	if (!fr)
		return bgp_fdb(ms, k, d, out, &over);
	out->vtep = fr->vtep;
	out->source = VTEP_SRC_STATIC;
	return true;
}

static bool want_remote(const struct mapsync *ms, const uint32_t *vtep, struct vtep_remote *out)
{
	const uint32_t *refs = hashmap_get(&ms->st_remote, vtep);
	uint32_t bgp = ms->bgp.remote_refs ? ms->bgp.remote_refs(ms->bgp.ctx, *vtep) : 0;

	memset(out, 0, sizeof(*out));
	if (refs) {
		out->refs = *refs;
		out->sources = 1u << VTEP_SRC_STATIC;
	}
	if (bgp) {
		out->refs += bgp;
		out->sources |= 1u << VTEP_SRC_BGP;
	}
	return out->sources != 0;
}

/* d: the key's dirty entry when it has one (a cached BGP answer), or NULL. */
static bool ms_want(const struct mapsync *ms, enum ms_map m, const void *key,
		    const struct ms_dirty *d, void *val)
{
	const void *v;

	switch (m) {
	case MS_VNIS:
	case MS_PORTS:
		v = hashmap_get(m == MS_VNIS ? &ms->vnis : &ms->ports, key);
		if (v)
			memcpy(val, v, ms_descs[m].val_size);
		return v != NULL;
	case MS_ROUTES:
		return want_route(ms, key, d, val);
	case MS_PREFIXES:
		return want_prefix(ms, key, d, val);
	case MS_NEIGH:
		return want_neigh(ms, key, d, val);
	case MS_FDB:
		return want_fdb(ms, key, d, val);
	case MS_REMOTES:
		return want_remote(ms, key, val);
	default:
		return false;
	}
}

bool mapsync_want_route(const struct mapsync *ms, const struct vtep_route_key *k,
			struct vtep_route *out)
{
	return want_route(ms, k, NULL, out);
}

bool mapsync_want_fdb(const struct mapsync *ms, const struct vtep_fdb_key *k,
		      struct vtep_fdb *out)
{
	return want_fdb(ms, k, NULL, out);
}

/* Is an entry found in the map BGP-sourced? */
static bool ms_is_bgp(enum ms_map m, const void *val)
{
	int off = ms_descs[m].src_off;

	if (off == MS_OWNED_ALL)
		return false;
	if (off == MS_OWNED_REM)
		return ((const struct vtep_remote *)val)->sources & (1u << VTEP_SRC_BGP);
	return ((const uint8_t *)val)[off] == VTEP_SRC_BGP;
}

/* Is an entry found in the map ours to delete or overwrite? BGP entries are
 * once adopted (mapsync_bgp_adopt) or when the BGP side touched the key. */
static bool ms_ours(const struct mapsync *ms, enum ms_map m, const void *val, bool bgp_touched)
{
	int off = ms_descs[m].src_off;
	uint8_t src;

	if (off == MS_OWNED_ALL)
		return true;
	if (ms_is_bgp(m, val))
		return ms->bgp_adopted || bgp_touched;
	if (off == MS_OWNED_REM)
		return true;
	src = ((const uint8_t *)val)[off];
	return src == VTEP_SRC_LOCAL || src == VTEP_SRC_STATIC;
}

/* ---- writer ---------------------------------------------------------------- */

static bool batch_unsupported(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUPP || err == -ENOSYS;
}

static int ms_note_err(struct mapsync_stats *st, enum ms_map m, const void *key,
		       const char *what, int err, int first)
{
	char kb[64];

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
			if (!err && cnt == 0 && batch_unsupported(berr))
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

static int ms_delete(struct mapsync *ms, enum ms_map m, const uint8_t *keys, size_t n)
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
			if (cnt == 0 && (!err || err == -ENOENT) && batch_unsupported(berr))
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
	uint8_t cur[64];
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
static const enum ms_map ms_order[MS_NMAPS] = {
	MS_VNIS, MS_REMOTES, MS_PORTS, MS_FDB, MS_NEIGH, MS_PREFIXES, MS_ROUTES,
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

/* ---- reconcile --------------------------------------------------------------- */

/* Calls fn on every entry of map m: batched lookups when the map supports
 * them, get_next_key otherwise (LPM tries on older kernels). */
typedef int (*ms_scan_fn)(struct mapsync *ms, enum ms_map m, const void *k, const void *v,
			  void *arg);

static int ms_scan(struct mapsync *ms, enum ms_map m, ms_scan_fn fn, void *arg)
{
	const struct ms_desc *d = &ms_descs[m];
	uint8_t *keys = malloc(MS_CHUNK * d->key_size), *vals = malloc(MS_CHUNK * d->val_size);
	uint8_t batch[64], k[64], v[64];
	int fd = ms->fd[m], err = 0;
	bool first = true, more = true;
	__u32 i;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (more) {
		__u32 cnt = MS_CHUNK;

		err = bpf_map_lookup_batch(fd, first ? NULL : batch, batch, keys, vals, &cnt, NULL);
		if (err == -ENOENT) {
			more = false;
			err = 0;
		} else if (err) {
			if (first && batch_unsupported(err))
				goto slow;
			goto out;
		}
		if (cnt > MS_CHUNK)
			cnt = 0;
		for (i = 0; i < cnt && !err; i++)
			err = fn(ms, m, keys + i * d->key_size, vals + i * d->val_size, arg);
		if (err)
			goto out;
		first = false;
	}
	goto out;
slow:
	err = bpf_map_get_next_key(fd, NULL, k);
	while (!err) {
		if (!bpf_map_lookup_elem(fd, k, v)) {
			err = fn(ms, m, k, v, arg);
			if (err)
				goto out;
		}
		memcpy(v, k, d->key_size);
		err = bpf_map_get_next_key(fd, v, k);
	}
	if (err == -ENOENT)
		err = 0;
out:
	free(keys);
	free(vals);
	return err;
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
	uint8_t want[64];
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

/* Marks every key a port contributes. */
static int ms_dirty_port(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p)
{
	struct vtep_route_key rk = route_key(p->vni, p->ip);
	int err;

	err = ms_dirty(ms, MS_PORTS, &ifindex);
	err = err ?: ms_dirty(ms, MS_ROUTES, &rk);
	err = err ?: ms_dirty(ms, MS_NEIGH, &rk);
	if (!err && !addr_mac_is_zero(p->mac)) {
		struct vtep_fdb_key fk = fdb_key(p->vni, p->mac);

		err = ms_dirty(ms, MS_FDB, &fk);
	}
	return err;
}

static int ms_dirty_static(struct mapsync *ms, const struct ms_st_key *k,
			   const struct ms_st_val *v)
{
	struct vtep_fdb_key fk = fdb_key(k->vni, v->mac);
	int err;

	if (k->len == 32) {
		struct vtep_route_key rk = route_key(k->vni, k->prefix);

		err = ms_dirty(ms, MS_ROUTES, &rk);
		err = err ?: ms_dirty(ms, MS_NEIGH, &rk);
	} else {
		struct vtep_prefix_key pk = prefix_key(k->vni, k->prefix, k->len);

		err = ms_dirty(ms, MS_PREFIXES, &pk);
	}
	err = err ?: ms_dirty(ms, MS_FDB, &fk);
	return err ?: ms_dirty(ms, MS_REMOTES, &v->vtep);
}

int mapsync_reconcile(struct mapsync *ms)
{
	struct ms_stale stale[MS_NMAPS];
	size_t pos;
	const void *k;
	void *v;
	int m, err, e;

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

/* ---- intent edits ------------------------------------------------------------ */

int mapsync_new(const struct mapsync_fds *fds, size_t route_hint, struct mapsync **out)
{
	struct mapsync *ms = calloc(1, sizeof(*ms));
	int m, err = 0;

	if (!ms)
		return -ENOMEM;
	ms->fd[MS_VNIS] = fds->vnis;
	ms->fd[MS_PORTS] = fds->ports;
	ms->fd[MS_ROUTES] = fds->routes;
	ms->fd[MS_PREFIXES] = fds->prefixes;
	ms->fd[MS_NEIGH] = fds->neigh;
	ms->fd[MS_FDB] = fds->fdb;
	ms->fd[MS_REMOTES] = fds->remotes;
	for (m = 0; m < MS_NMAPS; m++) {
		ms->batch_ok[m] = true;
		err = err ?: hashmap_init(&ms->dirty[m], ms_descs[m].key_size, sizeof(uint32_t), 0);
		ms_dq_init(&ms->dq[m], m);
	}
	err = err ?: hashmap_init(&ms->vnis, sizeof(uint32_t), sizeof(struct vtep_vni), 0);
	err = err ?: hashmap_init(&ms->ports, sizeof(uint32_t), sizeof(struct vtep_port), 0);
	err = err ?: hashmap_init(&ms->local_ip, sizeof(struct vtep_route_key),
				  sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&ms->local_mac, sizeof(struct vtep_fdb_key), sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&ms->statics, sizeof(struct ms_st_key),
				  sizeof(struct ms_st_val), route_hint);
	err = err ?: hashmap_init(&ms->st_fdb, sizeof(struct vtep_fdb_key),
				  sizeof(struct ms_fdbref), 0);
	err = err ?: hashmap_init(&ms->st_remote, sizeof(uint32_t), sizeof(uint32_t), 0);
	if (err) {
		mapsync_free(ms);
		return err;
	}
	*out = ms;
	return 0;
}

void mapsync_free(struct mapsync *ms)
{
	int m;

	if (!ms)
		return;
	for (m = 0; m < MS_NMAPS; m++) {
		hashmap_free(&ms->dirty[m]);
		free(ms->dq[m].buf);
	}
	hashmap_free(&ms->vnis);
	hashmap_free(&ms->ports);
	hashmap_free(&ms->local_ip);
	hashmap_free(&ms->local_mac);
	hashmap_free(&ms->statics);
	hashmap_free(&ms->st_fdb);
	hashmap_free(&ms->st_remote);
	free(ms);
}

int mapsync_vni_set(struct mapsync *ms, uint32_t vni, const struct vtep_vni *v)
{
	if (!hashmap_put(&ms->vnis, &vni, v, NULL))
		return -ENOMEM;
	return ms_dirty(ms, MS_VNIS, &vni);
}

int mapsync_vni_del(struct mapsync *ms, uint32_t vni)
{
	if (hashmap_del(&ms->vnis, &vni))
		return -ENOENT;
	return ms_dirty(ms, MS_VNIS, &vni);
}

/* Drops a port's index entries (those that still point at it). */
static void ms_unindex_port(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p)
{
	struct vtep_route_key rk = route_key(p->vni, p->ip);
	const uint32_t *idx = hashmap_get(&ms->local_ip, &rk);

	if (idx && *idx == ifindex)
		hashmap_del(&ms->local_ip, &rk);
	if (!addr_mac_is_zero(p->mac)) {
		struct vtep_fdb_key fk = fdb_key(p->vni, p->mac);

		idx = hashmap_get(&ms->local_mac, &fk);
		if (idx && *idx == ifindex)
			hashmap_del(&ms->local_mac, &fk);
	}
}

int mapsync_port_set(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p)
{
	struct vtep_route_key rk = route_key(p->vni, p->ip);
	const struct vtep_port *cur = hashmap_get(&ms->ports, &ifindex);
	struct vtep_port old;
	int err;

	if (cur) {
		old = *cur;
		ms_unindex_port(ms, ifindex, &old);
		if ((err = ms_dirty_port(ms, ifindex, &old)))
			return err;
	}
	if (!hashmap_put(&ms->ports, &ifindex, p, NULL) ||
	    !hashmap_put(&ms->local_ip, &rk, &ifindex, NULL))
		return -ENOMEM;
	if (!addr_mac_is_zero(p->mac)) {
		struct vtep_fdb_key fk = fdb_key(p->vni, p->mac);

		if (!hashmap_put(&ms->local_mac, &fk, &ifindex, NULL))
			return -ENOMEM;
	}
	if ((err = ms_dirty_port(ms, ifindex, p)))
		return err;
	if (ms->bgp.port)
		ms->bgp.port(ms->bgp.ctx, ifindex, cur ? &old : NULL, p);
	return 0;
}

int mapsync_port_del(struct mapsync *ms, uint32_t ifindex)
{
	const struct vtep_port *cur = hashmap_get(&ms->ports, &ifindex);
	struct vtep_port old;

	if (!cur)
		return -ENOENT;
	int err;

	old = *cur;
	ms_unindex_port(ms, ifindex, &old);
	hashmap_del(&ms->ports, &ifindex);
	if ((err = ms_dirty_port(ms, ifindex, &old)))
		return err;
	if (ms->bgp.port)
		ms->bgp.port(ms->bgp.ctx, ifindex, &old, NULL);
	return 0;
}

/* Adds (delta 1) or drops (delta -1) a static route's share of the fdb and
 * remotes reference counts. */
static int ms_static_refs(struct mapsync *ms, const struct ms_st_key *k,
			  const struct ms_st_val *v, int delta)
{
	struct vtep_fdb_key fk = fdb_key(k->vni, v->mac);
	struct ms_fdbref *fr;
	uint32_t *refs;

	if (delta > 0) {
		fr = hashmap_put(&ms->st_fdb, &fk, NULL, NULL);
		refs = fr ? hashmap_put(&ms->st_remote, &v->vtep, NULL, NULL) : NULL;
		if (!refs)
			return -ENOMEM;
		fr->refs++;
		fr->vtep = v->vtep; /* the latest route wins if two disagree */
		(*refs)++;
		return 0;
	}
	fr = hashmap_get(&ms->st_fdb, &fk);
	if (fr && --fr->refs == 0)
		hashmap_del(&ms->st_fdb, &fk);
	refs = hashmap_get(&ms->st_remote, &v->vtep);
	if (refs && --(*refs) == 0)
		hashmap_del(&ms->st_remote, &v->vtep);
	return 0;
}

int mapsync_route_add(struct mapsync *ms, const struct cfg_route *r)
{
	struct ms_st_key k = st_key(r->vni, r->prefix & addr_mask(r->prefixlen), r->prefixlen);
	struct ms_st_val v, *cur;
	int err;

	if (r->prefixlen > 32)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	v.vtep = r->vtep;
	memcpy(v.mac, r->mac, 6);
	cur = hashmap_get(&ms->statics, &k);
	if (cur) {
		struct ms_st_val old = *cur;

		ms_static_refs(ms, &k, &old, -1);
		if ((err = ms_dirty_static(ms, &k, &old)))
			return err;
	}
	if (!hashmap_put(&ms->statics, &k, &v, NULL))
		return -ENOMEM;
	if ((err = ms_static_refs(ms, &k, &v, 1)))
		return err;
	return ms_dirty_static(ms, &k, &v);
}

int mapsync_route_del(struct mapsync *ms, uint32_t vni, uint32_t prefix, uint8_t prefixlen)
{
	struct ms_st_key k = st_key(vni, prefix & addr_mask(prefixlen), prefixlen);
	struct ms_st_val *cur = hashmap_get(&ms->statics, &k), old;

	if (!cur)
		return -ENOENT;
	old = *cur;
	hashmap_del(&ms->statics, &k);
	ms_static_refs(ms, &k, &old, -1);
	return ms_dirty_static(ms, &k, &old);
}

static void st_to_cfg(const struct ms_st_key *k, const struct ms_st_val *v, struct cfg_route *out)
{
	memset(out, 0, sizeof(*out));
	out->vni = k->vni;
	out->prefix = k->prefix;
	out->prefixlen = k->len;
	out->vtep = v->vtep;
	memcpy(out->mac, v->mac, 6);
}

bool mapsync_route_get(const struct mapsync *ms, uint32_t vni, uint32_t prefix,
		       uint8_t prefixlen, struct cfg_route *out)
{
	struct ms_st_key k = st_key(vni, prefix & addr_mask(prefixlen), prefixlen);
	const struct ms_st_val *v = hashmap_get(&ms->statics, &k);

	if (v && out)
		st_to_cfg(&k, v, out);
	return v != NULL;
}

size_t mapsync_route_count(const struct mapsync *ms)
{
	return hashmap_count(&ms->statics);
}

bool mapsync_route_next(const struct mapsync *ms, size_t *pos, struct cfg_route *out)
{
	const void *k;
	void *v;

	k = hashmap_next(&ms->statics, pos, &v);
	if (!k)
		return false;
	st_to_cfg(k, v, out);
	return true;
}

void mapsync_get_stats(const struct mapsync *ms, struct mapsync_stats *out)
{
	*out = ms->stats;
}

/* ---- the BGP side -------------------------------------------------------------- */

void mapsync_set_bgp(struct mapsync *ms, const struct mapsync_bgp *bgp)
{
	size_t pos = 0;
	const void *k;
	void *v;

	memset(&ms->bgp, 0, sizeof(ms->bgp));
	if (!bgp)
		return;
	ms->bgp = *bgp;
	if (!ms->bgp.port)
		return;
	/* The callback may touch keys (other tables), never ports. */
	while ((k = hashmap_next(&ms->ports, &pos, &v)))
		ms->bgp.port(ms->bgp.ctx, *(const uint32_t *)k, NULL, v);
}

int mapsync_bgp_touch_route(struct mapsync *ms, const struct vtep_route_key *k)
{
	return ms_dirty_bgp(ms, MS_ROUTES, k) ?: ms_dirty_bgp(ms, MS_NEIGH, k);
}

int mapsync_bgp_touch_prefix(struct mapsync *ms, const struct vtep_prefix_key *k)
{
	return ms_dirty_bgp(ms, MS_PREFIXES, k);
}

int mapsync_bgp_touch_fdb(struct mapsync *ms, const struct vtep_fdb_key *k)
{
	return ms_dirty_bgp(ms, MS_FDB, k);
}

int mapsync_bgp_set_route(struct mapsync *ms, const struct vtep_route_key *k,
			  const struct vtep_route *v, bool over_local)
{
	return ms_dirty_bgp_ans(ms, MS_ROUTES, k, true, v, sizeof(*v), over_local) ?:
	       ms_dirty_bgp_ans(ms, MS_NEIGH, k, true, v, sizeof(*v), over_local);
}

int mapsync_bgp_set_prefix(struct mapsync *ms, const struct vtep_prefix_key *k,
			   const struct vtep_route *v)
{
	return ms_dirty_bgp_ans(ms, MS_PREFIXES, k, true, v, sizeof(*v), false);
}

int mapsync_bgp_set_fdb(struct mapsync *ms, const struct vtep_fdb_key *k,
			const struct vtep_fdb *v, bool over_local)
{
	return ms_dirty_bgp_ans(ms, MS_FDB, k, true, v, sizeof(*v), over_local);
}

int mapsync_bgp_touch_remote(struct mapsync *ms, uint32_t vtep)
{
	return ms_dirty_bgp(ms, MS_REMOTES, &vtep);
}

/* One entry during the adoption scan: a BGP entry that is not what the
 * resolver wants now (stale, or a local/static one wins) is marked. */
static int ms_adopt_entry(struct mapsync *ms, enum ms_map m, const void *k, const void *v,
			  void *arg)
{
	uint8_t want[64];

	(void)arg;
	if (!ms_is_bgp(m, v))
		return 0;
	if (ms_want(ms, m, k, NULL, want) && !memcmp(want, v, ms_descs[m].val_size))
		return 0;
	return ms_dirty_bgp(ms, m, k);
}

int mapsync_bgp_adopt(struct mapsync *ms)
{
	static const enum ms_map maps[] = { MS_ROUTES, MS_NEIGH, MS_FDB, MS_PREFIXES, MS_REMOTES };
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
