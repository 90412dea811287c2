/* test_hashmap.c - lib/hashmap: insert/replace/delete against a reference,
 * backward-shift deletion under heavy collisions, iteration. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "hashmap.h"

struct k12 {
	uint32_t a, b, c;
};

START_TEST(test_put_get_replace)
{
	struct hashmap m;
	uint32_t k = 7, v = 1, *p;
	bool created;

	ck_assert_int_eq(hashmap_init(&m, sizeof(k), sizeof(v), 0), 0);
	ck_assert_ptr_null(hashmap_get(&m, &k));
	p = hashmap_put(&m, &k, &v, &created);
	ck_assert_ptr_nonnull(p);
	ck_assert(created);
	ck_assert_uint_eq(*p, 1);
	v = 2;
	p = hashmap_put(&m, &k, &v, &created);
	ck_assert(!created);
	ck_assert_uint_eq(*(uint32_t *)hashmap_get(&m, &k), 2);
	/* NULL value keeps the old one on replace. */
	hashmap_put(&m, &k, NULL, &created);
	ck_assert_uint_eq(*(uint32_t *)hashmap_get(&m, &k), 2);
	ck_assert_uint_eq(hashmap_count(&m), 1);
	ck_assert_int_eq(hashmap_del(&m, &k), 0);
	ck_assert_int_eq(hashmap_del(&m, &k), -ENOENT);
	ck_assert_ptr_null(hashmap_get(&m, &k));
	ck_assert_uint_eq(hashmap_count(&m), 0);
	hashmap_free(&m);
}
END_TEST

/* 200k keys, delete a pseudo-random half, check every key's presence and
 * value: a wrong backward shift loses or resurrects keys. */
START_TEST(test_many_against_reference)
{
	enum { N = 200000 };
	struct hashmap m;
	uint8_t *present = calloc(N, 1);
	uint32_t i, seed = 12345;

	ck_assert_int_eq(hashmap_init(&m, sizeof(struct k12), sizeof(uint32_t), 0), 0);
	for (i = 0; i < N; i++) {
		struct k12 k = { i, i * 2654435761u, 100 };

		ck_assert_ptr_nonnull(hashmap_put(&m, &k, &i, NULL));
		present[i] = 1;
	}
	ck_assert_uint_eq(hashmap_count(&m), N);
	for (i = 0; i < N; i++) {
		uint32_t j;
		struct k12 k;

		seed = seed * 1103515245 + 12345;
		j = (seed >> 8) % N;
		k = (struct k12){ j, j * 2654435761u, 100 };
		ck_assert_int_eq(hashmap_del(&m, &k), present[j] ? 0 : -ENOENT);
		present[j] = 0;
	}
	for (i = 0; i < N; i++) {
		struct k12 k = { i, i * 2654435761u, 100 };
		uint32_t *v = hashmap_get(&m, &k);

		if (present[i]) {
			ck_assert_ptr_nonnull(v);
			ck_assert_uint_eq(*v, i);
		} else {
			ck_assert_ptr_null(v);
		}
	}
	hashmap_free(&m);
	free(present);
}
END_TEST

/* A 16-slot table filled to 3/4 has long probe runs, some wrapping past the
 * last slot: every deletion pattern must keep the rest reachable. */
START_TEST(test_dense_small_table)
{
	uint32_t trial;

	for (trial = 0; trial < 4096; trial++) {
		struct hashmap m;
		uint32_t i, n = 11, base = trial * 97;

		ck_assert_int_eq(hashmap_init(&m, sizeof(uint32_t), 0, 11), 0);
		ck_assert_uint_eq(m.cap, 16);
		for (i = 0; i < n; i++) {
			uint32_t k = base + i;

			ck_assert_ptr_nonnull(hashmap_put(&m, &k, NULL, NULL));
		}
		ck_assert_uint_eq(m.cap, 16); /* no growth hid the clusters */
		for (i = 0; i < n; i++) {
			uint32_t k = base + i;

			if ((trial >> (i % 12)) & 1)
				ck_assert_int_eq(hashmap_del(&m, &k), 0);
		}
		for (i = 0; i < n; i++) {
			uint32_t k = base + i;
			bool want = !((trial >> (i % 12)) & 1);

			ck_assert((hashmap_get(&m, &k) != NULL) == want);
		}
		hashmap_free(&m);
	}
}
END_TEST

START_TEST(test_iterate_once_each)
{
	struct hashmap m;
	uint32_t i, seen[1000] = { 0 };
	size_t pos = 0, n = 0;
	const uint32_t *k;
	void *v;

	ck_assert_int_eq(hashmap_init(&m, sizeof(uint32_t), sizeof(uint32_t), 0), 0);
	for (i = 0; i < 1000; i++) {
		uint32_t val = i + 1;

		hashmap_put(&m, &i, &val, NULL);
	}
	while ((k = hashmap_next(&m, &pos, &v))) {
		ck_assert_uint_lt(*k, 1000);
		ck_assert_uint_eq(*(uint32_t *)v, *k + 1);
		seen[*k]++;
		n++;
	}
	ck_assert_uint_eq(n, 1000);
	for (i = 0; i < 1000; i++)
		ck_assert_uint_eq(seen[i], 1);
	hashmap_clear(&m);
	ck_assert_uint_eq(hashmap_count(&m), 0);
	pos = 0;
	ck_assert_ptr_null(hashmap_next(&m, &pos, NULL));
	hashmap_free(&m);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("hashmap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_put_get_replace);
	tcase_add_test(tc, test_many_against_reference);
	tcase_add_test(tc, test_dense_small_table);
	tcase_add_test(tc, test_iterate_once_each);
	suite_add_tcase(s, tc);
	return s;
}
