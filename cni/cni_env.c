/* cni_env.c - see cni_env.h. */
#include "cni_env.h"

#include <stdbool.h>
#include <string.h>

static const char *const names[] = {
	[CNI_CMD_ADD] = "ADD", [CNI_CMD_DEL] = "DEL", [CNI_CMD_CHECK] = "CHECK",
	[CNI_CMD_GC] = "GC", [CNI_CMD_STATUS] = "STATUS", [CNI_CMD_VERSION] = "VERSION",
};

const char *cni_cmd_name(enum cni_cmd c)
{
	return names[c];
}

static int read_cmd(cni_getenv_fn get, struct cni_env *env, struct cni_err *e)
{
	const char *v;

	if (cni_env_get(get, "CNI_COMMAND", &v, e))
		return -CNI_EENV;
	if (!v || !*v)
		return cni_fail(e, CNI_EENV, "CNI_COMMAND: not set");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i])) {
			env->cmd = (enum cni_cmd)i;
			return 0;
		}
	return cni_fail(e, CNI_EENV, "CNI_COMMAND: unknown command \"%.32s\" (ADD, DEL, CHECK, "
			"GC, STATUS or VERSION)", v);
}

/* A netns reference is a path to a namespace file: absolute, no NUL (the
 * environment cannot carry one), bounded. Whether it is a namespace is
 * vtepd's to find out (setns refuses anything else). */
static int read_netns(cni_getenv_fn get, bool required, struct cni_env *env, struct cni_err *e)
{
	if (cni_env_get(get, "CNI_NETNS", &env->netns, e))
		return -CNI_EENV;
	if (env->netns && !*env->netns)
		env->netns = NULL;
	if (!env->netns)
		return required ? cni_fail(e, CNI_EENV, "CNI_NETNS: not set") : 0;
	if (env->netns[0] != '/' || strlen(env->netns) >= CNI_PATH_MAX)
		return cni_fail(e, CNI_EENV, "CNI_NETNS: expected an absolute path to a network "
				"namespace, got \"%.64s\"", env->netns);
	return 0;
}

static int read_attachment(cni_getenv_fn get, bool need_netns, struct cni_env *env,
			   struct cni_err *e)
{
	if (cni_env_get(get, "CNI_CONTAINERID", &env->container_id, e))
		return -CNI_EENV;
	if (!env->container_id || !*env->container_id)
		return cni_fail(e, CNI_EENV, "CNI_CONTAINERID: not set");
	if (!cniname_id_valid(env->container_id))
		return cni_fail(e, CNI_EENV, "CNI_CONTAINERID: \"%.64s\" is not 1..%d alphanumerics, "
				"'_', '.' or '-' starting with an alphanumeric",
				env->container_id, CNINAME_ID_MAX);
	if (cni_env_get(get, "CNI_IFNAME", &env->ifname, e))
		return -CNI_EENV;
	if (!env->ifname || !*env->ifname)
		return cni_fail(e, CNI_EENV, "CNI_IFNAME: not set");
	if (!cniname_ifname_valid(env->ifname))
		return cni_fail(e, CNI_EENV, "CNI_IFNAME: \"%.32s\" is not a valid interface name "
				"(1..15 characters, no '/', ':' or whitespace, not . or ..)",
				env->ifname);
	return read_netns(get, need_netns, env, e);
}

int cni_env_read(cni_getenv_fn get, struct cni_env *env, struct cni_err *e)
{
	memset(env, 0, sizeof(*env));
	if (read_cmd(get, env, e))
		return -CNI_EENV;
	switch (env->cmd) {
	case CNI_CMD_ADD:
	case CNI_CMD_CHECK:
		if (read_attachment(get, true, env, e))
			return -CNI_EENV;
		break;
	case CNI_CMD_DEL:
		if (read_attachment(get, false, env, e))
			return -CNI_EENV;
		break;
	default:
		break;
	}
	if (cni_env_get(get, "CNI_ARGS", &env->args, e) ||
	    cni_env_get(get, "CNI_PATH", &env->path, e))
		return -CNI_EENV;
	return 0;
}
