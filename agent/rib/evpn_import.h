/* evpn_import.h - which VNI a received EVPN route belongs to, by its route
 * targets (RFC 7432 7.10: a route is imported into every MAC-VRF that
 * imports one of its route targets).
 *
 * Per DESIGN.md a VNI imports either its configured route target (equal
 * octets) or, with `route_target: "auto"`, any route target whose
 * administrator-assigned (local) part is the VNI whatever the ASN or IP -
 * eBGP fabrics give every leaf its own AS - including the RFC 8365 5.1.2.1
 * auto-derived form (config_vni_imports_rt() is the rule; this module makes
 * it O(number of route targets) per route with two hash tables).
 *
 * vtepd's datapath has one forwarding table per VNI and encapsulates with
 * that VNI, so a route goes into one VNI: the one its label names (RFC 8365
 * 5.1.3: the label is the VNI) when that VNI imports it, else the first
 * importing VNI in configuration order (an explicit route target shared by
 * several VNIs is a configuration mistake; we stay deterministic).
 */
#ifndef VTEP_EVPN_IMPORT_H
#define VTEP_EVPN_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evpn_import;
struct vtep_config;

/* Returns 0 or -errno. cfg is read now, not kept. */
int evpn_import_new(const struct vtep_config *cfg, struct evpn_import **out);
void evpn_import_free(struct evpn_import *imp);

/* The VNI a route with these extended communities (n_ext x 8 octets as on
 * the wire; non-RT ones are skipped) and this label VNI is imported into, or
 * 0 when no VNI imports any of its route targets. */
uint32_t evpn_import_vni(const struct evpn_import *imp, const uint8_t *ext, size_t n_ext,
			 uint32_t label_vni);
/* Whether VNI vni imports route target rt (8 octets). */
bool evpn_import_vni_has_rt(const struct evpn_import *imp, uint32_t vni, const uint8_t rt[8]);

/* The configured VNIs, in configuration order. */
size_t evpn_import_vnis(const struct evpn_import *imp, const uint32_t **vnis);
bool evpn_import_has_vni(const struct evpn_import *imp, uint32_t vni);
/* Whether a and b import the same route targets into the same VNIs. */
bool evpn_import_equal(const struct evpn_import *a, const struct evpn_import *b);

#endif /* VTEP_EVPN_IMPORT_H */
