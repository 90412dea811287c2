/* check_main.c - main() for every Check test binary (see check_main.h).
 * The ~30 test binaries used to carry a copy each; one copy keeps their
 * exit status and output the same for tests/run-unit.sh. */
#include <stdlib.h>

#include "check_main.h"

static void (*at_end)(void);

void check_main_at_end(void (*fn)(void))
{
	at_end = fn;
}

int main(void)
{
	SRunner *sr = srunner_create(test_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (at_end)
		at_end();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
