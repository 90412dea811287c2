/* cni_main.c - vtepd-cni, vtepd's CNI plugin (docs/kubernetes.md).
 *
 * A thin client: it reads what the runtime gives it (environment, the
 * network configuration on stdin), runs the IPAM plugin, and asks vtepd,
 * over vtepd's CNI socket, to do the work; vtepd holds the state. The
 * result or the error goes to stdout as the spec's JSON, logs to stderr,
 * and the exit status is 0 only on success (SPEC.md section 2, "Errors").
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni_cmd.h"
#include "cni_input.h"
#include "cni_result.h"

static const char *env_get(const char *name)
{
	return getenv(name);
}

static int fail(const struct cni_err *e)
{
	char *s = cni_err_json(e);

	if (s)
		printf("%s\n", s);
	else
		printf("{\"cniVersion\":\"1.1.0\",\"code\":5,\"msg\":\"I/O failure\"}\n");
	fflush(stdout);
	free(s);
	fprintf(stderr, "vtepd-cni: error %d: %s: %s\n", e->code, e->msg, e->details);
	return 1;
}

int main(void)
{
	struct json_object *result = NULL;
	struct cni_err e;
	char *in = NULL;
	size_t len = 0;
	int ret;

	memset(&e, 0, sizeof(e));
	/* A delegate that exits before reading all of stdin must not kill us
	 * with SIGPIPE: the write fails and the delegate's status says why. */
	signal(SIGPIPE, SIG_IGN);
	ret = cni_read_all(0, CNI_STDIN_MAX, &in, &len);
	if (ret == -EFBIG)
		return fail(&(struct cni_err){ .code = CNI_EDECODE, .msg = "failed to decode content",
					       .details = "the network configuration on stdin is "
							  "larger than 256 KiB" });
	if (ret)
		return fail(&(struct cni_err){ .code = CNI_EIO, .msg = "I/O failure",
					       .details = "cannot read the network configuration "
							  "from stdin" });
	ret = cni_run(env_get, in, len, &result, &e);
	free(in);
	if (ret)
		return fail(&e);
	if (result && cni_print(result)) {
		json_object_put(result);
		return 1;
	}
	json_object_put(result);
	return 0;
}
