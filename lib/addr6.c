/* addr6.c - see addr6.h. */
#include "addr6.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int addr6_parse(const char *s, uint8_t ip[16])
{
	struct in6_addr a;

	/* inet_pton takes neither a zone index ("%eth0") nor white space;
	 * an IPv4-mapped tail ("::ffff:192.0.2.1") is a valid text form. */
	if (!s || !addr6_is_text6(s) || inet_pton(AF_INET6, s, &a) != 1)
		return -EINVAL;
	memcpy(ip, &a, 16);
	return 0;
}

bool addr6_is_text6(const char *s)
{
	return s && strchr(s, ':') != NULL;
}

int addr6_parse_prefix(const char *s, uint8_t ip[16], uint8_t *len, int allow_host_bits)
{
	char buf[ADDR6_STRLEN];
	const char *slash;
	uint8_t a[16];
	long l = 128;

	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	if (slash) {
		size_t n = (size_t)(slash - s);
		char *end;

		if (n >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, s, n);
		buf[n] = '\0';
		/* digits only, at most three: strtol would take a sign,
		 * white space or "0x" */
		if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
			return -EINVAL;
		errno = 0;
		l = strtol(slash + 1, &end, 10);
		if (errno || *end || l < 0 || l > 128)
			return -EINVAL;
	} else {
		if (strlen(s) >= sizeof(buf))
			return -EINVAL;
		strcpy(buf, s);
	}
	if (addr6_parse(buf, a))
		return -EINVAL;
	if (!allow_host_bits && addr6_has_host_bits(a, (uint8_t)l))
		return -EINVAL;
	memcpy(ip, a, 16);
	*len = (uint8_t)l;
	return 0;
}

const char *addr6_fmt(const uint8_t ip[16], char buf[ADDR6_STRLEN])
{
	struct in6_addr a;

	memcpy(&a, ip, 16);
	/* glibc's inet_ntop writes RFC 5952 section 4's form. */
	if (!inet_ntop(AF_INET6, &a, buf, ADDR6_STRLEN))
		snprintf(buf, ADDR6_STRLEN, "?");
	return buf;
}

const char *addr6_fmt_prefix(const uint8_t ip[16], uint8_t len, char buf[ADDR6_PREFIX_STRLEN])
{
	char a[ADDR6_STRLEN];

	snprintf(buf, ADDR6_PREFIX_STRLEN, "%s/%u", addr6_fmt(ip, a), len);
	return buf;
}

void addr6_mask(uint8_t out[16], const uint8_t ip[16], uint8_t len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		if (bits >= 8)
			out[i] = ip[i];
		else
			out[i] = (uint8_t)(ip[i] & (0xff00u >> bits));
	}
}

bool addr6_in_subnet(const uint8_t ip[16], const uint8_t net[16], uint8_t len)
{
	uint8_t a[16], b[16];

	addr6_mask(a, ip, len);
	addr6_mask(b, net, len);
	return !memcmp(a, b, 16);
}

bool addr6_has_host_bits(const uint8_t ip[16], uint8_t len)
{
	uint8_t a[16];

	addr6_mask(a, ip, len);
	return memcmp(a, ip, 16) != 0;
}

bool addr6_is_zero(const uint8_t ip[16])
{
	static const uint8_t z[16];

	return !memcmp(ip, z, 16);
}

bool addr6_is_loopback(const uint8_t ip[16])
{
	static const uint8_t lo[16] = { [15] = 1 };

	return !memcmp(ip, lo, 16);
}

bool addr6_is_multicast(const uint8_t ip[16])
{
	return ip[0] == 0xff;
}

bool addr6_is_link_local(const uint8_t ip[16])
{
	return ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80;
}

bool addr6_is_v4mapped(const uint8_t ip[16])
{
	static const uint8_t pfx[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(ip, pfx, 12);
}

bool addr6_is_host(const uint8_t ip[16])
{
	return !addr6_is_zero(ip) && !addr6_is_loopback(ip) && !addr6_is_multicast(ip) &&
	       !addr6_is_link_local(ip) && !addr6_is_v4mapped(ip);
}

void addr6_ll_from_mac(const uint8_t mac[6], uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	/* RFC 4291 appendix A: 24 bits of OUI, ff:fe, 24 bits of the NIC
	 * part, and the universal/local bit (0x02 of the first octet)
	 * inverted. */
	out[8] = mac[0] ^ 0x02;
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}
