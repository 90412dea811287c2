/* vtepctl.c - vtepd's command line tool (man vtepctl(8)).
 *
 * Map dumps read the pinned maps directly (they work while vtepd is down);
 * edits and live BGP state go through vtepd's control socket. Exit status:
 * 0 ok, 1 operation failed, 2 usage error, 3 vtepd not reachable. */
#include <stdio.h>

#include "cmdline.h"
#include "help.h"
#include "output.h"
#include "remote.h"
#include "show.h"

int main(int argc, char **argv)
{
	struct cmdline c;
	char err[256];
	int status;

	if (cmdline_parse(argc, argv, &c, err, sizeof(err))) {
		fprintf(stderr, "vtepctl: %s\n", err);
		if (c.obj != OBJ_NONE)
			fprintf(stderr, "Try `vtepctl %s help`.\n", cmdline_object_name(c.obj));
		else
			fprintf(stderr, "Try `vtepctl help`.\n");
		return VTEPCTL_USAGE;
	}
	if (c.verb == VERB_HELP) {
		help_print(stdout, c.obj);
		return out_finish() ? VTEPCTL_FAILED : VTEPCTL_OK;
	}
	switch (c.obj) {
	case OBJ_ROUTES:
	case OBJ_PORTS:
		status = c.verb == VERB_SHOW ? show_maps(&c) : remote_run(&c);
		break;
	case OBJ_NEIGH:
	case OBJ_FDB:
	case OBJ_VNIS:
	case OBJ_STATS:
		status = show_maps(&c);
		break;
	default:
		status = remote_run(&c);
		break;
	}
	if (out_finish() && status == VTEPCTL_OK)
		status = VTEPCTL_FAILED;
	return status;
}
