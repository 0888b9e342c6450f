#!/bin/sh
# install.sh: one-time install of kleene-boot on a FreeBSD host, or into a staging root.
#
#   ./install.sh [--root DIR] [--prefix /usr/local] [--node PATH] [--enable] [--dry-run] [--force]
#
# Checks what it needs first and names what is missing; in a checkout it installs the npm
# dependencies (only when node_modules is missing or older than the lockfile) and builds the
# bundles; then it runs `kleene-boot install` with the same options, which writes the files,
# records them in ROOT/var/db/kleene-boot/manifest.json and prints what it wrote.
# POSIX sh: FreeBSD's /bin/sh and Debian's dash both run it.

set -eu

prog=install.sh
root=/
prefix=
node_opt=
enable=
dry_run=
force=

usage() {
	cat <<EOF
usage: ./$prog [--root DIR] [--prefix PREFIX] [--node PATH] [--enable] [--dry-run] [--force]

  --root DIR       install under DIR (a staging root; created when missing) [/]
  --prefix PREFIX  installation prefix on the host [as installed, else /usr/local]
  --node PATH      Node.js the boot scripts run on the host [as installed, else PREFIX/bin/node]
  --enable         also set kleened_enable=YES and kleene_containers_enable=YES
  --dry-run        print what would change; write nothing
  --force          replace installed files that changed since install
EOF
}

die() {
	printf '%s: %s\n' "$prog" "$1" >&2
	if [ $# -gt 1 ]; then printf '  hint: %s\n' "$2" >&2; fi
	exit "${3:-1}"
}

# Options take their value as the next word or after '=', like the CLI's.
need_value() {
	if [ $# -lt 2 ] || [ -z "$2" ]; then die "option $1 needs a value" "./$prog --help" 2; fi
}

while [ $# -gt 0 ]; do
	case $1 in
	--root) need_value "$@"; root=$2; shift 2 ;;
	--root=*) root=${1#*=}; shift ;;
	--prefix) need_value "$@"; prefix=$2; shift 2 ;;
	--prefix=*) prefix=${1#*=}; shift ;;
	--node) need_value "$@"; node_opt=$2; shift 2 ;;
	--node=*) node_opt=${1#*=}; shift ;;
	--enable) enable=1; shift ;;
	--dry-run) dry_run=1; shift ;;
	--force) force=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown option '$1'" "./$prog --help lists the options" 2 ;;
	esac
done

case $0 in
*/*) here=${0%/*} ;;
*) here=. ;;
esac
here=$(cd "$here" && pwd -P)

# What to tell a sysadmin who lacks a tool, by system.
advice() {
	case $(uname -s 2>/dev/null || echo unknown) in
	FreeBSD) echo "pkg install node22 npm-node22" ;;
	Linux) echo "install Node.js 20 or newer with npm (Debian: apt-get install nodejs npm; or https://nodejs.org)" ;;
	*) echo "install Node.js 20 or newer with npm (https://nodejs.org)" ;;
	esac
}

# The node that builds and runs the installer: the one in PATH. --node names the node the
# installed scripts use on the host, which in a staging root need not exist here.
node=$(command -v node 2>/dev/null || true)
[ -n "$node" ] || die "node not found in PATH (kleene-boot needs Node.js 20 or newer)" "$(advice)"
major=$("$node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
case $major in
'' | *[!0-9]*) major=0 ;;
esac
[ "$major" -ge 20 ] || die "$node is Node.js $("$node" --version 2>/dev/null || echo '?'); kleene-boot needs 20 or newer" "$(advice)"

cli=$here/dist/cli.js
if [ -f "$here/package.json" ] && [ -d "$here/src" ]; then
	# A checkout: dependencies, then the bundles.
	npm=$(command -v npm 2>/dev/null || true)
	[ -n "$npm" ] || die "npm not found in PATH (needed to build from a checkout)" "$(advice)"
	stamp=$here/node_modules/.package-lock.json
	stale=
	if [ ! -f "$stamp" ]; then
		stale="node_modules is missing"
	elif [ -f "$here/package-lock.json" ]; then
		# npm ci installs exactly the lockfile: only a newer lockfile makes node_modules stale.
		if [ -n "$(find "$here/package-lock.json" -newer "$stamp" 2>/dev/null)" ]; then
			stale="package-lock.json changed since the last npm install"
		fi
	elif [ -n "$(find "$here/package.json" -newer "$stamp" 2>/dev/null)" ]; then
		stale="package.json changed since the last npm install"
	fi
	if [ -n "$stale" ]; then
		if [ -f "$here/package-lock.json" ]; then
			echo "$prog: $stale: running npm ci" >&2
			(cd "$here" && "$npm" ci --no-audit --no-fund) >&2 || die "npm ci failed" "read the npm output above"
		else
			echo "$prog: $stale: running npm install" >&2
			(cd "$here" && "$npm" install --no-audit --no-fund) >&2 || die "npm install failed" "read the npm output above"
		fi
	fi
	echo "$prog: building the bundles (npm run build)" >&2
	(cd "$here" && "$npm" run --silent build) >&2 || die "npm run build failed" "read the build output above"
fi
[ -f "$cli" ] || die "$cli is missing" "run ./$prog from a kleene-boot checkout or release"

if [ "$root" != / ] && [ -z "$dry_run" ] && [ ! -d "$root" ]; then
	echo "$prog: creating the staging root $root" >&2
	mkdir -p -- "$root"
fi

set -- install --root "$root"
[ -z "$prefix" ] || set -- "$@" --prefix "$prefix"
[ -z "$node_opt" ] || set -- "$@" --node "$node_opt"
[ -z "$enable" ] || set -- "$@" --enable
[ -z "$dry_run" ] || set -- "$@" --dry-run
[ -z "$force" ] || set -- "$@" --force
exec "$node" "$cli" "$@"
