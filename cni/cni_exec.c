/* cni_exec.c - see cni_exec.h. */
#include "cni_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cni_input.h"
#include "cni_ver.h"

extern char **environ;

/* The first executable dir/type along CNI_PATH (':'-separated). */
static int find_plugin(const struct cni_exec *x, char out[PATH_MAX], struct cni_err *e)
{
	const char *p = x->path, *end;

	if (!p || !*p)
		return cni_fail(e, CNI_EENV, "CNI_PATH: not set (needed to run the IPAM plugin %s)",
				x->type);
	for (; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end == p || (size_t)snprintf(out, PATH_MAX, "%.*s/%s", (int)(end - p), p,
						 x->type) >= PATH_MAX)
			continue;
		if (!access(out, X_OK))
			return 0;
	}
	return cni_fail(e, CNI_ECONFIG, "IPAM plugin \"%.64s\" not found in CNI_PATH %.256s",
			x->type, x->path);
}

static bool overridden(const struct cni_exec *x, const char *var)
{
	for (const char *const *o = x->env; o && *o; o++) {
		size_t n = strcspn(*o, "=");

		if (!strncmp(var, *o, n) && var[n] == '=')
			return true;
	}
	return false;
}

/* Our environment with CNI_COMMAND and the overrides replaced. */
static char **child_env(const struct cni_exec *x, char *cmd_var, size_t size)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	for (const char *const *o = x->env; o && *o; o++)
		k++;
	env = calloc(n + k + 2, sizeof(*env));
	if (!env)
		return NULL;
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12) && !overridden(x, environ[i]))
			env[k++] = environ[i];
	snprintf(cmd_var, size, "CNI_COMMAND=%s", x->command);
	env[k++] = cmd_var;
	for (const char *const *o = x->env; o && *o; o++)
		if ((*o)[strcspn(*o, "=") + 1])   /* "NAME=" unsets */
			env[k++] = (char *)*o;
	return env;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feeds stdin and drains stdout together (a child that writes before it
 * has read everything must not deadlock us), until stdout closes. */
static int pump(int in, int out, const struct cni_exec *x, char *buf, size_t *got,
		long long deadline)
{
	size_t off = 0;

	while (out >= 0) {
		struct pollfd p[2] = { { .fd = out, .events = POLLIN }, { .fd = in, .events = POLLOUT } };
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(p, in >= 0 ? 2 : 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (in >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(in, x->stdin_text + off, x->stdin_len - off);

			if (w > 0)
				off += (size_t)w;
			if (w < 0 || off == x->stdin_len) {   /* done, or it stopped reading */
				close(in);
				in = -1;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t rd = read(out, buf + *got, CNI_OUTPUT_MAX + 1 - *got);

			if (rd < 0 && errno == EINTR)
				continue;
			if (rd <= 0)
				break;
			*got += (size_t)rd;
			if (*got > CNI_OUTPUT_MAX)
				return -EFBIG;
		}
	}
	if (in >= 0)
		close(in);
	return 0;
}

static pid_t spawn(const char *bin, char **env, int *in, int *out)
{
	int pin[2], pout[2];
	pid_t pid;

	if (pipe2(pin, O_CLOEXEC))
		return -1;
	if (pipe2(pout, O_CLOEXEC)) {
		close(pin[0]);
		close(pin[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)bin, NULL };

		if (dup2(pin[0], 0) < 0 || dup2(pout[1], 1) < 0)
			_exit(127);
		execve(bin, argv, env);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	if (pid < 0) {
		close(pin[1]);
		close(pout[0]);
		return -1;
	}
	fcntl(pin[1], F_SETFL, O_NONBLOCK);
	*in = pin[1];
	*out = pout[0];
	return pid;
}

/* A delegate's error result: its code and msg become ours. */
static int delegate_failed(const struct cni_exec *x, int status, const char *buf, size_t got,
			   struct cni_err *e)
{
	struct json_object *o = NULL, *v;
	struct cni_err ignore = { 0 };
	int code = CNI_EIPAM;
	const char *msg = NULL, *det = "";

	if (got && !cni_parse_object(buf, got, "error", CNI_EDECODE, &o, &ignore)) {
		/* Its code is ours only when the spec defines it: an undefined
		 * 1-99 code would make our error result break SPEC.md
		 * section 5 (101 says "the IPAM plugin failed" instead). */
		if (json_object_object_get_ex(o, "code", &v) && json_object_is_type(v, json_type_int))
			code = cni_code_of(json_object_get_int64(v), CNI_EIPAM);
		/* An empty msg ("" or "\u0000...") is none: ours is the code's
		 * standard text then (SPEC.md section 5: msg characterizes the
		 * error). */
		if (json_object_object_get_ex(o, "msg", &v) && json_object_is_type(v, json_type_string) &&
		    json_object_get_string(v)[0])
			msg = json_object_get_string(v);
		if (json_object_object_get_ex(o, "details", &v) &&
		    json_object_is_type(v, json_type_string))
			det = json_object_get_string(v);
	}
	cni_fail_msg(e, code, msg, "IPAM plugin %s %s failed (%s %d)%s%.512s", x->type, x->command,
		     WIFEXITED(status) ? "exit status" : "signal",
		     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		     *det || msg ? ": " : "", *det ? det : msg ? msg : "");
	json_object_put(o);
	return -code;
}

int cni_exec_run(const struct cni_exec *x, struct json_object **result, struct cni_err *e)
{
	char bin[PATH_MAX], cmd_var[64], *buf = NULL, **env;
	int in = -1, out = -1, status = 0, ret;
	size_t got = 0;
	pid_t pid;

	*result = NULL;
	if (find_plugin(x, bin, e))
		return -e->code;
	env = child_env(x, cmd_var, sizeof(cmd_var));
	buf = malloc(CNI_OUTPUT_MAX + 2);
	if (!env || !buf) {
		free(env);
		free(buf);
		return cni_fail(e, CNI_EIO, "out of memory");
	}
	pid = spawn(bin, env, &in, &out);
	free(env);
	if (pid < 0) {
		free(buf);
		return cni_fail(e, CNI_EIO, "cannot run %s: %s", bin, strerror(errno));
	}
	ret = pump(in, out, x, buf, &got, now_ms() + (x->timeout_ms ? x->timeout_ms :
						    CNI_EXEC_TIMEOUT_MS));
	close(out);
	if (ret)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret) {
		free(buf);
		return cni_fail(e, CNI_EIO, "IPAM plugin %s %s: %s", x->type, x->command,
				ret == -ETIMEDOUT ? "no answer before the deadline (killed)" :
				ret == -EFBIG ? "output longer than 64 KiB" : strerror(-ret));
	}
	ret = cni_exec_output(x, status, buf, got, result, e);
	free(buf);
	return ret;
}

int cni_exec_output(const struct cni_exec *x, int status, const char *buf, size_t got,
		    struct json_object **result, struct cni_err *e)
{
	*result = NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return delegate_failed(x, status, buf, got, e);
	/* SPEC.md section 2: DEL, CHECK, GC and STATUS print nothing on
	 * success; whitespace alone is nothing too. */
	while (got && strchr(" \t\r\n", buf[got - 1]))
		got--;
	if (got && cni_parse_object(buf, got, "the IPAM plugin's result", CNI_EDECODE, result, e))
		return -e->code;
	return 0;
}

int cni_exec_version_for(const struct cni_exec *x, const char *want, char out[16],
			 struct cni_err *e)
{
	static const char ask[] = "{\"cniVersion\":\"1.0.0\"}";
	struct cni_exec v = *x;
	struct json_object *r = NULL;

	out[0] = '\0';
	v.command = "VERSION";
	v.stdin_text = ask;
	v.stdin_len = sizeof(ask) - 1;
	v.env = NULL;
	if (cni_exec_run(&v, &r, e))
		return -e->code;
	cni_exec_pick_version(r, want, out);
	json_object_put(r);
	return 0;
}

void cni_exec_pick_version(struct json_object *r, const char *want, char out[16])
{
	int wnum = cni_ver_num(want), best = -1;
	struct json_object *a;

	out[0] = '\0';
	if (!json_object_object_get_ex(r, "supportedVersions", &a) ||
	    !json_object_is_type(a, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *s = json_object_array_get_idx(a, i);
		int n = json_object_is_type(s, json_type_string) ?
			cni_ver_num(json_object_get_string(s)) : -1;

		if (n >= CNI_V030 && n <= wnum && n > best) {
			best = n;
			snprintf(out, 16, "%s", json_object_get_string(s));
		}
	}
}

int cni_exec_speaks(const struct cni_exec *x, const char *want, struct cni_err *e)
{
	char v[16];

	if (cni_exec_version_for(x, want, v, e))
		return -e->code;
	return !strcmp(v, want);
}
