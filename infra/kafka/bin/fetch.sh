#!/usr/bin/env bash
# Builds vaultwire's Kafka Connect ConfigProvider (connect-plugin/) and lays out
# the local Kafka stack in infra/kafka/target/ from Maven Central:
#   lib/       broker + Connect worker classpath (Kafka 4.4.0, log4j2)
#   plugins/   Connect's plugin.path: Debezium connectors + vaultwire-config-provider/
# (one Maven reactor: infra/kafka/pom.xml with connect-plugin as a module).
#
# Idempotent and quiet: prints nothing when all is well, and returns at once
# when nothing changed since the last run (a stamp of the poms and the
# provider's sources). Extra arguments go to Maven and force a build, e.g.
#   bash infra/kafka/bin/fetch.sh -o                                   (offline)
#   bash infra/kafka/bin/fetch.sh -Dmaven.repo.local=/tmp/m2-cold      (cold cache)
# Needs Java 17+ and Maven 3.6.3+; the first run downloads ~190 MB into ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/../../.."

fail() { echo "fetch.sh: $*" >&2; exit 1; }

command -v java >/dev/null 2>&1 || fail "java not found: install a JDK 17+ (Debian: apt-get install openjdk-17-jdk-headless)"
command -v mvn >/dev/null 2>&1 || fail "mvn not found: install Maven (Debian: apt-get install maven)"
java_version="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
if [[ -z "${java_version}" || "${java_version%%.*}" -lt 17 ]]; then
  fail "Kafka 4.x needs Java 17 or newer; java is ${java_version:-unknown}"
fi

target="infra/kafka/target"
stamp_file="${target}/.fetch-stamp"
stamp="$(
  {
    echo "java ${java_version}"
    cat infra/kafka/pom.xml connect-plugin/pom.xml
    find connect-plugin/src/main -type f | LC_ALL=C sort | xargs cat
  } | sha256sum | cut -d' ' -f1
)"

complete() {
  compgen -G "${target}/lib/connect-runtime-*.jar" >/dev/null \
    && compgen -G "${target}/lib/kafka_2.13-*.jar" >/dev/null \
    && compgen -G "${target}/plugins/debezium-connector-postgres/*.jar" >/dev/null \
    && compgen -G "${target}/plugins/vaultwire-config-provider/vaultwire-config-provider-*.jar" >/dev/null
}

if [[ $# -eq 0 && -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${stamp}" ]] && complete; then
  exit 0
fi

# A version change must not leave an older provider jar beside the new one in plugin.path.
rm -rf "${target}/plugins/vaultwire-config-provider"
rm -f "${stamp_file}"

# -q keeps Maven quiet; its output is shown only when the build fails.
# maven.test.skip: the provider's tests run with `mvn -f connect-plugin/pom.xml test`.
if ! output="$(mvn -B -q -Dstyle.color=never -Dmaven.test.skip=true -f infra/kafka/pom.xml "$@" package 2>&1)"; then
  echo "${output}" >&2
  fail "the Maven build failed (output above)"
fi
complete || fail "the build finished but ${target} is incomplete"
echo "${stamp}" > "${stamp_file}"
