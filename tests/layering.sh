#!/bin/bash
# layering.sh - agent/'s folders keep their one-way order (agent/layers.mk):
#   - every folder of agent/ is listed, and each lists only folders listed
#     before it, so the folders' dependencies go down and cannot circle;
#   - every #include "x.h" in agent/ names a header of its own folder, of a
#     folder it may use (the root, agent/*.[ch], may use all), of lib/ or
#     include/, or a generated skeleton; by plain name, and no header name
#     is used by two folders (the include paths are flat);
#   - a private header (*_priv.h) is included only inside its own folder,
#     from anywhere in the tree (agent, tests, bench, cli, lib).
# Prints each folder's allowed dependencies and the ones it uses. The
# compiler enforces the same order (each folder's -I list); this says why.
set -u
cd "$(dirname "$0")/.." || exit 1
LAYERS=agent/layers.mk
fail=0
err() { echo "FAIL: $*"; fail=1; }

# ---- the table ---------------------------------------------------------------
var() { sed -n "s/^$1[[:space:]]*:=[[:space:]]*//p" "$LAYERS" | head -1; }
read -r -a dirs <<<"$(var AGENT_DIRS)"
[ ${#dirs[@]} -gt 0 ] || { echo "FAIL: no AGENT_DIRS in $LAYERS"; exit 1; }
declare -A floor uses used
for i in "${!dirs[@]}"; do floor[${dirs[$i]}]=$i; done
for d in "${dirs[@]}"; do
	uses[$d]=$(var "AGENT_USES_$d")
	[ -d "agent/$d" ] || err "$LAYERS lists $d, but agent/$d does not exist"
	for u in ${uses[$d]}; do
		if [ -z "${floor[$u]+x}" ]; then
			err "$d may use $u, which is not a folder of AGENT_DIRS"
		elif [ "${floor[$u]}" -ge "${floor[$d]}" ]; then
			err "$d may use $u, which is not below it in AGENT_DIRS (the order must go one way)"
		fi
	done
done
for p in agent/*/; do
	p=${p%/}; p=${p#agent/}
	[ -n "${floor[$p]+x}" ] || err "agent/$p is not listed in $LAYERS"
done

# ---- where each header lives -------------------------------------------------
declare -A home
while IFS= read -r h; do
	b=$(basename "$h"); f=$(dirname "$h"); f=${f#agent}; f=${f#/}; f=${f:-root}
	if [ -n "${home[$b]+x}" ]; then
		err "$b is in both ${home[$b]} and $f: header names must be unique in agent/"
	fi
	home[$b]=$f
done < <(find agent -name '*.h' | sort)

may_use() {   # folder $1 may include a header of folder $2
	[ "$1" = "$2" ] || [ "$1" = root ] && return 0
	[ "$2" = root ] && return 1
	[[ " ${uses[$1]} " == *" $2 "* ]]
}

# ---- every include in agent/ ---------------------------------------------------
nfiles=0; nincl=0
while IFS= read -r file; do
	nfiles=$((nfiles + 1))
	f=$(dirname "$file"); f=${f#agent}; f=${f#/}; f=${f:-root}
	while IFS=: read -r line h; do
		nincl=$((nincl + 1))
		if [[ $h == */* ]]; then
			err "$file:$line: #include \"$h\": by name only (the folder is on the include path or not)"
			continue
		fi
		if [ -n "${home[$h]+x}" ]; then
			g=${home[$h]}
			if ! may_use "$f" "$g"; then
				err "$file:$line: #include \"$h\" (agent/$g): $f may use only: ${uses[$f]:-nothing in agent/}"
			elif [ "$g" != "$f" ]; then
				used[$f]="${used[$f]:-} $g"
			fi
		elif [ ! -e "lib/$h" ] && [ ! -e "include/$h" ] && [[ $h != *.skel.h ]]; then
			err "$file:$line: #include \"$h\": no such header in agent/, lib/ or include/"
		fi
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" |
		 sed -E 's/^([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1:\2/')
done < <(find agent -name '*.[ch]' | sort)

# ---- private headers stay in their folder -----------------------------------------
while IFS=: read -r file line h; do
	h=$(basename "$h")
	g=${home[$h]:-}
	[ -n "$g" ] || { err "$file:$line: #include \"$h\": no such private header"; continue; }
	d=agent/$g; [ "$g" = root ] && d=agent
	[ "$(dirname "$file")" = "$d" ] ||
		err "$file:$line: includes $h, private to $d/: only files of $d/ may"
done < <(grep -rnoE --include='*.[ch]' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*_priv\.h"' \
		agent tests bench cli lib 2>/dev/null | sed -E 's/:[[:space:]]*#[[:space:]]*include[[:space:]]*"/:/; s/"$//')

# ---- the table, as it stands -----------------------------------------------------------
echo "agent/ folders, lowest first: what each may include and link, and what it uses"
printf '  %-5s %-6s %-28s %s\n' floor folder "may use" "uses"
for d in "${dirs[@]}" root; do
	if [ "$d" = root ]; then fl=${#dirs[@]}; mu="every folder"; else fl=${floor[$d]}; mu=${uses[$d]:--}; fi
	u=
	for g in "${dirs[@]}"; do [[ " ${used[$d]:-} " == *" $g "* ]] && u="$u $g"; done
	u=${u# }
	printf '  %-5s %-6s %-28s %s\n' "$fl" "$d" "$mu" "${u:--}"
done
if [ $fail -ne 0 ]; then
	echo "layering: FAILED ($nfiles files, $nincl includes)"
	exit 1
fi
echo "layering: ok ($nfiles files, $nincl includes, ${#dirs[@]} folders and the root)"
