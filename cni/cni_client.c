/* cni_client.c - see cni_client.h. */
#include "cni_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctlproto.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int refused(struct cni_reply *r, const char *cmd, const char *error, struct cni_err *e)
{
	struct json_object *c;
	int code = CNI_EVTEPD;

	/* vtepd's code is passed on only when it is one the spec defines
	 * (SPEC.md section 5), 100 otherwise. */
	if (json_object_object_get_ex(r->root, "code", &c) && json_object_is_type(c, json_type_int))
		code = cni_code_of(json_object_get_int64(c), CNI_EVTEPD);
	cni_fail(e, code, "vtepd: %s: %.900s", cmd, error);
	cni_reply_free(r);
	return -code;
}

/* What a reply (or its absence) means for the command; shared by cni_call
 * and cni_reply_parse so that the fuzzer decodes replies as the plugin
 * does. ret is ctlproto's: 0, -EPROTO (a reply that is no message) or the
 * errno of a vtepd that is not reachable. */
static int outcome(int ret, bool ok, const char *error, const char *socket, const char *cmd,
		   const char *err, struct cni_reply *r, struct cni_err *e)
{
	if (ret == -EPROTO)
		return cni_fail(e, CNI_EVTEPD, "vtepd: %s: %s", cmd, err);
	if (ret)   /* not reachable: ENOENT, ECONNREFUSED, ETIMEDOUT, ... */
		return cni_fail(e, CNI_ETRYAGAIN, "vtepd is not reachable on %s: %s", socket, err);
	if (!ok)
		return refused(r, cmd, error, e);
	return 0;
}

int cni_call(const char *socket, const char *cmd, struct json_object *args, int timeout_ms,
	     struct cni_reply *r, struct cni_err *e)
{
	long long deadline = now_ms() + timeout_ms;
	const char *error = NULL, *note = NULL;
	char err[256];
	bool ok = false;
	int ret;

	memset(r, 0, sizeof(*r));
	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0) {
			ret = -ETIMEDOUT;
			snprintf(err, sizeof(err), "no answer within %d ms", timeout_ms);
			break;
		}
		ret = ctlproto_call(socket, cmd, args, (int)left, &r->root, &ok, &r->data, &error,
				    &note, err, sizeof(err));
		if (ret || ok || strcmp(error, "too many clients"))
			break;
		cni_reply_free(r);
		usleep(20000);
	}
	return outcome(ret, ok, error, socket, cmd, err, r, e);
}

int cni_reply_parse(const char *buf, size_t len, const char *cmd, struct cni_reply *r,
		    struct cni_err *e)
{
	const char *error = NULL, *note = NULL;
	char err[256] = "", why[160];
	bool ok = false;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = ctlproto_decode_reply(buf, len, &r->root, &ok, &r->data, &error, &note, err,
				    sizeof(err));
	if (ret) {   /* as ctlproto_call reports a reply that does not decode */
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, sizeof(err), "bad reply from vtepd: %s", why);
		ret = -EPROTO;
	}
	return outcome(ret, ok, error, "(none)", cmd, err, r, e);
}

void cni_reply_free(struct cni_reply *r)
{
	json_object_put(r->root);
	r->root = r->data = NULL;
}
