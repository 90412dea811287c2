/* probe.c - the kernel capability probes of probe.h.
 *
 * Each BPF probe is the probe skeleton opened afresh with one program set
 * to load (bpf/probe.bpf.c), so one refusal never hides another and the
 * verifier's answer (agent/dp/bpflog.c) belongs to that capability alone.
 */
#include "probe.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpflog.h"
#include "probe.skel.h"

static const struct {
	const char *name, *kernel, *what;
	bool required;
} feats[PROBE_F_COUNT] = {
#define PROBE_ROW(n, k, r, w) [PROBE_F_##n] = { #n, k, w, r },
	PROBE_FEATURES(PROBE_ROW)
#undef PROBE_ROW
};

const char *probe_name(enum probe_feature f)
{
	return f < PROBE_F_COUNT ? feats[f].name : "?";
}

const char *probe_min_kernel(enum probe_feature f)
{
	return f < PROBE_F_COUNT ? feats[f].kernel : "?";
}

const char *probe_what(enum probe_feature f)
{
	return f < PROBE_F_COUNT ? feats[f].what : "?";
}

bool probe_is_required(enum probe_feature f)
{
	return f < PROBE_F_COUNT && feats[f].required;
}

enum probe_feature probe_by_name(const char *name)
{
	int f;

	for (f = 0; f < PROBE_F_COUNT; f++)
		if (!strcmp(feats[f].name, name))
			return (enum probe_feature)f;
	return PROBE_F_COUNT;
}

/* ---- BPF program probes ----------------------------------------------------- */

/* Loads the probe object with only `prog` enabled (and the ring buffer map
 * only when that program needs it). Returns true when the kernel took it;
 * otherwise note says why, in the verifier's words. */
static bool load_one(const char *prog, bool want_ringbuf, char *note, size_t len)
{
	struct probe_bpf *skel;
	struct bpf_program *p;
	int err;

	bpflog_capture_begin(1);
	skel = probe_bpf__open();
	if (!skel) {
		err = -errno;
		bpflog_capture_end(note, len);
		snprintf(note, len, "cannot open the probe object: %s", strerror(-err));
		return false;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), prog));
	bpf_map__set_autocreate(skel->maps.probe_rb, want_ringbuf);
	err = probe_bpf__load(skel);
	probe_bpf__destroy(skel);
	bpflog_capture_end(note, len);
	if (!err)
		return true;
	if (!note[0])
		snprintf(note, len, "refused: %s", strerror(-err));
	return false;
}

/* Kernel BTF: without it libbpf cannot relocate the programs (CO-RE). */
static bool probe_btf(char *note, size_t len)
{
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf) {
		snprintf(note, len, "no kernel BTF: %s (CONFIG_DEBUG_INFO_BTF)", strerror(errno));
		return false;
	}
	btf__free(btf);
	return true;
}

/* clsact: created on lo in a network namespace of its own, in a child
 * process, so the probe never touches a device of the host. A host that
 * does not let vtepd make a namespace (no CAP_SYS_ADMIN) gets the answer
 * from the first real attach instead. */
static bool probe_clsact(char *note, size_t len)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(note, len, "not probed (fork: %s); checked at attach", strerror(errno));
		return true;
	}
	if (pid == 0) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = 1, .attach_point = BPF_TC_INGRESS);
		int err;

		libbpf_set_print(NULL);
		if (unshare(CLONE_NEWNET))
			_exit(2);
		err = bpf_tc_hook_create(&hook);
		_exit(err && err != -EEXIST ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		snprintf(note, len, "not probed (no private network namespace); checked at attach");
		return true;
	}
	snprintf(note, len, "the kernel refused a clsact qdisc (CONFIG_NET_SCH_INGRESS)");
	return false;
}

void probe_kernel(struct probe_set *s)
{
	static const struct {
		enum probe_feature f;
		const char *prog;
	} progs[] = {
		{ PROBE_F_ringbuf, "probe_ringbuf" },
		{ PROBE_F_fib_lookup, "probe_fib_lookup" },
		{ PROBE_F_redirect_neigh, "probe_redirect_neigh" },
		{ PROBE_F_redirect_peer, "probe_redirect_peer" },
		{ PROBE_F_ktime_coarse, "probe_ktime_coarse" },
		{ PROBE_F_xdp, "probe_xdp" },
		{ PROBE_F_xdp_meta, "probe_xdp_meta" },
		{ PROBE_F_xdp_frags, "probe_xdp_frags" },
		{ PROBE_F_ct_lookup, "probe_ct_lookup" },
		{ PROBE_F_check_mtu, "probe_check_mtu" },
	};
	size_t i;

	memset(s, 0, sizeof(*s));
	s->have[PROBE_F_btf] = probe_btf(s->note[PROBE_F_btf], PROBE_NOTE_LEN);
	s->have[PROBE_F_clsact] = probe_clsact(s->note[PROBE_F_clsact], PROBE_NOTE_LEN);
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		enum probe_feature f = progs[i].f;

		/* Without kernel BTF nothing CO-RE loads: say so once. */
		if (!s->have[PROBE_F_btf]) {
			snprintf(s->note[f], PROBE_NOTE_LEN, "not probed: no kernel BTF");
			continue;
		}
		s->have[f] = load_one(progs[i].prog, f == PROBE_F_ringbuf, s->note[f],
				      PROBE_NOTE_LEN);
	}
}

int probe_override(struct probe_set *s, const char *spec, char *err, size_t errlen)
{
	char *copy = strdup(spec), *item, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		enum probe_feature f;

		if (!eq || strcmp(eq + 1, "0")) {
			snprintf(err, errlen, "\"%s\": expected NAME=0 (a capability can only be "
				 "turned off)", item);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		f = probe_by_name(item);
		if (f == PROBE_F_COUNT) {
			snprintf(err, errlen, "\"%s\": no such capability", item);
			ret = -EINVAL;
			break;
		}
		s->have[f] = false;
		s->forced_off[f] = true;
		snprintf(s->note[f], PROBE_NOTE_LEN, "turned off by the test override");
	}
	free(copy);
	return ret;
}

enum probe_feature probe_required_missing(const struct probe_set *s)
{
	int f;

	for (f = 0; f < PROBE_F_COUNT; f++)
		if (feats[f].required && !s->have[f])
			return (enum probe_feature)f;
	return PROBE_F_COUNT;
}

void probe_format(const struct probe_set *s, char *buf, size_t len)
{
	size_t off = 0;
	int f;

	buf[0] = '\0';
	for (f = 0; f < PROBE_F_COUNT && off < len; f++) {
		int n = s->have[f] ? snprintf(buf + off, len - off, "%s%s", off ? " " : "",
					      feats[f].name)
				   : snprintf(buf + off, len - off, "%s-%s (%s)", off ? " " : "",
					      feats[f].name, s->note[f]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}
