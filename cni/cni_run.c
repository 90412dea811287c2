/* cni_run.c - from raw inputs to a command (cni_run() of cni_cmd.h):
 * environment first (code 4), then the configuration (6, 1, 2, 7), then
 * CNI_ARGS for the attachment commands, then the command itself. */
#include "cni_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni_exec.h"
#include "cni_result.h"

int cni_ipam_prepare(struct cni_req *r, struct cni_err *e)
{
	struct cni_exec x = { .type = r->conf.ipam_type, .path = r->env.path };
	struct json_object *copy = NULL;
	const char *text;
	char v[16];

	r->ipam_text = r->stdin_text;
	r->ipam_len = r->stdin_len;
	if (!r->conf.ipam_type)
		return 0;
	if (cni_exec_version_for(&x, r->conf.version, v, e))
		return -e->code;
	if (!strcmp(v, r->conf.version))
		return 0;
	if (!v[0])
		return cni_fail(e, CNI_EVERSION, "IPAM plugin %s speaks no CNI version from 0.3.0 "
				"to %s", x.type, r->conf.version);
	fprintf(stderr, "vtepd-cni: IPAM plugin %s does not speak CNI %s: asking it in %s\n",
		x.type, r->conf.version, v);
	if (json_object_deep_copy(r->conf.root, &copy, NULL) ||
	    json_object_object_add(copy, "cniVersion", json_object_new_string(v)) ||
	    !(text = json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE)) ||
	    !(r->ipam_owned = strdup(text))) {
		json_object_put(copy);
		return cni_fail(e, CNI_EIO, "out of memory");
	}
	json_object_put(copy);
	r->ipam_text = r->ipam_owned;
	r->ipam_len = strlen(r->ipam_owned);
	return 0;
}

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
	if ((r.env.cmd == CNI_CMD_ADD || r.env.cmd == CNI_CMD_DEL || r.env.cmd == CNI_CMD_CHECK ||
	     r.env.cmd == CNI_CMD_GC) && cni_ipam_prepare(&r, e)) {
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
	free(r.ipam_owned);
	cni_conf_free(&r.conf);
	return ret;
}
