/* underlay.c - see underlay.h. A bare rtnetlink socket (no libnl: only the
 * message types and a neighbour's family are read, no attributes), non-blocking, drained on
 * each wake-up so one burst of changes empties the map once. */
#include "underlay.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>

#include "vtep_maps.h"
#include "log.h"
#include "loop.h"

struct underlay {
	int fd;
	int map_fd;
	unsigned long flushes;
};

int underlay_flush(int map_fd)
{
	struct vtep_underlay_key key, next;
	int n = 0, err;

	/* Deleting the key just returned is safe for get_next_key on a hash:
	 * asking from a missing key restarts at the first one, so walk from
	 * NULL after each delete. The map holds at most VTEP_MAX_UNDERLAY. */
	while (!(err = bpf_map_get_next_key(map_fd, NULL, &next))) {
		key = next;
		if (bpf_map_delete_elem(map_fd, &key) && errno != ENOENT)
			return -errno;
		if (++n > 4 * VTEP_MAX_UNDERLAY)
			return -EAGAIN; /* the datapath refills faster than we empty */
	}
	return errno == ENOENT ? n : -errno;
}

/* IPv4 route, IPv4 neighbour and link changes can move the underlay next
 * hop (the underlay is IPv4: IPv6 neighbour discovery is not a change). */
static int is_underlay_change(const struct nlmsghdr *nh)
{
	const struct ndmsg *nd = NLMSG_DATA(nh);

	switch (nh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		return nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*nd)) && nd->ndm_family == AF_INET;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return 1;
	default:
		return 0;
	}
}

int underlay_handle(struct underlay *u)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int change = 0, err;

	for (;;) {
		ssize_t n = recv(u->fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *nh;
		size_t len;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) { /* events lost: assume a change */
				change = 1;
				continue;
			}
			return -errno;
		}
		if (n == 0)
			break;
		len = (size_t)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len))
			change |= is_underlay_change(nh);
	}
	if (!change)
		return 0;
	err = underlay_flush(u->map_fd);
	if (err < 0) {
		log_warn("%s: cannot empty: %s", VTEP_MAP_UNDERLAY, strerror(-err));
		return err;
	}
	u->flushes++;
	log_debug("%s: underlay changed, %d cached next hops dropped", VTEP_MAP_UNDERLAY, err);
	return 1;
}

int underlay_fd(const struct underlay *u)
{
	return u->fd;
}

static void on_readable(void *ctx)
{
	underlay_handle(ctx);
}

int underlay_watch(struct loop *l, int map_fd, struct underlay **out)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_ROUTE,
	};
	struct underlay *u;
	int ret;

	*out = NULL;
	if (map_fd < 0)
		return -EBADF;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->map_fd = map_fd;
	u->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (u->fd < 0) {
		ret = -errno;
		goto fail;
	}
	if (bind(u->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto fail;
	}
	/* Subscribed first, emptied second: nothing changed in between
	 * can survive in the map. */
	ret = underlay_flush(map_fd);
	if (ret < 0)
		goto fail;
	if (l && (ret = loop_add(l, u->fd, on_readable, u)))
		goto fail;
	*out = u;
	return 0;
fail:
	if (u->fd >= 0)
		close(u->fd);
	free(u);
	return ret;
}

void underlay_close(struct loop *l, struct underlay *u)
{
	if (!u)
		return;
	if (l)
		loop_del(l, u->fd);
	close(u->fd);
	free(u);
}
