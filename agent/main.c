/* main.c - vtepd's command line.
 *
 *   vtepd -c FILE [-v]            run in the foreground, log to stderr
 *   vtepd --cleanup -c FILE [-v]  detach the programs, remove maps and pins
 *
 * Exit status: 0 clean exit, 1 failure at run time, 2 usage error or a bad
 * configuration file (the field is named; nothing was touched).
 * SIGHUP reloads the file; SIGTERM/SIGINT exit without detaching anything,
 * so forwarding continues and the next vtepd takes over the pins.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config.h"
#include "ctlproto.h"
#include "daemon.h"
#include "loader.h"
#include "log.h"
#include "vtep_maps.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vtepd -c FILE [-v]\n"
		"       vtepd --cleanup -c FILE [-v]\n"
		"  -c, --config FILE  JSON configuration (see vtepd(8))\n"
		"  -v, --verbose      debug logging\n"
		"      --cleanup      detach the programs and remove the pinned maps\n"
		"  -V, --version      print the version\n"
		"  -h, --help         this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vtep_config cfg;
	struct daemon *d = NULL;
	char err[CFG_ERR_LEN] = "";
	const char *path = NULL;
	int c, ret, cleanup = 0;

	while ((c = getopt_long(argc, argv, "c:vVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'v':
			log_level = LOG_LVL_DEBUG;
			break;
		case 'C':
			cleanup = 1;
			break;
		case 'V':
			printf("vtepd %s (map layout %d)\n", VTEP_VERSION, VTEP_LAYOUT_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}
	loader_log_init();
	/* Parsed in full before anything is touched: a bad file changes
	 * nothing, whether vtepd was running before or not. */
	ret = config_load(path, &cfg, err);
	if (ret) {
		log_err("%s: %s", path, err[0] ? err : strerror(-ret));
		return 2;
	}
	if (cleanup) {
		ret = cleanup_run(&cfg);
		config_free(&cfg);
		return ret ? 1 : 0;
	}
	ret = daemon_start(path, &cfg, &d);
	config_free(&cfg); /* empty after a successful start */
	if (ret)
		return 1;
	ret = daemon_run(d);
	daemon_free(d);
	return ret ? 1 : 0;
}
