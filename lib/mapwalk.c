/* mapwalk.c - see mapwalk.h. */
#include "mapwalk.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAPWALK_CHUNK     4096        /* entries per batch call */
#define MAPWALK_CHUNK_MAX (1u << 20)  /* a hash bucket this full is a bug */
/* The kernel's internal ENOTSUPP leaks to user space as 524 when a map type
 * has no batch operations. */
#define MAPWALK_ENOTSUPP  524

size_t mapwalk_value_size(unsigned int map_type, size_t value_size)
{
	int ncpu;

	if (map_type != BPF_MAP_TYPE_PERCPU_ARRAY && map_type != BPF_MAP_TYPE_PERCPU_HASH &&
	    map_type != BPF_MAP_TYPE_LRU_PERCPU_HASH)
		return value_size;
	ncpu = libbpf_num_possible_cpus();
	return ncpu > 0 ? ((value_size + 7) & ~(size_t)7) * (size_t)ncpu : 0;
}

/* 1: the map type has no batch lookup. */
static int unsupported(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -MAPWALK_ENOTSUPP;
}

/* Returns -EOPNOTSUPP before anything was passed to fn when the map has no
 * batch lookup, so the caller can walk keys instead. */
static int walk_batch(int fd, size_t ks, size_t vs, mapwalk_fn fn, void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	/* The batch token is opaque: a bucket index for hash maps, a key for
	 * others. 64 bytes hold either for our maps. */
	uint8_t in_tok[64] = { 0 }, out_tok[64] = { 0 };
	size_t chunk = MAPWALK_CHUNK;
	char *keys = NULL, *vals = NULL;
	int first = 1, ret;

	if (ks > sizeof(in_tok))
		return -EOPNOTSUPP;
	for (;;) {
		__u32 got = (__u32)chunk;

		if (!keys) {
			keys = malloc(chunk * ks);
			vals = malloc(chunk * vs);
			if (!keys || !vals) {
				ret = -ENOMEM;
				break;
			}
		}
		ret = bpf_map_lookup_batch(fd, first ? NULL : in_tok, out_tok, keys, vals, &got,
					   &opts);
		if (ret && first && !got && unsupported(ret)) {
			ret = -EOPNOTSUPP;
			break;
		}
		if (ret == -ENOSPC && !got) {
			/* One hash bucket holds more than a chunk: retry the
			 * same position with a bigger buffer. */
			if (chunk >= MAPWALK_CHUNK_MAX)
				break;
			chunk *= 2;
			free(keys);
			free(vals);
			keys = vals = NULL;
			continue;
		}
		if (ret && ret != -ENOENT)
			break;
		if (got) {
			int r = fn(ctx, keys, vals, got);

			if (r) {
				ret = r;
				break;
			}
		}
		if (ret == -ENOENT) {
			ret = 0;
			break;
		}
		memcpy(in_tok, out_tok, sizeof(in_tok));
		first = 0;
	}
	free(keys);
	free(vals);
	return ret;
}

static int walk_keys(int fd, size_t ks, size_t vs, __u32 cap, mapwalk_fn fn, void *ctx)
{
	char *keys = malloc(MAPWALK_CHUNK * ks), *vals = malloc(MAPWALK_CHUNK * vs);
	char *prev = NULL, *next = malloc(ks);
	size_t n = 0, seen = 0;
	int ret = 0;

	if (!keys || !vals || !next) {
		ret = -ENOMEM;
		goto out;
	}
	while (seen++ < cap) {
		ret = bpf_map_get_next_key(fd, prev, next);
		if (ret) {
			if (ret == -ENOENT)
				ret = 0;
			break;
		}
		memcpy(keys + n * ks, next, ks);
		prev = keys + n * ks;
		ret = bpf_map_lookup_elem(fd, next, vals + n * vs);
		if (ret == -ENOENT) {
			ret = 0;   /* deleted since get_next_key: prev still walks on */
			continue;
		}
		if (ret)
			break;
		if (++n == MAPWALK_CHUNK) {
			/* prev must survive the chunk being handed out. */
			memcpy(next, keys + (n - 1) * ks, ks);
			ret = fn(ctx, keys, vals, n);
			n = 0;
			if (ret)
				break;
			memcpy(keys, next, ks);
			prev = keys;
		}
	}
	if (!ret && n)
		ret = fn(ctx, keys, vals, n);
out:
	free(keys);
	free(vals);
	free(next);
	return ret;
}

int mapwalk(int fd, size_t key_size, size_t value_size, mapwalk_fn fn, void *ctx)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	size_t vb;
	int ret;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	vb = mapwalk_value_size(info.type, info.value_size);
	if (info.key_size != key_size || !vb || vb != value_size || !key_size)
		return -EPROTO;
	ret = walk_batch(fd, key_size, value_size, fn, ctx);
	if (ret == -EOPNOTSUPP)
		ret = walk_keys(fd, key_size, value_size, info.max_entries, fn, ctx);
	return ret;
}
