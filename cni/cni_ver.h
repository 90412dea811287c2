/* cni_ver.h - the CNI spec versions the plugin speaks, and what changes
 * between them in what it emits (SPEC.md "Released versions"):
 *   0.3.0/0.3.1  rich results; ips[] carry "version": "4"|"6"
 *   0.4.0        CHECK, prevResult on DEL
 *   1.0.0        ips[].version removed
 *   1.1.0        GC, STATUS; interfaces[].mtu (and more we do not emit)
 * 0.1.0 and 0.2.0 had another result shape; no runtime we target sends
 * them, so they are refused (code 1).
 */
#ifndef CNI_VER_H
#define CNI_VER_H

#include <stdbool.h>

#define CNI_VER_NEWEST "1.1.0"
/* The VERSION reply's list, oldest first. */
extern const char *const cni_ver_supported[];

/* A version string as major*10000 + minor*100 + patch, or -1 when it is
 * not MAJOR.MINOR.PATCH with small numbers. */
int cni_ver_num(const char *s);
bool cni_ver_is_supported(const char *s);

#define CNI_V030 300
#define CNI_V040 400
#define CNI_V100 10000
#define CNI_V110 10100

#endif /* CNI_VER_H */
