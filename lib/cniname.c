/* cniname.c - see cniname.h. */
#include "cniname.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void cniname_host_ifname(const char *container_id, const char *ifname, char *out)
{
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a 64 offset basis */
	const char *parts[3] = { container_id, "/", ifname };

	for (int i = 0; i < 3; i++)
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
			h ^= *p;
			h *= 0x100000001b3ull;        /* FNV-1a 64 prime */
		}
	snprintf(out, CNINAME_LEN + 1, CNINAME_PREFIX "%011llx",
		 (unsigned long long)(h >> 20));
}

int cniname_ifname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]) ||
		    (unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

int cniname_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CNINAME_ID_MAX || !isalnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}
