/* bgp_test_util.c - see bgp_test_util.h. */
#include "bgp_test_util.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '\n' || *s == '\t')
			continue;
		v = hexval(*s);
		if (v < 0)
			return (size_t)-1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			return (size_t)-1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? n : (size_t)-1;
}

const uint8_t *find_attr(const uint8_t *msg, size_t len, uint8_t type, size_t *size)
{
	size_t off, end;
	uint16_t wl, al;

	if (len < 23)
		return NULL;
	wl = (uint16_t)(msg[19] << 8 | msg[20]);
	if (21u + wl + 2 > len)
		return NULL;
	al = (uint16_t)(msg[21 + wl] << 8 | msg[22 + wl]);
	off = 23 + wl;
	end = off + al;
	while (off + 3 <= end && end <= len) {
		uint8_t fl = msg[off], ty = msg[off + 1];
		size_t hl = fl & 0x10 ? 4 : 3;
		size_t vl = fl & 0x10 ? (size_t)(msg[off + 2] << 8 | msg[off + 3]) : msg[off + 2];

		if (off + hl + vl > end)
			return NULL;
		if (ty == type) {
			*size = hl + vl;
			return msg + off;
		}
		off += hl + vl;
	}
	return NULL;
}
