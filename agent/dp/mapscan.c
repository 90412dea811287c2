/* mapscan.c - see mapscan.h. */
#include "mapscan.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's internal "not supported", seen by user space */
#endif

bool mapscan_batch_unsupported(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUPP || err == -ENOSYS;
}

/* get_next_key from the start, then a lookup of each key (an entry deleted
 * in between is skipped). */
static int scan_slow(int fd, size_t ks, size_t vs, mapscan_fn fn, void *arg)
{
	uint8_t *k = malloc(ks), *prev = malloc(ks), *v = malloc(vs);
	int err;

	if (!k || !prev || !v) {
		err = -ENOMEM;
		goto out;
	}
	err = bpf_map_get_next_key(fd, NULL, k);
	while (!err) {
		if (!bpf_map_lookup_elem(fd, k, v) && (err = fn(k, v, 1, arg)))
			goto out;
		memcpy(prev, k, ks);
		err = bpf_map_get_next_key(fd, prev, k);
	}
	if (err == -ENOENT)
		err = 0;
out:
	free(k);
	free(prev);
	free(v);
	return err;
}

int mapscan(int fd, size_t ks, size_t vs, mapscan_fn fn, void *arg)
{
	uint8_t *keys = malloc(MAPSCAN_CHUNK * ks), *vals = malloc(MAPSCAN_CHUNK * vs);
	uint8_t batch[64]; /* the kernel's cursor: a bucket index, or a key for LPM */
	bool first = true;
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		__u32 cnt = MAPSCAN_CHUNK;
		int berr = bpf_map_lookup_batch(fd, first ? NULL : batch, batch, keys, vals, &cnt,
						NULL);

		if (berr && berr != -ENOENT) {
			if (first && mapscan_batch_unsupported(berr)) {
				err = scan_slow(fd, ks, vs, fn, arg);
				goto out;
			}
			err = berr;
			goto out;
		}
		if (cnt > MAPSCAN_CHUNK)
			cnt = 0; /* never trust a count we did not get */
		if (cnt && (err = fn(keys, vals, cnt, arg)))
			goto out;
		if (berr == -ENOENT)
			goto out; /* that was the last chunk */
		first = false;
	}
out:
	free(keys);
	free(vals);
	return err;
}
