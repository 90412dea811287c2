/* migrate.h - carrying pinned maps across a change of layout or capacity.
 *
 * An upgrade may change a map's key or value (include/vtep_maps.h then bumps
 * VTEP_LAYOUT_VERSION) and a config edit may change a capacity (`limits`,
 * applied at the next restart). libbpf refuses such a pin ("parameter
 * mismatch"), and deleting it would drop every route. Instead the loader
 * migrates, in four steps around libbpf's load:
 *
 *   1. plan      before load: every pinned map is compared with what this
 *                build needs (type, key and value size, max_entries, flags;
 *                the layout version recorded in vtep_global). A capacity or
 *                flags change copies entries verbatim; a layout change converts
 *                them through the history table, one version at a time
 *                (N -> N+1 functions); appended counters (vtep_stats grows)
 *                are zero-extended. Anything else is refused with a message
 *                that names the map and says what differs, and so is a
 *                capacity below the number of entries the map holds. Nothing
 *                has been touched when the plan refuses.
 *   2. redirect  the pin path of each map to migrate becomes a temporary name
 *                (DIR/vtep_X-new), so libbpf creates a fresh map - with this
 *                build's BTF, so bpftool still prints field names - and pins it
 *                there; every object of the loader is redirected the same way,
 *                so all new programs share the new maps.
 *   3. copy      after load: every entry of the old pin into the new map,
 *                converted; the old map is only read.
 *   4. commit    rename(2) each temporary pin over the old one (bpffs renames
 *                atomically: the name always resolves to one of the two maps),
 *                vtep_global last; the loader then writes the new layout
 *                version into vtep_global.
 *
 * Why no packet and no entry is lost. Programs hold their maps by reference
 * (fd), not by path. Until the daemon attaches the newly loaded programs,
 * the attached old programs keep using the old maps, which nothing here writes
 * or empties; each attach swaps one hook atomically (XDP_FLAGS_REPLACE, tc
 * filter replace), and the kernel frees an old map when the last old program
 * holding it is gone. The new maps are full before any new program runs. The
 * only things BPF writes are vtep_stats (increments made by the old programs
 * between the copy and the swap stay in the old map: a few counts, counters
 * only) and the vtep_events ring buffer (unread events of the old one are
 * dropped: the agent re-learns a MAC from the workload's next frame).
 *
 * A crash leaves a startable state. Before the commit the old pins are
 * intact; leftover temporary pins are removed at the next start and the
 * migration is redone. During the commit (a few renames) some pins may
 * already be new while vtep_global still says the old version: the plan
 * recognises a map that already has this build's sizes and copies it
 * verbatim instead of converting it again. A history step that changes the
 * meaning of a map without changing its sizes must therefore be idempotent.
 *
 * Layout version 0 was never released: a zero in vtep_global means a vtepd
 * died between creating the pins and writing vtep_global, and is taken as
 * this build's version - unless the history table has a step from 0 (the
 * unit tests' synthetic old layout). vtep_global keeps layout_version at
 * byte offset 4 in every layout, so any version can read any other's.
 */
#ifndef VTEP_MIGRATE_H
#define VTEP_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "config.h"

struct bpf_object;

/* Converts one entry of one map from layout `from` to `from + 1`. nkey and
 * nval are zeroed buffers of the new sizes. Returns 0 (write it),
 * MIGRATE_DROP (the entry has no equivalent: counted and logged) or -errno
 * (the migration is refused). Per-CPU maps call it once per CPU with the
 * same key. */
#define MIGRATE_DROP 1
typedef int (*migrate_conv_fn)(const void *okey, const void *oval, void *nkey, void *nval);

struct migrate_conv {
	const char *map;          /* VTEP_MAP_* */
	__u32 old_type;           /* enum bpf_map_type in layout `from`; 0 = unchanged */
	__u32 old_key_size, old_value_size;
	__u32 new_key_size, new_value_size;
	migrate_conv_fn fn;
};

/* The changes of one version step; maps it does not list are unchanged. */
struct migrate_step {
	unsigned int from;        /* converts layout from -> from + 1 */
	const struct migrate_conv *convs;
	size_t n_convs;
	/* Maps layout `from` had and `from + 1` has not: their pins are
	 * removed at the commit (the old programs keep the maps they hold
	 * until they are replaced; only the names go). NULL-terminated. */
	const char *const *removed;
};

struct migrate_table {
	unsigned int current;     /* the layout this build writes */
	const struct migrate_step *steps;
	size_t n_steps;
};

/* This build's history: VTEP_LAYOUT_VERSION and every step up to it. */
extern const struct migrate_table migrate_history;

struct migrate;

/* The layout version recorded in DIR/vtep_global, read whatever that map's
 * value size: 0 and *present false when there is no pin. Returns 0 or
 * -errno. */
int migrate_pinned_layout(const char *bpffs, unsigned int *version, bool *present);

/* Step 1 and 2 for obj (opened, sized with the configured limits, not
 * loaded). *out is NULL when every pin already fits (or there are none);
 * otherwise the plan, with obj's pin paths redirected. Returns 0, or -errno
 * with err saying which map and why (pins untouched). */
int migrate_plan(struct bpf_object *obj, const char *bpffs, const struct migrate_table *t,
		 struct migrate **out, char err[CFG_ERR_LEN]);
/* Step 2 for the loader's other objects (opened, not loaded). */
int migrate_redirect(const struct migrate *m, struct bpf_object *obj);
/* Step 3: obj is the object migrate_plan() saw, now loaded. */
int migrate_copy(struct migrate *m, struct bpf_object *obj, char err[CFG_ERR_LEN]);
/* Step 4. Returns 0 or -errno (err filled); on error some pins may already
 * be new, which the next start completes (see above). */
int migrate_commit(struct migrate *m, char err[CFG_ERR_LEN]);
/* Frees m; before a commit it also removes the temporary pins (the old pins
 * stay in force). NULL is a no-op. */
void migrate_free(struct migrate *m);

/* How many maps the plan migrates, and entries copied / dropped so far. */
size_t migrate_maps(const struct migrate *m);
void migrate_totals(const struct migrate *m, size_t *copied, size_t *dropped);

/* Runs one entry through the history from layout `from` to t->current for
 * map `name` (pure; exposed for tests). okey/oval have the map's sizes in
 * layout `from`; nkey/nval receive nkey_size/nval_size bytes, the current
 * sizes (a map no step changes is copied as it is). Returns 0, MIGRATE_DROP
 * or -errno (-ENOENT: a step is missing, -EPROTO: the sizes disagree with
 * the table, -E2BIG: a layout larger than MIGRATE_MAX_SIZE). */
#define MIGRATE_MAX_SIZE 4096
int migrate_convert(const struct migrate_table *t, const char *name, unsigned int from,
		    const void *okey, const void *oval, void *nkey, size_t nkey_size,
		    void *nval, size_t nval_size);

#endif /* VTEP_MIGRATE_H */
