/* test_bgp_msg_notification.c - the NOTIFICATION message
 * (agent/wire/bgp_msg.c, bgp_err.c): Cease with an RFC 9003 shutdown
 * reason and the RFC 8538 Hard Reset against golden vectors, reasons
 * sanitized or refused, the NOTIFICATION built from the parser's verdict,
 * GoBGP's captured Cease, and the names of codes and subcodes.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "bgp_msg.h"
#include "bgp_msg_test_util.h"
#include "bgp_test_util.h"
#include "vectors/gobgp_vectors.h"

/* RFC 4271 4.5 + RFC 9003 2: Cease / Administrative Shutdown with reason. */
static const char notification_hex[] =
	MARKER "0028" "03"      /* Length 40, Type 3 NOTIFICATION */
	"06" "02"               /* Cease, Administrative Shutdown */
	"12"                    /* Shutdown Communication length 18 */
	"6d61696e74656e616e63652077696e646f77"; /* "maintenance window" */

/* RFC 8538 5: Cease/Hard Reset (6/9) whose data is the NOTIFICATION it
 * stands for, here Cease/Administrative Shutdown with an RFC 9003 reason. */
static const char hard_reset_hex[] =
	MARKER "0023" "03"
	"06" "09"               /* Cease / Hard Reset */
	"06" "02"               /* the original: Cease / Administrative Shutdown */
	"0b" "6d61696e74656e616e6365";   /* "maintenance" */

START_TEST(test_notification_golden)
{
	struct wbuf w;
	size_t n = hex(notification_hex, wire);

	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_cease(&w, BGP_CEASE_ADMIN_SHUTDOWN, "maintenance window"), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(built, wire, n);
	ck_assert_int_eq(bgp_msg_parse(wire, n, &ebgp4, &msg, &perr), 0);
	ck_assert_uint_eq(msg.notification.code, 6);
	ck_assert_uint_eq(msg.notification.subcode, 2);
	ck_assert_uint_eq(msg.notification.data_len, 19);
	ck_assert(msg.notification.has_reason);
	ck_assert_str_eq(msg.notification.reason, "maintenance window");

	/* Control octets never reach a log line. */
	ck_assert_int_eq(parse_hex(MARKER "0018030602" "02" "410a", &ebgp4), 0);
	ck_assert_str_eq(msg.notification.reason, "A?");
	/* A length that disagrees with the data is not a reason (RFC 9003 2). */
	ck_assert_int_eq(parse_hex(MARKER "0018030602" "05" "4142", &ebgp4), 0);
	ck_assert(!msg.notification.has_reason);
	ck_assert_uint_eq(msg.notification.data_len, 3);
	/* Other codes keep their data raw. */
	ck_assert_int_eq(parse_hex(MARKER "0017030302" "4063", &ebgp4), 0);
	ck_assert_uint_eq(msg.notification.code, 3);
	ck_assert(!msg.notification.has_reason);
	ck_assert_uint_eq(msg.notification.data[1], 0x63);
}
END_TEST

/* The NOTIFICATION the session sends is the parser's verdict. */
START_TEST(test_notification_from_err)
{
	struct wbuf w;

	ck_assert_int_eq(parse_update("40630101", &ebgp4), -1);   /* unknown well-known */
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_notification_err(&w, &perr), 0);
	hex(MARKER "0019" "03" "0302" "40630101", wire);
	ck_assert_uint_eq(w.len, 25);
	ck_assert_mem_eq(built, wire, 25);
}
END_TEST

START_TEST(test_hard_reset_golden)
{
	uint8_t want[64];
	size_t n = hex(hard_reset_hex, want);
	struct wbuf w;

	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_hard_reset_cease(&w, BGP_CEASE_ADMIN_SHUTDOWN,
							"maintenance"), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(built, want, n);
	ck_assert_int_eq(parse_hex(hard_reset_hex, &ebgp4), 0);
	ck_assert_uint_eq(msg.notification.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(msg.notification.subcode, BGP_CEASE_HARD_RESET);
	ck_assert(msg.notification.hard_reset);
	ck_assert_uint_eq(msg.notification.inner_code, BGP_ERR_CEASE);
	ck_assert_uint_eq(msg.notification.inner_subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	ck_assert(msg.notification.has_reason);
	ck_assert_str_eq(msg.notification.reason, "maintenance");
	ck_assert_str_eq(bgp_err_subcode_name(BGP_ERR_CEASE, BGP_CEASE_HARD_RESET), "Hard Reset");
	/* Wrapping a non-Cease code: Hold Timer Expired, no data. */
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_hard_reset(&w, BGP_ERR_HOLD_TIMER, 0, NULL, 0), 0);
	ck_assert_uint_eq(w.len, 23);
	ck_assert_mem_eq(built + 19, "\x06\x09\x04\x00", 4);
	/* A Hard Reset too short to wrap anything is kept as is. */
	ck_assert_int_eq(parse_hex(MARKER "0016" "03" "0609" "06", &ebgp4), 0);
	ck_assert(!msg.notification.hard_reset);
}
END_TEST

START_TEST(test_gobgp_notification)
{
	for (unsigned i = 0; i < sizeof(gobgp_vectors) / sizeof(gobgp_vectors[0]); i++) {
		size_t n;
		struct wbuf w;

		if (gobgp_vectors[i].type != 3)
			continue;
		n = hex(gobgp_vectors[i].hex, wire);
		ck_assert_int_eq(bgp_msg_parse(wire, n, &ebgp4, &msg, &perr), 0);
		ck_assert_uint_eq(msg.notification.code, BGP_ERR_CEASE);
		ck_assert_uint_eq(msg.notification.subcode, BGP_CEASE_ADMIN_SHUTDOWN);
		ck_assert_str_eq(msg.notification.reason, "maintenance window");
		wbuf_init(&w, built, sizeof(built));
		ck_assert_int_eq(bgp_msg_build_cease(&w, 2, "maintenance window"), 0);
		ck_assert_uint_eq(w.len, n);
		ck_assert_mem_eq(built, wire, n);
		return;
	}
	ck_abort_msg("no NOTIFICATION in the GoBGP capture");
}
END_TEST

START_TEST(test_err_names)
{
	ck_assert_str_eq(bgp_err_code_name(3), "UPDATE Message Error");
	ck_assert_str_eq(bgp_err_subcode_name(3, 11), "Malformed AS_PATH");
	ck_assert_str_eq(bgp_err_subcode_name(6, 2), "Administrative Shutdown");
	ck_assert_str_eq(bgp_err_subcode_name(3, 99), "Unknown");
	ck_assert_str_eq(bgp_err_code_name(99), "Unknown");
	ck_assert_str_eq(bgp_err_action_name(BGP_ACT_WITHDRAW), "treat-as-withdraw");
	ck_assert_str_eq(bgp_attr_name(BGP_ATTR_PMSI_TUNNEL), "PMSI_TUNNEL");
	ck_assert_str_eq(bgp_msg_type_name(5), "ROUTE-REFRESH");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("bgp_msg_notification");
	TCase *golden = tcase_create("golden");
	TCase *gobgp = tcase_create("gobgp");

	tcase_add_test(golden, test_notification_golden);
	tcase_add_test(golden, test_notification_from_err);
	tcase_add_test(golden, test_hard_reset_golden);
	tcase_add_test(golden, test_err_names);
	tcase_add_test(gobgp, test_gobgp_notification);
	suite_add_tcase(s, golden);
	suite_add_tcase(s, gobgp);
	return s;
}
