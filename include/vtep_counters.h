/* vtep_counters.h - every datapath verdict and drop reason, named once.
 *
 * One X-macro list drives four things that must never drift apart:
 *   - struct vtep_stats (the value of the per-CPU map vtep_stats), so that
 *     `bpftool map dump` prints each counter by name;
 *   - enum vtep_counter, each counter's index in that struct (below);
 *   - the BPF side's STAT_INC(name) and its drop reasons: a drop reason is
 *     the index of its drop_* counter (bpf/drop.h DROP(reason)), so the
 *     reasons are exactly this list's drop_* entries;
 *   - user space's name table (vtepctl stats, /metrics).
 * Append new counters at the end: the map layout version must change when a
 * counter is removed or reordered.
 *
 * X(name, help) - name is the struct field and the label vtepctl/metrics show.
 */
#ifndef VTEP_COUNTERS_H
#define VTEP_COUNTERS_H

#define VTEP_COUNTERS(X)                                                        \
	/* workload port (TC ingress on the port) */                            \
	X(port_rx,            "frames received from workloads")                 \
	X(arp_reply,          "ARP requests answered by the proxy")             \
	X(arp_garp,           "gratuitous ARPs for a port's own IP reported")   \
	X(arp_pass,           "ARP frames passed to the host stack")            \
	X(icmp_echo_reply,    "ICMP echo requests to a gateway answered")       \
	X(fwd_local,          "IPv4/IPv6 packets delivered to a local port")    \
	X(fwd_encap,          "IPv4/IPv6 packets encapsulated in VXLAN")        \
	X(fwd_host,           "IPv4/IPv6 packets passed to the host stack")     \
	X(icmp_frag_needed,   "ICMP fragmentation-needed sent to a workload")   \
	X(mac_learn,          "workload MAC learn events reported")             \
	X(drop_no_port,       "frames on an interface that is not a port")      \
	X(drop_malformed,     "truncated or malformed frames")                  \
	X(drop_vlan,          "VLAN-tagged frames")                             \
	X(drop_ethertype,     "frames of an ethertype but IPv4, ARP, IPv6")     \
	X(drop_bcast,         "broadcast/multicast frames neither ARP nor ND")  \
	X(drop_spoof_mac,     "frames with a source MAC not the port's")        \
	X(drop_spoof_ip,      "packets with a source IP not the port's")        \
	X(drop_mac_unknown,   "frames from a port whose MAC is not learned yet")\
	X(drop_arp_unknown,   "ARP requests for an unknown target")             \
	X(drop_arp_self,      "ARP requests for the asker's own IP")            \
	X(drop_arp_other,     "ARP frames neither request nor reply")           \
	X(drop_ip_options,    "IPv4 packets with options to the gateway")      \
	X(drop_frag,          "IPv4 fragments to the gateway")                  \
	X(drop_no_route,      "IPv4/IPv6 packets with no route")                \
	X(drop_fib,           "underlay FIB lookup failures")                   \
	X(drop_mtu,           "oversized packets without DF")                   \
	X(drop_encap,         "encapsulation failures")                         \
	X(events_lost,        "ring buffer events lost (buffer full)")          \
	/* uplink (XDP or TC ingress on the uplink) */                          \
	X(uplink_rx,          "frames received on the uplink")                  \
	X(uplink_pass,        "non-VXLAN frames passed to the host")           \
	X(vxlan_rx,           "VXLAN packets for our VTEP")                     \
	X(decap_deliver,      "decapsulated frames delivered to a port")        \
	X(decap_arp,          "inner ARP requests delivered (unused: arp_vx_reply)")\
	X(drop_vx_malformed,  "truncated or malformed VXLAN packets")           \
	X(drop_vx_dst,        "VXLAN packets not for our VTEP IP")              \
	X(drop_vx_vtep,       "VXLAN packets from an unknown VTEP")             \
	X(drop_vx_vni,        "VXLAN packets for an unknown VNI")               \
	X(drop_vx_no_dest,    "inner frames for no local workload")             \
	X(drop_vx_inner,      "inner frames of an unsupported type")            \
	X(drop_vx_redirect,   "decapsulated frames that could not be delivered")\
	/* added after the first release (append only, see above) */          \
	X(arp_vx_reply,       "inner ARP requests answered back in VXLAN")      \
	X(drop_arp_reply,     "ARP replies from workloads not to a host address")\
	/* outside the VNI, host links, NATed flows (vnis[].outside) */        \
	X(fwd_outside,        "packets outside the VNI passed to the host")     \
	X(drop_outside_vni,   "packets the host would route into another VNI")  \
	X(drop_hostlink_src,  "host link packets from outside the VNI and host")\
	X(ct_nat_host,        "replies of host-NATed flows handed to the host") \
	/* IPv6 (bpf/port6.h, nd_proxy.h, icmp6.h; decap.h on the uplink) */    \
	X(nd_reply,           "Neighbor Solicitations answered by the ND proxy")\
	X(nd_announce,        "unsolicited NAs for a port's own IPv6 reported") \
	X(nd_pass,            "NAs from workloads passed to the host stack")    \
	X(ra_reply,           "Router Solicitations answered")                  \
	X(icmp6_echo_reply,   "ICMPv6 echo requests to a gateway answered")     \
	X(icmp6_too_big,      "ICMPv6 Packet Too Big sent to a workload")       \
	X(nd_vx_reply,        "inner Neighbor Solicitations answered in VXLAN") \
	X(drop_nd_malformed,  "malformed ND: length, code, option, checksum")   \
	X(drop_nd_hoplimit,   "ND messages with a hop limit other than 255")    \
	X(drop_nd_unknown,    "Neighbor Solicitations for an unknown target")   \
	X(drop_nd_self,       "Neighbor Solicitations for the asker's own IPv6")\
	X(drop_nd_other,      "ND from workloads neither answered nor passed")  \
	X(drop_spoof_ip6,     "IPv6 packets with a source not the port's")    \
	/* a pod's egress limit (vtep_port_rates, bpf/police.h) */              \
	X(drop_rate_limit,    "frames over their port's egress rate (policer)") \
	X(rcache_hit,         "IPv4 host routes found in the route cache")     \
	X(rcache_miss,        "IPv4 route lookups the route cache missed")      \
	X(rcache_skip,        "IPv4 route lookups past the thrashing route cache") \
	X(rtab_hit,           "IPv4 host routes found in the flat route table") \
	X(rtab_ask,           "IPv4 route lookups the flat route table passed to vtep_routes")

/* VTEP_CTR_<name>: the counter's index in struct vtep_stats, whose fields
 * are all __u64 in list order (include/vtep_maps.h asserts it per field).
 * The BPF programs return a drop as its counter's index and count it at one
 * exit (bpf/drop.h); user space may index counter_descs[] with it. */
enum vtep_counter {
#define VTEP_CTR_ENUM(name, help) VTEP_CTR_##name,
	VTEP_COUNTERS(VTEP_CTR_ENUM)
#undef VTEP_CTR_ENUM
	VTEP_CTR_COUNT
};

#endif /* VTEP_COUNTERS_H */
