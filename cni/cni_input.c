/* cni_input.c - see cni_input.h. */
#include "cni_input.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cni_read_all(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);

	*buf = NULL;
	*len = 0;
	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap > max) {        /* already read max + 1 bytes */
				free(b);
				return -EFBIG;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int ret = -errno;

			free(b);
			return ret;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(b);
			return -EFBIG;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* json-c's strict mode still takes 'single-quoted' strings, which RFC
 * 8259 does not: a quote outside a string is refused here. */
static bool single_quoted(const char *t, size_t len)
{
	bool in = false;

	for (size_t i = 0; i < len; i++) {
		if (in && t[i] == '\\')
			i++;
		else if (t[i] == '"')
			in = !in;
		else if (!in && t[i] == '\'')
			return true;
	}
	return false;
}

int cni_parse_object(const char *text, size_t len, const char *what, int code,
		     struct json_object **out, struct cni_err *e)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t used;

	*out = NULL;
	if (len == 0)
		return cni_fail(e, code, "%s: empty", what);
	if (memchr(text, '\0', len))
		return cni_fail(e, code, "%s: contains a NUL byte", what);
	if (len > (size_t)INT32_MAX)
		return cni_fail(e, code, "%s: too long", what);
	if (single_quoted(text, len))
		return cni_fail(e, code, "%s: not valid JSON (a single-quoted string)", what);
	tok = json_tokener_new_ex(CNI_JSON_DEPTH);
	if (!tok)
		return cni_fail(e, CNI_EIO, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		json_tokener_free(tok);
		return cni_fail(e, code, "%s: not valid JSON (%s)", what,
				je == json_tokener_continue ? "truncated" :
				json_tokener_error_desc(je));
	}
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	for (; used < len; used++)
		if (!strchr(" \t\r\n", text[used])) {
			json_object_put(o);
			return cni_fail(e, code, "%s: data after the JSON object", what);
		}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return cni_fail(e, code, "%s: expected a JSON object", what);
	}
	*out = o;
	return 0;
}

int cni_env_get(cni_getenv_fn get, const char *name, const char **out, struct cni_err *e)
{
	const char *v = get(name);

	*out = NULL;
	if (v && strnlen(v, CNI_ENV_MAX + 1) > CNI_ENV_MAX)
		return cni_fail(e, CNI_EENV, "%s: longer than %d bytes", name, CNI_ENV_MAX);
	*out = v;
	return 0;
}
