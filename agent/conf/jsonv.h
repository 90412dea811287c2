/* jsonv.h - strict, path-naming JSON reading for vtepd's own files (the
 * config file and the state file).
 *
 * Both files are written by people or must be trusted across restarts, so
 * the reader is strict: RFC 8259 syntax only (json-c's strict mode, plus a
 * scan that refuses single-quoted strings and duplicate keys, which json-c
 * would silently resolve to the last one), unknown keys refused, numbers
 * that must be integers refused as floats or strings. Every error is one
 * line that starts with the field's JSON path: "vnis[0].vni: expected an
 * integer 1..16777215, got \"hundred\"".
 *
 * All functions return 0 or -EINVAL (-ENOMEM where they allocate) and write
 * err (JV_ERR_LEN bytes, may be NULL) on failure.
 *
 * The module is below the config: it knows JSON, not the config's schema,
 * so its sizes are its own (config_priv.h checks that they are the
 * config's CFG_ERR_LEN and CFG_IFNAMSIZ).
 */
#ifndef VTEP_JSONV_H
#define VTEP_JSONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#define JV_PATH_LEN 128
#define JV_ERR_LEN  256   /* an err buffer (CFG_ERR_LEN) */
#define JV_IFNAMSIZ 16    /* an interface name with its NUL (IFNAMSIZ, CFG_IFNAMSIZ) */

/* Parses text[0..len) into *out (caller puts it). Syntax errors name the
 * line and column. */
int jv_parse(const char *text, size_t len, struct json_object **out, char *err);

/* Reads a whole file (NUL-terminated copy in *text, caller frees).
 * Returns 0 or -errno; no err: the caller knows what the file is for. */
int jv_read_file(const char *path, char **text, size_t *len);

/* "base.key" ("key" when base is empty) and "base[i]". */
const char *jv_key(char buf[JV_PATH_LEN], const char *base, const char *key);
const char *jv_idx(char buf[JV_PATH_LEN], const char *base, size_t i);

/* err = "path: <fmt>"; returns -EINVAL. */
int jv_fail(char *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* err = "path: <fmt>, got <v as JSON, shortened>"; returns -EINVAL. */
int jv_fail_got(char *err, const char *path, struct json_object *v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* v must be an object whose keys are all in allowed (NULL-terminated). */
int jv_object(struct json_object *v, const char *path, const char *const allowed[], char *err);
/* v must be an array of at most max elements. */
int jv_array(struct json_object *v, const char *path, size_t max, size_t *n, char *err);
/* Whether obj has the key; *v is its value, NULL for a JSON null (which
 * every jv_ function below takes as the value null). */
bool jv_get(struct json_object *obj, const char *key, struct json_object **v);

int jv_uint(struct json_object *v, const char *path, uint64_t min, uint64_t max,
	    uint64_t *out, char *err);
int jv_u32(struct json_object *v, const char *path, uint32_t min, uint32_t max,
	   uint32_t *out, char *err);
int jv_bool(struct json_object *v, const char *path, bool *out, char *err);
/* A string without embedded NUL bytes; *out points into v. */
int jv_string(struct json_object *v, const char *path, const char **out, char *err);
/* v's text when v is a string without NUL bytes ("10.0.0.1\u0000x" must
 * not read as 10.0.0.1), else NULL. */
const char *jv_cstr(struct json_object *v);
/* One of the NULL-terminated names; *out = its index. */
int jv_enum(struct json_object *v, const char *path, const char *const names[],
	    int *out, char *err);

/* IPv4 dotted quad (network order). */
int jv_ip(struct json_object *v, const char *path, uint32_t *ip, char *err);
/* IPv6 in any RFC 4291 2.2 text form (network order). */
int jv_ip6(struct json_object *v, const char *path, uint8_t ip[16], char *err);
/* A MAC that can be a station's: unicast and not all zero. */
int jv_mac(struct json_object *v, const char *path, uint8_t mac[6], char *err);
/* A Linux interface name as the kernel's dev_valid_name() accepts it. */
int jv_ifname(struct json_object *v, const char *path, char out[JV_IFNAMSIZ], char *err);
/* An absolute path shorter than size bytes. */
int jv_abspath(struct json_object *v, const char *path, char *out, size_t size, char *err);

/* The checks behind jv_ifname / jv_mac, for values that did not come from
 * JSON (vtepctl arguments). */
bool jv_ifname_valid(const char *s);
bool jv_mac_is_station(const uint8_t mac[6]);

#endif /* VTEP_JSONV_H */
