/* test_uplink.c - the uplink programs (bpf/uplink_xdp.bpf.c, uplink_tc.bpf.c,
 * bpf/decap.h) under BPF_PROG_TEST_RUN, and live on veths: one suite made
 * of the feature files (uplink_fixture.h says which is what).
 *
 * The XDP half is two programs with one body (bpf/uplink_xdp.bpf.c): the
 * native-mode build with multi-buffer support (vtep_uplink_xdp) and the
 * generic-mode build without (vtep_uplink_gen); the table runs through both,
 * and multi-buffer frames through the native one. The TC side is one
 * program per uplink mode (bpf/uplink_tc.bpf.c): vtep_uplink_tc in tc mode
 * classifies and decapsulates by itself; vtep_uplink_xtc, the TC half of xdp
 * mode, acts only on frames carrying the XDP half's metadata.
 *
 * Kernels that cannot run the XDP half (a verifier that refuses
 * bpf_xdp_adjust_meta in XDP programs, as some builds do): test_suite()
 * first loads uplink_xdp once, in a child, through the harness. When the
 * kernel refuses it, and refuses one of the XDP capabilities vtepd itself
 * probes (bpf/probe.bpf.c) too, the XDP tcases are not added and one line
 * `SKIP test_uplink [xdp]: <verifier line>` says so (tests/run-unit.sh
 * counts it). A refusal on a kernel that passes those probes is our
 * program's fault: the XDP tcases run and fail. Everything on the TC side
 * runs on every kernel: it carries the decapsulation contract of tc mode,
 * vtepd's fallback.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>

#include "check_main.h"
#include "probe.skel.h"
#include "uplink_fixture.h"

/* ------------------------------------------------ can XDP run here? */

enum xdp_here {
	XDP_HERE_OK,      /* uplink_xdp loads: run the XDP tcases */
	XDP_HERE_KERNEL,  /* the kernel lacks what it needs: skip them */
	XDP_HERE_BROKEN,  /* refused or not even opened on a kernel that has
			   * everything: our fault, run them and let them fail */
};

/* The XDP capabilities vtepd probes before it loads the XDP half
 * (bpf/probe.bpf.c): the programs the kernel must take for uplink_xdp to
 * load at all. */
/* The XDP capabilities vtepd probes before it loads the XDP half
 * (bpf/probe.bpf.c): the programs the kernel must take for uplink_xdp to
 * load at all. */
static const char *const xdp_probes[] = { "probe_xdp", "probe_xdp_meta", "probe_xdp_frags" };

/* Loads probe.bpf.c with only `prog`; 0, or the refusal in why. */
static int probe_one(const char *prog, char *why, size_t len)
{
	struct probe_bpf *skel = probe_bpf__open();
	struct bpf_program *p;
	int err;

	if (!skel) {
		snprintf(why, len, "cannot open the probe object: %s", strerror(errno));
		return -1;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), prog));
	bpf_map__set_autocreate(skel->maps.probe_rb, false);
	harness_bpflog_begin();
	err = probe_bpf__load(skel);
	harness_bpflog_end(why, len);
	probe_bpf__destroy(skel);
	if (err && !why[0])
		snprintf(why, len, "%s", strerror(-err));
	return err;
}

/* In the child: load uplink_xdp as setup() does (the harness's private
 * namespaces and bpffs, so nothing is pinned outside), and judge a refusal. */
static enum xdp_here xdp_try(char *why, size_t len)
{
	char line[256] = "", note[256] = "";
	struct uplink_xdp_bpf *skel;
	int err;

	if (harness_init(&h, HARNESS_NETNS)) {
		snprintf(why, len, "harness_init failed");
		return XDP_HERE_BROKEN;
	}
	skel = uplink_xdp_bpf__open_opts(harness_open_opts(&h));
	if (!skel) {
		snprintf(why, len, "cannot open uplink_xdp: %s", strerror(errno));
		harness_fini(&h);
		return XDP_HERE_BROKEN;
	}
	harness_bpflog_begin();
	err = uplink_xdp_bpf__load(skel);
	harness_bpflog_end(line, sizeof(line));
	uplink_xdp_bpf__destroy(skel);
	harness_fini(&h);
	if (!err)
		return XDP_HERE_OK;
	if (!line[0])
		snprintf(line, sizeof(line), "%s", strerror(-err));
	for (size_t i = 0; i < sizeof(xdp_probes) / sizeof(xdp_probes[0]); i++) {
		if (probe_one(xdp_probes[i], note, sizeof(note))) {
			snprintf(why, len, "%s (the kernel refuses vtepd's %s probe too)", line,
				 xdp_probes[i]);
			return XDP_HERE_KERNEL;
		}
	}
	snprintf(why, len, "uplink_xdp refused (%s) by a kernel that passes every XDP "
		 "capability probe", line);
	return XDP_HERE_BROKEN;
}

/* Once, in a child process: the namespaces and the bpffs mount that
 * harness_init() makes die with it, and this process stays as Check left
 * it. The child writes one byte (enum xdp_here) and the reason. Anything
 * unexpected counts as broken, never as a skip. */
static enum xdp_here xdp_here(char *why, size_t len)
{
	char buf[513];
	int fds[2], status = -1;
	ssize_t n = 0, got;
	pid_t pid;

	snprintf(why, len, "the XDP probe child failed");
	if (pipe(fds) < 0)
		return XDP_HERE_BROKEN;
	fflush(stdout); /* nothing buffered twice */
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		buf[0] = (char)xdp_try(buf + 1, sizeof(buf) - 1);
		_exit(write(fds[1], buf, 1 + strlen(buf + 1)) > 0 ? 0 : 1);
	}
	close(fds[1]);
	while (pid > 0 && (size_t)n < sizeof(buf) - 1 &&
	       (got = read(fds[0], buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += got;
	close(fds[0]);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || n < 1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    (uint8_t)buf[0] > XDP_HERE_BROKEN)
		return XDP_HERE_BROKEN;
	buf[n] = '\0';
	snprintf(why, len, "%s", buf + 1);
	return (enum xdp_here)buf[0];
}

Suite *test_suite(void)
{
	Suite *s = suite_create("uplink");
	enum xdp_here xdp;
	char why[512];

	xdp = xdp_here(why, sizeof(why));
	if (xdp == XDP_HERE_KERNEL) {
		/* One line for tests/run-unit.sh to count: these cases are
		 * neither passed nor failed here. */
		printf("SKIP test_uplink [xdp]: %s\n", why);
		fflush(stdout);
	} else if (xdp == XDP_HERE_BROKEN) {
		fprintf(stderr, "test_uplink: %s; the XDP tests run and fail\n", why);
	}
	uplink_decap_add(s, xdp != XDP_HERE_KERNEL);
	uplink_cuts_add(s, xdp != XDP_HERE_KERNEL);
	uplink_modes_add(s, xdp != XDP_HERE_KERNEL);
	uplink_live_add(s, xdp != XDP_HERE_KERNEL);
	uplink_ctsteer_add(s, xdp != XDP_HERE_KERNEL);
	return s;
}
