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

enum cfg_uplink_attach { CFG_ATTACH_XDP = 0, CFG_ATTACH_TC = 1 };
enum cfg_arp_reply { CFG_ARP_GATEWAY = 0, CFG_ARP_REAL = 1 };

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
};

struct cfg_port {
	char     ifname[CFG_IFNAMSIZ];
	uint32_t vni;
	uint32_t ip;              /* network order */
	bool     mac_auto;
	uint8_t  mac[6];          /* valid when !mac_auto */
};

struct cfg_route {
	uint32_t vni;
	uint32_t prefix;          /* network order */
	uint8_t  prefixlen;
	uint32_t vtep;            /* network order */
	uint8_t  mac[6];
};

struct vtep_config {
	uint32_t vtep_ip;         /* network order */
	char     uplinks[CFG_MAX_UPLINKS][CFG_IFNAMSIZ];
	size_t   n_uplinks;
	enum cfg_uplink_attach uplink_attach;
	char     bpffs[CFG_PATH_LEN];
	char     control_socket[CFG_PATH_LEN];
	char     state_dir[CFG_PATH_LEN];
	bool     metrics_enabled;
	char     metrics_addr[64]; /* "127.0.0.1" */
	uint16_t metrics_port;     /* 9469 */
	uint32_t limit_routes, limit_fdb, limit_ports;
	struct cfg_bgp bgp;
	struct cfg_vni   *vnis;   size_t n_vnis;
	struct cfg_port  *ports;  size_t n_ports;
	struct cfg_route *routes; size_t n_routes;
};

/* Returns 0, or -EINVAL (bad content; err names the field) or -errno (the
 * file cannot be read). On error *cfg is left zeroed and owns nothing. */
int config_load(const char *path, struct vtep_config *cfg, char err[CFG_ERR_LEN]);
/* Same, from a string (tests, and `vtepctl reload` dry runs). */
int config_parse(const char *json, struct vtep_config *cfg, char err[CFG_ERR_LEN]);
void config_free(struct vtep_config *cfg);

const struct cfg_vni *config_find_vni(const struct vtep_config *cfg, uint32_t vni);

/* Route target / RD text forms, shared with vtepctl and the state file:
 * "ASN:NN" (2-octet AS, or 4-octet AS with a 2-octet number) and "IP:NN". */
int config_parse_rt(const char *s, uint8_t out[8]);
int config_parse_rd(const char *s, uint8_t out[8]);

#endif /* VTEP_CONFIG_H */
