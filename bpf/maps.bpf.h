/* maps.bpf.h - every map of the datapath, and nothing else.
 *
 * Each program object includes this header; the maps are pinned by name
 * (LIBBPF_PIN_BY_NAME) under the loader's pin_root_path, so every object and
 * every restart of vtepd shares one copy of each. Capacities here are the
 * defaults; vtepd sets the configured `limits` before loading.
 */
#ifndef VTEP_MAPS_BPF_H
#define VTEP_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vtep_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vtep_global);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_MAX_VNIS);
	__type(key, __u32);
	__type(value, struct vtep_vni);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_vnis SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_DEF_PORTS);
	__type(key, __u32);
	__type(value, struct vtep_port);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_DEF_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vtep_route_key);
	__type(value, struct vtep_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VTEP_DEF_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vtep_prefix_key);
	__type(value, struct vtep_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_prefixes SEC(".maps");

/* IPv6 host routes and prefixes: the same values as IPv4's, keys of
 * their own (vtep_maps.h). Sized with limits.routes too. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_DEF_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vtep_route6_key);
	__type(value, struct vtep_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_routes6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VTEP_DEF_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vtep_prefix6_key);
	__type(value, struct vtep_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_prefixes6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_DEF_FDB);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vtep_fdb_key);
	__type(value, struct vtep_fdb);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_fdb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_MAX_REMOTES);
	__type(key, __u32);
	__type(value, struct vtep_remote);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_remotes SEC(".maps");

/* Filled by vtepd (agent/host/hostaddr.c); read by route.h and arp.h. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_MAX_HOSTADDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct vtep_hostaddr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_hostaddrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_MAX_HOSTADDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u8[16]);
	__type(value, struct vtep_hostaddr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_hostaddrs6 SEC(".maps");

/* Filled by vtepd (agent/daemon_hostlink.c); read by bpf/ctsteer.h. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_MAX_HOSTLINKS);
	__type(key, __u32);
	__type(value, struct vtep_hostlink);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_hostlinks SEC(".maps");

/* Written by vtepd (agent/host/portrate.c), one entry per port with an
 * egress limit; the port program keeps its bucket (bpf/police.h). Sized
 * with limits.ports, like vtep_ports. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_DEF_PORTS);
	__type(key, __u32);
	__type(value, struct vtep_port_rate);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_port_rates SEC(".maps");

/* Filled by the port program itself (bpf/encap.h); vtepd may empty it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, VTEP_MAX_UNDERLAY);
	__type(key, struct vtep_underlay_key);
	__type(value, struct vtep_underlay);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_underlay SEC(".maps");

/* The flat route table (include/vtep_maps.h, bpf/rtab.h): sized and
 * written by vtepd through an mmap of the map. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64); /* vtepd: rtab_entries(limits.routes) */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, union vtep_rtab_elem);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_rtab SEC(".maps");

/* The route cache (include/vtep_maps.h, bpf/rcache.h): one region of sets
 * per possible CPU, sized by vtepd from limits.route_cache; the control
 * word written by vtepd only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VTEP_DEF_RCACHE / VTEP_RCACHE_WAYS);
	__type(key, __u32);
	__type(value, struct vtep_rcache_set);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_rcache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vtep_rcache_ctl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_rcache_ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vtep_rcache_cpu);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_rcache_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vtep_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VTEP_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vtep_events SEC(".maps");

#endif /* VTEP_MAPS_BPF_H */
