#!/usr/bin/env bash
# Inbox benchmark: messages/second and peak RSS of the whole pipeline (SMTP -> checks -> LMTP ->
# Dovecot), against Postfix configured as an MX delivering to the same Dovecot over LMTP, with the
# same load from Postfix's smtp-source. Memory is the peak of the summed PSS of the process tree. Runs: Inbox with checks off, Inbox with SPF/DKIM/ARC/DMARC
# and Rspamd on, Postfix MX. Everything on loopback; needs root (Postfix).
#   bench/inbox.sh [SESSIONS] [MESSAGES] [SIZE]     default 20 2000 4096
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SESSIONS=${1:-20}
MESSAGES=${2:-2000}
SIZE=${3:-4096}
WARMUP=${WARMUP:-300}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
INBOX_JAVA_OPTS=${INBOX_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m}
WORK=$(mktemp -d /tmp/inbox-bench-XXXX)
chmod 755 "$WORK"

echo "== building (inbox jar, test classpath)"
mvn -B -ntp -q -pl inbox -am -DskipTests package >/dev/null
mvn -B -ntp -q -pl inbox -am test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" \
    -Dmdep.includeScope=test >/dev/null
CP="$(cat "$WORK/cp.txt"):$ROOT/testkit/target/classes:$ROOT/common/target/classes"


ENV_PID=""; INBOX_PID=""; PF_DIR=""
cleanup() {
  [ -n "$INBOX_PID" ] && kill "$INBOX_PID" 2>/dev/null || true
  [ -n "$PF_DIR" ] && "$ROOT/bench/inbox/postfix-mx.sh" stop "$PF_DIR" || true
  [ -n "$ENV_PID" ] && { exec 7>&-; wait "$ENV_PID" 2>/dev/null || true; }
}
trap cleanup EXIT

echo "== starting Redis, Dovecot, Unbound, Rspamd"
mkfifo "$WORK/env.in"
"$JAVA" -cp "$CP" "$ROOT/bench/inbox/BenchEnvironment.java" "$WORK/ports.env" < "$WORK/env.in" > "$WORK/env.log" 2>&1 &
ENV_PID=$!
exec 7>"$WORK/env.in"
for _ in $(seq 1 600); do [ -s "$WORK/ports.env" ] && break; sleep 0.5; done
[ -s "$WORK/ports.env" ] || { cat "$WORK/env.log"; exit 1; }
# shellcheck disable=SC1091
. "$WORK/ports.env"
MAILBOX="$MAIL_ROOT/example.test/bench"

delivered() { find "$MAIL_ROOT" -type f \( -path '*/new/*' -o -path '*/cur/*' \) 2>/dev/null | wc -l; }

# memory (kB) of a process and its descendants: the sum of their PSS (proportional set size), so
# that pages shared by Postfix's many daemons are not counted once per process
# (for the single Inbox JVM, PSS = RSS)
tree_rss() {
  local pids; pids=$(pstree -pT "$1" 2>/dev/null | grep -o '([0-9]\+)' | tr -d '()')
  local sum=0
  for p in $pids; do
    local r; r=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    sum=$((sum + ${r:-0}))
  done
  echo "$sum"
}

# run_load NAME PORT PID : warm-up, then the measured load; waits until every message is in Dovecot
run_load() {
  local name=$1 port=$2 pid=$3
  local base; base=$(delivered)
  smtp-source -s "$SESSIONS" -m "$WARMUP" -l "$SIZE" -M client.example.com -f sender@example.com \
      -t bench@example.test "127.0.0.1:$port"
  for _ in $(seq 1 600); do [ "$(delivered)" -ge $((base + WARMUP)) ] && break; sleep 0.2; done
  local target; target=$(delivered)
  local want=$(( target + MESSAGES ))
  local peak=0 start end
  start=$(date +%s.%N)
  smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -M client.example.com -f sender@example.com \
      -t bench@example.test "127.0.0.1:$port" &
  local src=$!
  while kill -0 "$src" 2>/dev/null || [ "$(delivered)" -lt "$want" ]; do
    local r; r=$(tree_rss "$pid"); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.2
    if ! kill -0 "$src" 2>/dev/null && [ "$(echo "$(date +%s.%N) - $start > 300" | bc)" = 1 ]; then
      echo "   $name: only $(( $(delivered) - target )) of $MESSAGES delivered after 300 s" >&2; break
    fi
  done
  end=$(date +%s.%N)
  wait "$src" || true
  local got=$(( $(delivered) - target ))
  local secs; secs=$(echo "$end - $start" | bc -l)
  local rate; rate=$(echo "$got / $secs" | bc -l)
  printf '%-28s %6d msgs in %7.2f s = %8.1f msg/s, peak memory (PSS) %6.1f MB\n' "$name" "$got" "$secs" "$rate" "$(echo "$peak/1024" | bc -l)"
  echo "$rate $peak" > "$WORK/result.$name"
}

start_inbox() {
  local port=$1; shift
  env MAILROOM_REDIS_URI="$REDIS_URI" MAILROOM_LMTP_PORT="$LMTP_PORT" MAILROOM_DNS_PORT="$DNS_PORT" \
      MAILROOM_RSPAMD_PORT="$RSPAMD_PORT" MAILROOM_INBOX_PORT="$port" MAILROOM_HOSTNAME=mx.example.test \
      MAILROOM_MAIL_ROOT="$MAIL_ROOT" MAILROOM_TLS_CERT=/nonexistent MAILROOM_TLS_KEY=/nonexistent \
      MAILROOM_INBOX_MAX_CONNECTIONS_PER_IP=200 QUARKUS_HTTP_PORT="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')" \
      "$@" "$JAVA" $INBOX_JAVA_OPTS -jar "$ROOT/inbox/target/quarkus-app/quarkus-run.jar" > "$WORK/inbox-$port.log" 2>&1 &
  INBOX_PID=$!
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.5
  done
  cat "$WORK/inbox-$port.log"; exit 1
}

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

echo "== load: smtp-source -s $SESSIONS -m $MESSAGES -l $SIZE (after $WARMUP warm-up messages each)"
P=$(port); start_inbox "$P" MAILROOM_INBOX_SPF=off MAILROOM_INBOX_DKIM=off MAILROOM_INBOX_ARC=off \
    MAILROOM_INBOX_DMARC=off MAILROOM_INBOX_RSPAMD=off
run_load inbox-checks-off "$P" "$INBOX_PID"
kill "$INBOX_PID"; wait "$INBOX_PID" 2>/dev/null || true; INBOX_PID=""

P=$(port); start_inbox "$P" MAILROOM_INBOX_SPF=enforce MAILROOM_INBOX_DKIM=tag MAILROOM_INBOX_ARC=tag \
    MAILROOM_INBOX_DMARC=enforce MAILROOM_INBOX_RSPAMD=enforce
run_load inbox-all-checks-rspamd "$P" "$INBOX_PID"
kill "$INBOX_PID"; wait "$INBOX_PID" 2>/dev/null || true; INBOX_PID=""

PF_DIR="$WORK/postfix"; P=$(port)
"$ROOT/bench/inbox/postfix-mx.sh" mx "$PF_DIR" "$P" "$LMTP_PORT" example.test
PF_MASTER=$(cat "$PF_DIR/start-fg.pid")
run_load postfix-mx "$P" "$PF_MASTER"
"$ROOT/bench/inbox/postfix-mx.sh" stop "$PF_DIR"; PF_DIR=""

read -r off_rate off_rss < "$WORK/result.inbox-checks-off"
read -r on_rate on_rss < "$WORK/result.inbox-all-checks-rspamd"
read -r pf_rate pf_rss < "$WORK/result.postfix-mx"
echo "== ratios (Inbox / Postfix)"
printf 'throughput, checks off:            %.2f\n' "$(echo "$off_rate / $pf_rate" | bc -l)"
printf 'throughput, all checks + Rspamd:   %.2f\n' "$(echo "$on_rate / $pf_rate" | bc -l)"
printf 'peak memory, checks off:           %.2f\n' "$(echo "$off_rss / $pf_rss" | bc -l)"
printf 'peak memory, all checks+Rspamd:     %.2f   (Rspamd itself not counted on either side)\n' "$(echo "$on_rss / $pf_rss" | bc -l)"
echo "(logs in $WORK)"
