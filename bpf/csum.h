/* csum.h - Internet checksums (RFC 1071) for headers the programs build. */
#ifndef VTEP_CSUM_H
#define VTEP_CSUM_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Checksum of an option-less IPv4 header (check field must be zero first). */
static __always_inline __u16 csum_ipv4_hdr(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	return csum_fold32(sum);
}

#endif /* VTEP_CSUM_H */
