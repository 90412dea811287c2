/* jsonv.c - strict, path-naming JSON reading (see jsonv.h). */
#include "jsonv.h"
#include "addr.h"
#include "addr6.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JV_MAX_DEPTH  32                 /* json-c's default nesting limit */
#define JV_MAX_FILE   (256u << 20)       /* a state file with a million routes fits */
#define JV_GOT_LEN    40                 /* how much of a bad value an error quotes */

/* Appends s to the string in buf (size bytes), cutting what does not fit:
 * paths and messages that long only ever reach the user, cut. */
static void cat(char *buf, size_t size, const char *s)
{
	size_t l = strnlen(buf, size - 1), n = strlen(s);

	if (n > size - 1 - l)
		n = size - 1 - l;
	memcpy(buf + l, s, n);
	buf[l + n] = '\0';
}

static void vset(char *err, const char *path, const char *fmt, va_list ap)
{
	char msg[JV_ERR_LEN];

	if (!err)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	err[0] = '\0';
	if (path && *path) {
		cat(err, JV_ERR_LEN, path);
		cat(err, JV_ERR_LEN, ": ");
	}
	cat(err, JV_ERR_LEN, msg);
}

int jv_fail(char *err, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, path, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int jv_fail_got(char *err, const char *path, struct json_object *v, const char *fmt, ...)
{
	char what[JV_ERR_LEN], got[JV_GOT_LEN + 4];
	const char *s;
	va_list ap;

	if (!err)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		s = "?";
	if (strlen(s) > JV_GOT_LEN)
		snprintf(got, sizeof(got), "%.*s...", JV_GOT_LEN - 3, s);
	else
		snprintf(got, sizeof(got), "%s", s);
	return jv_fail(err, path, "%s, got %s", what, got);
}

const char *jv_key(char buf[JV_PATH_LEN], const char *base, const char *key)
{
	char tmp[JV_PATH_LEN] = "", esc[5];

	if (base && *base) {
		cat(tmp, sizeof(tmp), base);
		cat(tmp, sizeof(tmp), ".");
	}
	/* A key is the file's text, decoded: "\n" or "\u001b" in it would put
	 * a line break or a terminal escape into the error, which reaches the
	 * log and vtepctl's output (found by tests/fuzz/fuzz_config.c). Control
	 * characters are shown as \xNN instead. */
	for (const char *k = key; *k; k++) {
		unsigned char c = (unsigned char)*k;

		if (c < 0x20 || c == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			esc[0] = (char)c, esc[1] = '\0';
		cat(tmp, sizeof(tmp), esc);
	}
	memcpy(buf, tmp, JV_PATH_LEN);
	return buf;
}

const char *jv_idx(char buf[JV_PATH_LEN], const char *base, size_t i)
{
	char tmp[JV_PATH_LEN] = "", idx[32];

	snprintf(idx, sizeof(idx), "[%zu]", i);
	cat(tmp, sizeof(tmp), base ? base : "");
	cat(tmp, sizeof(tmp), idx);
	memcpy(buf, tmp, JV_PATH_LEN);
	return buf;
}

/* Line and column (both from 1) of a byte offset, for syntax errors. */
static void line_col(const char *text, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int syntax_fail(char *err, const char *text, size_t off, const char *what)
{
	unsigned line, col;

	line_col(text, off, &line, &col);
	return jv_fail(err, NULL, "line %u, column %u: invalid JSON: %s", line, col, what);
}

/* One open object or array during the duplicate-key scan. */
struct scan_frame {
	bool   obj;
	bool   want_key;      /* obj: the next string is a key */
	size_t idx;           /* array: index of the current element */
	size_t key_off, key_len;   /* obj: the current key */
	size_t keys_start;    /* obj: its keys in the shared key list */
};

struct scan_key {
	size_t off, len;
};

struct scan {
	const char *text;
	struct scan_frame st[JV_MAX_DEPTH + 1];
	int top;              /* -1 outside the value */
	struct scan_key *keys;     /* the keys of every open object, in order */
	size_t n_keys, cap;
};

/* The path of the innermost open object or array. */
static void scan_path(char buf[JV_PATH_LEN], const struct scan *sc)
{
	char key[JV_PATH_LEN];

	buf[0] = '\0';
	for (int f = 0; f < sc->top; f++) {
		const struct scan_frame *fr = &sc->st[f];

		if (fr->obj) {
			snprintf(key, sizeof(key), "%.*s", (int)fr->key_len,
				 sc->text + fr->key_off);
			jv_key(buf, buf, key);
		} else {
			jv_idx(buf, buf, fr->idx);
		}
	}
}

/* A key of the innermost object: refused when the object already has it. */
static int scan_key(struct scan *sc, size_t off, size_t len, char *err)
{
	struct scan_frame *f = &sc->st[sc->top];
	char base[JV_PATH_LEN], key[JV_PATH_LEN];

	for (size_t k = f->keys_start; k < sc->n_keys; k++) {
		const struct scan_key *o = &sc->keys[k];

		if (o->len == len && !memcmp(sc->text + o->off, sc->text + off, len)) {
			scan_path(base, sc);
			snprintf(key, sizeof(key), "%.*s", (int)len, sc->text + off);
			return jv_fail(err, jv_key(base, base, key), "duplicate key");
		}
	}
	if (sc->n_keys == sc->cap) {
		size_t ncap = sc->cap ? sc->cap * 2 : 32;
		struct scan_key *nk = realloc(sc->keys, ncap * sizeof(*nk));

		if (!nk)
			return jv_fail(err, NULL, "out of memory"), -ENOMEM;
		sc->keys = nk;
		sc->cap = ncap;
	}
	sc->keys[sc->n_keys++] = (struct scan_key){ off, len };
	f->key_off = off;
	f->key_len = len;
	f->want_key = false;
	return 0;
}

/* json-c keeps the last of two equal keys and accepts 'single quoted'
 * strings even in strict mode. The text already parsed, so this walk only
 * has to track strings, nesting and commas. Keys are compared as written
 * (an escaped spelling of the same key is not caught; nobody writes one). */
static int scan_text(const char *text, size_t len, char *err)
{
	struct scan sc = { .text = text, .top = -1 };
	int ret = 0;

	for (size_t i = 0; i < len && !ret; i++) {
		struct scan_frame *f = sc.top >= 0 ? &sc.st[sc.top] : NULL;
		char c = text[i];
		size_t j;

		switch (c) {
		case '"':
			/* RFC 8259 7: control characters must be escaped in a
			 * string; json-c lets a raw line break through, which
			 * then ends up inside error messages (fuzz_config). */
			for (j = i + 1; j < len && text[j] != '"'; j++) {
				if ((unsigned char)text[j] < 0x20)
					break;
				j += text[j] == '\\';
			}
			if (j < len && (unsigned char)text[j] < 0x20) {
				ret = syntax_fail(err, text, j, "control character in a string");
				break;
			}
			if (f && f->obj && f->want_key)
				ret = scan_key(&sc, i + 1, j - i - 1, err);
			i = j;
			break;
		case '\'':
			ret = syntax_fail(err, text, i, "strings must be in double quotes");
			break;
		case '{':
		case '[':
			if (sc.top + 1 > JV_MAX_DEPTH) {
				ret = syntax_fail(err, text, i, "nested too deeply");
				break;
			}
			sc.st[++sc.top] = (struct scan_frame){
				.obj = c == '{', .want_key = c == '{', .keys_start = sc.n_keys
			};
			break;
		case '}':
		case ']':
			if (f) {
				sc.n_keys = f->keys_start;
				sc.top--;
			}
			break;
		case ',':
			if (f && f->obj)
				f->want_key = true;
			else if (f)
				f->idx++;
			break;
		default:
			break;
		}
	}
	free(sc.keys);
	return ret;
}

int jv_parse(const char *text, size_t len, struct json_object **out, char *err)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error e;
	const char *nul;
	size_t end;
	int ret;

	*out = NULL;
	if (len > INT_MAX)
		return jv_fail(err, NULL, "too large");
	nul = memchr(text, '\0', len);
	if (nul)
		return syntax_fail(err, text, (size_t)(nul - text), "NUL byte");
	tok = json_tokener_new();
	if (!tok)
		return jv_fail(err, NULL, "out of memory"), -ENOMEM;
	/* RFC 8259: no comments, trailing commas or garbage after the value;
	 * strings are UTF-8. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (e == json_tokener_continue || (!root && e == json_tokener_success))
		return syntax_fail(err, text, len, "unexpected end of input");
	if (e != json_tokener_success) {
		json_object_put(root);
		return syntax_fail(err, text, end, json_tokener_error_desc(e));
	}
	/* strict mode stops at the end of the value; only white space may follow */
	for (size_t i = end; i < len; i++) {
		if (!isspace((unsigned char)text[i])) {
			json_object_put(root);
			return syntax_fail(err, text, i, "text after the end of the value");
		}
	}
	ret = scan_text(text, len, err);
	if (ret) {
		json_object_put(root);
		return ret;
	}
	*out = root;
	return 0;
}

int jv_read_file(const char *path, char **text, size_t *len)
{
	size_t n = 0, cap = 0;
	char *buf = NULL;
	int fd, ret = 0;

	*text = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (cap - n < 4096 + 1) {
			size_t ncap = cap ? cap * 2 : 16384;
			char *nb;

			if (ncap > JV_MAX_FILE + 1) {
				ret = -EFBIG;
				goto out;
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

bool jv_get(struct json_object *obj, const char *key, struct json_object **v)
{
	*v = NULL;
	return obj && json_object_object_get_ex(obj, key, v);
}

static const char *type_name(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:    return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double:  return "a number";
	case json_type_int:     return "an integer";
	case json_type_object:  return "an object";
	case json_type_array:   return "an array";
	case json_type_string:  return "a string";
	}
	return "something else";
}

int jv_object(struct json_object *v, const char *path, const char *const allowed[], char *err)
{
	char p[JV_PATH_LEN];

	if (!json_object_is_type(v, json_type_object))
		return jv_fail(err, path, "expected an object, got %s", type_name(v));
	json_object_object_foreach(v, key, val) {
		bool ok = false;

		(void)val;
		for (size_t i = 0; allowed[i]; i++) {
			if (!strcmp(key, allowed[i])) {
				ok = true;
				break;
			}
		}
		if (!ok)
			return jv_fail(err, jv_key(p, path, key), "unknown key");
	}
	return 0;
}

int jv_array(struct json_object *v, const char *path, size_t max, size_t *n, char *err)
{
	if (!json_object_is_type(v, json_type_array))
		return jv_fail(err, path, "expected an array, got %s", type_name(v));
	*n = json_object_array_length(v);
	if (*n > max)
		return jv_fail(err, path, "%zu entries, at most %zu allowed", *n, max);
	return 0;
}

int jv_uint(struct json_object *v, const char *path, uint64_t min, uint64_t max,
	    uint64_t *out, char *err)
{
	uint64_t u;

	/* JSON has one number type; a config wants integers, so 1.0, 1e3 and
	 * "1" are refused rather than guessed at. */
	if (!json_object_is_type(v, json_type_int))
		goto bad;
	if (json_object_get_int64(v) < 0)
		goto bad;
	/* json-c saturates beyond 2^64-1; such a value fails max anyway */
	u = json_object_get_uint64(v);
	if (u < min || u > max)
		goto bad;
	*out = u;
	return 0;
bad:
	return jv_fail_got(err, path, v, "expected an integer %llu..%llu",
			   (unsigned long long)min, (unsigned long long)max);
}

int jv_u32(struct json_object *v, const char *path, uint32_t min, uint32_t max,
	   uint32_t *out, char *err)
{
	uint64_t u;
	int ret = jv_uint(v, path, min, max, &u, err);

	if (!ret)
		*out = (uint32_t)u;
	return ret;
}

int jv_bool(struct json_object *v, const char *path, bool *out, char *err)
{
	if (!json_object_is_type(v, json_type_boolean))
		return jv_fail_got(err, path, v, "expected true or false");
	*out = json_object_get_boolean(v);
	return 0;
}

const char *jv_cstr(struct json_object *v)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

int jv_string(struct json_object *v, const char *path, const char **out, char *err)
{
	if (!json_object_is_type(v, json_type_string))
		return jv_fail_got(err, path, v, "expected a string");
	*out = jv_cstr(v);
	if (!*out)
		return jv_fail(err, path, "expected a string without NUL characters");
	return 0;
}

int jv_enum(struct json_object *v, const char *path, const char *const names[],
	    int *out, char *err)
{
	char want[JV_ERR_LEN] = "";
	const char *s = NULL;
	size_t n = 0;

	s = jv_cstr(v);
	for (n = 0; names[n]; n++) {
		if (s && !strcmp(s, names[n])) {
			*out = (int)n;
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(want);

		snprintf(want + l, sizeof(want) - l, "%s\"%s\"",
			 i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	}
	return jv_fail_got(err, path, v, "expected %s", want);
}

int jv_ip(struct json_object *v, const char *path, uint32_t *ip, char *err)
{
	if (addr_parse_ip(jv_cstr(v), ip))
		return jv_fail_got(err, path, v, "expected an IPv4 address");
	return 0;
}

int jv_ip6(struct json_object *v, const char *path, uint8_t ip[16], char *err)
{
	if (addr6_parse(jv_cstr(v), ip))
		return jv_fail_got(err, path, v, "expected an IPv6 address");
	return 0;
}

bool jv_mac_is_station(const uint8_t mac[6])
{
	/* the I/G bit (first octet, lowest bit) marks group addresses, which
	 * broadcast ff:ff:ff:ff:ff:ff is one of; a station never uses one */
	return !(mac[0] & 1) && !addr_mac_is_zero(mac);
}

int jv_mac(struct json_object *v, const char *path, uint8_t mac[6], char *err)
{
	uint8_t m[6];

	if (addr_parse_mac(jv_cstr(v), m))
		return jv_fail_got(err, path, v, "expected a MAC address like 02:00:00:00:00:01");
	if (m[0] & 1)
		return jv_fail_got(err, path, v, "expected a unicast MAC address");
	if (addr_mac_is_zero(m))
		return jv_fail_got(err, path, v, "expected a non-zero MAC address");
	memcpy(mac, m, 6);
	return 0;
}

bool jv_ifname_valid(const char *s)
{
	size_t n = strlen(s);

	/* net/core/dev.c dev_valid_name() */
	if (n == 0 || n >= JV_IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++) {
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	}
	return true;
}

int jv_ifname(struct json_object *v, const char *path, char out[JV_IFNAMSIZ], char *err)
{
	const char *s;

	s = jv_cstr(v);
	if (!s || !jv_ifname_valid(s))
		return jv_fail_got(err, path, v, "expected an interface name (1..%d characters, "
				   "no '/', ':' or spaces)", JV_IFNAMSIZ - 1);
	snprintf(out, JV_IFNAMSIZ, "%s", s);
	return 0;
}

int jv_abspath(struct json_object *v, const char *path, char *out, size_t size, char *err)
{
	const char *s;

	s = jv_cstr(v);
	if (!s || s[0] != '/' || strlen(s) >= size)
		return jv_fail_got(err, path, v, "expected an absolute path shorter than %zu bytes",
				   size);
	snprintf(out, size, "%s", s);
	return 0;
}
