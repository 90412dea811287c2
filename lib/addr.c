/* addr.c - see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int addr_parse_ip(const char *s, uint32_t *ip_be)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ip_be = a.s_addr;
	return 0;
}

uint32_t addr_mask(uint8_t len)
{
	if (len == 0)
		return 0;
	if (len >= 32)
		return 0xffffffffu;
	return htonl(~((1u << (32 - len)) - 1));
}

int addr_in_subnet(uint32_t ip_be, uint32_t net_be, uint8_t len)
{
	uint32_t m = addr_mask(len);

	return (ip_be & m) == (net_be & m);
}

int addr_parse_prefix(const char *s, uint32_t *ip_be, uint8_t *len, int allow_host_bits)
{
	char buf[ADDR_PREFIX_STRLEN + 1];
	const char *slash;
	uint32_t ip;
	long l = 32;

	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	if (slash) {
		char *end;
		size_t n = (size_t)(slash - s);

		if (n >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, s, n);
		buf[n] = '\0';
		/* digits only: strtol() would also take a sign or leading
		 * white space ("10.0.0.0/ 8") */
		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		errno = 0;
		l = strtol(slash + 1, &end, 10);
		if (errno || *end || l < 0 || l > 32)
			return -EINVAL;
	} else {
		if (strlen(s) >= sizeof(buf))
			return -EINVAL;
		strcpy(buf, s);
	}
	if (addr_parse_ip(buf, &ip))
		return -EINVAL;
	if (!allow_host_bits && (ip & ~addr_mask((uint8_t)l)))
		return -EINVAL;
	*ip_be = ip;
	*len = (uint8_t)l;
	return 0;
}

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

int addr_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];

	if (!s || strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, 6);
	return 0;
}

const char *addr_fmt_ip(uint32_t ip_be, char buf[ADDR_IP_STRLEN])
{
	struct in_addr a = { .s_addr = ip_be };

	return inet_ntop(AF_INET, &a, buf, ADDR_IP_STRLEN);
}

const char *addr_fmt_prefix(uint32_t ip_be, uint8_t len, char buf[ADDR_PREFIX_STRLEN])
{
	char ip[ADDR_IP_STRLEN];

	snprintf(buf, ADDR_PREFIX_STRLEN, "%s/%u", addr_fmt_ip(ip_be, ip), len);
	return buf;
}

const char *addr_fmt_mac(const uint8_t mac[6], char buf[ADDR_MAC_STRLEN])
{
	snprintf(buf, ADDR_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

int addr_mac_is_zero(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return memcmp(mac, zero, 6) == 0;
}
