#!/usr/bin/env bash
# JMH benchmarks of mailauth (DKIM verification, SPF evaluation). The benchmark classes are
# mailauth's test sources under io.mailroom.mailauth.bench; extra arguments go to JMH
# (e.g. `bench/mailauth.sh Dkim -f 1 -wi 3 -i 5`).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
  if [ -n "$c" ] && [ -x "$c/bin/java" ] && "$c/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then export JAVA_HOME="$c"; break; fi
done
mvn -B -q -ntp -pl mailauth -am test-compile -DskipTests
mvn -B -q -ntp -pl mailauth dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="mailauth/target/test-classes:mailauth/target/classes:$(cat mailauth/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" -cp "$CP" org.openjdk.jmh.Main "${@:-io.mailroom.mailauth.bench}"
