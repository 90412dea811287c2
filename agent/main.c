/* main.c - vtepd's command line.
 *
 *   vtepd -c FILE [-v]            run in the foreground, log to stderr
 *   vtepd --cleanup -c FILE [-v]  detach the programs, remove maps and pins
 *   vtepd --probe [-c FILE] [-j]  what this kernel (and each uplink) can run
 *
 * Exit status: 0 clean exit, 1 failure at run time (including a kernel that
 * lacks a capability with no fallback, or an explicit "xdp" it cannot run),
 * 2 usage error or a bad configuration file (the field is named; nothing
 * was touched).
 *
 * --test-features (tests only, documented as not for production) makes
 * vtepd honour VTEPD_TEST_FEATURES="name=0,...": those capabilities count as
 * missing, so the suite forces every fallback on every kernel. Without the
 * flag the variable is ignored, so a stray environment cannot change what
 * a production vtepd runs.
 * SIGHUP reloads the file; SIGTERM/SIGINT exit without detaching anything,
 * so forwarding continues and the next vtepd takes over the pins.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config.h"
#include "control.h"
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
		"       vtepd --probe [-c FILE] [-j] [-v]\n"
		"  -c, --config FILE  JSON configuration (see vtepd(8))\n"
		"  -v, --verbose      debug logging\n"
		"      --cleanup      detach the programs and remove the pinned maps\n"
		"      --probe        print what this kernel (and, with -c, each uplink)\n"
		"                     can run, and the uplink modes vtepd would choose\n"
		"  -j, --json         --probe's output as JSON\n"
		"      --test-features  honour VTEPD_TEST_FEATURES=\"name=0,...\" to turn\n"
		"                     kernel capabilities off (tests only, not for production)\n"
		"  -V, --version      print the version\n"
		"  -h, --help         this text\n");
}

/* The environment variable --test-features reads. Only tests set it: it
 * makes vtepd believe the kernel lacks capabilities it has, so that every
 * fallback runs on every kernel. */
#define VTEPD_TEST_FEATURES_ENV "VTEPD_TEST_FEATURES"

/* vtepd --probe: what vtepd would do here, without doing it. Exit 0 when
 * vtepd can run (with FILE's uplink_attach), 1 when it cannot. */
static int run_probe(const char *path, const char *override, bool json)
{
	struct vtep_config cfg, *c = NULL;
	struct uplink_status st;
	char err[CFG_ERR_LEN] = "";
	int ret;

	if (path) {
		ret = config_load(path, &cfg, err);
		if (ret) {
			log_err("%s: %s", path, err[0] ? err : strerror(-ret));
			return 2;
		}
		c = &cfg;
	}
	ret = daemon_probe_report(c, override, &st);
	if (c)
		config_free(c);
	if (ret == -EINVAL)
		return 2;
	if (json) {
		struct json_object *j = control_status_json(&st);

		if (j)
			printf("%s\n", json_object_to_json_string_ext(j, CTLPROTO_JSON_FLAGS |
								  JSON_C_TO_STRING_PRETTY));
		json_object_put(j);
	} else {
		char line[1024];

		probe_format(&st.features, line, sizeof(line));
		printf("kernel features: %s\n", line);
		printf("datapath programs: %s\n", st.tc_refusal[0] ? st.tc_refusal : "load");
		printf("XDP uplink program: %s\n", st.xdp_program);
		for (size_t i = 0; i < st.n_uplinks; i++)
			printf("uplink %s: %s (%s)\n", st.uplinks[i].ifname,
			       uplink_mode_name(st.uplinks[i].mode), st.uplinks[i].reason);
	}
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "probe", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "test-features", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vtep_config cfg;
	struct daemon *d = NULL;
	char err[CFG_ERR_LEN] = "";
	const char *path = NULL, *override = NULL;
	int c, ret, cleanup = 0, probe = 0, json = 0, test_features = 0;

	while ((c = getopt_long(argc, argv, "c:vVhj", opts, NULL)) != -1) {
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
		case 'P':
			probe = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'T':
			test_features = 1;
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
	if (optind != argc || (!path && !probe) || (json && !probe) || (probe && cleanup)) {
		usage(stderr);
		return 2;
	}
	loader_log_init();
	if (test_features) {
		override = getenv(VTEPD_TEST_FEATURES_ENV);
		if (override && !*override)
			override = NULL;
	}
	if (probe)
		return run_probe(path, override, json);
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
	ret = daemon_start(path, &cfg, override, &d);
	config_free(&cfg); /* empty after a successful start */
	if (ret)
		return 1;
	ret = daemon_run(d);
	daemon_free(d);
	return ret ? 1 : 0;
}
