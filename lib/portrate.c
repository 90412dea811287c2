/* portrate.c - see portrate.h. */
#include "portrate.h"

#include <stdio.h>
#include <string.h>

uint64_t portrate_burst_bytes(uint64_t rate, uint64_t burst_bits)
{
	uint64_t b;

	if (burst_bits) {
		b = (burst_bits > PORTRATE_MAX_BURST_BITS ? PORTRATE_MAX_BURST_BITS : burst_bits) / 8;
	} else {
		/* rate <= 1e15: rate * 100 fits 64 bits */
		b = rate / 8 * PORTRATE_DEFAULT_MS / 1000;
		if (b > UINT32_MAX)
			b = UINT32_MAX;
	}
	return b < PORTRATE_MIN_BURST ? PORTRATE_MIN_BURST : b;
}

void portrate_value(uint64_t rate, uint64_t burst, struct vtep_port_rate *out)
{
	unsigned __int128 ns;

	memset(out, 0, sizeof(*out));
	out->rate = rate;
	out->burst = burst;
	if (!rate)
		return;
	/* up to 2^32 bytes * 8e9 / 1000: 3.4e16 ns, but the product needs
	 * more than 64 bits on the way */
	ns = (unsigned __int128)burst * 8 * 1000000000ULL / rate;
	out->burst_ns = ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
	out->tokens_ns = out->burst_ns;
}

const char *portrate_fmt(uint64_t rate, char buf[24])
{
	static const struct {
		uint64_t div;
		const char *unit;
	} u[] = { { 1000000000000ULL, "Tbit" }, { 1000000000ULL, "Gbit" },
		  { 1000000ULL, "Mbit" }, { 1000ULL, "Kbit" } };

	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (rate >= u[i].div) {
			if (rate % u[i].div == 0)
				snprintf(buf, 24, "%llu%s", (unsigned long long)(rate / u[i].div),
					 u[i].unit);
			else
				snprintf(buf, 24, "%.2f%s", (double)rate / (double)u[i].div, u[i].unit);
			return buf;
		}
	snprintf(buf, 24, "%llubit", (unsigned long long)rate);
	return buf;
}
