/* help.c - see help.h. Keep in step with man/vtepctl.8. */
#include "help.h"

static const char general[] =
	"Usage: vtepctl [OPTIONS] OBJECT [COMMAND [ARGS]]\n"
	"\n"
	"Options:\n"
	"  -j, --json          JSON output\n"
	"  -p, --pretty        indented JSON (implies -j)\n"
	"  -a, --all           stats: show zero counters too\n"
	"  -s, --socket PATH   vtepd's control socket (default /run/vtepd/vtepd.sock)\n"
	"  -b, --bpffs DIR     vtepd's pinned maps (default /sys/fs/bpf/vtepd)\n"
	"  -h, --help          this help; `vtepctl OBJECT help` for one object\n"
	"  -V, --version       print the version\n"
	"Options may also follow OBJECT (vtepctl stats -a); \"--\" ends them.\n"
	"\n"
	"Objects (show is the default command):\n"
	"  routes [show] [vni N] [prefix P]\n"
	"  routes add vni N prefix P vtep A mac M\n"
	"  routes del vni N prefix P\n"
	"  ports [show]\n"
	"  ports add IFNAME vni N [ip A] [ip6 A6] [mac M|auto]   (ip, ip6 or both)\n"
	"  ports del IFNAME\n"
	"  neigh | fdb | vnis | stats        (read the pinned maps; work without vtepd)\n"
	"  peers                             BGP neighbors\n"
	"  bgp routes [vni N] [peer A] [prefix P]  routes received over BGP\n"
	"  reload                            re-read vtepd's configuration file\n"
	"  status                            kernel features, uplink modes, full maps\n"
	"  pods                              pods attached by the CNI plugin (vtepd-cni)\n"
	"\n"
	"Exit status: 0 ok, 1 operation failed, 2 usage error, 3 vtepd not reachable.\n";

static const char routes[] =
	"Usage: vtepctl routes [show] [vni N] [prefix P]\n"
	"       vtepctl routes add vni N prefix P vtep A mac M\n"
	"       vtepctl routes del vni N prefix P\n"
	"\n"
	"show  lists host routes (vtep_routes, vtep_routes6) and prefixes (vtep_prefixes,\n"
	"      vtep_prefixes6) from the pinned maps, sorted by VNI, family (IPv4 first)\n"
	"      and address; works when vtepd is down. vni N keeps one VNI; prefix P\n"
	"      keeps routes inside P, of P's family (a /32 or /128 is exact).\n"
	"add   adds a static route to a remote host or network: VNI N, prefix P\n"
	"      (A.B.C.D/LEN or X::Y/LEN, IPv6 written as RFC 5952), behind VTEP A, with\n"
	"      the host's (or router's) MAC M. Persists in vtepd's state_dir.\n"
	"del   removes a static route.\n"
	"JSON: [{vni, prefix, vtep (null for local), mac, source, seq}]\n";

static const char ports[] =
	"Usage: vtepctl ports [show]\n"
	"       vtepctl ports add IFNAME vni N [ip A] [ip6 A6] [mac M|auto]\n"
	"       vtepctl ports del IFNAME\n"
	"\n"
	"show  lists the attached workload ports (vtep_ports); \"pod\" marks a pod's\n"
	"      veth made by vtepd for its CNI plugin (vtepctl pods); \"shaped\" a port\n"
	"      with a root qdisc; \"egress R/s burst B\" a pod's egress limit\n"
	"      (vtep_port_rates: what the workload sends over R is dropped).\n"
	"add   makes IFNAME a port of VNI N for the workload at A (IPv4), A6 (IPv6) or\n"
	"      both; mac defaults to auto (the workload's own MAC). The interface need\n"
	"      not exist yet.\n"
	"del   removes the port. Edits persist in vtepd's state_dir.\n"
	"JSON: [{ifname, ifindex, vni, ip (null without IPv4), ip6 (null without IPv6),\n"
	"        ip6_ll, mac (null until learned), mac_auto, pod, shaped,\n"
	"        egress_rate (bits/s, null without a limit), egress_burst (bytes)}]\n";

static const char neigh[] =
	"Usage: vtepctl neigh [show]\n"
	"\nThe ARP and ND tables the proxy answers from: every host route with a MAC\n"
	"(vtep_routes, vtep_routes6; a MAC+IP route carries its MAC). \"router\": an\n"
	"IPv6 neighbour announced as a router (RFC 9047 Router flag).\n"
	"JSON: [{vni, ip, mac, source, router}]\n";

static const char fdb[] =
	"Usage: vtepctl fdb [show]\n"
	"\nMAC to underlay (vtep_fdb).\n"
	"JSON: [{vni, mac, vtep (null for local), source, seq}]\n";

static const char vnis[] =
	"Usage: vtepctl vnis [show]\n"
	"\nThe virtual networks (vtep_vnis).\n"
	"JSON: [{vni, subnet, gateway_ip, gateway_mac, route_target, rd, arp_reply, flood,\n"
	"        outside, host_ip, subnet6, gateway_ip6, slaac}]\n"
	"subnet6 and gateway_ip6 are null without IPv6.\n"
	"route_target and rd are \"auto\", \"ASN:NN\" or \"IP:NN\".\n";

static const char stats[] =
	"Usage: vtepctl [-a] stats [show]   (or vtepctl stats -a)\n"
	"\nDatapath counters (vtep_stats summed over CPUs). The table hides zero\n"
	"counters unless -a is given; JSON always has every counter.\n"
	"JSON: {counter_name: value, ...}\n";

static const char peers[] =
	"Usage: vtepctl peers [show]\n"
	"\nBGP neighbors as vtepd sees them (needs vtepd).\n"
	"JSON: [{address, asn, state, uptime_s, prefixes_received, routes_rejected}]\n"
	"routes_rejected: announcements since vtepd started that no VNI imports\n"
	"(no route target of ours, or of no use to a VTEP), or that carried\n"
	"malformed attributes (RFC 7606 treat-as-withdraw).\n";

static const char bgp[] =
	"Usage: vtepctl bgp routes [show] [vni N] [peer A] [prefix P]\n"
	"\nEVPN routes received over BGP and our own (peer \"local\"), sorted by VNI,\n"
	"route type, MAC, IP, RD, peer (needs vtepd). Empty until vtepd has a BGP RIB.\n"
	"JSON: [{vni, type, prefix, vtep, mac, peer, seq, sticky, rd, route_targets,\n"
	"label, best, stale, frozen, pending, duplicate, local_pref, router_mac}]\n"
	"pending: the best path, which a full map has no room for yet (vtepctl status).\n"
	"duplicate: the path's IP is held by another MAC at another place too (two\n"
	"workloads with one address; vtepd_bgp_duplicate_addresses).\n";

static const char reload[] =
	"Usage: vtepctl reload\n"
	"\nMakes vtepd re-read its configuration file and apply the difference, like\n"
	"SIGHUP; a bad file is refused and the running state is kept.\n";

static const char version[] =
	"Usage: vtepctl version\n"
	"\nPrints vtepctl's version, and vtepd's when it is reachable.\n";

static const char status[] =
	"Usage: vtepctl status [show]\n"
	"\nWhat this kernel can run (each probed capability) and the mode each uplink\n"
	"runs in (xdp or tc), with the reason vtepd chose it (needs vtepd).\n"
	"JSON: {version, features, feature_notes, xdp_program, test_override,\n"
	"uplinks: [{ifname, ifindex, attached, mode, generic, reason}],\n"
	"maps: [{map, capacity, pending}],\n"
	"route_lookup: {route_cache: {on, entries_per_cpu, gen},\n"
	"flat_table: {on, lines, routes}}}\n"
	"features: {name: true|false}; feature_notes: {name: why it is missing}.\n"
	"maps: entries a full map has no room for yet (pending), by map; they go in\n"
	"as room frees (withdrawals; a larger limits.routes/limits.fdb at restart).\n"
	"route_lookup: the two layers the datapath reads IPv4 host routes through\n"
	"before vtep_routes (docs/design.md): the per-CPU route cache and the flat\n"
	"route table (routes it holds, lines of three).\n";

static const char pods[] =
	"Usage: vtepctl pods [show]\n"
	"\nThe pods vtepd attached for its CNI plugin, vtepd-cni (needs vtepd): each\n"
	"CNI attachment (container id, interface) with its host-side veth, which is\n"
	"also a port (vtepctl ports marks it \"pod\"), and the pod's namespace/name\n"
	"when the runtime passed them (K8S_POD_NAMESPACE, K8S_POD_NAME).\n"
	"JSON: [{container_id, netns, ifname, host_ifname, vni, ip, ip6, mac, mtu,\n"
	"network, k8s_namespace, k8s_name, k8s_uid, egress_rate, egress_burst}] (null\n"
	"for what the runtime did not say; ip or ip6 null for a family the pod does\n"
	"not have; the egress limit as the runtime gave it: bits/s, bits).\n";

void help_print(FILE *f, enum ctl_object obj)
{
	const char *t = general;

	switch (obj) {
	case OBJ_ROUTES:     t = routes; break;
	case OBJ_PORTS:      t = ports; break;
	case OBJ_NEIGH:      t = neigh; break;
	case OBJ_FDB:        t = fdb; break;
	case OBJ_VNIS:       t = vnis; break;
	case OBJ_STATS:      t = stats; break;
	case OBJ_PEERS:      t = peers; break;
	case OBJ_BGP_ROUTES: t = bgp; break;
	case OBJ_RELOAD:     t = reload; break;
	case OBJ_VERSION:    t = version; break;
	case OBJ_STATUS:     t = status; break;
	case OBJ_PODS:       t = pods; break;
	case OBJ_NONE:       break;
	}
	fputs(t, f);
}
