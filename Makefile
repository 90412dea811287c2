# vtepd - build, test, demo, bench.
#
#   make            build the BPF objects, skeletons, vtepd and vtepctl into build/
#   make deps       install every Debian package needed (root, non-interactive)
#   make test       everything: unit (plain + ASan/UBSan), BPF program, network, contract
#   make demo       BGP EVPN demo in namespaces: two vtepd hosts, an FRR leaf and route
#                   reflector, pings across VXLAN (make demo-down removes it)
#   make bench      performance figures (never pass/fail)
#   V=1             show the full commands
#
# Chain (libbpf-bootstrap style): bpf/x.bpf.c -> build/x.bpf.o -> build/x.skel.h
# -> agent objects -> build/vtepd. Build output stays in $(BUILD).

BUILD    ?= build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
SAN      ?=
ARCH     := $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
            -Iinclude -Ilib -I$(BUILD) $(shell pkg-config --cflags libnl-route-3.0 libnl-genl-3.0 json-c 2>/dev/null)
ifneq ($(SAN),)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif
LIBS     := -lbpf -lelf -lz $(shell pkg-config --libs libnl-route-3.0 libnl-genl-3.0 json-c libmicrohttpd 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
              -Wno-unused-function -Iinclude -Ibpf -I.

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
BPF_HDRS   := $(wildcard bpf/*.h) $(wildcard include/*.h)

# agent/ is in folders by role, lowest first; agent/layers.mk says which
# folders each one may use (docs/design.md "Source layout"). Each folder is
# compiled with -I for itself and its listed folders only, so a header of
# any other folder is not found, and is archived as $(BUILD)/agent/libDIR.a.
include agent/layers.mk
AGENT_ROOT_SRCS := $(wildcard agent/*.c)
AGENT_ROOT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(AGENT_ROOT_SRCS))
$(foreach d,$(AGENT_DIRS),$(eval AGENT_OBJS_$(d) := \
	$(patsubst %.c,$(BUILD)/%.o,$(wildcard agent/$(d)/*.c))))
AGENT_OBJS := $(AGENT_ROOT_OBJS) $(foreach d,$(AGENT_DIRS),$(AGENT_OBJS_$(d)))
# Folders (and the folders they use, down to the bottom), highest first:
# the order their archives link in.
agent_reverse = $(if $(1),$(call agent_reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
agent_below = $(sort $(foreach d,$(1),$(d) $(call agent_below,$(AGENT_USES_$(d)))))
agent_link = $(foreach d,$(call agent_reverse,$(AGENT_DIRS)),$(filter $(d),$(call agent_below,$(1))))
agent_archives = $(foreach d,$(call agent_link,$(1)),$(BUILD)/agent/lib$(d).a)
agent_inc = $(addprefix -Iagent/,$(1) $(AGENT_USES_$(1)))
$(foreach d,$(AGENT_DIRS),$(eval $(AGENT_OBJS_$(d)): AGENT_INC := $(call agent_inc,$(d))))
$(AGENT_ROOT_OBJS): AGENT_INC := -Iagent $(addprefix -Iagent/,$(AGENT_DIRS))

# Generated header dependencies: an object depends on the headers it
# includes, no others.
DEPFLAGS   := -MMD -MP

LIB_SRCS   := $(wildcard lib/*.c)
LIB_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
CLI_SRCS   := $(wildcard cli/*.c)
CLI_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRCS))
# vtepd-cni (cni/): everything but main() is archived for its unit tests.
CNI_SRCS   := $(wildcard cni/*.c)
CNI_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(CNI_SRCS))
CNI_LIB_OBJS := $(filter-out $(BUILD)/cni/cni_main.o,$(CNI_OBJS))

# Unit tests, by the folder each one exercises: it is compiled with that
# folder's include path and linked with the archives of that folder and the
# folders below it only, so a hidden dependency upward fails to build.
# "lib": tests of lib/ (and cli/) alone, linked with no agent archive.
# "root": tests of agent/*.c (daemon, cleanup), compiled like the root and
# linked with every folder's archive and the root's own (libroot.a: agent/*.c
# but main.c).
UNIT_TESTS_lib  := test_addr test_addr6 test_ctlproto test_hashmap test_mapdump test_rbuf test_vtepctl_args
UNIT_TESTS_conf := test_config_bgp test_config_errors test_config_golden test_config_ports \
                   test_config_vnis test_config_vtep test_state test_pods
UNIT_TESTS_wire := test_bgp_as4 test_bgp_msg_attrs test_bgp_msg_evpn test_bgp_msg_framing \
                   test_bgp_msg_notification test_bgp_msg_open test_evpn_nlri
UNIT_TESTS_dp   := test_loader test_mapsync test_mapsync_full test_mapsync6 test_migrate test_probe test_rcache test_rtab test_uplink_mode
UNIT_TESTS_host := test_hostaddr test_hostaddr6 test_hostroute test_ports test_underlay
UNIT_TESTS_rib  := test_evpn_export test_evpn_import test_rib test_rib6 test_rib_dup test_rib_store test_vectors6
UNIT_TESTS_bgp  := test_bgp_io test_bgp_session test_bgp_session_gr test_bgp_session_pair test_bgp_session_rx \
                   test_bgp_speaker test_frr_vectors
UNIT_TESTS_ctl  := test_control_bgp test_control_edits test_control_refused test_control_socket \
                   test_control_status test_metrics test_cnictl
UNIT_TESTS_root := test_cleanup test_daemon_reload
# "cni": tests of the plugin (cni/), linked with its archive and lib/ only.
UNIT_TESTS_cni  := test_cni
# The fixtures the tests share (tests/unit/NAME.c with its NAME.h), by folder
# the same way: a fixture is compiled with its folder's include path, and a
# test links the fixtures of its folder and of the folders below it, as one
# archive per folder (so a binary takes only the fixtures it calls).
# tests/unit/check_main.c is every test binary's main(), unit and BPF alike.
UNIT_UTILS_lib  := bgp_test_util nl_test_util
UNIT_UTILS_conf := config_test_util
UNIT_UTILS_wire := bgp_msg_test_util
UNIT_UTILS_dp   := maps_test_util
UNIT_UTILS_rib  := rib_test_util
UNIT_UTILS_bgp  := session_test_util
UNIT_UTILS_ctl  := control_test_util
UNIT_UTILS_root := daemon_test_util
UNIT_DIRS  := lib $(AGENT_DIRS) root cni
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_UNDECLARED := $(filter-out $(foreach d,$(UNIT_DIRS),$(UNIT_TESTS_$(d))),\
                   $(patsubst tests/unit/%.c,%,$(UNIT_SRCS)))
ifneq ($(UNIT_UNDECLARED),)
$(error $(UNIT_UNDECLARED): add each to the UNIT_TESTS_<folder> line of the folder it tests (Makefile))
endif
UNIT_UTILS_UNDECLARED := $(filter-out $(foreach d,$(UNIT_DIRS),$(UNIT_UTILS_$(d))) check_main,\
                   $(patsubst tests/unit/%.c,%,$(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))))
ifneq ($(UNIT_UTILS_UNDECLARED),)
$(error $(UNIT_UTILS_UNDECLARED): add each to the UNIT_UTILS_<folder> line of the folder whose headers it uses (Makefile))
endif
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
CHECK_MAIN := $(BUILD)/tests/unit/check_main.o
BPFT_SRCS  := $(wildcard tests/bpf/test_*.c)
BPFT_BINS  := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(BPFT_SRCS))
BPFT_COMMON := $(filter-out tests/bpf/test_%.c $(wildcard tests/bpf/*_*.c),$(wildcard tests/bpf/*.c))
BPFT_OBJS  := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%.o,$(filter-out tests/bpf/test_%.c,\
              $(wildcard tests/bpf/*.c)))

.PHONY: all deps test test-unit test-asan test-bpf test-net test-contract demo demo-down bench clean vmlinux fuzz
.DEFAULT_GOAL := all
.SECONDARY:

all: $(BUILD)/vtepd $(BUILD)/vtepctl $(BUILD)/vtepd-cni

deps:
	$(Q)./scripts/install-deps.sh

# vmlinux.h is committed; regenerate only on purpose.
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) vmlinux.h | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/lib/%.o: lib/%.c | $(BUILD)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@) && $(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

# The skeletons are generated before any agent object is compiled (only
# dp/ includes them; the generated dependencies then track them).
$(BUILD)/agent/%.o: agent/%.c | $(BUILD) $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@) && $(CC) $(CFLAGS) $(AGENT_INC) $(DEPFLAGS) -c $< -o $@

$(foreach d,$(AGENT_DIRS),$(eval $(BUILD)/agent/lib$(d).a: $(AGENT_OBJS_$(d))))
$(BUILD)/agent/lib%.a:
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/cli/%.o: cli/%.c | $(BUILD)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@) && $(CC) $(CFLAGS) $(DEPFLAGS) -Icli -c $< -o $@

$(BUILD)/cni/%.o: cni/%.c | $(BUILD)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@) && $(CC) $(CFLAGS) $(DEPFLAGS) -Icni -c $< -o $@

$(BUILD)/cni/libcni.a: $(CNI_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# The plugin needs json-c and nothing else of vtepd's libraries.
$(BUILD)/vtepd-cni: $(BUILD)/cni/cni_main.o $(BUILD)/cni/libcni.a $(BUILD)/libvtep.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs json-c)

$(BUILD)/libvtep.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/vtepd: $(AGENT_OBJS) $(BUILD)/libvtep.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(AGENT_OBJS) $(BUILD)/libvtep.a $(LIBS)

$(BUILD)/vtepctl: $(CLI_OBJS) $(BUILD)/libvtep.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libvtep.a $(LIBS)

# The root of agent/ but main.c, for its unit tests (UNIT_TESTS_root).
AGENT_ROOT_LIB_OBJS := $(filter-out $(BUILD)/agent/main.o,$(AGENT_ROOT_OBJS))
$(BUILD)/agent/libroot.a: $(AGENT_ROOT_LIB_OBJS)

# A unit test's folder $(1) ("" for lib, or root): its include path, the
# folders it links (highest first), their archives, its fixture archives.
unit_inc = $(if $(filter root,$(1)),-Iagent $(addprefix -Iagent/,$(AGENT_DIRS)),$(call agent_inc,$(1)))
unit_dirs = $(if $(filter root,$(1)),$(AGENT_DIRS),$(1))
unit_archives = $(if $(filter root,$(1)),$(BUILD)/agent/libroot.a) $(call agent_archives,$(call unit_dirs,$(1)))
unit_util_archives = $(foreach d,$(filter root,$(1)) $(call agent_link,$(call unit_dirs,$(1))) lib,\
	$(if $(UNIT_UTILS_$(d)),$(BUILD)/tests/unit/libutil_$(d).a))

$(foreach d,$(UNIT_DIRS),$(if $(UNIT_UTILS_$(d)),$(eval \
	$(patsubst %,$(BUILD)/tests/unit/%.o,$(UNIT_UTILS_$(d))): UNIT_INC := $(call unit_inc,$(filter-out lib,$(d))))))
$(foreach d,$(UNIT_DIRS),$(if $(UNIT_UTILS_$(d)),$(eval \
	$(BUILD)/tests/unit/libutil_$(d).a: $(patsubst %,$(BUILD)/tests/unit/%.o,$(UNIT_UTILS_$(d))))))
UNIT_UTIL_OBJS := $(patsubst %,$(BUILD)/tests/unit/%.o,$(foreach d,$(UNIT_DIRS),$(UNIT_UTILS_$(d))))

$(BUILD)/tests/unit/%.o: tests/unit/%.c | $(SKELS)
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(dir $@) && $(CC) $(CFLAGS) $(UNIT_INC) -Itests/unit $(DEPFLAGS) -c $< -o $@

$(BUILD)/tests/unit/libutil_%.a:
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# One rule per unit test: $(1) the test, $(2) its folder (UNIT_TESTS_*; ""
# for lib). UNIT_CFLAGS_<test>: what one test adds to its compile.
UNIT_CFLAGS_test_config_golden := -DCONFIG_GOLDEN_DIR='"$(CURDIR)/tests/unit/config"'
# UNIT_ARCHIVES_<test>: the archives it links instead of its folder's.
# test_bgp_speaker runs the speaker on a fake clock: a copy of the bgp
# folder's archive whose calls to clock_gettime and timerfd_settime go to
# the test's fake_clock_gettime and fake_timerfd_settime, and only those
# (Check, the loop, the log keep the real clock).
UNIT_ARCHIVES_test_bgp_speaker = $(patsubst $(BUILD)/agent/libbgp.a,$(BUILD)/tests/unit/libbgp_fakeclock.a,\
	$(call unit_archives,bgp))
$(BUILD)/tests/unit/libbgp_fakeclock.a: $(BUILD)/agent/libbgp.a
	$(call msg,OBJCOPY,$@)
	$(Q)mkdir -p $(dir $@) && objcopy --redefine-sym clock_gettime=fake_clock_gettime \
		--redefine-sym timerfd_settime=fake_timerfd_settime $< $@
define unit_test_rule
$$(BUILD)/tests/unit/$(1): tests/unit/$(1).c $$(CHECK_MAIN) $$(call unit_util_archives,$(2)) \
		$$(or $$(UNIT_ARCHIVES_$(1)),$$(call unit_archives,$(2))) $$(BUILD)/libvtep.a | $$(SKELS)
	$$(call msg,TEST-CC,$$@)
	$$(Q)mkdir -p $$(dir $$@) && $$(CC) $$(CFLAGS) $$(UNIT_CFLAGS_$(1)) $$(call unit_inc,$(2)) \
		-Itests/unit $$(DEPFLAGS) -MF $$@.d -MT $$@ $$(LDFLAGS) -o $$@ $$< $$(CHECK_MAIN) \
		$$(call unit_util_archives,$(2)) $$(or $$(UNIT_ARCHIVES_$(1)),$$(call unit_archives,$(2))) \
		$$(BUILD)/libvtep.a $$(LIBS) $$(CHECK_LIBS)
endef
$(foreach d,$(filter-out cni,$(UNIT_DIRS)),$(foreach t,$(UNIT_TESTS_$(d)),\
	$(eval $(call unit_test_rule,$(t),$(filter-out lib,$(d))))))

# The plugin's tests: its archive and lib/ only (it links nothing of vtepd).
$(BUILD)/tests/unit/test_cni: tests/unit/test_cni.c $(CHECK_MAIN) $(BUILD)/cni/libcni.a \
		$(BUILD)/libvtep.a
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(dir $@) && $(CC) $(CFLAGS) -Icni -Itests/unit $(DEPFLAGS) -MF $@.d -MT $@ \
		$(LDFLAGS) -o $@ $< $(CHECK_MAIN) $(BUILD)/cni/libcni.a $(BUILD)/libvtep.a $(LIBS) \
		$(CHECK_LIBS)

# BPF program tests: BPF_PROG_TEST_RUN on the real skeletons. Each
# tests/bpf/test_PROG[_FEATURE].c is a binary. It links the harness and the
# packet builders every program's tests share (tests/bpf/*.c without a "_":
# libbpftest.a) and the files of its program (tests/bpf/PROG_*.c: the
# fixture, feature files: libPROG.a), each as an archive, taking what it
# calls.
$(BUILD)/tests/bpf/%.o: tests/bpf/%.c | $(SKELS)
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(dir $@) && $(CC) $(CFLAGS) -Itests/bpf -Itests/unit $(DEPFLAGS) -c $< -o $@

$(BUILD)/tests/bpf/libbpftest.a: $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%.o,$(BPFT_COMMON))
bpft_prog = $(firstword $(subst _, ,$(patsubst test_%,%,$(1))))
bpft_prog_lib = $(if $(wildcard tests/bpf/$(1)_*.c),$(BUILD)/tests/bpf/lib$(1).a)
BPFT_PROGS := $(sort $(foreach t,$(BPFT_SRCS),$(call bpft_prog,$(basename $(notdir $(t))))))
$(foreach p,$(BPFT_PROGS),$(if $(call bpft_prog_lib,$(p)),$(eval \
	$(BUILD)/tests/bpf/lib$(p).a: $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%.o,\
		$(wildcard tests/bpf/$(p)_*.c)))))
$(BUILD)/tests/bpf/lib%.a:
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# One rule per BPF test binary: $(1) the test, $(2) its program's archive.
# BPFT_AGENT_<test>: vtepd objects a test drives the program's maps with
# (their folders' headers come with them).
BPFT_AGENT_test_port_rtab := $(BUILD)/agent/dp/rtab.o $(BUILD)/agent/dp/mapscan.o \
	$(BUILD)/agent/core/log.o
define bpf_test_rule
$$(BUILD)/tests/bpf/$(1): tests/bpf/$(1).c $$(CHECK_MAIN) $(2) $$(BUILD)/tests/bpf/libbpftest.a \
		$$(BUILD)/libvtep.a $$(BPFT_AGENT_$(1)) | $$(SKELS)
	$$(call msg,TEST-CC,$$@)
	$$(Q)mkdir -p $$(dir $$@) && $$(CC) $$(CFLAGS) -Itests/bpf -Itests/unit \
		$$(addprefix -I,$$(sort $$(patsubst $$(BUILD)/%/,%,$$(dir $$(BPFT_AGENT_$(1)))))) \
		$$(DEPFLAGS) -MF $$@.d -MT $$@ $$(LDFLAGS) -o $$@ $$< $$(BPFT_AGENT_$(1)) $$(CHECK_MAIN) \
		$(2) $$(BUILD)/tests/bpf/libbpftest.a $$(BUILD)/libvtep.a $$(LIBS) $$(CHECK_LIBS)
endef
$(foreach t,$(BPFT_SRCS),$(eval $(call bpf_test_rule,$(basename $(notdir $(t))),\
	$(call bpft_prog_lib,$(call bpft_prog,$(basename $(notdir $(t))))))))

-include $(UNIT_UTIL_OBJS:.o=.d) $(CHECK_MAIN:.o=.d) $(BPFT_OBJS:.o=.d) $(BPFT_BINS:=.d)

$(BUILD):
	$(Q)mkdir -p $(BUILD)

test-unit: $(UNIT_BINS)
	$(Q)./tests/run-unit.sh $(UNIT_BINS)

test-asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan CC=clang-19 SAN=1 test-unit

test-bpf: $(BPFT_BINS)
	$(Q)./tests/run-unit.sh $(BPFT_BINS)

test-net: all $(BUILD)/bench/feeder
	$(Q)./tests/net/run.sh

# Exit 77 (no ../shared/contract beside the clone) is a skip, said as a
# SKIP line, not a failure.
test-contract: all
	$(Q)./tests/contract.sh || [ $$? -eq 77 ]

# The README's test command: installs what it needs, then runs every suite.
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./tests/run-all.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./scripts/demo.sh up

demo-down:
	$(Q)./scripts/demo.sh down

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./bench/run.sh

clean:
	rm -rf build build-asan

-include $(AGENT_OBJS:.o=.d) $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(CNI_OBJS:.o=.d) $(UNIT_BINS:=.d)

# ---- bench tools (owned by bench/; additive block) ------------------------
# bench/*.bpf.c -> build/bench/*.bpf.o (+ skeletons); bench/gen.c and
# bench/fill.c -> build/bench/{gen,fill}. `make bench-quick` is the few-second
# end-to-end run of bench/run.sh that the test suite can call.
BENCH_BPF_SRCS := $(wildcard bench/*.bpf.c)
BENCH_BPF_OBJS := $(patsubst bench/%.bpf.c,$(BUILD)/bench/%.bpf.o,$(BENCH_BPF_SRCS))
BENCH_TOOLS    := $(BUILD)/bench/gen $(BUILD)/bench/fill $(BUILD)/bench/feeder \
                  $(BUILD)/bench/kcount $(BUILD)/bench/memlat $(BUILD)/bench/floorload

.PHONY: bench-tools bench-quick
bench-tools: $(BENCH_TOOLS) $(BENCH_BPF_OBJS)

bench-quick: all bench-tools
	$(Q)./bench/run.sh --quick

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

# floor.bpf.c's encapsulation floor computes its checksum with the
# datapath's own csum.h.
$(BUILD)/bench/floor.bpf.o: bpf/csum.h

$(BUILD)/bench/%.skel.h: $(BUILD)/bench/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/bench/gen: bench/gen.c bench/frame.c bench/frame.h bench/xsk_tx.c bench/xsk_tx.h \
		$(BUILD)/bench/gen.skel.h $(BUILD)/libvtep.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -Ibench -I$(BUILD)/bench $(LDFLAGS) -o $@ bench/gen.c bench/frame.c bench/xsk_tx.c \
		$(BUILD)/libvtep.a $(LIBS) -lm

# fill rebuilds the flat route table with vtepd's own code (agent/dp/rtab.c).
$(BUILD)/bench/fill: bench/fill.c $(wildcard include/*.h) $(BUILD)/libvtep.a \
		$(BUILD)/agent/dp/rtab.o $(BUILD)/agent/dp/mapscan.o $(BUILD)/agent/core/log.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -Iagent/dp -Iagent/core $(LDFLAGS) -o $@ bench/fill.c \
		$(BUILD)/agent/dp/rtab.o $(BUILD)/agent/dp/mapscan.o $(BUILD)/agent/core/log.o \
		$(BUILD)/libvtep.a $(LIBS)

# The BGP feeder speaks through the project's codec (agent/wire/bgp_msg.h ...):
# it links the codec's archive, nothing else of the agent.
$(BUILD)/bench/feeder: bench/feeder.c bench/feeder_sess.c bench/feeder_sess.h \
		$(BUILD)/agent/libwire.a $(BUILD)/libvtep.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@) && $(CC) $(CFLAGS) -Iagent/wire -Ibench $(LDFLAGS) -o $@ bench/feeder.c \
		bench/feeder_sess.c $(BUILD)/agent/libwire.a $(BUILD)/libvtep.a $(LIBS)

# The kernel's own EVPN tables counted (FRR's forwarding-ready figure) and the
# memory latency reference of the working-set table.
$(BUILD)/bench/kcount: bench/kcount.c $(BUILD)/libvtep.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@) && $(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libvtep.a

# The encapsulation floor's loader: tc cannot set rodata (progcost.sh).
$(BUILD)/bench/floorload: bench/floorload.c $(BUILD)/bench/floor.skel.h
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -I$(BUILD)/bench $(LDFLAGS) -o $@ $< $(LIBS)

$(BUILD)/bench/memlat: bench/memlat.c
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@) && $(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# ---- fuzzing (libFuzzer) --------------------------------------------------
# One libFuzzer target per parser of untrusted or hand-written input
# (tests/fuzz/fuzz_<name>.c; docs/testing.md "Fuzzing"):
#   bgp      a peer's TCP stream: codecs, then the RIB and map sync (real maps)
#   config   the config file, the state and pods files, reload's diff and merge
#   control  control socket framing (the real server) and every request
#   packet   frames through every BPF program (BPF_PROG_TEST_RUN; root)
#   cni      vtepd-cni's inputs: environment, CNI_ARGS, the configuration,
#            vtepd's reply, the IPAM plugin's output; the results built
#   make fuzz-smoke                 replay tests/fuzz/regress/<name>/, then
#                                   FUZZ_SMOKE_SECONDS (15) of each (make test)
#   make fuzz-long [FUZZ_SECONDS=N] [FUZZ_RUNS=N] [FUZZ_TARGETS="bgp ..."]
#                                   each target alone for N s (or N runs); new
#                                   inputs stay in $(BUILD)/fuzz/<name>/corpus,
#                                   crashes in $(BUILD)/fuzz/<name>/artifacts;
#                                   one table of executions, coverage, crashes
#   make fuzz                       the same as fuzz-long
#   make fuzz-merge                 merge (-merge=1) what the long runs found
#                                   into tests/fuzz/corpus/<name>/
# Seeds: tests/fuzz/corpus/<name>/ (read only). Needs clang-19 and
# libclang-rt-19-dev. Agent and lib sources are named only in the
# FUZZ_<name>_SRCS lists below, each compiled once, instrumented, with the
# include path of its agent/ folder (agent/layers.mk); a target's own file
# gets the include path of the folder it drives (FUZZ_<name>_DIR), so it
# sees what a test of that folder sees and no more.
FUZZ_CC      ?= clang-19
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?= 0
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_TARGETS ?= bgp config control packet cni
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_BASE    := -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
                -Iinclude -Ilib -I$(BUILD) $(shell pkg-config --cflags json-c 2>/dev/null)
FUZZ_CFLAGS  := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $(FUZZ_BASE)
FUZZ_JSON_LIBS := $(shell pkg-config --libs json-c 2>/dev/null)
fuzz_agent = $(addprefix agent/$(1)/,$(addsuffix .c,$(2)))

# The BGP codec (what fuzz_bgp measures its coverage on) ...
FUZZ_CODEC_SRCS   := lib/rbuf.c lib/addr.c $(call fuzz_agent,wire,bgp_err bgp_attr bgp_msg \
                     evpn_nlri bgp_attr_aspath bgp_attr_ext)
FUZZ_CODEC_COV    := bgp_msg|bgp_attr|evpn_nlri
# ... the configuration, run-time edits and pods ...
FUZZ_CONF_SRCS    := $(call fuzz_agent,conf,config config6 config_entry config_rt jsonv state state_edit \
                     state_file pods pods_file) lib/addr.c lib/addr6.c lib/cniname.c
# ... and the RIB with map sync and EVPN import/export behind it.
FUZZ_RIB_SRCS     := $(call fuzz_agent,rib,rib rib_best rib_dup rib_ip6 rib_local rib_store rib_sync rib_sync6 evpn_import \
                     evpn_export) $(call fuzz_agent,dp,mapsync mapsync6 mapsync_flush mapsync_reconcile \
                     mapsync_resolve mapsync_pending mapsync_writer mapscan rcache rtab) lib/hashmap.c
# fuzz_bgp's own helpers (tests/fuzz/NAME.c with its NAME.h): its round
# trips through the codec's builders, apart from the RIB stage because they
# need agent/wire only, and compiled with its include path alone.
FUZZ_WIRE_HELPERS := tests/fuzz/bgp_roundtrip.c
FUZZ_bgp_SRCS     := $(FUZZ_CODEC_SRCS) $(FUZZ_RIB_SRCS) $(FUZZ_CONF_SRCS) agent/core/log.c \
                     $(FUZZ_WIRE_HELPERS)
FUZZ_config_SRCS  := $(FUZZ_CONF_SRCS)
FUZZ_control_SRCS := $(call fuzz_agent,ctl,control control_args control_dispatch control_bgp \
                     control_status control_pods cnictl cnictl_args) \
                     $(call fuzz_agent,dp,probe bpflog uplink_mode) agent/bgp/bgp_peer.c \
                     lib/ctlproto.c lib/rbuf.c \
                     agent/wire/evpn_nlri.c $(FUZZ_CONF_SRCS)   # log_msg: its own
# fuzz_packet's own helpers: its seed writer and its checks of the frames
# the programs give back, apart from the fixture because they need tests/bpf's
# pkt.h only (no harness, no skeletons), and compiled with that path alone.
FUZZ_PACKET_HELPERS := tests/fuzz/packet_seeds.c tests/fuzz/packet_checks.c
FUZZ_packet_SRCS  := tests/bpf/harness.c tests/bpf/pkt.c lib/counters.c $(FUZZ_PACKET_HELPERS)
# The plugin: its parsers and result building (not main, not the commands
# that run delegates and call vtepd), lib/ as libvtep.a gives it.
FUZZ_cni_SRCS     := $(addprefix cni/,$(addsuffix .c,cni_args cni_bw cni_client cni_conf cni_env cni_err \
                     cni_exec cni_input cni_result cni_ver)) lib/addr.c lib/addr6.c lib/cniname.c \
                     lib/ctlproto.c
FUZZ_bgp_DIR      := rib
FUZZ_config_DIR   := conf
FUZZ_control_DIR  := ctl
FUZZ_bgp_LIBS     := -lbpf $(FUZZ_JSON_LIBS)
FUZZ_config_LIBS  := $(FUZZ_JSON_LIBS)
FUZZ_control_LIBS := $(FUZZ_JSON_LIBS) -lbpf -lelf -lz
FUZZ_packet_LIBS  := -lbpf -lelf -lz
FUZZ_packet_INC   := -Itests/bpf
FUZZ_cni_INC      := -Icni
FUZZ_cni_LIBS     := $(FUZZ_JSON_LIBS)
FUZZ_packet_DEPS  := $(SKELS)
FUZZ_ALL     := bgp config control packet cni
$(foreach t,$(FUZZ_ALL),$(eval FUZZ_$(t)_OBJS := $(sort $(addprefix $(FUZZ_DIR)/obj/,$(FUZZ_$(t)_SRCS:.c=.o)))))
$(foreach t,$(FUZZ_ALL),$(eval FUZZ_$(t)_INC += $(if $(FUZZ_$(t)_DIR),$(call agent_inc,$(FUZZ_$(t)_DIR)))))
FUZZ_BINS    := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
# The include path of a source: its agent/ folder's, tests/bpf's or cni's;
# a helper of tests/fuzz/: its own folder and the agent/ folder it drives
# (fuzz_packet's: tests/bpf).
fuzz_src_inc = $(if $(filter agent/%,$(1)),$(call agent_inc,$(word 2,$(subst /, ,$(1)))),\
	$(if $(filter tests/bpf/%,$(1)),-Itests/bpf,$(if $(filter cni/%,$(1)),-Icni,\
	$(if $(filter $(FUZZ_WIRE_HELPERS),$(1)),-Itests/fuzz $(call agent_inc,wire),\
	$(if $(filter $(FUZZ_PACKET_HELPERS),$(1)),-Itests/fuzz -Itests/bpf)))))

.PHONY: fuzz-smoke fuzz-long fuzz-merge fuzz-build

# Every source compiled once, instrumented, for whichever targets use it;
# again without ASan/UBSan (covobj/) for measuring coverage only: the
# sanitizers' error paths add counters no input can reach (run.sh cov).
FUZZ_COV_CFLAGS := -fsanitize=fuzzer $(FUZZ_BASE)
$(FUZZ_DIR)/obj/%.o: %.c | $(SKELS)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(dir $@) && $(FUZZ_CC) $(FUZZ_CFLAGS) $(call fuzz_src_inc,$<) $(DEPFLAGS) -c $< -o $@
$(FUZZ_DIR)/covobj/%.o: %.c | $(SKELS)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(dir $@) && $(FUZZ_CC) $(FUZZ_COV_CFLAGS) $(call fuzz_src_inc,$<) $(DEPFLAGS) -c $< -o $@
$(foreach t,$(FUZZ_ALL),$(eval FUZZ_$(t)_COVOBJS := $(sort $(addprefix $(FUZZ_DIR)/covobj/,$(FUZZ_$(t)_SRCS:.c=.o)))))

# One rule per target: $(1) the name, $(2) obj or covobj, $(3) the binary,
# $(4) the flags.
define fuzz_rule
$(3): tests/fuzz/fuzz_$(1).c $$(FUZZ_$(1)_$(2)) $$(FUZZ_$(1)_DEPS)
	$$(call msg,FUZZ-LD,$$@)
	$$(Q)mkdir -p $$(dir $$@) && $$(FUZZ_CC) $(4) $$(FUZZ_$(1)_INC) -Itests/fuzz $$(DEPFLAGS) \
		-MF $$@.d -MT $$@ -o $$@ $$< $$(FUZZ_$(1)_$(2)) $$(FUZZ_$(1)_LIBS) -lpthread
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_rule,$(t),OBJS,$(FUZZ_DIR)/fuzz_$(t),$$(FUZZ_CFLAGS))))
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_rule,$(t),COVOBJS,$(FUZZ_DIR)/cov/fuzz_$(t),$$(FUZZ_COV_CFLAGS))))
-include $(wildcard $(FUZZ_DIR)/obj/*/*.d $(FUZZ_DIR)/obj/*/*/*.d $(FUZZ_DIR)/covobj/*/*.d \
	$(FUZZ_DIR)/covobj/*/*/*.d $(FUZZ_DIR)/fuzz_*.d $(FUZZ_DIR)/cov/fuzz_*.d)

fuzz-build: $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	$(Q)FUZZ_DIR=$(FUZZ_DIR) FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) \
		./tests/fuzz/run.sh smoke $(FUZZ_TARGETS)

fuzz-long: $(FUZZ_BINS) $(if $(filter bgp,$(FUZZ_TARGETS)),$(FUZZ_DIR)/cov/fuzz_bgp)
	$(Q)FUZZ_DIR=$(FUZZ_DIR) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) \
		FUZZ_CODEC_COV='$(FUZZ_CODEC_COV)' ./tests/fuzz/run.sh long $(FUZZ_TARGETS)

fuzz: fuzz-long

fuzz-merge: $(FUZZ_BINS)
	$(Q)FUZZ_DIR=$(FUZZ_DIR) ./tests/fuzz/run.sh merge $(FUZZ_TARGETS)
