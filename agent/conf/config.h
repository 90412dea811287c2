/* config.h - vtepd's configuration file (DESIGN.md "vtepd -c FILE").
 *
 * config_load() parses the whole JSON file into a struct vtep_config or
 * refuses it: unknown keys are errors, every value is type- and range-checked,
 * and the error names the field by its JSON path (e.g. "vnis[0].vni: expected
 * an integer 1..16777215"). Nothing outside this module sees json-c.
 * IPv4 addresses are network order, as in the maps.
 */
#ifndef VTEP_CONFIG_H
#define VTEP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define CFG_IFNAMSIZ      16
#define CFG_MAX_UPLINKS   8
#define CFG_ERR_LEN       256
#define CFG_PATH_LEN      256

/* vtep.uplink_attach: "auto" (the default) chooses per uplink (uplink_mode.h). */
enum cfg_uplink_attach { CFG_ATTACH_XDP = 0, CFG_ATTACH_TC = 1, CFG_ATTACH_AUTO = 2 };
enum cfg_arp_reply { CFG_ARP_GATEWAY = 0, CFG_ARP_REAL = 1 };
/* vnis[].outside: what the datapath does with a destination outside the
 * VNI's subnet that no route matches (docs/kubernetes.md). */
enum cfg_outside { CFG_OUTSIDE_DROP = 0, CFG_OUTSIDE_HOST = 1 };

struct cfg_neighbor {
	uint32_t address;         /* network order */
	uint32_t asn;
	uint16_t port;            /* 179 */
	char    *password;        /* NULL = none (TCP MD5) */
	bool     ttl_security;
	uint32_t max_prefixes;    /* 0 = no limit */
	bool     passive;
	uint16_t hold_time_s;     /* 90; 0 or >= 3 (RFC 4271 4.2) */
	uint16_t keepalive_s;     /* 30 */
};

struct cfg_bgp {
	bool     enabled;         /* the "bgp" object was present */
	uint32_t asn;
	uint32_t router_id;       /* network order */
	uint32_t graceful_restart_s; /* 120; 0 disables */
	uint32_t dad_moves;       /* 5 */
	uint32_t dad_window_s;    /* 180 */
	struct cfg_neighbor *neighbors;
	size_t   n_neighbors;
};

struct cfg_vni {
	uint32_t vni;             /* 1..16777215 */
	uint32_t subnet;          /* network order */
	uint8_t  prefixlen;
	uint32_t gateway_ip;      /* network order, inside subnet */
	uint8_t  gateway_mac[6];
	bool     rt_auto;         /* route_target "auto" */
	uint8_t  route_target[8]; /* RFC 4360 ext community; valid when !rt_auto */
	bool     rd_auto;         /* rd "auto" = router_id:vni */
	uint8_t  rd[8];           /* RFC 4364 RD; valid when !rd_auto */
	enum cfg_arp_reply arp_reply;
	bool     flood;
	enum cfg_outside outside;
	uint32_t host_ip;         /* network order; 0: no host link (needs outside host) */
	/* IPv6 (config6.c): prefixlen6 0 means none. The gateway MAC serves
	 * both families; the gateway's link-local address is always
	 * fe80::/64 + the EUI-64 of gateway_mac, gateway_ip6 is optional. */
	uint8_t  subnet6[16];
	uint8_t  prefixlen6;      /* 1..127; 0: no IPv6 */
	uint8_t  gateway_ip6[16]; /* all zero: none */
	bool     slaac;           /* router advertisements carry subnet6 (RFC 4862) */
};

struct cfg_port {
	char     ifname[CFG_IFNAMSIZ];
	uint32_t vni;
	uint32_t ip;              /* network order; 0: none (then ip6 is set) */
	uint8_t  ip6[16];         /* global IPv6 address; all zero: none */
	uint8_t  ip6_ll[16];      /* link-local address as configured; all zero:
				   * derived from the MAC (EUI-64, RFC 4291 2.5.1) */
	bool     mac_auto;
	uint8_t  mac[6];          /* valid when !mac_auto */
	bool     pod;             /* a CNI pod's veth (vtepd made it; pods.h) */
	bool     hostlink;        /* a VNI's host link (vtepd made it from vnis[].host_ip) */
	/* A pod's egress limit (pods.h; the config file has none): bits per
	 * second, 0 none; the burst in bits, 0 the default (lib/portrate.h). */
	uint64_t egress_rate;
	uint64_t egress_burst;
};

struct cfg_route {
	uint32_t vni;
	uint32_t prefix;          /* network order; 0 for IPv6 */
	uint8_t  prefixlen;       /* 0..32; IPv6 0..128 */
	uint32_t vtep;            /* network order */
	uint8_t  mac[6];
	bool     v6;              /* an IPv6 prefix, in prefix6 */
	uint8_t  prefix6[16];
};

struct vtep_config {
	uint32_t vtep_ip;         /* network order */
	char     uplinks[CFG_MAX_UPLINKS][CFG_IFNAMSIZ];
	size_t   n_uplinks;
	enum cfg_uplink_attach uplink_attach;
	char     bpffs[CFG_PATH_LEN];
	char     control_socket[CFG_PATH_LEN];
	char     cni_socket[CFG_PATH_LEN];   /* "" when null: no CNI service */
	char     state_dir[CFG_PATH_LEN];
	bool     metrics_enabled;
	char     metrics_addr[64]; /* "127.0.0.1" */
	uint16_t metrics_port;     /* 9469 */
	uint32_t limit_routes, limit_fdb, limit_ports;
	uint32_t limit_rcache;     /* route cache entries per CPU; 0: off */
	struct cfg_bgp bgp;
	struct cfg_vni   *vnis;   size_t n_vnis;
	struct cfg_port  *ports;  size_t n_ports;
	struct cfg_route *routes; size_t n_routes;
};

/* Returns 0, or -EINVAL (bad content; err names the field) or -errno (the
 * file cannot be read). On error *cfg is left zeroed and owns nothing.
 * err does not repeat the file's path: "vnis[0].vni: expected ...",
 * "line 3, column 7: invalid JSON: ...", "cannot read: No such file ...". */
int config_load(const char *path, struct vtep_config *cfg, char err[CFG_ERR_LEN]);
/* Same, from a string (tests, and `vtepctl reload` dry runs). */
int config_parse(const char *json, struct vtep_config *cfg, char err[CFG_ERR_LEN]);
void config_free(struct vtep_config *cfg);

const struct cfg_vni *config_find_vni(const struct vtep_config *cfg, uint32_t vni);

/* Route target / RD text forms, shared with vtepctl and the state file:
 * "ASN:NN" (2-octet AS, or 4-octet AS with a 2-octet number) and "IP:NN". */
int config_parse_rt(const char *s, uint8_t out[8]);
int config_parse_rd(const char *s, uint8_t out[8]);

/* ---- Additions beyond the first cut (additive; nothing above changed) ---- */

#define CFG_RT_STRLEN 24 /* "4294967295:65535", "255.255.255.255:65535" + NUL */

/* The text form of an RT / RD as config_parse_rt/rd read it ("ASN:NN" or
 * "IP:NN"). Returns 0, or -EINVAL for a type/sub-type we never write (buf
 * then holds the 8 bytes in hex). */
int config_fmt_rt(const uint8_t rt[8], char buf[CFG_RT_STRLEN]);
int config_fmt_rd(const uint8_t rd[8], char buf[CFG_RT_STRLEN]);

/* The route target a VNI exports and the RD it advertises with, "auto"
 * resolved (RT ASN:VNI, RD router_id:VNI). config_parse() already refused
 * autos that cannot be encoded when bgp is enabled; -EINVAL without bgp. */
int config_vni_rt(const struct vtep_config *cfg, const struct cfg_vni *v, uint8_t out[8]);
int config_vni_rd(const struct vtep_config *cfg, const struct cfg_vni *v, uint8_t out[8]);
/* Whether a received route target (8 bytes as on the wire) is imported into
 * the VNI: equal to the configured one, or for "auto" any route target whose
 * local administrator part is the VNI, whatever the ASN or IP. */
bool config_vni_imports_rt(const struct cfg_vni *v, const uint8_t rt[8]);

const struct cfg_port *config_find_port(const struct vtep_config *cfg, const char *ifname);

/* One port / route checked against the configuration, as config_parse()
 * checks the file's entries and as run-time additions (vtepctl, the state
 * file) must be: VNI configured, IP inside the VNI's subnet and not its
 * gateway, network or broadcast address, unicast non-zero MACs, a route's
 * VTEP not our own, ... Duplicates are not checked here (state_merge does).
 * path prefixes the field names in err ("ports[3]" -> "ports[3].ip: ...";
 * "" -> "ip: ..."). Returns 0 or -EINVAL. */
int config_check_port(const struct vtep_config *cfg, const struct cfg_port *p,
		      const char *path, char err[CFG_ERR_LEN]);
int config_check_route(const struct vtep_config *cfg, const struct cfg_route *r,
		       const char *path, char err[CFG_ERR_LEN]);

/* A port or route object in the config file's syntax ({ifname, vni, ip, mac}
 * and {vni, prefix, vtep, mac}), for state.c and the control socket's
 * ports.add / routes.add arguments: keys and value formats only, no
 * cross-checks (use config_check_port/route). Returns 0 or -EINVAL. */
struct json_object;
int config_port_from_json(struct json_object *o, const char *path, struct cfg_port *p,
			  char err[CFG_ERR_LEN]);
int config_route_from_json(struct json_object *o, const char *path, struct cfg_route *r,
			   char err[CFG_ERR_LEN]);

/* Conflicts inside a set of ports and routes (the file's, or the merged set
 * of state.h): two ports with one ifname, one IP or IPv6 address (even in
 * different VNIs: a port's address is also the host's /32 or /128 route to
 * it) or one explicit MAC in a VNI; two routes with one vni+prefix; a /32
 * (/128) route onto a port's address in its VNI. first/second index ports[] or routes[] (ROUTE_PORT: first is the port,
 * second the route); second is the later entry. Port conflicts are reported
 * before route conflicts, each the one whose later entry comes first.
 * Returns 1 (found, *c set), 0 (none) or -ENOMEM. */
enum cfg_conflict_kind {
	CFG_CONFLICT_NONE = 0,
	CFG_CONFLICT_IFNAME,
	CFG_CONFLICT_IP,
	CFG_CONFLICT_MAC,
	CFG_CONFLICT_ROUTE,
	CFG_CONFLICT_ROUTE_PORT,  /* a /32 onto a port's ip, or a /128 onto its ip6 */
	CFG_CONFLICT_IP6,         /* two ports with one ip6 */
};
struct cfg_conflict {
	enum cfg_conflict_kind kind;
	size_t first, second;
};
int config_find_conflict(const struct cfg_port *ports, size_t n_ports,
			 const struct cfg_route *routes, size_t n_routes,
			 struct cfg_conflict *c);
/* One line naming the entries of a conflict by ifname / prefix. */
int config_fmt_conflict(const struct cfg_conflict *c, const struct cfg_port *ports,
			const struct cfg_route *routes, char *buf, size_t size);

/* Reload (SIGHUP, vtepctl reload; agent/daemon_reload.c): the settings
 * that shape what is already loaded or listening (bpffs, control_socket,
 * cni_socket, state_dir, vtep.uplink_attach, limits, metrics) take effect at
 * the next restart. Each one that differs between old (running) and nc
 * (the new file) gets its running value copied into nc, and its name as the
 * file spells it ("limits.routes", "metrics") put in kept[] (up to max).
 * Returns how many differed. Here rather than in the daemon so that it runs
 * without one (tests/fuzz/fuzz_config.c). */
#define CFG_RESTART_SETTINGS 10
size_t config_keep_restart_settings(const struct vtep_config *old, struct vtep_config *nc,
				    const char **kept, size_t max);

/* ---- IPv6 (config6.c) ------------------------------------------------- */

/* Either family's address or prefix as text ("2001:db8::21/128"). */
#define CFG_ADDR_STRLEN 50
/* A route's prefix as text, with its length. */
const char *config_route_fmt_prefix(const struct cfg_route *r, char buf[CFG_ADDR_STRLEN]);
/* "A.B.C.D", "A.B.C.D/LEN", "X::Y" or "X::Y/LEN" without host bits into
 * r's prefix fields (v6, prefix or prefix6, prefixlen); the rest of r is
 * left alone. 0 or -EINVAL (r untouched). */
int config_route_parse_prefix(const char *s, struct cfg_route *r);
/* Routes ordered and compared by their key: VNI, family, prefix, length. */
int config_route_cmp_key(const struct cfg_route *a, const struct cfg_route *b);
bool config_route_same_key(const struct cfg_route *a, const struct cfg_route *b);
/* A port's link-local address: the configured one, else the EUI-64 one of
 * its MAC (mac; NULL or zero when not known yet: all zero out). */
void config_port_ll(const struct cfg_port *p, const uint8_t *mac, uint8_t out[16]);
/* The gateway's link-local address (RFC 4291 2.5.6, EUI-64 of the MAC). */
void config_vni_gateway_ll(const struct cfg_vni *v, uint8_t out[16]);

#endif /* VTEP_CONFIG_H */
