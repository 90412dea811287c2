# agent/layers.mk - the folders of agent/ and what each one may use. The one
# table behind the Makefile's per-folder include paths and archives and the
# checks of tests/layering.sh (docs/design.md "Source layout").
#
# AGENT_DIRS lists the folders lowest first. AGENT_USES_<dir> names the
# folders whose headers <dir>'s files may include and whose archives its
# code links against; each must come earlier in AGENT_DIRS, so the
# dependencies only go down and cannot form a circle. A folder is compiled
# with -I for itself and its listed folders only (plus lib/, include/ and
# the generated skeletons, below every folder), so including the header of
# any other folder fails to compile. List every folder whose headers the
# folder's files include, directly or through the public headers of the
# folders it lists; linking takes the folders below those too.
# The root (agent/*.c: daemon*, main, cleanup) may use every folder.
AGENT_DIRS := core conf wire dp host rib bgp ctl

AGENT_USES_core :=
AGENT_USES_conf :=
AGENT_USES_wire :=
AGENT_USES_dp   := core conf
AGENT_USES_host := core conf dp
AGENT_USES_rib  := core conf wire dp
AGENT_USES_bgp  := core conf wire rib
AGENT_USES_ctl  := core conf wire dp rib bgp
