/* output.c - see output.h. */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"

static int flags(const struct out *o)
{
	return o->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			   JSON_C_TO_STRING_NOSLASHESCAPE
			 : CTLPROTO_JSON_FLAGS;
}

void out_init(struct out *o, bool json, bool pretty)
{
	o->json = json;
	o->pretty = pretty;
	o->items = 0;
}

void out_begin(struct out *o)
{
	o->items = 0;
	if (o->json)
		fputs("[", stdout);
}

/* Pretty elements are indented one level: every line of the element's own
 * pretty form gets two spaces. */
static void put_indented(const char *s)
{
	fputs("  ", stdout);
	for (; *s; s++) {
		fputc(*s, stdout);
		if (*s == '\n')
			fputs("  ", stdout);
	}
}

void out_item(struct out *o, struct json_object *obj)
{
	const char *s;

	if (!obj)
		return;
	s = json_object_to_json_string_ext(obj, flags(o));
	if (o->pretty) {
		fputs(o->items ? ",\n" : "\n", stdout);
		put_indented(s);
	} else {
		if (o->items)
			fputc(',', stdout);
		fputs(s, stdout);
	}
	o->items++;
	json_object_put(obj);
}

void out_end(struct out *o)
{
	if (!o->json)
		return;
	fputs(o->pretty && o->items ? "\n]\n" : "]\n", stdout);
}

void out_value(const struct out *o, struct json_object *obj)
{
	fputs(obj ? json_object_to_json_string_ext(obj, flags(o)) : "null", stdout);
	fputc('\n', stdout);
}

void out_add_str(struct json_object *o, const char *key, const char *val)
{
	if (o)
		json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

void out_add_int(struct json_object *o, const char *key, int64_t val)
{
	if (o)
		json_object_object_add(o, key, json_object_new_int64(val));
}

void out_add_bool(struct json_object *o, const char *key, bool val)
{
	if (o)
		json_object_object_add(o, key, json_object_new_boolean(val));
}

int out_finish(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "vtepctl: writing output: %s\n", strerror(errno));
		return -EIO;
	}
	return 0;
}
