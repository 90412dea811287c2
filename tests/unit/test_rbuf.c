/* test_rbuf.c - the bounds-checked reader and the error-accumulating
 * writer (lib/rbuf.h): every read is checked, errors are sticky, a short
 * read consumes nothing and zeroes its output, sub-readers cannot reach
 * past their field. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "check_main.h"
#include "rbuf.h"

static const uint8_t data[] = {
	0x01,                   /* u8 */
	0x02, 0x03,             /* u16 0x0203 */
	0x04, 0x05, 0x06,       /* u24 0x040506 */
	0x07, 0x08, 0x09, 0x0a, /* u32 0x0708090a */
	0xaa, 0xbb,             /* bytes */
};

START_TEST(test_reads_in_order)
{
	struct rbuf r;
	uint8_t u8, b[2];
	uint16_t u16;
	uint32_t u24, u32;

	rbuf_init(&r, data, sizeof(data));
	ck_assert_uint_eq(rbuf_left(&r), 12);
	ck_assert_int_eq(rbuf_get_u8(&r, &u8), 0);
	ck_assert_int_eq(rbuf_get_u16(&r, &u16), 0);
	ck_assert_int_eq(rbuf_get_u24(&r, &u24), 0);
	ck_assert_int_eq(rbuf_get_u32(&r, &u32), 0);
	ck_assert_int_eq(rbuf_get_bytes(&r, b, 2), 0);
	ck_assert_uint_eq(u8, 0x01);
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert_uint_eq(u24, 0x040506);
	ck_assert_uint_eq(u32, 0x0708090a);
	ck_assert_uint_eq(b[0], 0xaa);
	ck_assert_uint_eq(b[1], 0xbb);
	ck_assert_uint_eq(rbuf_left(&r), 0);
	ck_assert_int_eq(r.err, 0);
}
END_TEST

START_TEST(test_short_read_is_sticky_and_consumes_nothing)
{
	struct rbuf r;
	uint32_t u32 = 0xdeadbeef;
	uint16_t u16 = 0xbeef;
	uint8_t u8 = 0xee;

	rbuf_init(&r, data, 3);
	ck_assert_int_eq(rbuf_get_u32(&r, &u32), -1);
	ck_assert_uint_eq(u32, 0);              /* output zeroed */
	ck_assert_uint_eq(r.off, 0);            /* nothing consumed */
	ck_assert_int_eq(r.err, -EBADMSG);
	ck_assert_uint_eq(rbuf_left(&r), 0);
	/* Three octets are there, but the reader has failed: sticky. */
	ck_assert_int_eq(rbuf_get_u16(&r, &u16), -1);
	ck_assert_int_eq(rbuf_get_u8(&r, &u8), -1);
	ck_assert_uint_eq(u16, 0);
	ck_assert_uint_eq(u8, 0);
}
END_TEST

START_TEST(test_each_width_fails_one_short)
{
	struct rbuf r;
	uint8_t u8, b[5];
	uint16_t u16;
	uint32_t v;

	rbuf_init(&r, data, 0);
	ck_assert_int_eq(rbuf_get_u8(&r, &u8), -1);
	rbuf_init(&r, data, 1);
	ck_assert_int_eq(rbuf_get_u16(&r, &u16), -1);
	rbuf_init(&r, data, 2);
	ck_assert_int_eq(rbuf_get_u24(&r, &v), -1);
	rbuf_init(&r, data, 3);
	ck_assert_int_eq(rbuf_get_u32(&r, &v), -1);
	rbuf_init(&r, data, 4);
	memset(b, 0x55, sizeof(b));
	ck_assert_int_eq(rbuf_get_bytes(&r, b, 5), -1);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(b[i], 0);
	rbuf_init(&r, data, 4);
	ck_assert_int_eq(rbuf_skip(&r, 5), -1);
	ck_assert_int_eq(r.err, -EBADMSG);
}
END_TEST

START_TEST(test_sub_reader_is_bounded)
{
	struct rbuf r, sub;
	uint16_t u16;
	uint8_t u8;

	rbuf_init(&r, data, sizeof(data));
	ck_assert_int_eq(rbuf_skip(&r, 1), 0);
	ck_assert_int_eq(rbuf_get_sub(&r, 2, &sub), 0);
	ck_assert_uint_eq(r.off, 3);            /* parent moved past the field */
	ck_assert_uint_eq(rbuf_left(&sub), 2);
	ck_assert_int_eq(rbuf_get_u16(&sub, &u16), 0);
	ck_assert_uint_eq(u16, 0x0203);
	/* The parent has more, the sub-reader must not see it. */
	ck_assert_int_eq(rbuf_get_u8(&sub, &u8), -1);
	ck_assert_int_eq(sub.err, -EBADMSG);
	ck_assert_int_eq(r.err, 0);             /* the parent is unharmed */
	ck_assert_int_eq(rbuf_get_u8(&r, &u8), 0);
	ck_assert_uint_eq(u8, 0x04);
}
END_TEST

START_TEST(test_sub_longer_than_parent_fails)
{
	struct rbuf r, sub;
	uint8_t u8;

	rbuf_init(&r, data, 4);
	ck_assert_int_eq(rbuf_get_sub(&r, 5, &sub), -1);
	ck_assert_int_eq(r.err, -EBADMSG);
	ck_assert_uint_eq(r.off, 0);
	ck_assert_uint_eq(rbuf_left(&sub), 0);
	ck_assert_int_eq(rbuf_get_u8(&sub, &u8), -1);
	/* A huge length must not wrap around the bounds check. */
	rbuf_init(&r, data, 4);
	ck_assert_int_eq(rbuf_get_sub(&r, SIZE_MAX, &sub), -1);
	rbuf_init(&r, data, 4);
	ck_assert_int_eq(rbuf_skip(&r, 2), 0);
	ck_assert_int_eq(rbuf_skip(&r, SIZE_MAX - 1), -1);
}
END_TEST

START_TEST(test_null_reader_is_empty)
{
	struct rbuf r;
	uint8_t u8;

	rbuf_init(&r, NULL, 100);
	ck_assert_uint_eq(rbuf_left(&r), 0);
	ck_assert_int_eq(rbuf_get_u8(&r, &u8), -1);
	rbuf_init(&r, data, 0);
	ck_assert_int_eq(rbuf_get_bytes(&r, &u8, 0), 0);   /* zero octets always fit */
}
END_TEST

START_TEST(test_writer_writes_network_order)
{
	uint8_t buf[16];
	struct wbuf w;
	static const uint8_t want[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0xaa, 0xbb, 0x00, 0x00,
	};

	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_u8(&w, 0x01);
	wbuf_put_u16(&w, 0x0203);
	wbuf_put_u24(&w, 0xff040506);           /* only the low 24 bits */
	wbuf_put_u32(&w, 0x0708090a);
	wbuf_put_bytes(&w, "\xaa\xbb", 2);
	wbuf_put_zero(&w, 2);
	ck_assert_int_eq(wbuf_error(&w), 0);
	ck_assert_uint_eq(w.len, sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
}
END_TEST

START_TEST(test_writer_overflow_is_sticky)
{
	uint8_t buf[5];
	struct wbuf w;

	memset(buf, 0x55, sizeof(buf));
	wbuf_init(&w, buf, 4);
	wbuf_put_u16(&w, 0x0102);
	wbuf_put_u24(&w, 0x030405);             /* does not fit: nothing written */
	ck_assert_int_eq(wbuf_error(&w), -EMSGSIZE);
	ck_assert_uint_eq(w.len, 2);
	ck_assert_uint_eq(buf[2], 0x55);
	wbuf_put_u8(&w, 0x06);                  /* would fit, but the writer failed */
	ck_assert_uint_eq(w.len, 2);
	ck_assert_uint_eq(buf[2], 0x55);
	ck_assert_uint_eq(buf[4], 0x55);        /* never past the capacity */
	ck_assert_int_eq(wbuf_error(&w), -EMSGSIZE);
}
END_TEST

START_TEST(test_writer_reserve_and_set)
{
	uint8_t buf[8];
	struct wbuf w;
	size_t at;

	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_u8(&w, 0xee);
	at = wbuf_reserve(&w, 2);
	wbuf_put_u8(&w, 0xff);
	ck_assert_uint_eq(at, 1);
	ck_assert_uint_eq(buf[1], 0);
	wbuf_set_u16(&w, at, 0x1234);
	wbuf_set_u8(&w, 0, 0xdd);
	ck_assert_int_eq(wbuf_error(&w), 0);
	ck_assert_uint_eq(buf[0], 0xdd);
	ck_assert_uint_eq(buf[1], 0x12);
	ck_assert_uint_eq(buf[2], 0x34);
	ck_assert_uint_eq(buf[3], 0xff);
	/* Setting what was never written is an error, not a write. */
	wbuf_set_u16(&w, 3, 0xabcd);
	ck_assert_int_eq(wbuf_error(&w), -EINVAL);
	ck_assert_uint_eq(w.len, 4);
}
END_TEST

START_TEST(test_writer_zero_capacity)
{
	struct wbuf w;

	wbuf_init(&w, NULL, 10);
	wbuf_put_u8(&w, 1);
	ck_assert_int_eq(wbuf_error(&w), -EMSGSIZE);
	ck_assert_uint_eq(w.len, 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rbuf");
	TCase *tr = tcase_create("reader");
	TCase *tw = tcase_create("writer");

	tcase_add_test(tr, test_reads_in_order);
	tcase_add_test(tr, test_short_read_is_sticky_and_consumes_nothing);
	tcase_add_test(tr, test_each_width_fails_one_short);
	tcase_add_test(tr, test_sub_reader_is_bounded);
	tcase_add_test(tr, test_sub_longer_than_parent_fails);
	tcase_add_test(tr, test_null_reader_is_empty);
	tcase_add_test(tw, test_writer_writes_network_order);
	tcase_add_test(tw, test_writer_overflow_is_sticky);
	tcase_add_test(tw, test_writer_reserve_and_set);
	tcase_add_test(tw, test_writer_zero_capacity);
	suite_add_tcase(s, tr);
	suite_add_tcase(s, tw);
	return s;
}
