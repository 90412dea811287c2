/* cni_ver.c - see cni_ver.h. */
#include "cni_ver.h"

#include <ctype.h>
#include <string.h>

const char *const cni_ver_supported[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

/* One decimal component of at most 2 digits, no sign, no leading zero. */
static int component(const char **p)
{
	int v = 0, n = 0;

	if (**p == '0' && isdigit((unsigned char)(*p)[1]))
		return -1;
	while (isdigit((unsigned char)**p) && n < 3) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n == 0 || n > 2 ? -1 : v;
}

int cni_ver_num(const char *s)
{
	int maj, min, pat;

	if (!s)
		return -1;
	if ((maj = component(&s)) < 0 || *s++ != '.' || (min = component(&s)) < 0 ||
	    *s++ != '.' || (pat = component(&s)) < 0 || *s)
		return -1;
	return maj * 10000 + min * 100 + pat;
}

bool cni_ver_is_supported(const char *s)
{
	for (const char *const *v = cni_ver_supported; *v; v++)
		if (s && !strcmp(*v, s))
			return true;
	return false;
}
