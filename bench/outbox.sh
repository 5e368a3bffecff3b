#!/usr/bin/env bash
# Outbox throughput: submission-to-delivery messages/second and peak RSS, against Postfix's
# smtp-sink as the remote MX; in the same run Postfix configured as a submission relay to the same
# sink is the baseline. Both get the same load (bench/outbox/SubmissionLoad.java: C connections,
# STARTTLS, then M messages; AUTH PLAIN for the Outbox, which requires it, none for Postfix, which
# relays for loopback clients). Rate = M / (time from the first connection until the sink holds all M).
# Usage: bench/outbox.sh [messages=2000] [connections=16] [size=2000]. Runs as root (Postfix).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
M="${1:-2000}"; C="${2:-16}"; SIZE="${3:-2000}"
for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
  if [ -n "$c" ] && [ -x "$c/bin/java" ] && "$c/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then export JAVA_HOME="$c"; break; fi
done
JAR=outbox/target/quarkus-app/quarkus-run.jar
[ -f "$JAR" ] || mvn -B -q -ntp -pl outbox -am -DskipTests package

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
W="$(mktemp -d /tmp/outbox-bench.XXXXXX)"; chmod 755 "$W"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -f "$W/postfix/conf/main.cf" ] && postfix -c "$W/postfix/conf" stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0; sleep 0.1; done; echo "no listener on $1:$2" >&2; return 1; }
# the process and all its descendants
tree() { local all; all=$(ps -e -o pid=,ppid=); local list="$1" new="$1"; while [ -n "$new" ]; do
  local next=""; for p in $new; do next="$next $(echo "$all" | awk -v p="$p" '$2==p{print $1}')"; done
  new=$(echo $next); list="$list $new"; done; echo $list; }
# peak of the summed PSS (kB; RSS with shared pages divided among the processes that share them, so
# that Postfix's many processes are not charged several times for the same libraries) of a process
# tree, sampled every 100 ms until $W/stop-TAG exists
sample_rss() {
  local root="$1" tag="$2" peak=0
  while [ ! -f "$W/stop-$tag" ]; do
    local sum=0 p
    for p in $(tree "$root"); do
      sum=$((sum + $(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
    done
    [ "$sum" -gt "$peak" ] && peak=$sum
    sleep 0.1
  done
  echo "$peak" > "$W/rss-$tag"
}
# run_load TAG PORT ROOTPID [USER PASS]: submits M messages, waits for the sink; writes rate and peak RSS
run_load() {
  local tag="$1" port="$2" root="$3" user="${4:-}" pass="${5:-}"
  rm -f "$SINKDIR"/msg*
  sample_rss "$root" "$tag" & local sampler=$!
  "$JAVA_HOME/bin/java" -cp "$W/load" SubmissionLoad 127.0.0.1 "$port" "$M" "$C" "$SIZE" \
      bench@example.test "rcpt%d@sink.test" "$SINKDIR" $user $pass > "$W/load-$tag.out" 2> "$W/load-$tag.err" || true
  touch "$W/stop-$tag"; wait "$sampler"
  echo "$tag: $(cat "$W/load-$tag.out")" >&2
  head -3 "$W/load-$tag.err" >&2
  awk -v m="$M" '{ if ($7 < m) print "0"; else printf "%.1f\n", $7 / ($9 / 1000) }' "$W/load-$tag.out" > "$W/rate-$tag"
}

# --- shared pieces: the load generator, a TLS certificate, the sink (dumping every message to tmpfs)
mkdir -p "$W/load"; "$JAVA_HOME/bin/javac" -d "$W/load" bench/outbox/SubmissionLoad.java
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/tls.key" -out "$W/tls.crt" -days 2 \
    -subj "/CN=mail.example.test" >/dev/null 2>&1
chmod 644 "$W/tls.key"
SINKDIR="$(mktemp -d /dev/shm/outbox-bench-sink.XXXXXX)"; chmod 777 "$SINKDIR"
SINKPORT=$(free_port)
smtp-sink -u nobody -d "$SINKDIR/msg" -h sink.test 127.0.0.2:"$SINKPORT" 1024 & PIDS+=($!)
wait_port 127.0.0.2 "$SINKPORT"

# --- Outbox (the production jar) with its Redis
REDISPORT=$(free_port)
redis-server --port "$REDISPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no > "$W/redis.log" 2>&1 & PIDS+=($!)
wait_port 127.0.0.1 "$REDISPORT"
HASH=$(doveadm pw -s BLF-CRYPT -p bench-password-1)
redis-cli -p "$REDISPORT" SET domain:example.test '{"name":"example.test","dkim":[],"dmarcPolicy":"quarantine"}' >/dev/null
redis-cli -p "$REDISPORT" SET user:bench@example.test "{\"password\":\"$HASH\",\"home\":\"$W/mail/bench\",\"mail\":\"maildir:~/Maildir\",\"disabled\":false}" >/dev/null
SUB=$(free_port); SUBS=$(free_port); HTTP=$(free_port)
setsid env MAILROOM_HOME="$W" MAILROOM_REDIS_URI="redis://127.0.0.1:$REDISPORT" MAILROOM_KEY_DIR="$W/keys" \
    MAILROOM_TLS_CERT="$W/tls.crt" MAILROOM_TLS_KEY="$W/tls.key" MAILROOM_HOSTNAME=mail.example.test \
    MAILROOM_SUBMISSION_PORT="$SUB" MAILROOM_SUBMISSIONS_PORT="$SUBS" QUARKUS_HTTP_PORT="$HTTP" \
    MAILROOM_OUTBOX_ROUTES="*=127.0.0.2:$SINKPORT" MAILROOM_OUTBOX_RATE_LIMIT=1000000 \
    "$JAVA_HOME/bin/java" -jar "$JAR" > "$W/outbox.log" 2>&1 & OUTBOX=$!; PIDS+=($OUTBOX)
wait_port 127.0.0.1 "$SUB"
run_load outbox "$SUB" "$OUTBOX" bench@example.test bench-password-1
O_HWM=$(awk '/^VmHWM/{print $2}' "/proc/$OUTBOX/status")
curl -s "http://127.0.0.1:$HTTP/q/metrics" 2>/dev/null | grep -E '^outbox_(deliveries|queue_size)' >&2 || true
kill "$OUTBOX"; wait "$OUTBOX" 2>/dev/null || true

# --- Postfix as a submission relay to the same sink
PF="$W/postfix"; mkdir -p "$PF/conf" "$PF/queue" "$PF/data"; chown postfix "$PF/data"; chmod 755 "$PF"
PFPORT=$(free_port)
cat > "$PF/conf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = relay.example.test
mydestination =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.2]:$SINKPORT
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_tls_cert_file = $W/tls.crt
smtpd_tls_key_file = $W/tls.key
smtpd_tls_security_level = may
maillog_file = /dev/stdout
CF
sed "s/^smtp      inet.*/127.0.0.1:$PFPORT inet n - n - - smtpd/" /etc/postfix/master.cf > "$PF/conf/master.cf"
setsid postfix -c "$PF/conf" start-fg > "$W/postfix.log" 2>&1 & PFPID=$!; PIDS+=($PFPID)
wait_port 127.0.0.1 "$PFPORT"
run_load postfix "$PFPORT" "$PFPID"
postfix -c "$PF/conf" stop >/dev/null 2>&1 || true

O_RATE=$(cat "$W/rate-outbox"); P_RATE=$(cat "$W/rate-postfix")
O_RSS=$(cat "$W/rss-outbox"); P_RSS=$(cat "$W/rss-postfix")
echo
echo "messages=$M connections=$C size=${SIZE}B, remote = smtp-sink on 127.0.0.2"
printf "Outbox : %8s msg/s  peak PSS %5d MB (peak RSS, VmHWM: %d MB; one JVM)\n" "$O_RATE" $((O_RSS / 1024)) $((O_HWM / 1024))
printf "Postfix: %8s msg/s  peak PSS %5d MB (sum over all processes of the instance)\n" "$P_RATE" $((P_RSS / 1024))
/usr/bin/python3 -c "print('ratio Outbox/Postfix: %.2f' % ($O_RATE / $P_RATE))"
rm -rf "$SINKDIR"
