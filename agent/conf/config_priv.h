/* config_priv.h - what the config module's files (config.c, config_entry.c)
 * share and nobody else needs: address class checks and the entry parsers
 * config.c calls. */
#ifndef VTEP_CONFIG_PRIV_H
#define VTEP_CONFIG_PRIV_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include "addr.h"
#include "config.h"
#include "jsonv.h"

#define CFG_VNI_MAX 16777215u   /* 24 bits (RFC 7348 s.5) */

/* jsonv writes into the config's buffers. */
_Static_assert(JV_ERR_LEN == CFG_ERR_LEN, "jsonv's err buffers are CFG_ERR_LEN bytes");
_Static_assert(JV_IFNAMSIZ == CFG_IFNAMSIZ, "jsonv's interface names are CFG_IFNAMSIZ bytes");

static inline unsigned cfg_first_octet(uint32_t ip_be)
{
	return ntohl(ip_be) >> 24;
}

/* Neither "this network" 0/8 nor multicast 224/4 nor reserved 240/4
 * (which holds the limited broadcast address). */
static inline bool cfg_ip_is_unicast(uint32_t ip_be)
{
	unsigned a = cfg_first_octet(ip_be);

	return a != 0 && a < 224;
}

/* A VTEP address must also leave the host: loopback 127/8 never does. */
static inline bool cfg_ip_is_vtep(uint32_t ip_be)
{
	return cfg_ip_is_unicast(ip_be) && cfg_first_octet(ip_be) != 127;
}

/* In a subnet of 4 or more addresses the first and last are the network and
 * broadcast addresses; /31 (RFC 3021) and /32 have neither. */
static inline bool cfg_ip_is_net_or_bcast(uint32_t ip_be, uint8_t len)
{
	uint32_t m = addr_mask(len);

	if (len > 30)
		return false;
	return (ip_be & ~m) == 0 || (ip_be & ~m) == ~m;
}

#define CFG_VTEP_IP_WANT "expected a unicast address (not 0/8, 127/8, multicast or 240/4)"
#define CFG_IFNAME_WANT  "expected an interface name (1..15 characters, no '/', ':' or spaces)"

static inline int cfg_required(char *err, const char *path)
{
	return jv_fail(err, path, "required");
}

/* config_entry.c: the "ports" and "routes" arrays of the file, checked
 * against the VNIs already read and against each other. */
int config_parse_entries(struct json_object *root, struct vtep_config *cfg, char *err);

/* config6.c: the IPv6 keys, each after the IPv4 keys of its object. */
int config_parse_vni6(struct json_object *o, const char *path, struct cfg_vni *vn, char *err);
int config_port6_from_json(struct json_object *o, const char *path, struct cfg_port *pt,
			   char *err);
/* A port's ip6 and ip6_ll in its VNI vn (and that it has ip or ip6). */
int config_check_port6(const struct cfg_vni *vn, const struct cfg_port *pt, const char *path,
		       char *err);
/* A route whose prefix is IPv6 (r->v6), in its VNI vn. */
int config_check_route6(const struct cfg_vni *vn, const struct cfg_route *r, const char *path,
			char *err);

#endif /* VTEP_CONFIG_PRIV_H */
