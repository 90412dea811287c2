/* sysctl.c - see sysctl.h. /proc/sys/net is the network namespace of the
 * task that opens it, so this writes vtepd's own namespace's settings.
 *
 * VTEPD_SYSCTL_NET names another path for it: a container runtime mounts
 * /proc/sys read-only in an unprivileged container (runc's readonlyPaths),
 * and refuses a mount over a /proc path, so the DaemonSet mounts the host's
 * /proc/sys/net writable at /host/proc/sys/net (dist/kubernetes). A bind
 * mount of /proc/sys/net still resolves against the opener's namespace. */
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int sysctl_write(const char *family, const char *ifname, const char *key,
			const char *value)
{
	const char *root = getenv("VTEPD_SYSCTL_NET");
	char path[PATH_MAX];
	ssize_t n, len = (ssize_t)strlen(value);
	int fd, err = 0;

	if (strchr(ifname, '/') || !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return -EINVAL;
	if (!root || root[0] != '/')
		root = "/proc/sys/net";
	snprintf(path, sizeof(path), "%s/%s/conf/%s/%s", root, family, ifname, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, (size_t)len);
	if (n != len)
		err = n < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

int sysctl_if_set(const char *ifname, const char *key, const char *value)
{
	return sysctl_write("ipv4", ifname, key, value);
}

int sysctl_if_set6(const char *ifname, const char *key, const char *value)
{
	return sysctl_write("ipv6", ifname, key, value);
}
