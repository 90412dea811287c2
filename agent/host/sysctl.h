/* sysctl.h - the per-interface IPv4 settings vtepd needs on its ports.
 *
 * net.ipv4.conf.<port>.forwarding = 1: the port program finds the underlay
 * next hop with bpf_fib_lookup() from the port's ingress, and the kernel
 * answers BPF_FIB_LKUP_RET_FWD_DISABLED for an input device without IPv4
 * forwarding (net/core/filter.c, bpf_ipv4_fib_lookup), even with
 * BPF_FIB_LOOKUP_OUTPUT. Set per port, not globally: the program passes to
 * the stack only packets for the host's own addresses, so nothing is routed
 * through the host that was not before.
 * Nothing else is needed: the program answers ARP (no proxy_arp), the host
 * reaches workloads through vtepd's /32 routes (strict rp_filter is fine),
 * and the port needs no address.
 */
#ifndef VTEP_SYSCTL_H
#define VTEP_SYSCTL_H

/* Writes /proc/sys/net/ipv4/conf/<ifname>/<key> in our network namespace.
 * Returns 0 or -errno. */
int sysctl_if_set(const char *ifname, const char *key, const char *value);
/* The same under /proc/sys/net/ipv6/conf/<ifname>/<key>. */
int sysctl_if_set6(const char *ifname, const char *key, const char *value);

#endif /* VTEP_SYSCTL_H */
