/* sysctl.c - see sysctl.h. /proc/sys/net is the network namespace of the
 * task that opens it, so this writes vtepd's own namespace's settings. */
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int sysctl_write(const char *family, const char *ifname, const char *key,
			const char *value)
{
	char path[PATH_MAX];
	ssize_t n, len = (ssize_t)strlen(value);
	int fd, err = 0;

	if (strchr(ifname, '/') || !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family, ifname, key);
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
