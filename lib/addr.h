/* addr.h - parsing and printing the addresses users type: IPv4, IPv4/len,
 * MAC. Parsers are strict (no trailing garbage, no leading zeros tricks in
 * MACs), return 0 or -EINVAL, and leave the output untouched on error.
 * IPv4 values are in network byte order, as in the maps.
 */
#ifndef VTEP_ADDR_H
#define VTEP_ADDR_H

#include <stdint.h>
#include <stddef.h>

#define ADDR_IP_STRLEN     16  /* "255.255.255.255" + NUL */
#define ADDR_PREFIX_STRLEN 19  /* "255.255.255.255/32" + NUL */
#define ADDR_MAC_STRLEN    18  /* "02:00:00:00:00:01" + NUL */

int addr_parse_ip(const char *s, uint32_t *ip_be);
/* "A.B.C.D/len" or "A.B.C.D" (len 32). Host bits must be zero unless
 * allow_host_bits is set (a subnet written with the gateway's address). */
int addr_parse_prefix(const char *s, uint32_t *ip_be, uint8_t *len, int allow_host_bits);
int addr_parse_mac(const char *s, uint8_t mac[6]);

const char *addr_fmt_ip(uint32_t ip_be, char buf[ADDR_IP_STRLEN]);
const char *addr_fmt_prefix(uint32_t ip_be, uint8_t len, char buf[ADDR_PREFIX_STRLEN]);
const char *addr_fmt_mac(const uint8_t mac[6], char buf[ADDR_MAC_STRLEN]);

/* Network-order mask for a prefix length 0..32. */
uint32_t addr_mask(uint8_t len);
int addr_in_subnet(uint32_t ip_be, uint32_t net_be, uint8_t len);
int addr_mac_is_zero(const uint8_t mac[6]);

#endif /* VTEP_ADDR_H */
