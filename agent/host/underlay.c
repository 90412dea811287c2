/* underlay.c - see underlay.h. The events come from agent/host/netlink.c's event
 * socket (netlink_watch_underlay): one callback per drained burst, so one
 * burst of changes empties the map once. */
#include "underlay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "log.h"
#include "netlink.h"
#include "vtep_maps.h"

struct underlay {
	struct netlink *nl;
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

static void on_change(void *ctx)
{
	struct underlay *u = ctx;
	int n = underlay_flush(u->map_fd);

	if (n < 0) {
		log_warn("%s: cannot empty: %s", VTEP_MAP_UNDERLAY, strerror(-n));
		return;
	}
	u->flushes++;
	log_debug("%s: underlay changed, %d cached next hops dropped", VTEP_MAP_UNDERLAY, n);
}

unsigned long underlay_flushes(const struct underlay *u)
{
	return u->flushes;
}

int underlay_watch(struct netlink *nl, int map_fd, struct underlay **out)
{
	struct underlay *u;
	int ret;

	*out = NULL;
	if (map_fd < 0)
		return -EBADF;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->nl = nl;
	u->map_fd = map_fd;
	if ((ret = netlink_watch_underlay(nl, on_change, u))) {
		free(u);
		return ret;
	}
	/* Subscribed first, emptied second: nothing changed in between
	 * can survive in the map. */
	ret = underlay_flush(map_fd);
	if (ret < 0) {
		netlink_watch_underlay(nl, NULL, NULL);
		free(u);
		return ret;
	}
	*out = u;
	return 0;
}

void underlay_close(struct underlay *u)
{
	if (!u)
		return;
	netlink_watch_underlay(u->nl, NULL, NULL);
	free(u);
}
