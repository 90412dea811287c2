/* state_priv.h - the state module's insides, shared by state.c (memory,
 * lookups, merge), state_file.c (state.json) and state_edit.c (the edits).
 * Nothing else includes this: the rest of vtepd sees only state.h.
 */
#ifndef VTEP_STATE_PRIV_H
#define VTEP_STATE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "state.h"

/* Writes the message to err (CFG_ERR_LEN bytes; may be NULL), returns ret. */
int state_fail(char *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* arr (n elements of size bytes) grown by one copy of elem; NULL when out
 * of memory (arr is then unchanged). */
void *state_push(void *arr, size_t n, size_t size, const void *elem);
/* Removes element i of n from arr. */
void state_drop(void *arr, size_t n, size_t size, size_t i);
/* A deep copy of src into dst; -ENOMEM (dst then empty). */
int state_copy(struct state *dst, const struct state *src);
/* Whether ifname is one of the n names. */
bool state_name_listed(char (*names)[CFG_IFNAMSIZ], size_t n, const char *ifname);

/* state_file.c, shared with pods_file.c (the pods' file in the same
 * directory): mkdir -p with the last component 0700, and an atomic
 * replacement of <dir>/<name> (written to <name>.tmp, fsync'ed, renamed,
 * the directory fsync'ed). 0 or -errno with err set. */
int state_mkdir_p(const char *dir);
int state_write_file(const char *dir, const char *name, const char *text, size_t len,
		     char *err);

#endif /* VTEP_STATE_PRIV_H */
