/* test_ctlproto.c - lib/ctlproto: message encoding and decoding, the limits
 * (size, depth, NUL, trailing data), and the client's error classes. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "ctlproto.h"

static char err[256];

START_TEST(request_roundtrip)
{
	struct json_object *args = json_object_new_object(), *root, *a, *v;
	const char *cmd;
	size_t len;
	char *line;

	json_object_object_add(args, "vni", json_object_new_int(100));
	json_object_object_add(args, "prefix", json_object_new_string("10.1.0.22/32"));
	line = ctlproto_encode_request("routes.add", args, &len);
	ck_assert_ptr_nonnull(line);
	ck_assert_uint_eq(len, strlen(line));
	ck_assert_int_eq(line[len - 1], '\n');
	ck_assert_ptr_null(memchr(line, '\n', len - 1));
	/* Prefixes keep their slash unescaped on the wire. */
	ck_assert_ptr_nonnull(strstr(line, "\"10.1.0.22/32\""));
	ck_assert_int_eq(ctlproto_decode_request(line, len, &root, &cmd, &a, err, sizeof(err)), 0);
	ck_assert_str_eq(cmd, "routes.add");
	ck_assert(json_object_object_get_ex(a, "vni", &v));
	ck_assert_int_eq(json_object_get_int(v), 100);
	json_object_put(root);
	/* The caller keeps its reference to args. */
	ck_assert_int_eq(json_object_put(args), 1);
	free(line);
}
END_TEST

START_TEST(request_without_args)
{
	struct json_object *root, *a;
	const char *cmd;
	const char *msgs[] = { "{\"cmd\":\"peers\"}\n", "{\"cmd\":\"peers\",\"args\":null}",
			       "  {\"cmd\" : \"peers\" , \"args\" : {}}  \r\n" };

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		ck_assert_int_eq(ctlproto_decode_request(msgs[i], strlen(msgs[i]), &root, &cmd, &a,
							 err, sizeof(err)), 0);
		ck_assert_str_eq(cmd, "peers");
		ck_assert(json_object_is_type(a, json_type_object));
		ck_assert_int_eq(json_object_object_length(a), 0);
		json_object_put(root);
	}
}
END_TEST

static int decode(const char *m, size_t len)
{
	struct json_object *root = (void *)1, *a;
	const char *cmd;
	int ret = ctlproto_decode_request(m, len, &root, &cmd, &a, err, sizeof(err));

	if (ret)
		ck_assert_ptr_null(root);
	json_object_put(root);
	return ret;
}

#define DECODE(s) decode(s, sizeof(s) - 1)

START_TEST(request_garbage)
{
	ck_assert_int_eq(DECODE(""), -EPROTO);
	ck_assert_int_eq(DECODE("\n"), -EPROTO);
	ck_assert_int_eq(DECODE("{\"cmd\":\"pe"), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	ck_assert_int_eq(DECODE("{\"cmd\":\"peers\""), -EPROTO);
	ck_assert_int_eq(DECODE("{cmd:peers}"), -EPROTO);
	ck_assert_int_eq(DECODE("{\"cmd\":\"peers\",}"), -EPROTO);       /* strict */
	ck_assert_int_eq(DECODE("{\"cmd\":\"peers\"}{\"cmd\":\"x\"}"), -EPROTO);
	ck_assert_int_eq(DECODE("{\"cmd\":\"pe\0ers\"}"), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
	ck_assert_int_eq(DECODE("\xff\xfe{}"), -EPROTO);
	ck_assert_int_eq(DECODE("[1,2]"), -EINVAL);
	ck_assert_int_eq(DECODE("\"peers\""), -EINVAL);
	ck_assert_int_eq(DECODE("{}"), -EINVAL);
	ck_assert_int_eq(DECODE("{\"cmd\":7}"), -EINVAL);
	ck_assert_int_eq(DECODE("{\"cmd\":\"peers\",\"args\":[]}"), -EINVAL);
	ck_assert_int_eq(DECODE("{\"cmd\":\"peers\",\"args\":\"x\"}"), -EINVAL);
	ck_assert_int_eq(DECODE("{\"cmd\":\"peers\",\"extra\":1}"), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "extra"));
}
END_TEST

START_TEST(request_limits)
{
	size_t n = CTLPROTO_MAX_MSG + 10;
	char *big = malloc(n + 1), *deep;
	int depth = 10000;

	/* Oversized, even when the JSON would be valid. */
	memset(big, ' ', n);
	memcpy(big, "{\"cmd\":\"peers\"}", 15);
	ck_assert_int_eq(decode(big, n), -EMSGSIZE);
	free(big);

	/* Nesting deeper than the tokener's limit is refused, not recursed. */
	deep = malloc((size_t)depth * 2 + 64);
	n = (size_t)sprintf(deep, "{\"cmd\":\"peers\",\"args\":{\"a\":");
	memset(deep + n, '[', (size_t)depth);
	n += (size_t)depth;
	memset(deep + n, ']', (size_t)depth);
	n += (size_t)depth;
	memcpy(deep + n, "}}", 3);
	ck_assert_int_eq(decode(deep, strlen(deep)), -EPROTO);
	free(deep);

	/* The encoder refuses what the decoder would refuse. */
	{
		struct json_object *a = json_object_new_object();
		char *line, *s = malloc(CTLPROTO_MAX_MSG + 1);
		size_t len;

		memset(s, 'x', CTLPROTO_MAX_MSG);
		s[CTLPROTO_MAX_MSG] = '\0';
		json_object_object_add(a, "ifname", json_object_new_string(s));
		errno = 0;
		ck_assert_ptr_null(ctlproto_encode_request("ports.del", a, &len));
		ck_assert_int_eq(errno, EMSGSIZE);
		/* An error reply always fits. */
		line = ctlproto_encode_error(s, &len);
		ck_assert_ptr_nonnull(line);
		ck_assert_uint_le(len, CTLPROTO_MAX_MSG);
		free(line);
		json_object_put(a);
		free(s);
	}
}
END_TEST

START_TEST(reply_roundtrip)
{
	struct json_object *data = json_object_new_array(), *root, *d;
	const char *error, *note;
	size_t len;
	bool ok;
	char *line;

	json_object_array_add(data, json_object_new_int(7));
	line = ctlproto_encode_ok_note(data, "hello", &len);
	ck_assert_int_eq(ctlproto_decode_reply(line, len, &root, &ok, &d, &error, &note,
					       err, sizeof(err)), 0);
	ck_assert(ok);
	ck_assert_int_eq(json_object_array_length(d), 1);
	ck_assert_str_eq(note, "hello");
	json_object_put(root);
	free(line);

	line = ctlproto_encode_ok(NULL, &len);
	ck_assert_str_eq(line, "{\"ok\":true,\"data\":null}\n");
	free(line);

	line = ctlproto_encode_error("no such route", &len);
	ck_assert_int_eq(ctlproto_decode_reply(line, len, &root, &ok, &d, &error, &note,
					       err, sizeof(err)), 0);
	ck_assert(!ok);
	ck_assert_str_eq(error, "no such route");
	ck_assert_ptr_null(note);
	json_object_put(root);
	free(line);

	ck_assert_int_eq(ctlproto_decode_reply("{\"data\":1}", 10, &root, &ok, &d, &error, &note,
					       err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(ctlproto_decode_reply("{\"ok\":\"yes\"}", 12, &root, &ok, &d, &error,
					       &note, err, sizeof(err)), -EINVAL);
	json_object_put(data);
}
END_TEST

START_TEST(parse_u32)
{
	uint32_t v = 0;

	ck_assert_int_eq(ctlproto_parse_u32("100", 1, CTLPROTO_VNI_MAX, &v), 0);
	ck_assert_uint_eq(v, 100);
	ck_assert_int_eq(ctlproto_parse_u32("16777215", 1, CTLPROTO_VNI_MAX, &v), 0);
	ck_assert_int_eq(ctlproto_parse_u32("16777216", 1, CTLPROTO_VNI_MAX, &v), -EINVAL);
	ck_assert_int_eq(ctlproto_parse_u32("0", 1, CTLPROTO_VNI_MAX, &v), -EINVAL);
	ck_assert_int_eq(ctlproto_parse_u32("", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(ctlproto_parse_u32("-1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(ctlproto_parse_u32("+1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(ctlproto_parse_u32("1x", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(ctlproto_parse_u32(" 1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(ctlproto_parse_u32("0x10", 0, 100, &v), -EINVAL);
	ck_assert_int_eq(ctlproto_parse_u32("99999999999", 0, UINT32_MAX, &v), -EINVAL);
	ck_assert_int_eq(ctlproto_parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT32_MAX);
}
END_TEST

START_TEST(call_unreachable)
{
	char dir[] = "/tmp/vtepd-unit-XXXXXX", path[128];
	struct json_object *root, *data;
	const char *error, *note;
	bool ok;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/none.sock", dir);
	ck_assert_int_eq(ctlproto_call(path, "peers", NULL, 1000, &root, &ok, &data, &error,
				       &note, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, path));
	rmdir(dir);
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(ctlproto_call(path, "peers", NULL, 1000, &root, &ok, &data, &error,
				       &note, err, sizeof(err)), -ENAMETOOLONG);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("ctlproto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, request_roundtrip);
	tcase_add_test(tc, request_without_args);
	tcase_add_test(tc, request_garbage);
	tcase_add_test(tc, request_limits);
	tcase_add_test(tc, reply_roundtrip);
	tcase_add_test(tc, parse_u32);
	tcase_add_test(tc, call_unreachable);
	suite_add_tcase(s, tc);
	return s;
}
