#!/usr/bin/env bash
# Start-up time and idle memory of each Java service: the JVM's defaults (`java -jar`) against
# Mail Room's flags (config/java/jvm.options + MALLOC_ARENA_MAX=2, as ./mailroom up and the images
# run them), and with ./mailroom up's AppCDS archive on a second start. Each service is started
# alone against its own Redis on loopback, asked for /q/health/ready until it answers (= ready),
# left idle for IDLE seconds, and its PSS read from /proc/<pid>/smaps_rollup.
# Usage: bench/footprint.sh [IDLE=10]. Prints one line per service and variant, then the ratios.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
IDLE="${1:-10}"
for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
  if [ -n "$c" ] && [ -x "$c/bin/java" ] && "$c/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then export JAVA_HOME="$c"; break; fi
done
SERVICES="controller inbox outbox backup"
for s in $SERVICES; do
  [ -f "$s/target/quarkus-app/quarkus-run.jar" ] || mvn -B -q -ntp -Dmaven.test.skip=true -pl "$(echo $SERVICES | tr ' ' ,)" -am package
done
command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install redis-server)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
W="$(mktemp -d /tmp/footprint.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$W/redis.log" 2>&1 &
PIDS+=($!)
mkdir -p "$W/tls"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/tls/server.key" -out "$W/tls/server.crt" -days 2 \
  -subj /CN=localhost >/dev/null 2>&1
head -c 32 /dev/urandom | base64 >"$W/token"

# run SERVICE VARIANT: prints "service variant ready_ms pss_kB"
run() {
  local svc="$1" variant="$2" http s="$W/$1-$2" flags=() envs=()
  http="$(free_port)"; rm -rf "$s"; mkdir -p "$s"/{keys,mail,spool,backups,backup-key}
  case "$variant" in
    defaults) flags=(--sun-misc-unsafe-memory-access=allow) ;;
    mailroom) flags=(@config/java/jvm.options); envs=(MALLOC_ARENA_MAX=2) ;;
    mailroom+cds) flags=(@config/java/jvm.options -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="$W/$svc.jsa")
                  envs=(MALLOC_ARENA_MAX=2) ;;
  esac
  local t0 t1 pid
  t0=$(date +%s%N)
  env "${envs[@]}" MAILROOM_HOME="$s" MAILROOM_REDIS_URI="redis://127.0.0.1:$REDIS_PORT" MAILROOM_KEY_DIR="$s/keys" \
    MAILROOM_MAIL_ROOT="$s/mail" MAILROOM_TLS_CERT="$W/tls/server.crt" MAILROOM_TLS_KEY="$W/tls/server.key" \
    MAILROOM_CONTROLLER_TOKEN_FILE="$W/token" MAILROOM_OUTBOX_ADMIN_TOKEN_FILE="$W/token" \
    MAILROOM_OUTBOX_ADMIN_PORT="$(free_port)" MAILROOM_INBOX_PORT="$(free_port)" \
    MAILROOM_SUBMISSION_PORT="$(free_port)" MAILROOM_SUBMISSIONS_PORT="$(free_port)" \
    MAILROOM_OUTBOX_SPOOL_DIR="$s/spool" MAILROOM_BACKUP_DIR="$s/backups" \
    MAILROOM_BACKUP_PUBLIC_KEY="$s/backup-key/public.asc" QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$http" \
    "$JAVA_HOME/bin/java" "${flags[@]}" -jar "$svc/target/quarkus-app/quarkus-run.jar" >"$s.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  until curl -sf "http://127.0.0.1:$http/q/health/ready" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "$svc ($variant) exited during start-up:" >&2; tail -n 20 "$s.log" >&2; exit 1; }
    sleep 0.05
  done
  t1=$(date +%s%N)
  sleep "$IDLE"
  echo "$svc $variant $(( (t1 - t0) / 1000000 )) $(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup")"
  kill "$pid"; wait "$pid" 2>/dev/null || true   # a normal exit writes the AppCDS archive
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
printf '%-11s %-13s %9s %9s\n' service variant ready_ms pss_MB
results=()
for svc in $SERVICES; do
  run "$svc" mailroom+cds >/dev/null   # the first start with CDS only writes the archive
  for v in defaults mailroom mailroom+cds; do
    line="$(run "$svc" "$v")"; results+=("$line")
    set -- $line; printf '%-11s %-13s %9s %9.1f\n' "$1" "$2" "$3" "$(echo "$4/1024" | bc -l)"
  done
done
echo "ratios (Mail Room flags with CDS / JVM defaults):"
for svc in $SERVICES; do
  d="$(printf '%s\n' "${results[@]}" | awk -v s="$svc" '$1==s && $2=="defaults"')"
  m="$(printf '%s\n' "${results[@]}" | awk -v s="$svc" '$1==s && $2=="mailroom+cds"')"
  set -- $d; dr=$3 dp=$4; set -- $m
  printf '  %-11s ready %.2fx  PSS %.2fx (%.0f -> %.0f MB; target <= 100 MB)\n' "$svc" "$(echo "$3/$dr" | bc -l)" \
    "$(echo "$4/$dp" | bc -l)" "$(echo "$dp/1024" | bc -l)" "$(echo "$4/1024" | bc -l)"
done
