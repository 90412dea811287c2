/* config_test_util.h - the fixture of the configuration tests
 * (test_config_*.c): the contract script's config, which every bad-value
 * case mutates in exactly the field under test (one value replaced or
 * removed through json-c), and the checks of an accepted or refused text.
 * The code is in config_test_util.c.
 */
#ifndef CONFIG_TEST_UTIL_H
#define CONFIG_TEST_UTIL_H

#include <stdint.h>

#include "config.h"

/* ../shared/contract/check.sh's config, $R = /run/vtepd-contract. */
extern const char contract_json[];
/* The same made dual-stack (config_test_util.c): VNI 100 with subnet6
 * 2001:db8:100::/64, gateway_ip6 ::1 and slaac; w1 with ip6 ::11; routes
 * 2001:db8:100::21/128 and 2001:db8:200::/48. */
extern const char contract6_json[];

/* Network-order address of s; the test fails on a bad one. */
uint32_t ip(const char *s);
/* m reads s ("02:00:00:00:00:11"). */
void mac_eq(const uint8_t m[6], const char *s);

/* Sets (value != NULL; "null" is JSON null) or removes (value == NULL) the
 * member at path ("vnis[0].vni", "colour") of the JSON text base; returns
 * the new text (malloc'ed). */
char *mutate(const char *base, const char *path, const char *value);

/* config_parse refuses text with -EINVAL and an error that starts with
 * want, and the refused config owns nothing (config.h); what names the
 * case in failure messages. */
void expect_refused(const char *text, const char *want, const char *what);
/* The contract config with path set to value (NULL: removed) is refused
 * with an error that starts with want. */
void expect_mutation_refused(const char *path, const char *value, const char *want);
/* ... is accepted, into *c (the caller frees it). */
void expect_mutation_ok(const char *path, const char *value, struct vtep_config *c);

/* One bad value: the contract config with path set to value (JSON text;
 * NULL removes the key) is refused with an error starting with want. */
struct bad_case {
	const char *path;
	const char *value;
	const char *want;
};
#define BAD_CASES(t) ((int)(sizeof(t) / sizeof((t)[0])))
void expect_bad_case(const struct bad_case *b);
/* The same cases against contract6_json; and one of its mutations (path
 * NULL: none) that must be accepted, into *c (the caller frees it). */
void expect_bad6_case(const struct bad_case *b);
void expect6_ok(const char *path, const char *value, struct vtep_config *c);

#endif /* CONFIG_TEST_UTIL_H */
