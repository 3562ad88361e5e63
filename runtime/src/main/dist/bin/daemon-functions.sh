# Shared by the *-server-start.sh / *-server-stop.sh scripts: a background process with its output
# in $LOG_DIR/<out> and its PID in $LOG_DIR/<name>.pid.
LOG_DIR="${LOG_DIR:-$SAMSA_HOME/logs}"

# start_args <usage> <what> "$@": reads "[-daemon] <config>" into $daemon and $config (absolute,
# readable) and leaves the remaining arguments in $rest.
start_args() {
  local usage="$1" what="$2"; shift 2
  daemon=false
  if [[ "${1:-}" == "-daemon" ]]; then daemon=true; shift; fi
  if [[ $# -lt 1 ]]; then
    echo "USAGE: $usage" >&2
    exit 1
  fi
  config="$(readlink -f "$1")"
  if [[ ! -r "$config" ]]; then
    echo "Cannot read the $what config $1" >&2
    exit 1
  fi
  shift
  rest=("$@")
}

# start_daemon <name> <command...>: zookeeper -> zookeeper.out, kafka-server -> kafkaServer.out (Kafka's names)
start_daemon() {
  local name="$1"; shift
  local out="$name.out"
  [[ "$name" == kafka-server ]] && out="kafkaServer.out"
  mkdir -p "$LOG_DIR"
  local pidfile="$LOG_DIR/$name.pid"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "$name already runs with PID $(cat "$pidfile") ($pidfile); stop it first or use another LOG_DIR" >&2
    exit 1
  fi
  nohup "$@" > "$LOG_DIR/$out" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  echo "$name started with PID $! (output in $LOG_DIR/$out)"
}

# stop_daemon <name>: SIGTERM the PID in $LOG_DIR/<name>.pid and wait up to 60 s for it to exit
stop_daemon() {
  local name="$1"
  local pidfile="$LOG_DIR/$name.pid"
  if [[ ! -f "$pidfile" ]]; then
    echo "No $name to stop: $pidfile does not exist" >&2
    exit 1
  fi
  local pid
  pid="$(cat "$pidfile")"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "No $name to stop: PID $pid from $pidfile is not running" >&2
    rm -f "$pidfile"
    exit 1
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      echo "$name (PID $pid) stopped"
      return 0
    fi
    sleep 0.1
  done
  echo "$name (PID $pid) did not stop within 60 s of SIGTERM" >&2
  exit 1
}
