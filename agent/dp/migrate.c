/* migrate.c - see migrate.h for the procedure and why it loses nothing.
 *
 * Entries are read in chunks (lib/mapwalk.h: BPF_MAP_LOOKUP_BATCH, or
 * get_next_key + lookup for the LPM trie, which has no batch operations) and
 * written with BPF_MAP_UPDATE_BATCH where the map type has it. Per-CPU
 * values are converted slot by slot: the kernel hands them out as one
 * round_up(value_size, 8) stride per possible CPU.
 */
#include "migrate.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "mapdump.h"
#include "mapwalk.h"
#include "vtep_maps.h"

#define MIGRATE_MAX_MAPS 16
#define MIGRATE_CHUNK    4096
#define MIGRATE_TMP_SFX  "-new"  /* bpffs refuses dots in names; no C identifier has "-" */
/* The kernel's internal ENOTSUPP (524) reaches user space for map types
 * without batch operations. */
#define MIGRATE_ENOTSUPP 524


enum mig_kind {
	MIG_VERBATIM,   /* same layout, other capacity or flags */
	MIG_EXTEND,     /* vtep_stats grew by appended counters: zero-extend */
	MIG_CONVERT,    /* through the history table */
	MIG_RECREATE,   /* a ring buffer: nothing to carry over */
};

struct mig_map {
	char name[BPF_OBJ_NAME_LEN];
	char path[PATH_MAX], tmp[PATH_MAX];
	enum mig_kind kind;
	struct bpf_map_info old;   /* the pinned map */
	__u32 new_max, new_vs, new_flags;
	size_t count;              /* entries the pinned map held at plan time */
};

struct migrate {
	const struct migrate_table *t;
	char bpffs[PATH_MAX];
	unsigned int from;         /* the pins' layout */
	struct mig_map maps[MIGRATE_MAX_MAPS];
	size_t n;
	size_t copied, dropped;
	bool committed;
};

/* ---- the history table ------------------------------------------------------ */

static const struct migrate_step *find_step(const struct migrate_table *t, unsigned int from)
{
	for (size_t i = 0; i < t->n_steps; i++)
		if (t->steps[i].from == from)
			return &t->steps[i];
	return NULL;
}

static const struct migrate_conv *find_conv(const struct migrate_step *s, const char *name)
{
	for (size_t i = 0; s && i < s->n_convs; i++)
		if (!strcmp(s->convs[i].map, name))
			return &s->convs[i];
	return NULL;
}

/* Is there a step for every version from `from` up to t->current? */
static bool have_path(const struct migrate_table *t, unsigned int from)
{
	for (unsigned int v = from; v < t->current; v++)
		if (!find_step(t, v))
			return false;
	return true;
}

/* The map's type and sizes in layout `from` (the first step that changes
 * it says; otherwise they are the current ones). True when some step
 * changes the map. */
static bool layout_at(const struct migrate_table *t, const char *name, unsigned int from,
		      __u32 *type, __u32 *ks, __u32 *vs)
{
	for (unsigned int v = from; v < t->current; v++) {
		const struct migrate_conv *c = find_conv(find_step(t, v), name);

		if (c) {
			if (c->old_type)
				*type = c->old_type;
			*ks = c->old_key_size;
			*vs = c->old_value_size;
			return true;
		}
	}
	return false;
}

int migrate_convert(const struct migrate_table *t, const char *name, unsigned int from,
		    const void *okey, const void *oval, void *nkey, size_t nkey_size,
		    void *nval, size_t nval_size)
{
	static __thread unsigned char kb[2][MIGRATE_MAX_SIZE], vb[2][MIGRATE_MAX_SIZE];
	const void *ck = okey, *cv = oval;
	size_t cks = nkey_size, cvs = nval_size;
	int cur = 0, ret;

	if (nkey_size > MIGRATE_MAX_SIZE || nval_size > MIGRATE_MAX_SIZE)
		return -E2BIG;
	for (unsigned int v = from; v < t->current; v++) {
		const struct migrate_step *s = find_step(t, v);
		const struct migrate_conv *c;

		if (!s)
			return -ENOENT;
		c = find_conv(s, name);
		if (!c)
			continue;
		if (c->new_key_size > MIGRATE_MAX_SIZE || c->new_value_size > MIGRATE_MAX_SIZE)
			return -E2BIG;
		memset(kb[cur], 0, c->new_key_size);
		memset(vb[cur], 0, c->new_value_size);
		ret = c->fn(ck, cv, kb[cur], vb[cur]);
		if (ret)
			return ret;
		ck = kb[cur];
		cv = vb[cur];
		cks = c->new_key_size;
		cvs = c->new_value_size;
		cur ^= 1;
	}
	if (cks != nkey_size || cvs != nval_size)
		return -EPROTO;
	memmove(nkey, ck, nkey_size);
	memmove(nval, cv, nval_size);
	return 0;
}

/* ---- reading the pins ------------------------------------------------------- */

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

int migrate_pinned_layout(const char *bpffs, unsigned int *version, bool *present)
{
	char path[PATH_MAX];
	struct bpf_map_info info;
	unsigned char *val = NULL;
	__u32 zero = 0, v;
	int fd, ret;

	*version = 0;
	*present = false;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", bpffs, VTEP_MAP_GLOBAL) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	ret = map_info(fd, &info);
	/* Any layout's vtep_global: an array whose value holds the version
	 * at offset 4. Read with a buffer of the pinned value size. */
	if (!ret && (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != 4 ||
		     info.value_size < 8 || info.value_size > MIGRATE_MAX_SIZE))
		ret = -EPROTO;
	if (!ret && !(val = calloc(1, info.value_size)))
		ret = -ENOMEM;
	if (!ret)
		ret = bpf_map_lookup_elem(fd, &zero, val);
	if (!ret) {
		memcpy(&v, val + 4, sizeof(v));
		*version = v;
		*present = true;
	}
	free(val);
	close(fd);
	return ret;
}

static bool is_array(__u32 type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static bool is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static size_t value_bytes(__u32 type, __u32 value_size, int ncpu)
{
	return is_percpu(type) ? (size_t)((value_size + 7) & ~7u) * (size_t)ncpu : value_size;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Entries a map holds, as the capacity check sees them: for an array, the
 * highest slot that is not all zero, plus one (a shrink must not cut a slot
 * in use); otherwise the number of keys. */
static int count_entries(int fd, const struct bpf_map_info *info, size_t *n)
{
	int ncpu = libbpf_num_possible_cpus(), ret = 0;
	size_t vb;
	unsigned char *val;

	if (!is_array(info->type))
		return mapdump_count(fd, n);
	if (ncpu < 0)
		return ncpu;
	vb = value_bytes(info->type, info->value_size, ncpu);
	val = malloc(vb);
	if (!val)
		return -ENOMEM;
	*n = 0;
	for (__u32 i = 0; i < info->max_entries; i++) {
		ret = bpf_map_lookup_elem(fd, &i, val);
		if (ret)
			break;
		if (!all_zero(val, vb))
			*n = (size_t)i + 1;
	}
	free(val);
	return ret;
}

/* The `limits` key behind each sized map, for messages. */
static const char *limit_key(const char *name)
{
	if (!strcmp(name, VTEP_MAP_ROUTES) || !strcmp(name, VTEP_MAP_PREFIXES) ||
	    !strcmp(name, VTEP_MAP_ROUTES6) || !strcmp(name, VTEP_MAP_PREFIXES6))
		return "limits.routes";
	if (!strcmp(name, VTEP_MAP_FDB))
		return "limits.fdb";
	if (!strcmp(name, VTEP_MAP_PORTS))
		return "limits.ports";
	return NULL;
}

static void tmp_path(char *out, size_t len, const char *path)
{
	snprintf(out, len, "%s%s", path, MIGRATE_TMP_SFX);
}

/* ---- step 1 and 2: plan and redirect ---------------------------------------- */

/* Decides what one pinned map needs; 0 with *need false when it fits. */
static int plan_map(struct migrate *m, struct bpf_map *bm, int fd, struct mig_map *mm,
		    bool *need, char err[CFG_ERR_LEN])
{
	const char *name = bpf_map__name(bm);
	__u32 type = bpf_map__type(bm), ks = bpf_map__key_size(bm), vs = bpf_map__value_size(bm);
	__u32 otype = type, oks = ks, ovs = vs;
	const struct bpf_map_info *o = &mm->old;
	bool changed = false, same;
	const char *lk;
	int ret;

	*need = false;
	ret = map_info(fd, &mm->old);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "pinned map %s: %s", name, strerror(-ret));
		return ret;
	}
	mm->new_max = bpf_map__max_entries(bm);
	mm->new_vs = vs;
	mm->new_flags = bpf_map__map_flags(bm);
	same = o->type == type && o->key_size == ks && o->value_size == vs;
	if (m->from < m->t->current)
		changed = layout_at(m->t, name, m->from, &otype, &oks, &ovs);

	/* A ring buffer's records, the route cache's copies and per-CPU
	 * state, and the flat route table are nothing to carry over (the
	 * cache's gen makes a new map's zeroes empty; vtepd rebuilds the table
	 * from vtep_routes, and a new one's epoch 0 keeps it off until then),
	 * whatever their type or size was. */
	if (type == BPF_MAP_TYPE_RINGBUF || o->type == BPF_MAP_TYPE_RINGBUF ||
	    !strcmp(name, VTEP_MAP_RCACHE) || !strcmp(name, VTEP_MAP_RCACHE_CPU) ||
	    !strcmp(name, VTEP_MAP_RTAB)) {
		if (same && o->max_entries == mm->new_max)
			return 0;
		mm->kind = MIG_RECREATE;
	} else if (changed && o->type == otype && o->key_size == oks && o->value_size == ovs) {
		mm->kind = MIG_CONVERT;
	} else if (same) {
		if (o->max_entries == mm->new_max && o->map_flags == bpf_map__map_flags(bm))
			return 0;
		mm->kind = MIG_VERBATIM;
	} else if (!strcmp(name, VTEP_MAP_STATS) && o->type == type && o->key_size == ks &&
		   o->value_size < vs && vs <= MIGRATE_MAX_SIZE) {
		/* vtep_counters.h: counters are only ever appended. */
		mm->kind = MIG_EXTEND;
	} else {
		const char *what = "value size";
		unsigned long have = o->value_size, want = vs;

		if (o->type != type)
			what = "type", have = o->type, want = type;
		else if (o->key_size != ks)
			what = "key size", have = o->key_size, want = ks;
		snprintf(err, CFG_ERR_LEN,
			 "pinned map %s has %s %lu, this vtepd (layout %u) needs %lu, and no "
			 "conversion from the pins' layout %u exists; run the vtepd that made "
			 "them, or vtepd --cleanup (drops all entries)",
			 name, what, have, m->t->current, want, m->from);
		return -EPROTO;
	}
	if (mm->kind != MIG_RECREATE) {
		if (o->value_size > MIGRATE_MAX_SIZE || o->key_size > MIGRATE_MAX_SIZE) {
			snprintf(err, CFG_ERR_LEN, "pinned map %s: entries too large to migrate",
				 name);
			return -E2BIG;
		}
		ret = count_entries(fd, o, &mm->count);
		if (ret) {
			snprintf(err, CFG_ERR_LEN, "pinned map %s: cannot count its entries: %s",
				 name, strerror(-ret));
			return ret;
		}
		if (mm->count > mm->new_max) {
			lk = limit_key(name);
			snprintf(err, CFG_ERR_LEN,
				 "pinned map %s holds %zu entries, more than the new capacity "
				 "%u%s%s%s; raise it to at least %zu or delete entries first (the "
				 "running datapath is untouched)",
				 name, mm->count, mm->new_max, lk ? " (" : "", lk ? lk : "",
				 lk ? ")" : "", mm->count);
			return -E2BIG;
		}
	}
	snprintf(mm->name, sizeof(mm->name), "%s", name);
	*need = true;
	return 0;
}

static const char *kind_name(const struct mig_map *mm, unsigned int from, unsigned int to,
			     char *buf, size_t len)
{
	switch (mm->kind) {
	case MIG_CONVERT:
		snprintf(buf, len, "layout %u -> %u, capacity %u -> %u", from, to,
			 mm->old.max_entries, mm->new_max);
		break;
	case MIG_EXTEND:
		snprintf(buf, len, "value %u -> %u bytes (counters appended)",
			 mm->old.value_size, mm->new_vs);
		break;
	case MIG_RECREATE:
		snprintf(buf, len, "recreated empty (size %u -> %u)", mm->old.max_entries,
			 mm->new_max);
		break;
	default:
		if (mm->old.map_flags != mm->new_flags)
			snprintf(buf, len, "capacity %u -> %u, flags %#x -> %#x",
				 mm->old.max_entries, mm->new_max, mm->old.map_flags,
				 mm->new_flags);
		else
			snprintf(buf, len, "capacity %u -> %u", mm->old.max_entries, mm->new_max);
		break;
	}
	return buf;
}

static void remove_dropped_maps(const struct migrate *m);

int migrate_plan(struct bpf_object *obj, const char *bpffs, const struct migrate_table *t,
		 struct migrate **out, char err[CFG_ERR_LEN])
{
	struct migrate *m;
	struct bpf_map *bm;
	bool present;
	int ret;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->t = t;
	snprintf(m->bpffs, sizeof(m->bpffs), "%s", bpffs);
	ret = migrate_pinned_layout(bpffs, &m->from, &present);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "%s/%s: cannot read the layout version: %s", bpffs,
			 VTEP_MAP_GLOBAL, strerror(-ret));
		goto fail;
	}
	/* 0: unwritten (see migrate.h) unless the history knows a layout 0. */
	if (!present || (m->from == 0 && !find_step(t, 0)))
		m->from = t->current;
	if (m->from > t->current) {
		snprintf(err, CFG_ERR_LEN,
			 "pins in %.80s have map layout %u, made by a newer vtepd; this one has "
			 "layout %u and cannot convert back: run the newer vtepd, or vtepd "
			 "--cleanup (drops all entries)", bpffs, m->from, t->current);
		ret = -EPROTO;
		goto fail;
	}
	if (m->from < t->current && !have_path(t, m->from)) {
		snprintf(err, CFG_ERR_LEN,
			 "pins in %.80s have map layout %u; this vtepd (layout %u) has no "
			 "conversion from it: upgrade through an intermediate vtepd, or vtepd "
			 "--cleanup (drops all entries)", bpffs, m->from, t->current);
		ret = -EPROTO;
		goto fail;
	}
	bpf_object__for_each_map(bm, obj) {
		const char *path = bpf_map__pin_path(bm);
		struct mig_map *mm;
		bool need;
		int fd;

		if (!path)
			continue;
		if (m->n == MIGRATE_MAX_MAPS) {
			ret = -E2BIG;
			snprintf(err, CFG_ERR_LEN, "migration: too many maps");
			goto fail;
		}
		mm = &m->maps[m->n];
		snprintf(mm->path, sizeof(mm->path), "%s", path);
		tmp_path(mm->tmp, sizeof(mm->tmp), path);
		/* A temporary pin is what an interrupted migration left:
		 * never reuse it (it may be half full); it is redone. */
		if (unlink(mm->tmp) && errno != ENOENT) {
			ret = -errno;
			snprintf(err, CFG_ERR_LEN, "%s: %s", mm->tmp, strerror(errno));
			goto fail;
		}
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (fd == -ENOENT)
				continue;   /* a map new in this layout: created */
			ret = fd;
			snprintf(err, CFG_ERR_LEN, "%s: %s", path, strerror(-fd));
			goto fail;
		}
		ret = plan_map(m, bm, fd, mm, &need, err);
		close(fd);
		if (ret)
			goto fail;
		if (need)
			m->n++;
	}
	if (!m->n) {
		remove_dropped_maps(m);
		free(m);
		return 0;
	}
	for (size_t i = 0; i < m->n; i++) {
		char why[96];

		log_info("%s: migrating %zu entries (%s)", m->maps[i].name, m->maps[i].count,
			 kind_name(&m->maps[i], m->from, t->current, why, sizeof(why)));
	}
	ret = migrate_redirect(m, obj);
	if (ret) {
		snprintf(err, CFG_ERR_LEN, "migration: cannot redirect the pins: %s",
			 strerror(-ret));
		goto fail;
	}
	*out = m;
	return 0;
fail:
	free(m);
	return ret;
}

int migrate_redirect(const struct migrate *m, struct bpf_object *obj)
{
	for (size_t i = 0; m && i < m->n; i++) {
		struct bpf_map *bm = bpf_object__find_map_by_name(obj, m->maps[i].name);
		int ret;

		if (!bm || !bpf_map__pin_path(bm))
			continue;
		ret = bpf_map__set_pin_path(bm, m->maps[i].tmp);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- step 3: copy ------------------------------------------------------------ */

struct copier {
	struct migrate *m;
	const struct mig_map *mm;
	int ofd, nfd, ncpu;
	__u32 ks, nks, nvs;         /* key size (old, new), new value size */
	size_t ostride, nstride;    /* per-CPU slot sizes (value size otherwise) */
	size_t ovb, nvb;            /* bytes of one whole value (all slots) */
	unsigned char *nk, *nv;     /* MIGRATE_CHUNK new entries */
	size_t pending;
};

/* One old entry into the next free slot of the output chunk; *keep false
 * when a converter dropped it. */
static int transform(struct copier *c, const void *ok, const unsigned char *ov, bool *keep)
{
	unsigned char *nk = c->nk + c->pending * c->nks, *nv = c->nv + c->pending * c->nvb;
	int slots = is_percpu(c->mm->old.type) ? c->ncpu : 1, ret;

	*keep = true;
	memset(nk, 0, c->nks);
	memset(nv, 0, c->nvb);
	for (int s = 0; s < slots; s++) {
		const unsigned char *os = ov + (size_t)s * c->ostride;
		unsigned char *ns = nv + (size_t)s * c->nstride;

		switch (c->mm->kind) {
		case MIG_CONVERT:
			ret = migrate_convert(c->m->t, c->mm->name, c->m->from, ok, os, nk, c->nks,
					      ns, c->nvs);
			if (ret == MIGRATE_DROP) {
				*keep = false;
				return 0;
			}
			if (ret)
				return ret;
			break;
		case MIG_EXTEND:
			memcpy(nk, ok, c->nks);
			memcpy(ns, os, c->mm->old.value_size);
			break;
		default:
			memcpy(nk, ok, c->nks);
			memcpy(ns, os, c->nvs);
			break;
		}
	}
	return 0;
}

static int flush(struct copier *c)
{
	__u32 n = (__u32)c->pending;
	int ret;

	if (!n)
		return 0;
	if (is_array(c->mm->old.type) || c->mm->old.type == BPF_MAP_TYPE_LPM_TRIE)
		ret = -EOPNOTSUPP;   /* written one by one below */
	else
		ret = bpf_map_update_batch(c->nfd, c->nk, c->nv, &n, NULL);
	if (ret == -EINVAL || ret == -EOPNOTSUPP || ret == -MIGRATE_ENOTSUPP) {
		ret = 0;
		for (size_t i = 0; i < c->pending && !ret; i++)
			ret = bpf_map_update_elem(c->nfd, c->nk + i * c->nks, c->nv + i * c->nvb,
						  BPF_ANY);
	}
	if (!ret)
		c->m->copied += c->pending;
	c->pending = 0;
	return ret;
}

static int add(struct copier *c, const void *ok, const unsigned char *ov)
{
	bool keep;
	int ret = transform(c, ok, ov, &keep);

	if (ret)
		return ret;
	if (!keep) {
		c->m->dropped++;
		return 0;
	}
	if (++c->pending == MIGRATE_CHUNK)
		return flush(c);
	return 0;
}

/* mapwalk callback: a chunk of old entries. */
static int copy_chunk(void *ctx, const void *keys, const void *vals, size_t n)
{
	struct copier *c = ctx;
	bool array = is_array(c->mm->old.type);

	for (size_t i = 0; i < n; i++) {
		const unsigned char *k = (const unsigned char *)keys + i * c->ks;
		int ret;

		/* A shrunk array: the plan made sure the cut slots are zero. */
		if (array && *(const __u32 *)k >= c->mm->new_max)
			continue;
		ret = add(c, k, (const unsigned char *)vals + i * c->ovb);
		if (ret)
			return ret;
	}
	return 0;
}

static int copy_map(struct migrate *m, const struct mig_map *mm, int nfd)
{
	struct copier c = { .m = m, .mm = mm, .nfd = nfd, .ofd = -1 };
	int ret;

	if (mm->kind == MIG_RECREATE)
		return 0;
	c.ncpu = libbpf_num_possible_cpus();
	if (c.ncpu < 0)
		return c.ncpu;
	{
		struct bpf_map_info ni;

		ret = map_info(nfd, &ni);
		if (ret)
			return ret;
		c.nks = ni.key_size;
		c.nvs = ni.value_size;
		c.nstride = is_percpu(ni.type) ? (ni.value_size + 7u) & ~7u : ni.value_size;
		c.nvb = value_bytes(ni.type, ni.value_size, c.ncpu);
	}
	c.ks = mm->old.key_size;
	c.ostride = is_percpu(mm->old.type) ? (mm->old.value_size + 7u) & ~7u : mm->old.value_size;
	c.ovb = value_bytes(mm->old.type, mm->old.value_size, c.ncpu);
	c.ofd = bpf_obj_get(mm->path);
	if (c.ofd < 0)
		return c.ofd;
	c.nk = malloc((size_t)MIGRATE_CHUNK * c.nks);
	c.nv = malloc((size_t)MIGRATE_CHUNK * c.nvb);
	ret = !c.nk || !c.nv ? -ENOMEM : mapwalk(c.ofd, c.ks, c.ovb, copy_chunk, &c);
	if (!ret)
		ret = flush(&c);
	free(c.nk);
	free(c.nv);
	close(c.ofd);
	return ret;
}

int migrate_copy(struct migrate *m, struct bpf_object *obj, char err[CFG_ERR_LEN])
{
	for (size_t i = 0; i < m->n; i++) {
		const struct mig_map *mm = &m->maps[i];
		struct bpf_map *bm = bpf_object__find_map_by_name(obj, mm->name);
		size_t before = m->copied, dropped = m->dropped;
		int nfd = bm ? bpf_map__fd(bm) : -ENOENT, ret;

		ret = nfd < 0 ? nfd : copy_map(m, mm, nfd);
		if (ret) {
			snprintf(err, CFG_ERR_LEN,
				 "migrating %s: %s%s (the old pins stay in force)", mm->name,
				 strerror(ret < 0 ? -ret : EIO),
				 ret == -E2BIG ? ": the new map is full" : "");
			return ret < 0 ? ret : -EIO;
		}
		if (mm->kind != MIG_RECREATE)
			log_info("%s: %zu entries copied%s", mm->name, m->copied - before,
				 m->dropped > dropped ? ", some dropped by the converter" : "");
		if (m->dropped > dropped)
			log_warn("%s: %zu entries have no equivalent in layout %u and were not "
				 "carried over", mm->name, m->dropped - dropped, m->t->current);
	}
	return 0;
}

/* ---- step 4: commit ----------------------------------------------------------- */

/* The pins of maps the steps from m->from on removed. A pin that is
 * already gone (a commit redone after a crash) is fine. */
static void remove_dropped_maps(const struct migrate *m)
{
	for (unsigned int v = m->from; v < m->t->current; v++) {
		const struct migrate_step *s = find_step(m->t, v);

		for (const char *const *r = s ? s->removed : NULL; r && *r; r++) {
			char path[PATH_MAX];

			if (snprintf(path, sizeof(path), "%.4000s/%.15s", m->bpffs, *r) < 0)
				continue;
			if (!unlink(path))
				log_info("migration: %s removed (not in layout %u)", *r, v + 1);
			else if (errno != ENOENT)
				log_warn("migration: cannot remove %s: %s", path, strerror(errno));
		}
	}
}

int migrate_commit(struct migrate *m, char err[CFG_ERR_LEN])
{
	/* vtep_global last: until it is replaced (and rewritten by the
	 * loader) the pins still say the old layout, which a restart after a
	 * crash here handles (see migrate.h). */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			remove_dropped_maps(m);
		for (size_t i = 0; i < m->n; i++) {
			struct mig_map *mm = &m->maps[i];

			if ((pass == 0) == !strcmp(mm->name, VTEP_MAP_GLOBAL))
				continue;
			if (rename(mm->tmp, mm->path)) {
				int ret = -errno;

				snprintf(err, CFG_ERR_LEN, "migration: rename %s -> %s: %s",
					 mm->tmp, mm->path, strerror(errno));
				return ret;
			}
		}
	}
	m->committed = true;
	return 0;
}

void migrate_free(struct migrate *m)
{
	if (!m)
		return;
	for (size_t i = 0; !m->committed && i < m->n; i++)
		if (unlink(m->maps[i].tmp) && errno != ENOENT)
			log_warn("migration: cannot remove %s: %s", m->maps[i].tmp,
				 strerror(errno));
	free(m);
}

size_t migrate_maps(const struct migrate *m)
{
	return m ? m->n : 0;
}

void migrate_totals(const struct migrate *m, size_t *copied, size_t *dropped)
{
	*copied = m ? m->copied : 0;
	*dropped = m ? m->dropped : 0;
}
