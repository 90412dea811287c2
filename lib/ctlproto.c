/* ctlproto.c - see ctlproto.h. Encoding and decoding of control messages,
 * and the blocking client vtepctl uses (the server side, which must never
 * block, lives in agent/ctl/control.c). */
#include "ctlproto.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Deep nesting is the cheapest way to make a JSON parser work hard; no
 * request needs more than three levels. */
#define CTLPROTO_MAX_DEPTH 16

static char *finish_line(struct json_object *o, size_t *len)
{
	const char *s = json_object_to_json_string_ext(o, CTLPROTO_JSON_FLAGS);
	size_t n;
	char *line;

	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	n = strlen(s);
	if (n + 1 > CTLPROTO_MAX_MSG) {
		errno = EMSGSIZE;
		return NULL;
	}
	line = malloc(n + 2);
	if (!line) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	if (len)
		*len = n + 1;
	return line;
}

/* json_object_object_add() takes the reference it is given; callers keep
 * theirs, so every borrowed object is re-referenced first. */
static int add_borrowed(struct json_object *parent, const char *key, struct json_object *child)
{
	return json_object_object_add(parent, key, child ? json_object_get(child) : NULL);
}

char *ctlproto_encode_request(const char *cmd, struct json_object *args, size_t *len)
{
	struct json_object *o = json_object_new_object();
	char *line = NULL;

	if (!o || !cmd) {
		errno = o ? EINVAL : ENOMEM;
		goto out;
	}
	if (json_object_object_add(o, "cmd", json_object_new_string(cmd)))
		goto nomem;
	if (args ? add_borrowed(o, "args", args)
		 : json_object_object_add(o, "args", json_object_new_object()))
		goto nomem;
	line = finish_line(o, len);
	goto out;
nomem:
	errno = ENOMEM;
out:
	json_object_put(o);
	return line;
}

char *ctlproto_encode_ok_note(struct json_object *data, const char *note, size_t *len)
{
	struct json_object *o = json_object_new_object();
	char *line = NULL;

	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	if (json_object_object_add(o, "ok", json_object_new_boolean(1)) ||
	    add_borrowed(o, "data", data) ||
	    (note && json_object_object_add(o, "note", json_object_new_string(note)))) {
		errno = ENOMEM;
		goto out;
	}
	line = finish_line(o, len);
out:
	json_object_put(o);
	return line;
}

char *ctlproto_encode_ok(struct json_object *data, size_t *len)
{
	return ctlproto_encode_ok_note(data, NULL, len);
}

char *ctlproto_encode_error(const char *msg, size_t *len)
{
	return ctlproto_encode_error_code(msg, 0, len);
}

/* code 0: no "code" key. */
char *ctlproto_encode_error_code(const char *msg, int code, size_t *len)
{
	struct json_object *o = json_object_new_object();
	char *line = NULL;

	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	if (json_object_object_add(o, "ok", json_object_new_boolean(0)) ||
	    json_object_object_add(o, "error", json_object_new_string(msg ? msg : "error")) ||
	    (code && json_object_object_add(o, "code", json_object_new_int(code)))) {
		errno = ENOMEM;
		goto out;
	}
	line = finish_line(o, len);
	if (!line && errno == EMSGSIZE) {
		/* An error message can never be refused for its size. */
		json_object_object_add(o, "error", json_object_new_string("error message too long"));
		line = finish_line(o, len);
	}
out:
	json_object_put(o);
	return line;
}

/* Parses exactly one JSON object from buf[0..len), allowing only trailing
 * whitespace (the '\n' delimiter). */
static int parse_object(const char *buf, size_t len, struct json_object **out,
			char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	size_t end;
	int ret = 0;

	*out = NULL;
	if (len > CTLPROTO_MAX_MSG) {
		snprintf(err, errlen, "message longer than %d bytes", CTLPROTO_MAX_MSG);
		return -EMSGSIZE;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
		       buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	if (len == 0) {
		snprintf(err, errlen, "empty message");
		return -EPROTO;
	}
	/* json-c stops at a NUL byte; a NUL inside a message is garbage. */
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "invalid JSON: NUL byte in message");
		return -EPROTO;
	}
	tok = json_tokener_new_ex(CTLPROTO_MAX_DEPTH);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		snprintf(err, errlen, "invalid JSON: truncated message");
		ret = -EPROTO;
	} else if (jerr != json_tokener_success || !o) {
		snprintf(err, errlen, "invalid JSON: %s", json_tokener_error_desc(jerr));
		ret = -EPROTO;
	} else if (end != len) {
		snprintf(err, errlen, "invalid JSON: trailing data after the message");
		ret = -EPROTO;
	} else if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "message is not a JSON object");
		ret = -EINVAL;
	}
	json_tokener_free(tok);
	if (ret) {
		json_object_put(o);
		return ret;
	}
	*out = o;
	return 0;
}

int ctlproto_decode_request(const char *buf, size_t len, struct json_object **root,
			    const char **cmd, struct json_object **args,
			    char *err, size_t errlen)
{
	struct json_object *o, *c, *a;
	int ret;

	*root = NULL;
	ret = parse_object(buf, len, &o, err, errlen);
	if (ret)
		return ret;
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "cmd") && strcmp(key, "args")) {
			snprintf(err, errlen, "unknown key \"%.64s\" in request", key);
			ret = -EINVAL;
			goto fail;
		}
	}
	if (!json_object_object_get_ex(o, "cmd", &c) || !json_object_is_type(c, json_type_string)) {
		snprintf(err, errlen, "request has no \"cmd\" string");
		ret = -EINVAL;
		goto fail;
	}
	/* "\u0000" decodes to a NUL: "routes.add\u0000x" must not pass for
	 * "routes.add" in a C string compare. */
	if (strlen(json_object_get_string(c)) != (size_t)json_object_get_string_len(c)) {
		snprintf(err, errlen, "\"cmd\" contains a NUL character");
		ret = -EINVAL;
		goto fail;
	}
	if (json_object_object_get_ex(o, "args", &a) && !json_object_is_type(a, json_type_null)) {
		if (!json_object_is_type(a, json_type_object)) {
			snprintf(err, errlen, "\"args\" is not an object");
			ret = -EINVAL;
			goto fail;
		}
	} else {
		a = json_object_new_object();
		if (!a || json_object_object_add(o, "args", a)) {
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
			goto fail;
		}
	}
	*cmd = json_object_get_string(c);
	*args = a;
	*root = o;
	return 0;
fail:
	json_object_put(o);
	return ret;
}

int ctlproto_decode_reply(const char *buf, size_t len, struct json_object **root,
			  bool *ok, struct json_object **data, const char **error,
			  const char **note, char *err, size_t errlen)
{
	struct json_object *o, *v;
	int ret;

	*root = NULL;
	*data = NULL;
	*error = NULL;
	if (note)
		*note = NULL;
	ret = parse_object(buf, len, &o, err, errlen);
	if (ret)
		return ret;
	if (!json_object_object_get_ex(o, "ok", &v) || !json_object_is_type(v, json_type_boolean)) {
		snprintf(err, errlen, "reply has no \"ok\" boolean");
		json_object_put(o);
		return -EINVAL;
	}
	*ok = json_object_get_boolean(v);
	if (*ok) {
		json_object_object_get_ex(o, "data", data);
	} else {
		if (json_object_object_get_ex(o, "error", &v) &&
		    json_object_is_type(v, json_type_string))
			*error = json_object_get_string(v);
		else
			*error = "unspecified error";
	}
	if (note && json_object_object_get_ex(o, "note", &v) &&
	    json_object_is_type(v, json_type_string))
		*note = json_object_get_string(v);
	*root = o;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline; -ETIMEDOUT when it passes. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)(left > 1000000 ? 1000000 : left));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int ctlproto_call(const char *path, const char *cmd, struct json_object *args,
		  int timeout_ms, struct json_object **root, bool *ok,
		  struct json_object **data, const char **error, const char **note,
		  char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = now_ms() + timeout_ms;
	char *req = NULL, *buf = NULL;
	size_t reqlen, off = 0, got = 0;
	int fd = -1, ret;

	*root = NULL;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	req = ctlproto_encode_request(cmd, args, &reqlen);
	if (!req) {
		ret = -errno;
		snprintf(err, errlen, "cannot encode request: %s", strerror(errno));
		return ret;
	}
	buf = malloc(CTLPROTO_MAX_MSG + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (!buf || fd < 0) {
		ret = buf ? -errno : -ENOMEM;
		snprintf(err, errlen, "cannot create socket: %s", strerror(-ret));
		goto out;
	}
	/* A non-blocking AF_UNIX connect either completes at once or fails
	 * with EAGAIN when the listener's backlog is full. */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if ((errno == EAGAIN || errno == EINTR) && now_ms() < deadline) {
			usleep(10000);
			continue;
		}
		ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(-ret));
		goto out;
	}
	while (off < reqlen) {
		ssize_t w = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			ret = wait_fd(fd, POLLOUT, deadline);
			if (ret)
				goto io_err;
			continue;
		}
		/* vtepd may answer and close before reading the request (it
		 * refuses a client over its limit with "too many clients"):
		 * that reply is still waiting in our receive queue. */
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
			break;
		if (w < 0) {
			ret = -errno;
			goto io_err;
		}
		off += (size_t)w;
	}
	for (;;) {
		ssize_t r = recv(fd, buf + got, CTLPROTO_MAX_MSG - got, 0);

		if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
			ret = wait_fd(fd, POLLIN, deadline);
			if (ret)
				goto io_err;
			continue;
		}
		if (r < 0) {
			ret = -errno;
			goto io_err;
		}
		if (r == 0) {
			ret = -EPROTO;
			snprintf(err, errlen, "vtepd closed the connection without a reply");
			goto out;
		}
		if (memchr(buf + got, '\n', (size_t)r)) {
			got += (size_t)r;
			break;
		}
		got += (size_t)r;
		if (got >= CTLPROTO_MAX_MSG) {
			ret = -EPROTO;
			snprintf(err, errlen, "reply longer than %d bytes", CTLPROTO_MAX_MSG);
			goto out;
		}
	}
	/* One request, one reply: anything after the first line is ignored. */
	got = (size_t)((char *)memchr(buf, '\n', got) - buf) + 1;
	ret = ctlproto_decode_reply(buf, got, root, ok, data, error, note, err, errlen);
	if (ret) {
		char why[160];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "bad reply from vtepd: %s", why);
		ret = -EPROTO;
	}
	goto out;
io_err:
	snprintf(err, errlen, "talking to vtepd at %s: %s", path,
		 ret == -ETIMEDOUT ? "no reply (timed out)" : strerror(-ret));
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(req);
	return ret;
}

int ctlproto_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v = 0;

	if (!s || !*s || strlen(s) > 10)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}
