/* addr6.h - IPv6 addresses as users type them and as vtepd prints them:
 * parsing (inet_pton, strict: no zone index, no surrounding white space),
 * printing in the canonical text form of RFC 5952 (glibc's inet_ntop:
 * lower case, leading zeros dropped, the longest run of two or more zero
 * fields as "::", the first of equal runs), prefixes that always carry
 * their "/len", masks, address classes, and the link-local address a MAC
 * gives (modified EUI-64, RFC 4291 2.5.1 and appendix A; RFC 4862 5.3).
 *
 * Addresses are 16 octets in network order, as in the maps and on the
 * wire. Parsers return 0 or -EINVAL and leave their output untouched on
 * error, as addr.h's do.
 */
#ifndef VTEP_ADDR6_H
#define VTEP_ADDR6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR6_STRLEN        46  /* INET6_ADDRSTRLEN: "ffff:...:255.255.255.255" + NUL */
#define ADDR6_PREFIX_STRLEN 50  /* ADDR6_STRLEN - 1 + "/128" + NUL */
/* Either family's address or prefix, for code that prints both. */
#define ADDR_ANY_STRLEN     ADDR6_PREFIX_STRLEN

int addr6_parse(const char *s, uint8_t ip[16]);
/* "X::Y/len" or "X::Y" (len 128). Host bits must be zero unless
 * allow_host_bits is set. */
int addr6_parse_prefix(const char *s, uint8_t ip[16], uint8_t *len, int allow_host_bits);
/* Whether s looks like IPv6 (it has a ':'): which parser to try. */
bool addr6_is_text6(const char *s);

/* RFC 5952 text form. */
const char *addr6_fmt(const uint8_t ip[16], char buf[ADDR6_STRLEN]);
/* "addr/len", the length always written. */
const char *addr6_fmt_prefix(const uint8_t ip[16], uint8_t len, char buf[ADDR6_PREFIX_STRLEN]);

/* out = ip with the bits past len cleared (len 0..128; out may be ip). */
void addr6_mask(uint8_t out[16], const uint8_t ip[16], uint8_t len);
/* Whether ip and net agree on the first len bits. */
bool addr6_in_subnet(const uint8_t ip[16], const uint8_t net[16], uint8_t len);
/* Whether ip has a bit set past the first len. */
bool addr6_has_host_bits(const uint8_t ip[16], uint8_t len);

/* Address classes (RFC 4291 2.4, 2.5.2, 2.5.3, 2.5.5.2, 2.5.6, 2.7). */
bool addr6_is_zero(const uint8_t ip[16]);        /* ::, the unspecified address */
bool addr6_is_loopback(const uint8_t ip[16]);    /* ::1 */
bool addr6_is_multicast(const uint8_t ip[16]);   /* ff00::/8 */
bool addr6_is_link_local(const uint8_t ip[16]);  /* fe80::/10 */
bool addr6_is_v4mapped(const uint8_t ip[16]);    /* ::ffff:0:0/96 */
/* What a workload or a remote host may be: none of the classes above. */
bool addr6_is_host(const uint8_t ip[16]);

/* The link-local address a MAC gives: fe80::/64 and the modified EUI-64
 * interface identifier (the MAC with ff:fe in its middle and the
 * universal/local bit inverted; RFC 4291 2.5.1 and appendix A, RFC 4862
 * 5.3, RFC 2464 4 and 5). */
void addr6_ll_from_mac(const uint8_t mac[6], uint8_t out[16]);

#endif /* VTEP_ADDR6_H */
