/* uplink_mode.c - see uplink_mode.h. */
#include "uplink_mode.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *uplink_mode_name(enum uplink_mode m)
{
	return m == UPLINK_MODE_XDP ? "xdp" : "tc";
}

static int pick(struct uplink_choice *c, enum uplink_mode m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int pick(struct uplink_choice *c, enum uplink_mode m, const char *fmt, ...)
{
	va_list ap;

	c->mode = m;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
	return 0;
}

/* The first kernel capability the XDP uplink needs that is missing, or
 * PROBE_F_COUNT. xdp_frags is not needed: the plain program serves. */
static enum probe_feature xdp_missing(const struct probe_set *k)
{
	if (!k->have[PROBE_F_xdp])
		return PROBE_F_xdp;
	if (!k->have[PROBE_F_xdp_meta])
		return PROBE_F_xdp_meta;
	return PROBE_F_COUNT;
}

bool uplink_mode_may_use_xdp(enum cfg_uplink_attach want, const struct probe_set *k)
{
	return want == CFG_ATTACH_XDP || (want == CFG_ATTACH_AUTO && xdp_missing(k) == PROBE_F_COUNT);
}

static const char *drv(const struct probe_dev *d)
{
	return d->driver[0] ? d->driver : "(no driver name)";
}

/* An explicit "xdp": refused only where it cannot run. */
static int choose_xdp(const struct probe_set *k, const char *refusal, const struct probe_dev *d,
		      struct uplink_choice *c)
{
	enum probe_feature miss = xdp_missing(k);

	if (miss != PROBE_F_COUNT) {
		pick(c, UPLINK_MODE_TC, "vtep.uplink_attach \"xdp\": this kernel lacks %s (%s); "
		     "use \"tc\" or \"auto\"", probe_name(miss), k->note[miss]);
		return -EOPNOTSUPP;
	}
	if (refusal && refusal[0]) {
		pick(c, UPLINK_MODE_TC, "vtep.uplink_attach \"xdp\": the kernel refused the XDP "
		     "program (%s); use \"tc\" or \"auto\"", refusal);
		return -EOPNOTSUPP;
	}
	if (d->xdp_native == PROBE_NO) {
		c->generic = true;
		return pick(c, UPLINK_MODE_XDP, "configured xdp; driver %s has no native XDP, so "
			    "generic XDP", drv(d));
	}
	c->frags = k->have[PROBE_F_xdp_frags];
	if (d->veth)
		return pick(c, UPLINK_MODE_XDP, "configured xdp; on a veth it turns off GSO on "
			    "the peer (\"tc\" or \"auto\" keeps it)");
	if (!d->meta_driver)
		return pick(c, UPLINK_MODE_XDP, "configured xdp; driver %s is not known to keep "
			    "XDP metadata", drv(d));
	return pick(c, UPLINK_MODE_XDP, "configured xdp");
}

static int choose_auto(const struct probe_set *k, const char *refusal, const struct probe_dev *d,
		       struct uplink_choice *c)
{
	enum probe_feature miss = xdp_missing(k);

	if (miss != PROBE_F_COUNT)
		return pick(c, UPLINK_MODE_TC, "kernel lacks %s: %s", probe_name(miss),
			    k->note[miss]);
	if (refusal && refusal[0])
		return pick(c, UPLINK_MODE_TC, "the kernel refused the XDP program: %s", refusal);
	if (d->veth)
		return pick(c, UPLINK_MODE_TC, "veth: native XDP would turn off GSO on its peer");
	if (d->xdp_native == PROBE_UNKNOWN)
		return pick(c, UPLINK_MODE_TC, "native XDP support of driver %s unknown (kernel "
			    "without netdev xdp-features)", drv(d));
	if (d->xdp_native == PROBE_NO)
		return pick(c, UPLINK_MODE_TC, "driver %s has no native XDP", drv(d));
	if (!d->meta_driver)
		return pick(c, UPLINK_MODE_TC, "driver %s is not known to keep XDP metadata",
			    drv(d));
	c->frags = k->have[PROBE_F_xdp_frags];
	return pick(c, UPLINK_MODE_XDP, "driver %s runs native XDP with metadata%s", drv(d),
		    c->frags ? "" : " (no xdp_frags: single-buffer program)");
}

int uplink_mode_choose(enum cfg_uplink_attach want, const struct probe_set *k,
		       const char *xdp_refusal, const struct probe_dev *d,
		       struct uplink_choice *c)
{
	memset(c, 0, sizeof(*c));
	switch (want) {
	case CFG_ATTACH_TC:
		return pick(c, UPLINK_MODE_TC, "configured tc");
	case CFG_ATTACH_XDP:
		return choose_xdp(k, xdp_refusal, d, c);
	default:
		return choose_auto(k, xdp_refusal, d, c);
	}
}

void uplink_mode_attach_refused(struct uplink_choice *c, const char *ifname, int err)
{
	char was[UPLINK_REASON_LEN];

	snprintf(was, sizeof(was), "%s", c->reason);
	c->mode = UPLINK_MODE_TC;
	c->generic = c->frags = false;
	snprintf(c->reason, sizeof(c->reason), "%.16s refused native XDP (%.40s) although %.100s",
		 ifname, strerror(err < 0 ? -err : err), was);
}
