#!/bin/sh
# Verifies MSG with OpenDKIM (opendkim-testmsg, libopendkim) offline: inside a private network and
# mount namespace, /etc/resolv.conf points at fakedns.py on 127.0.0.1, which serves DNS.json.
# Exit status 0 = every signature verified; opendkim-testmsg's messages go to stderr.
# usage: opendkim_verify.sh MSG DNS.json   (needs root for unshare, as on the build machines)
set -eu
here=$(dirname "$0")
msg=$1 dnsjson=$2
exec unshare -n -m sh -c '
  set -eu
  ip link set lo up
  tmp=$(mktemp -d)
  echo "nameserver 127.0.0.1" > "$tmp/resolv.conf"
  mount --bind "$tmp/resolv.conf" /etc/resolv.conf
  /usr/bin/python3 "$0/fakedns.py" "$2" 60 > "$tmp/dns.log" 2>&1 &
  pid=$!
  i=0
  # wait up to 15 s for the server (python start-up is slow on a busy machine)
  while ! grep -q ready "$tmp/dns.log" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 150 ] && { echo "fake DNS server did not start" >&2; kill $pid; exit 3; }
    sleep 0.1
  done
  rc=0
  opendkim-testmsg < "$1" || rc=$?
  kill $pid 2>/dev/null || true
  rm -rf "$tmp"
  exit $rc
' "$here" "$msg" "$dnsjson"
