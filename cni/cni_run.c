/* cni_run.c - from raw inputs to a command (cni_run() of cni_cmd.h):
 * environment first (code 4), then the configuration (6, 1, 2, 7), then
 * CNI_ARGS for the attachment commands, then the command itself. */
#include "cni_cmd.h"

#include <string.h>

#include "cni_result.h"

int cni_run(cni_getenv_fn get, const char *stdin_text, size_t stdin_len,
	    struct json_object **result, struct cni_err *e)
{
	struct cni_req r;
	int ret;

	memset(&r, 0, sizeof(r));
	*result = NULL;
	r.stdin_text = stdin_text;
	r.stdin_len = stdin_len;
	if (cni_env_read(get, &r.env, e))
		return -e->code;
	if (cni_conf_parse(stdin_text, stdin_len, r.env.cmd, &r.conf, e))
		return -e->code;
	if (r.env.cmd != CNI_CMD_VERSION && r.env.cmd != CNI_CMD_GC &&
	    r.env.cmd != CNI_CMD_STATUS && cni_args_parse(r.env.args, &r.args, e)) {
		cni_conf_free(&r.conf);
		return -e->code;
	}
	switch (r.env.cmd) {
	case CNI_CMD_ADD:
		ret = cni_cmd_add(&r, result, e);
		break;
	case CNI_CMD_DEL:
		ret = cni_cmd_del(&r, e);
		break;
	case CNI_CMD_CHECK:
		ret = cni_cmd_check(&r, e);
		break;
	case CNI_CMD_GC:
		ret = cni_cmd_gc(&r, e);
		break;
	case CNI_CMD_STATUS:
		ret = cni_cmd_status(&r, e);
		break;
	default:
		*result = cni_version_result(r.conf.version);
		ret = *result ? 0 : cni_fail(e, CNI_EIO, "out of memory");
		break;
	}
	cni_conf_free(&r.conf);
	return ret;
}
