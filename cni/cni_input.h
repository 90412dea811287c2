/* cni_input.h - the one way bytes from outside enter the plugin: stdin (the
 * network configuration), a delegated plugin's stdout (IPAM results) and
 * environment variables. Everything is bounded before it is parsed:
 *   - a stream is read up to a cap; one byte more is an error (code 6
 *     "failed to decode content" for stdin, as the spec classes a config
 *     that cannot be unmarshalled);
 *   - JSON goes through json-c's tokener with a nesting limit and must be
 *     one object with nothing but whitespace after it; a NUL byte inside
 *     the text is refused (json-c would stop there silently);
 *   - an environment value is length-checked before anything copies it.
 * vtepd's replies come through lib/ctlproto.c, which has the same cap
 * (CTLPROTO_MAX_MSG) and parser.
 */
#ifndef CNI_INPUT_H
#define CNI_INPUT_H

#include <stddef.h>
#include <json-c/json.h>

#include "cni_err.h"

#define CNI_STDIN_MAX   (256 * 1024) /* a config with a prevResult fits many times */
#define CNI_OUTPUT_MAX  (64 * 1024)  /* a delegated plugin's result */
#define CNI_JSON_DEPTH  32
#define CNI_ENV_MAX     4096         /* any one CNI_* variable, CNI_PATH included */

/* Reads fd to its end into *buf (NUL-terminated, malloc'ed), at most max
 * bytes. Returns 0, -EFBIG (more than max) or -errno. */
int cni_read_all(int fd, size_t max, char **buf, size_t *len);

/* Parses text[0..len) as one JSON object. Returns 0 with *out (caller puts)
 * or fails e with code (CNI_EDECODE for the config), naming what. */
int cni_parse_object(const char *text, size_t len, const char *what, int code,
		     struct json_object **out, struct cni_err *e);

/* getenv() with a length check: NULL when unset; an error (code 4 naming
 * the variable) when longer than CNI_ENV_MAX. */
typedef const char *(*cni_getenv_fn)(const char *name);
int cni_env_get(cni_getenv_fn get, const char *name, const char **out, struct cni_err *e);

#endif /* CNI_INPUT_H */
