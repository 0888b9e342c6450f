#!/bin/sh
# Tools the test suite runs besides node: shellcheck (lint the generated scripts), tini (a
# subreaper for the simulated host, so that zombies never look alive), mandoc (lint the man
# page), util-linux's unshare/nsenter (mount and pid namespaces), ansible-core and ansible-lint
# (run and lint the Ansible role in contrib/ansible). As root on Debian the missing
# ones are installed; otherwise this says what to install and fails.
set -eu
missing=""
command -v shellcheck >/dev/null 2>&1 || missing="$missing shellcheck"
command -v tini >/dev/null 2>&1 || missing="$missing tini"
command -v mandoc >/dev/null 2>&1 || missing="$missing mandoc"
command -v nsenter >/dev/null 2>&1 || missing="$missing util-linux"
command -v ansible-playbook >/dev/null 2>&1 || missing="$missing ansible-core"
command -v ansible-lint >/dev/null 2>&1 || missing="$missing ansible-lint"
command -v dot >/dev/null 2>&1 || missing="$missing graphviz" # plan --dot
command -v rsvg-convert >/dev/null 2>&1 || missing="$missing librsvg2-bin" # report --svg
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "test-deps: installing${missing}" >&2
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	exit 0
fi
echo "test-deps: the tests need${missing}; install them (Debian: apt-get install${missing})" >&2
exit 1
