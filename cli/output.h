/* output.h - how vtepctl prints: JSON arrays streamed one element at a
 * time (a million routes never become one json-c tree), optionally
 * indented, and fixed-width table rows. */
#ifndef VTEPCTL_OUTPUT_H
#define VTEPCTL_OUTPUT_H

#include <stdbool.h>
#include <json-c/json.h>

struct out {
	bool json, pretty;
	unsigned items;      /* elements written so far */
};

void out_init(struct out *o, bool json, bool pretty);
/* JSON array streaming. out_item() takes ownership of obj. */
void out_begin(struct out *o);
void out_item(struct out *o, struct json_object *obj);
void out_end(struct out *o);
/* One whole JSON value (peers data, stats object); does not take ownership. */
void out_value(const struct out *o, struct json_object *obj);

/* JSON helpers that tolerate allocation failure (json-c returns NULL). */
void out_add_str(struct json_object *o, const char *key, const char *val); /* NULL -> null */
void out_add_int(struct json_object *o, const char *key, int64_t val);
void out_add_bool(struct json_object *o, const char *key, bool val);

/* fflush(stdout) and report a write error (disk full, closed pipe). */
int out_finish(void);

#endif
