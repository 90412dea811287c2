/* bgp_test_util.h - helpers shared by the BGP codec unit tests: hex
 * decoding and finding an attribute inside an UPDATE message
 * (bgp_test_util.c). */
#ifndef BGP_TEST_UTIL_H
#define BGP_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Decodes hex (whitespace allowed) into out; returns the octet count or
 * (size_t)-1 on a bad digit or overflow. */
size_t unhex(const char *s, uint8_t *out, size_t cap);

/* Finds path attribute `type` in a whole UPDATE message; returns a pointer
 * to its flags octet and its total size (header included), or NULL. */
const uint8_t *find_attr(const uint8_t *msg, size_t len, uint8_t type, size_t *size);

#endif /* BGP_TEST_UTIL_H */
