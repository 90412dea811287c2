/* packet_checks.h - fuzz_packet's checks of a frame a program changed and
 * did not drop. The code is in packet_checks.c; packet_fuzz.h says why it
 * is apart from fuzz_packet.c.
 */
#ifndef FUZZ_PACKET_CHECKS_H
#define FUZZ_PACKET_CHECKS_H

#include <stddef.h>
#include <stdint.h>

/* Traps unless the len bytes at eth are a well-formed frame: at least 14
 * bytes; each IPv4 header (outer and, for VXLAN a program wrote, inner)
 * with a valid checksum and a total length within the frame, each IPv6
 * header a payload length within it, unless that very header came in as it
 * is (in: the input frame, inlen bytes); an ICMP or ICMPv6 message that is
 * not in the input as it is (one a program wrote) with a valid checksum, an
 * echo reply's exactly when its request's was; a VXLAN outer UDP length
 * that matches the IPv4 total length. depth: 0 for the frame, 1 for the
 * frame inside VXLAN. */
void pcheck_eth(const uint8_t *eth, size_t len, int depth, const uint8_t *in, size_t inlen);

#endif /* FUZZ_PACKET_CHECKS_H */
