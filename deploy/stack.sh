#!/usr/bin/env bash
# The local stack Vigil runs on: a real Apache Kafka broker (KRaft, single node, from Maven Central
# jars), Redis and Mosquitto.
#
#   deploy/stack.sh up       start what is not running yet (idempotent), wait until each is ready
#   deploy/stack.sh down     stop what `up` started (services found running are left alone)
#   deploy/stack.sh status   one line per service
#   deploy/stack.sh reset    down, then wipe Kafka's data (fresh cluster id on the next up)
#   deploy/stack.sh auth-up  start the authenticating Mosquitto (files from `vigil devices mosquitto`)
#   deploy/stack.sh auth-down
#
# Environment (all optional):
#   VIGIL_STACK_DIR   state: broker data, logs, pid files   (default ~/.cache/vigil/stack)
#   VIGIL_STACK_MQTT_PORT  port of Vigil's Mosquitto        (default 1885; 1883 is left to the machine)
#   VIGIL_STACK_KAFKA_PORT client port of the Kafka broker   (default 9092)
#   VIGIL_STACK_KAFKA_CONTROLLER_PORT  its KRaft controller port (default 9093)
#   VIGIL_STACK_REDIS_PORT port of Redis                     (default 6379)
#   (a second, private stack beside the shared one: its own VIGIL_STACK_DIR and ports; the fault suite)
#   VIGIL_CACHE_DIR   downloaded Kafka jars                 (default ~/.cache/vigil)
#   KAFKA_HEAP        broker heap                            (default 1g)
#   KAFKA_READY_TIMEOUT seconds to wait for the broker      (default 120)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")"
cache_dir="${VIGIL_CACHE_DIR:-$HOME/.cache/vigil}"
state_dir="${VIGIL_STACK_DIR:-$HOME/.cache/vigil/stack}"
lib_dir="$cache_dir/kafka-$kafka_version/lib"
kafka_dir="$state_dir/kafka"
started_list="$state_dir/started-by-vigil"
ready_timeout="${KAFKA_READY_TIMEOUT:-120}"
kafka_port="${VIGIL_STACK_KAFKA_PORT:-9092}"
controller_port="${VIGIL_STACK_KAFKA_CONTROLLER_PORT:-9093}"
redis_port="${VIGIL_STACK_REDIS_PORT:-6379}"

say() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for DESCRIPTION TIMEOUT_S COMMAND...: poll a condition every 0.25 s until it holds.
wait_for() {
  local what="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.25
  done
  say "$what: ok"
}

mark_started() { mkdir -p "$state_dir"; grep -qx "$1" "$started_list" 2>/dev/null || echo "$1" >>"$started_list"; }
was_started() { grep -qx "$1" "$started_list" 2>/dev/null; }
unmark_started() { [ -f "$started_list" ] && sed -i "/^$1\$/d" "$started_list" || true; }

apt_install() {
  command -v apt-get >/dev/null || die "$1 is missing and apt-get is not available: install $1 yourself"
  say "installing $* from Debian packages"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ---------------------------------------------------------------- Redis
redis_up() {
  if port_open "$redis_port"; then say "redis already running on 127.0.0.1:$redis_port"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$state_dir/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
    --dir "$state_dir/redis" --logfile "$state_dir/redis/redis.log" \
    --pidfile "$state_dir/redis/redis.pid" >/dev/null
  mark_started redis
  wait_for "redis" 20 port_open "$redis_port" || die "redis did not open $redis_port (see $state_dir/redis/redis.log)"
}
redis_down() {
  was_started redis || return 0
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  unmark_started redis; say "redis stopped"
}

# ---------------------------------------------------------------- Mosquitto
# Vigil's own broker, configured by the project (deploy/mosquitto/vigil-broker.conf: queues sized for
# a Kafka outage of minutes, persistence for QoS 1 sessions, never root) on its own port: a broker
# already on 1883 (the machine's, with Mosquitto's default 1000-message queue that drops during an
# outage) is neither used nor touched. VIGIL_MQTT_URL's default points here.
mqtt_port="${VIGIL_STACK_MQTT_PORT:-1885}"
mqtt_dir="$state_dir/mosquitto"
mosquitto_pid() { [ -f "$mqtt_dir/mosquitto.pid" ] && cat "$mqtt_dir/mosquitto.pid"; }
mosquitto_alive() { local p; p="$(mosquitto_pid)" && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
mosquitto_up() {
  if port_open "$mqtt_port"; then say "mosquitto (vigil's) already running on 127.0.0.1:$mqtt_port"; return; fi
  command -v mosquitto >/dev/null || apt_install mosquitto mosquitto-clients
  mkdir -p "$mqtt_dir/data"
  # Started by root, Mosquitto drops to `user` before it opens its files: root hands them to the
  # mosquitto system user (created by the Debian package); anyone else runs the broker as themselves.
  local user; user="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    user=mosquitto
    id -u mosquitto >/dev/null 2>&1 || apt_install mosquitto
    chown -R mosquitto: "$mqtt_dir"
    # The folder must be reachable by that user (a checkout under /root is not): else a private one.
    if ! runuser -u mosquitto -- test -w "$mqtt_dir/data" 2>/dev/null; then
      mqtt_dir="/var/lib/vigil-mosquitto/$(printf '%s' "$state_dir" | md5sum | cut -c1-12)"
      mkdir -p "$mqtt_dir/data" && chown -R mosquitto: "$(dirname "$mqtt_dir")"
      ln -sfn "$mqtt_dir" "$state_dir/mosquitto-files"
    fi
  fi
  {
    echo "# Written by deploy/stack.sh: the listener and files of this stack, then deploy/mosquitto/vigil-broker.conf."
    echo "listener $mqtt_port 127.0.0.1"
    echo "allow_anonymous true"
    echo "user $user"
    echo "pid_file $mqtt_dir/mosquitto.pid"
    echo "persistence_location $mqtt_dir/data/"
    echo "log_dest file $mqtt_dir/mosquitto.log"
    cat "$here/mosquitto/vigil-broker.conf"
  } >"$state_dir/mosquitto.conf"
  echo "$mqtt_dir" >"$state_dir/mosquitto.dir"
  mosquitto -d -c "$state_dir/mosquitto.conf"
  mark_started mosquitto
  wait_for "mosquitto (vigil's) on 127.0.0.1:$mqtt_port" 20 port_open "$mqtt_port" \
    || die "mosquitto did not open $mqtt_port (see $mqtt_dir/mosquitto.log)"
}
mosquitto_down() {
  was_started mosquitto || return 0
  [ -f "$state_dir/mosquitto.dir" ] && mqtt_dir="$(cat "$state_dir/mosquitto.dir")"
  if mosquitto_alive; then
    local pid; pid="$(mosquitto_pid)"
    kill -TERM "$pid" # saves the persistent sessions, then exits
    wait_for "mosquitto shutdown" 30 bash -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null || true
  fi
  unmark_started mosquitto; say "mosquitto stopped"
}

# ---------------------------------------------------------------- Kafka
kafka_fetch() {
  [ -f "$lib_dir/kafka_2.13-$kafka_version.jar" ] && return
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Apache Kafka's jars: apt-get install maven"
  say "fetching Apache Kafka $kafka_version jars with Maven into $lib_dir"
  local work; work="$(mktemp -d)"
  cp "$here/kafka/pom.xml" "$work/"
  (cd "$work" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DoutputDirectory="$work/lib" -DincludeScope=runtime) || die "Maven could not fetch Kafka $kafka_version"
  mkdir -p "$(dirname "$lib_dir")" && rm -rf "$lib_dir" && mv "$work/lib" "$lib_dir" && rm -rf "$work"
}

kafka_pid() { [ -f "$kafka_dir/broker.pid" ] && cat "$kafka_dir/broker.pid"; }
kafka_alive() { local p; p="$(kafka_pid)" && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
kafka_ready() { grep -q 'Kafka Server started' "$kafka_dir/broker.log" 2>/dev/null && port_open "$kafka_port"; }

kafka_up() {
  if kafka_alive; then say "kafka already running (pid $(kafka_pid))"; return; fi
  if port_open "$kafka_port"; then say "something already listens on 127.0.0.1:$kafka_port; using it as Kafka"; return; fi
  command -v java >/dev/null || die "Java 17+ is needed to run Kafka: apt-get install openjdk-17-jre-headless"
  local major; major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
  [ "${major:-0}" -ge 17 ] || die "Kafka $kafka_version needs Java 17 or newer (found ${major:-unknown})"
  kafka_fetch
  mkdir -p "$kafka_dir/data"
  sed -e "s#^log.dirs=.*#log.dirs=$kafka_dir/data#" \
    -e "s#127.0.0.1:9092#127.0.0.1:$kafka_port#g" -e "s#127.0.0.1:9093#127.0.0.1:$controller_port#g" \
    "$here/kafka/server.properties" >"$kafka_dir/run.properties"
  local log4j="-Dlog4j2.configurationFile=$here/kafka/log4j2.properties"
  if [ ! -f "$kafka_dir/data/meta.properties" ]; then
    # 16 random bytes, base64url without padding: the 22-character cluster id KRaft expects.
    local cid; cid="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    java "$log4j" -cp "$lib_dir/*" kafka.tools.StorageTool format -t "$cid" -c "$kafka_dir/run.properties" \
      >"$kafka_dir/format.log" 2>&1 || die "formatting Kafka storage failed (see $kafka_dir/format.log)"
  fi
  : >"$kafka_dir/broker.log"
  local t0=$SECONDS
  # SerialGC and C1-only JIT: fewer threads and a faster start on a 2-core machine.
  nohup java "-Xms256m" "-Xmx${KAFKA_HEAP:-1g}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true "$log4j" -cp "$lib_dir/*" kafka.Kafka "$kafka_dir/run.properties" \
    >"$kafka_dir/broker.log" 2>&1 </dev/null &
  echo $! >"$kafka_dir/broker.pid"
  mark_started kafka
  # 'Kafka Server started' is logged only once the broker is unfenced and serving requests.
  if ! wait_for "kafka $kafka_version on 127.0.0.1:$kafka_port" "$ready_timeout" kafka_ready_or_dead; then
    tail -20 "$kafka_dir/broker.log" >&2; die "kafka was not ready within ${ready_timeout}s"
  fi
  kafka_alive || { tail -20 "$kafka_dir/broker.log" >&2; die "kafka exited during start-up"; }
  say "kafka start took $((SECONDS - t0))s"
}
kafka_ready_or_dead() { kafka_ready || ! kafka_alive; }

kafka_down() {
  if ! kafka_alive; then unmark_started kafka; return 0; fi
  local pid; pid="$(kafka_pid)"
  kill -TERM "$pid"   # SIGTERM runs the broker's clean-shutdown hook
  if ! wait_for "kafka shutdown" 60 bash -c "! kill -0 $pid 2>/dev/null"; then
    say "kafka did not stop in 60s; killing it"; kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$kafka_dir/broker.pid"; unmark_started kafka; say "kafka stopped"
}

# ---------------------------------------------------------------- Authenticating Mosquitto (ingest, issue 3)
# A second broker where devices log in with their own credentials and may publish only under their
# own id. Its passwd/acl/mosquitto.conf come from the device registry: `vigil devices mosquitto --dir DIR`.
auth_dir="${VIGIL_MQTT_AUTH_DIR:-$state_dir/mosquitto-auth}"
auth_up() {
  [ -f "$auth_dir/mosquitto.conf" ] || die "no $auth_dir/mosquitto.conf: run \`vigil devices mosquitto --dir $auth_dir --service vigil-ingest:<secret>\` first"
  local port; port="$(sed -n 's/^listener \([0-9]*\).*/\1/p' "$auth_dir/mosquitto.conf")"
  if port_open "$port"; then say "authenticating mosquitto already running on 127.0.0.1:$port"; return; fi
  mosquitto -d -c "$auth_dir/mosquitto.conf"
  wait_for "authenticating mosquitto on 127.0.0.1:$port" 20 port_open "$port" || die "mosquitto did not open $port (see $auth_dir/mosquitto.log)"
}
auth_down() {
  [ -f "$auth_dir/mosquitto.pid" ] || return 0
  kill -TERM "$(cat "$auth_dir/mosquitto.pid")" 2>/dev/null || true
  rm -f "$auth_dir/mosquitto.pid"; say "authenticating mosquitto stopped"
}

status() {
  local s
  for s in "redis $redis_port" "mosquitto $mqtt_port" "kafka $kafka_port"; do
    set -- $s
    if port_open "$2"; then echo "$1: up on 127.0.0.1:$2$(was_started "$1" && echo ' (started by vigil)')"
    else echo "$1: down"; fi
  done
}

case "${1:-}" in
  up) redis_up; mosquitto_up; kafka_up ;;
  down) kafka_down; mosquitto_down; redis_down ;;
  status) status ;;
  auth-up) auth_up ;;
  auth-down) auth_down ;;
  reset) kafka_down; rm -rf "$kafka_dir"; say "kafka data wiped" ;;
  *) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; [ -n "${1:-}" ] && exit 2 || exit 0 ;;
esac
