#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker+controller) for wirefeed.
#
#   kafka.sh build                  fetch the broker's classpath from Maven Central (once)
#   kafka.sh start [--port N] [--dir D] [--reset] [--scram-tls]
#                                   format storage if needed, start, wait until it serves;
#                                   --port 0 picks a free port; prints the bootstrap address.
#                                   --scram-tls adds a SASL_SSL listener (SCRAM-SHA-512 user
#                                   "wirefeed", password in D/tls/password, CA in D/tls/ca.pem);
#                                   its address is written to D/scram_bootstrap
#   kafka.sh stop  [--dir D]        stop cleanly (SIGTERM, then SIGKILL after 30 s)
#   kafka.sh status [--dir D]       print the bootstrap address if running, exit 1 if not
#   kafka.sh ensure                 use $KAFKA_BOOTSTRAP when it answers, else start one;
#                                   prints the bootstrap address to use
#
# State lives in $WIREFEED_KAFKA_DIR (default: <repo>/.kafka, git-ignored).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LIB="$HERE/target/lib"
DIR="${WIREFEED_KAFKA_DIR:-$REPO/.kafka}"
PORT="${WIREFEED_KAFKA_PORT:-9092}"
RESET=0
SCRAM_TLS=0
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { echo "kafka.sh: $*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

port_open() { # host port
  python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1.0)
try:
    s.connect((sys.argv[1], int(sys.argv[2]))); sys.exit(0)
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

build() {
  if [[ -f "$LIB/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to assemble Kafka"; exit 2; }
  log "assembling Kafka from Maven Central into $LIB"
  mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies >&2
  touch "$LIB/.complete"
}

running_pid() {
  [[ -f "$DIR/kafka.pid" ]] || return 1
  local pid; pid="$(cat "$DIR/kafka.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

make_tls() { # a throwaway CA and a server certificate for 127.0.0.1 (tests and local use only)
  local t="$DIR/tls"
  mkdir -p "$t"
  [[ -f "$t/server.pem" ]] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=wirefeed-local-ca" \
    -keyout "$t/ca.key" -out "$t/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
  printf "subjectAltName=IP:127.0.0.1,DNS:localhost\n" > "$t/san.ext"
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial -days 30 \
    -extfile "$t/san.ext" -out "$t/server.crt" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$t/server.key" -out "$t/server.pk8"
  cat "$t/server.pk8" "$t/server.crt" > "$t/server.pem"
  python3 -c 'import secrets; print(secrets.token_urlsafe(18))' > "$t/password"
}

write_config() {
  local cport="$1"
  mkdir -p "$DIR/logs"
  local listeners="PLAINTEXT://127.0.0.1:${PORT},CONTROLLER://127.0.0.1:${cport}"
  local advertised="PLAINTEXT://127.0.0.1:${PORT}"
  local protomap="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  if [[ "$SCRAM_TLS" == 1 ]]; then
    make_tls
    local sport; sport="$(free_port)"
    listeners="${listeners},SASL_SSL://127.0.0.1:${sport}"
    advertised="${advertised},SASL_SSL://127.0.0.1:${sport}"
    protomap="${protomap},SASL_SSL:SASL_SSL"
    echo "127.0.0.1:${sport}" > "$DIR/scram_bootstrap"
  fi
  cat > "$DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${cport}
listeners=${listeners}
advertised.listeners=${advertised}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=${protomap}
log.dirs=${DIR}/data
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
# one node: internal topics and transactions must not ask for more replicas
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=67108864
message.max.bytes=16777216
replica.fetch.max.bytes=16777216
EOF
  if [[ "$SCRAM_TLS" == 1 ]]; then
    cat >> "$DIR/server.properties" <<EOF
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=${DIR}/tls/server.pem
listener.name.sasl_ssl.ssl.client.auth=none
EOF
  fi
  cat > "$DIR/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = ${DIR}/logs/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.controller.name = org.apache.kafka
logger.controller.level = INFO
EOF
}

start() {
  build
  if pid="$(running_pid)"; then
    cat "$DIR/bootstrap"; return 0
  fi
  if [[ "$RESET" == 1 ]]; then rm -rf "$DIR"; fi
  mkdir -p "$DIR"
  if [[ "$PORT" == 0 ]]; then PORT="$(free_port)"; fi
  local cport; cport="$(free_port)"
  write_config "$cport"
  local cp="$LIB/*"
  local jopts=(-Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
               "-Dlog4j2.configurationFile=$DIR/log4j2.properties")
  if [[ ! -f "$DIR/data/meta.properties" ]]; then
    local cid; cid="$(python3 -c 'import base64,uuid;print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')"
    local scram=()
    if [[ "$SCRAM_TLS" == 1 ]]; then
      scram=(--add-scram "SCRAM-SHA-512=[name=wirefeed,password=$(cat "$DIR/tls/password")]")
    fi
    "$JAVA" "${jopts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cid" -c "$DIR/server.properties" "${scram[@]}" >"$DIR/logs/format.log" 2>&1 \
      || { log "storage format failed:"; cat "$DIR/logs/format.log" >&2; exit 1; }
  fi
  nohup "$JAVA" "${jopts[@]}" -cp "$cp" kafka.Kafka "$DIR/server.properties" >"$DIR/logs/stdout.log" 2>&1 &
  echo $! > "$DIR/kafka.pid"
  echo "127.0.0.1:${PORT}" > "$DIR/bootstrap"
  local deadline=$((SECONDS + 90))
  until grep -q "Kafka Server started" "$DIR/logs/server.log" 2>/dev/null && port_open 127.0.0.1 "$PORT"; do
    if ! kill -0 "$(cat "$DIR/kafka.pid")" 2>/dev/null; then
      log "broker exited during start-up; last log lines:"; tail -30 "$DIR/logs/stdout.log" "$DIR/logs/server.log" >&2 || true
      exit 1
    fi
    if (( SECONDS > deadline )); then log "broker did not start within 90 s"; stop; exit 1; fi
    sleep 0.3
  done
  log "broker up at 127.0.0.1:${PORT} (pid $(cat "$DIR/kafka.pid"), data in $DIR)"
  echo "127.0.0.1:${PORT}"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then log "no broker running in $DIR"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
  if kill -0 "$pid" 2>/dev/null; then log "broker did not stop in 30 s; killing"; kill -KILL "$pid" || true; fi
  rm -f "$DIR/kafka.pid"
  log "broker stopped"
}

status() {
  if running_pid >/dev/null; then cat "$DIR/bootstrap"; else exit 1; fi
}

ensure() {
  if [[ -n "${KAFKA_BOOTSTRAP:-}" ]]; then
    local first="${KAFKA_BOOTSTRAP%%,*}"
    if port_open "${first%:*}" "${first##*:}"; then echo "$KAFKA_BOOTSTRAP"; return 0; fi
    log "KAFKA_BOOTSTRAP=$KAFKA_BOOTSTRAP does not answer; starting a local broker instead"
  fi
  start
}

cmd="${1:-}"; shift || true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --reset) RESET=1; shift ;;
    --scram-tls) SCRAM_TLS=1; shift ;;
    *) log "unknown option $1"; exit 2 ;;
  esac
done
case "$cmd" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  ensure) ensure ;;
  *) sed -n '2,18p' "$0"; exit 2 ;;
esac
