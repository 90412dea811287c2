/* portrate.h - a port's egress limit (vtep_port_rates, include/vtep_maps.h):
 * the CNI's numbers (bits per second, a burst in bits) turned into the
 * bucket the port program polices with (bpf/police.h). Shared by vtepd
 * (which writes the entries), vtepctl and the tests.
 *
 * Units are the CNI's (CONVENTIONS.md, "Bandwidth": ingressRate/egressRate
 * in bits per second, ingressBurst/egressBurst in bits), as kubelet fills
 * them from the kubernetes.io/egress-bandwidth annotation.
 */
#ifndef VTEP_PORTRATE_H
#define VTEP_PORTRATE_H

#include <stdint.h>
#include "vtep_maps.h"

/* What a rate may be, bits per second: Kubernetes' own bounds for the
 * bandwidth annotations (pkg/util/bandwidth: 1k .. 1P). */
#define PORTRATE_MIN_RATE 1000ULL
#define PORTRATE_MAX_RATE 1000000000000000ULL
/* The largest burst, bits: what the bandwidth plugin takes (its tbf's
 * burst in bytes must fit 32 bits: 8 * (2^32 - 1) bits). */
#define PORTRATE_MAX_BURST_BITS (8ULL * UINT32_MAX)
/* The smallest bucket, bytes. A policer drops a frame larger than its
 * bucket every time, and what a pod sends reaches the host end's ingress
 * as GSO packets of up to 64 KiB (veth keeps them whole): two of those. */
#define PORTRATE_MIN_BURST 131072ULL
/* Without a burst: 100 ms at the rate (at least the minimum). */
#define PORTRATE_DEFAULT_MS 100ULL

/* The bucket's size in bytes for rate (bits/s) and the asked burst in bits
 * (0: none asked): the default without one, never below the minimum,
 * never above PORTRATE_MAX_BURST_BITS / 8. */
uint64_t portrate_burst_bytes(uint64_t rate, uint64_t burst_bits);

/* A fresh entry (full bucket) for rate bits/s and burst bytes: burst_ns is
 * the burst's time at the rate, computed without overflow. */
void portrate_value(uint64_t rate, uint64_t burst, struct vtep_port_rate *out);

/* "10Mbit", "1.5Gbit", "999bit": a rate for people (tc's style). */
const char *portrate_fmt(uint64_t rate, char buf[24]);

#endif /* VTEP_PORTRATE_H */
