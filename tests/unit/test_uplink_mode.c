/* test_uplink_mode.c - agent/dp/uplink_mode.c: which mode each uplink gets
 * under "auto", "xdp" and "tc" for every combination of kernel and device
 * answers, and the reason given. Pure: no kernel, no device. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "check_main.h"
#include "uplink_mode.h"

static struct probe_set all(void)
{
	struct probe_set k;

	memset(&k, 0, sizeof(k));
	for (int f = 0; f < PROBE_F_COUNT; f++)
		k.have[f] = true;
	return k;
}

static struct probe_dev nic(const char *driver)
{
	struct probe_dev d;

	memset(&d, 0, sizeof(d));
	strcpy(d.driver, driver);
	d.xdp_native = PROBE_YES;
	d.xdp_sg = PROBE_YES;
	d.meta_driver = probe_driver_keeps_meta(driver);
	d.veth = !strcmp(driver, "veth"); /* as probe_device() sets it */
	d.mtu = 1500;
	return d;
}

START_TEST(test_auto_nic_with_meta_gets_xdp)
{
	struct probe_set k = all();
	struct probe_dev d = nic("mlx5_core");
	struct uplink_choice c;

	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_AUTO, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_XDP);
	ck_assert(c.frags && !c.generic);
	ck_assert_msg(strstr(c.reason, "mlx5_core"), "%s", c.reason);
	/* Without xdp_frags: the single-buffer program, said so. */
	k.have[PROBE_F_xdp_frags] = false;
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_AUTO, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_XDP);
	ck_assert(!c.frags);
	ck_assert_msg(strstr(c.reason, "xdp_frags"), "%s", c.reason);
}
END_TEST

/* Every reason auto has to stay on TC, each named in the reason. */
START_TEST(test_auto_falls_back_to_tc)
{
	struct probe_set k = all();
	struct probe_dev d = nic("ixgbe");
	struct uplink_choice c;

	k.have[PROBE_F_xdp_meta] = false;
	strcpy(k.note[PROBE_F_xdp_meta], "program of this type cannot use helper");
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_AUTO, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_TC);
	ck_assert_msg(strstr(c.reason, "xdp_meta") && strstr(c.reason, "cannot use helper"), "%s",
		      c.reason);

	k = all();
	k.have[PROBE_F_xdp] = false;
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_AUTO, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_TC);
	ck_assert_msg(strstr(c.reason, "lacks xdp"), "%s", c.reason);

	k = all();
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_AUTO, &k, "R0 invalid mem access", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_TC);
	ck_assert_msg(strstr(c.reason, "R0 invalid mem access"), "%s", c.reason);

	d = nic("veth");
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_AUTO, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_TC);
	ck_assert_msg(strstr(c.reason, "veth") && strstr(c.reason, "GSO"), "%s", c.reason);

	d = nic("ixgbe");
	d.xdp_native = PROBE_UNKNOWN;
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_AUTO, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_TC);
	ck_assert_msg(strstr(c.reason, "unknown"), "%s", c.reason);
	d.xdp_native = PROBE_NO;
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_AUTO, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_TC);
	ck_assert_msg(strstr(c.reason, "no native XDP"), "%s", c.reason);

	/* A driver that runs XDP but passes meta_valid = false. */
	d = nic("mlx4_en");
	ck_assert(!d.meta_driver);
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_AUTO, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_TC);
	ck_assert_msg(strstr(c.reason, "metadata"), "%s", c.reason);
}
END_TEST

/* An explicit xdp is refused where the kernel cannot run it, never turned
 * into tc; where it can run (even badly) it is honoured. */
START_TEST(test_explicit_xdp)
{
	struct probe_set k = all();
	struct probe_dev d = nic("veth");
	struct uplink_choice c;

	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_XDP, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_XDP);
	ck_assert_msg(strstr(c.reason, "GSO"), "%s", c.reason);

	d = nic("fec");
	d.xdp_native = PROBE_NO;
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_XDP, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_XDP);
	ck_assert(c.generic && !c.frags);

	k.have[PROBE_F_xdp_meta] = false;
	strcpy(k.note[PROBE_F_xdp_meta], "turned off");
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_XDP, &k, "", &d, &c), -EOPNOTSUPP);
	ck_assert_msg(strstr(c.reason, "xdp_meta") && strstr(c.reason, "\"tc\"") &&
		      strstr(c.reason, "\"auto\""), "%s", c.reason);

	k = all();
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_XDP, &k, "invalid func", &d, &c),
			 -EOPNOTSUPP);
	ck_assert_msg(strstr(c.reason, "invalid func"), "%s", c.reason);
}
END_TEST

START_TEST(test_tc_and_helpers)
{
	struct probe_set k = all();
	struct probe_dev d = nic("mlx5_core");
	struct uplink_choice c;

	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_TC, &k, "", &d, &c), 0);
	ck_assert_int_eq(c.mode, UPLINK_MODE_TC);
	ck_assert_str_eq(c.reason, "configured tc");
	ck_assert_str_eq(uplink_mode_name(UPLINK_MODE_TC), "tc");
	ck_assert_str_eq(uplink_mode_name(UPLINK_MODE_XDP), "xdp");
	ck_assert(uplink_mode_may_use_xdp(CFG_ATTACH_AUTO, &k));
	ck_assert(!uplink_mode_may_use_xdp(CFG_ATTACH_TC, &k));
	k.have[PROBE_F_xdp_meta] = false;
	ck_assert(!uplink_mode_may_use_xdp(CFG_ATTACH_AUTO, &k));
	ck_assert(uplink_mode_may_use_xdp(CFG_ATTACH_XDP, &k));

	/* A native attach the driver refused under auto: tc, with both the
	 * refusal and the earlier reason. */
	k = all();
	ck_assert_int_eq(uplink_mode_choose(CFG_ATTACH_AUTO, &k, "", &d, &c), 0);
	uplink_mode_attach_refused(&c, "eth0", -EOPNOTSUPP);
	ck_assert_int_eq(c.mode, UPLINK_MODE_TC);
	ck_assert(!c.frags);
	ck_assert_msg(strstr(c.reason, "eth0 refused native XDP") && strstr(c.reason, "mlx5_core"),
		      "%s", c.reason);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("uplink_mode");
	TCase *tc = tcase_create("choose");

	tcase_add_test(tc, test_auto_nic_with_meta_gets_xdp);
	tcase_add_test(tc, test_auto_falls_back_to_tc);
	tcase_add_test(tc, test_explicit_xdp);
	tcase_add_test(tc, test_tc_and_helpers);
	suite_add_tcase(s, tc);
	return s;
}
