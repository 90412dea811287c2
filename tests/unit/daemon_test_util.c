/* daemon_test_util.c - see daemon_test_util.h. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <json-c/json.h>

#include "ctlproto.h"
#include "daemon.h"
#include "daemon_test_util.h"
#include "loader.h"
#include "log.h"
#include "nl_test_util.h"

char dt_dir[64];
char dt_cfg_path[128];

static char bpf_mnt[96];
static char first_sock[CFG_PATH_LEN];
static struct daemon *dmn;
static pthread_t loop_thread;
static bool running;

void dt_setup(void)
{
	/* As main() does: libbpf's messages through our log, at its level
	 * (a refused probe is expected, not noise for the test's output). */
	log_level = getenv("DT_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERR;
	loader_log_init();
	ck_assert_int_eq(unshare(CLONE_NEWNET | CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	/* A /tmp of the case's own: what it makes there goes with it, also
	 * when a failed assertion ends the case before dt_teardown(). */
	ck_assert_int_eq(mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777"), 0);
	strcpy(dt_dir, "/tmp/vtepd-dt-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dt_dir));
	snprintf(bpf_mnt, sizeof(bpf_mnt), "%s/bpf", dt_dir);
	ck_assert_int_eq(mkdir(bpf_mnt, 0700), 0);
	ck_assert_int_eq(mount("bpf", bpf_mnt, "bpf", 0, NULL), 0);
	snprintf(dt_cfg_path, sizeof(dt_cfg_path), "%s/vtepd.json", dt_dir);
	nt_sh("ip link set lo up && ip addr add 192.0.2.1/32 dev lo && "
	      "for i in up0 up1 up2 w1 w2 w3 w4; do "
	      "ip link add $i type veth peer name ${i}p && ip link set $i up && "
	      "ip link set ${i}p up || exit 1; done");
	running = false;
	first_sock[0] = '\0';
}

void dt_teardown(void)
{
	if (running)
		dt_stop();
	umount2(bpf_mnt, MNT_DETACH);
	nt_sh("rm -rf '%s'", dt_dir);
}

void dt_write_config(const char *json)
{
	FILE *f = fopen(dt_cfg_path, "w");
	const char *p;

	ck_assert_ptr_nonnull(f);
	for (p = json; *p; p++) {
		if (!strncmp(p, "@DIR@", 5)) {
			fputs(dt_dir, f);
			p += 4;
		} else {
			fputc(*p, f);
		}
	}
	ck_assert_int_eq(fclose(f), 0);
}

void dt_load_config(struct vtep_config *c)
{
	char err[CFG_ERR_LEN] = "";

	ck_assert_msg(config_load(dt_cfg_path, c, err) == 0, "%s: %s", dt_cfg_path, err);
}

static void *loop_main(void *arg)
{
	(void)arg;
	daemon_run(dmn);
	return NULL;
}

void dt_start(void)
{
	struct vtep_config c;

	ck_assert(!running);
	dt_load_config(&c);
	if (!first_sock[0])
		snprintf(first_sock, sizeof(first_sock), "%s", c.control_socket);
	/* daemon_start blocks SIGHUP/SIGTERM/SIGINT here; the loop thread
	 * inherits the mask and reads them from its signalfd. */
	ck_assert_int_eq(daemon_start(dt_cfg_path, &c, NULL, &dmn), 0);
	ck_assert_int_eq(pthread_create(&loop_thread, NULL, loop_main, NULL), 0);
	running = true;
}

void dt_stop(void)
{
	ck_assert(running);
	/* Blocked in every thread: pending for the process, read by the
	 * loop's signalfd. */
	ck_assert_int_eq(kill(getpid(), SIGTERM), 0);
	ck_assert_int_eq(pthread_join(loop_thread, NULL), 0);
	daemon_free(dmn);
	dmn = NULL;
	running = false;
}

bool dt_running(void)
{
	return running;
}

int dt_ctl(const char *path, const char *cmd, const char *args, char *err, size_t errlen)
{
	struct json_object *a = args ? json_tokener_parse(args) : NULL, *root = NULL, *data;
	const char *error = NULL, *note;
	char why[256];
	bool ok = false;
	int ret;

	ck_assert_msg(!args || a, "bad JSON in the test: %s", args);
	ret = ctlproto_call(path ? path : first_sock, cmd, a, 10000, &root, &ok, &data, &error,
			    &note, why, sizeof(why));
	if (err && errlen)
		snprintf(err, errlen, "%s", ret ? why : error ? error : "");
	json_object_put(root);
	json_object_put(a);
	return ret ? ret : ok;
}

int dt_map(const char *sub, const char *map)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s/%s", bpf_mnt, sub, map);
	fd = bpf_obj_get(p);
	return fd < 0 ? -errno : fd;
}

bool dt_tc_attached(const char *ifname)
{
	char out[2048];

	nt_out(out, sizeof(out), "tc filter show dev %s ingress", ifname);
	return strstr(out, " bpf ") != NULL;
}

bool dt_xdp_attached(const char *ifname)
{
	char out[2048];

	nt_out(out, sizeof(out), "ip -d link show %s", ifname);
	return strstr(out, "prog/xdp") != NULL;
}
