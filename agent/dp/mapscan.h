/* mapscan.h - reading every entry of a map, chunk by chunk: batched lookups
 * (BPF_MAP_LOOKUP_BATCH), or get_next_key and a lookup per entry where the
 * kernel has no batch for the map type (LPM tries before Linux 5.x). The
 * reconcile at start (mapsync) and the flat route table's rebuild (rtab)
 * both read whole maps this way. */
#ifndef VTEP_MAPSCAN_H
#define VTEP_MAPSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Entries per batched lookup (bounds the buffers; the kernel takes any). */
#define MAPSCAN_CHUNK 8192

/* n entries: keys of ks bytes and values of vs bytes, back to back. A
 * non-zero return stops the scan and is mapscan()'s result. */
typedef int (*mapscan_fn)(const void *keys, const void *vals, size_t n, void *arg);

/* fn on every entry of map fd, in chunks of up to MAPSCAN_CHUNK (one at a
 * time without batches). 0, fn's non-zero return, or -errno. */
int mapscan(int fd, size_t ks, size_t vs, mapscan_fn fn, void *arg);

/* A batch call's error that means the kernel has no batch for this map
 * (not an error of the entry): -EINVAL, -EOPNOTSUPP, -ENOTSUPP, -ENOSYS. */
bool mapscan_batch_unsupported(int err);

#endif /* VTEP_MAPSCAN_H */
