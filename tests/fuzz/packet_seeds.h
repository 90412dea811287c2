/* packet_seeds.h - fuzz_packet's seed writer: FUZZ_PACKET_SEEDS=DIR writes
 * the seed corpus (tests/fuzz/corpus/packet/ was made so). The code is in
 * packet_seeds.c; packet_fuzz.h says why it is apart from fuzz_packet.c.
 */
#ifndef FUZZ_PACKET_SEEDS_H
#define FUZZ_PACKET_SEEDS_H

#include <stdint.h>

/* Writes one file per seed into dir (a selector byte, then a frame built
 * with pkt.h for the fixture's topology; up is the uplink's MAC, which
 * the fixture reads from its veth) and exits the process. */
void pseed_write(const char *dir, const uint8_t up[6]);

#endif /* FUZZ_PACKET_SEEDS_H */
