/* cni_cmd.h - the plugin's commands (SPEC.md section 2, "CNI operations"),
 * given what main() read: the environment, the configuration on stdin and
 * CNI_ARGS. Each returns 0 with its result (NULL for the commands that print
 * nothing on success: DEL, CHECK, GC, STATUS) or -code with e set.
 *
 *   ADD     vtepd reachable? (else 11) -> IPAM ADD -> vtepd cni.add -> result;
 *           a failure after IPAM gave an address releases it (IPAM DEL), as
 *           section 4 asks
 *   DEL     vtepd cni.del -> IPAM DEL; with vtepd down, success when the
 *           attachment's host interface is gone (nothing left to delete),
 *           11 while it still exists
 *   CHECK   prevResult's address -> vtepd cni.check -> IPAM CHECK
 *   GC      vtepd cni.gc (this network's attachments not listed go) ->
 *           IPAM DEL for each one removed -> IPAM GC when the IPAM plugin
 *           speaks 1.1.0
 *   STATUS  vtepd cni.status (50 when unreachable) -> IPAM STATUS when it
 *           speaks 1.1.0
 *   VERSION the versions we speak
 */
#ifndef CNI_CMD_H
#define CNI_CMD_H

#include <stddef.h>
#include <json-c/json.h>

#include "cni_args.h"
#include "cni_conf.h"
#include "cni_env.h"
#include "cni_err.h"

struct cni_req {
	struct cni_env env;
	struct cni_conf conf;
	struct cni_args args;
	const char *stdin_text;
	size_t stdin_len;
	/* What the IPAM plugin gets on stdin: the configuration as it came,
	 * or, when the plugin does not speak its cniVersion, a copy in the
	 * highest version it does (cni_ipam_prepare). */
	const char *ipam_text;
	size_t ipam_len;
	char *ipam_owned;
};

/* Chooses the IPAM plugin's stdin (above). SPEC.md section 4 asks for
 * "the same configuration"; but a 1.1.0 network with Debian's host-local
 * (which stops at 1.0.0) would then fail every ADD, so vtepd-cni speaks to
 * the delegate in the newest version both know and says so on stderr. */
int cni_ipam_prepare(struct cni_req *r, struct cni_err *e);

/* Everything from the raw inputs: env, parse, dispatch. */
int cni_run(cni_getenv_fn get, const char *stdin_text, size_t stdin_len,
	    struct json_object **result, struct cni_err *e);

int cni_cmd_add(struct cni_req *r, struct json_object **result, struct cni_err *e);
int cni_cmd_del(struct cni_req *r, struct cni_err *e);
int cni_cmd_check(struct cni_req *r, struct cni_err *e);
int cni_cmd_gc(struct cni_req *r, struct cni_err *e);
int cni_cmd_status(struct cni_req *r, struct cni_err *e);

#endif /* CNI_CMD_H */
