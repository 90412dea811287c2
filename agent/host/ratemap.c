/* ratemap.c - see ratemap.h. */
#include "ratemap.h"

#include <errno.h>
#include <bpf/bpf.h>

#include "portrate.h"

int ratemap_set(int fd, int ifindex, uint64_t rate, uint64_t burst_bits)
{
	struct vtep_port_rate v, old;
	__u32 key = (__u32)ifindex;

	if (fd < 0 || ifindex <= 0 || !rate)
		return -EINVAL;
	portrate_value(rate, portrate_burst_bytes(rate, burst_bits), &v);
	if (!bpf_map_lookup_elem(fd, &key, &old) && old.rate == v.rate && old.burst == v.burst &&
	    old.burst_ns == v.burst_ns)
		return 0;
	/* Without BPF_F_LOCK the hash map swaps in a new element (the lock
	 * is not copied): a CPU inside the old bucket finishes there. */
	return bpf_map_update_elem(fd, &key, &v, BPF_ANY) ? -errno : 0;
}

int ratemap_del(int fd, int ifindex)
{
	__u32 key = (__u32)ifindex;

	if (fd < 0 || ifindex <= 0)
		return 0;
	if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
		return -errno;
	return 0;
}

int ratemap_prune(int fd, ratemap_keep_fn keep, void *ctx, size_t *removed)
{
	__u32 key, next;
	int err;

	*removed = 0;
	if (fd < 0)
		return 0;
	/* Deleting the current key would restart get_next_key from the
	 * first: step to the next one before deleting. */
	err = bpf_map_get_next_key(fd, NULL, &next);
	while (!err) {
		key = next;
		err = bpf_map_get_next_key(fd, &key, &next);
		if (keep(ctx, (int)key))
			continue;
		if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			return -errno;
		(*removed)++;
	}
	/* libbpf 1.x returns -errno: -ENOENT after the last key */
	return err == -ENOENT ? 0 : err;
}
