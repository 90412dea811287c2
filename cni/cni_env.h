/* cni_env.h - the CNI_* environment variables (SPEC.md section 2,
 * "Parameters"), read and checked before anything else happens.
 *
 * Which variables each command needs is the spec's "Required environment
 * parameters" of that command: ADD and CHECK need CNI_CONTAINERID,
 * CNI_NETNS and CNI_IFNAME; DEL needs CNI_CONTAINERID and CNI_IFNAME (the
 * spec lets CNI_NETNS be absent on DEL: "when CNI_NETNS and/or prevResult
 * are not provided, the plugin should clean up as many resources as
 * possible"); GC, STATUS and VERSION need none beyond CNI_COMMAND.
 * CNI_PATH is needed wherever an IPAM plugin is run. A missing or invalid
 * variable is code 4, and the message names it.
 */
#ifndef CNI_ENV_H
#define CNI_ENV_H

#include "cni_err.h"
#include "cni_input.h"
#include "cniname.h"

enum cni_cmd { CNI_CMD_ADD, CNI_CMD_DEL, CNI_CMD_CHECK, CNI_CMD_GC, CNI_CMD_STATUS,
	       CNI_CMD_VERSION };

#define CNI_PATH_MAX 4096

struct cni_env {
	enum cni_cmd cmd;
	const char *container_id;  /* NULL when not given (GC, STATUS, VERSION) */
	const char *netns;         /* NULL when not given */
	const char *ifname;
	const char *args;          /* CNI_ARGS, NULL when not given */
	const char *path;          /* CNI_PATH, NULL when not given */
};

const char *cni_cmd_name(enum cni_cmd c);

/* Reads the variables through get (getenv in the plugin, a table in
 * tests). Returns 0 or fails e with code 4. */
int cni_env_read(cni_getenv_fn get, struct cni_env *env, struct cni_err *e);

#endif /* CNI_ENV_H */
