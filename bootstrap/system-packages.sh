#!/usr/bin/env bash
# System packages the local platform needs besides the pinned toolchain: git (its http-backend
# serves fleet repositories), dnsmasq (the local DNS server drills switch) and redis-server
# (Argo CD's cache in local Argo CD regions), and tmux, in which the CLI's integration tests drive
# an interactive shell (completion, progress output). Installs them with apt when they are missing
# and this user may; otherwise says exactly what to run.
set -euo pipefail

missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
[[ -x /usr/sbin/dnsmasq || -x /usr/bin/dnsmasq ]] || missing+=(dnsmasq-base)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "► installing system packages: ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  echo "✔ installed ${missing[*]}" >&2
else
  echo "✗ missing system packages: ${missing[*]}; install them: sudo apt-get install -y ${missing[*]}" >&2
  exit 3
fi
