#!/usr/bin/env bash
# A whole deployment on one machine, without containers, from Debian packages (postgresql, redis-server,
# haproxy; installed with apt-get when missing): a PostgreSQL primary and one hot-standby streaming replica
# (pg_basebackup -R), Redis, three API instances (the published Release build) and HAProxy in front of them.
# Everything listens on loopback, on free ports the OS picks.
#
#   scripts/cluster.sh up --dir DIR [--publish DIR|DLL] [--instances N]
#       Publishes src/B2BKpiApi (Release) into DIR/publish unless --publish names a publish folder or the
#       B2BKpiApi.dll in one, starts everything, writes DIR/cluster.json and returns when every instance
#       answers /health/ready and HAProxy routes to all of them. DIR must not hold a running cluster.
#   scripts/cluster.sh down --dir DIR
#       Stops exactly what `up` started (the pids recorded under DIR/run), never anything else.
#   scripts/cluster.sh stop|start|restart --dir DIR primary|replica|redis|haproxy|instance N
#       One part (what the fault probes use). `stop instance N` is a SIGTERM; probes kill -9 the recorded pid
#       themselves. `start instance N` relaunches it with the environment recorded when the cluster came up.
#   scripts/cluster.sh status --dir DIR      prints cluster.json (pids refreshed)
#
# DIR/cluster.json:
#   {"url", "adminKey", "instances": [{"pid", "url"}], "postgres": {"primary", "replica", "primaryPid",
#    "replicaPid"}, "redis": {"url", "connection", "pid"}, "haproxyPid", "haproxyStats"}
# (connection strings in Npgsql form; the database password is random, written only under DIR, mode 600.)
# The PostgreSQL servers run as the `postgres` OS user when this runs as root (initdb refuses root), so DIR
# must be reachable by that user (a mktemp -d folder is: its mode is relaxed to 711 here).
set -euo pipefail

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

cmd="${1:-}"; [ -n "$cmd" ] || usage; shift
dir="" publish="" instances=3 part="" part_n=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --publish) publish="$2"; shift 2 ;;
    --instances) instances="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) if [ -z "$part" ]; then part="$1"; elif [ -z "$part_n" ]; then part_n="$1"; else usage; fi; shift ;;
  esac
done
[ -n "$dir" ] || usage
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
run="$dir/run"

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: $*" >&2; exit 1; }

ensure_packages() {
  local missing=()
  { command -v pg_basebackup >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v node >/dev/null || die "node is needed (to pick free ports and write cluster.json)"
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

pg_bin() { echo "/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -1)/bin"; }

# Runs a PostgreSQL tool as the postgres OS user when we are root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- env PGPASSWORD="$(cat "$run/pg.password")" "$@"
  else PGPASSWORD="$(cat "$run/pg.password")" "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# A port not yet handed out in this run (the OS may hand the same free port out twice before it is bound).
# new_port FILE: writes the port into FILE.
used_ports=" "
new_port() {
  local p
  while :; do p="$(free_port)"; [[ "$used_ports" != *" $p "* ]] && break; done
  used_ports+="$p "
  echo "$p" > "$1"
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pidof_file() { [ -f "$1" ] && head -1 "$1" | tr -d ' \n' || true; }

wait_until() { # seconds, description, command...
  local secs="$1" what="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.3
  done
}

http_ok() { node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1"; }

conn() { echo "Host=127.0.0.1;Port=$1;Username=postgres;Password=$(cat "$run/pg.password");Database=kpi"; }

# ---- PostgreSQL ------------------------------------------------------------------------------------------
pg_start() { # name port
  local name="$1" port="$2" data="$dir/pg-$1"
  as_pg "$(pg_bin)/pg_ctl" -D "$data" -l "$dir/logs/pg-$name.log" -w -t 120 \
    -o "-p $port -k $dir/pg-sock -c listen_addresses=127.0.0.1" start >/dev/null
}
pg_stop() { # name [mode]
  local data="$dir/pg-$1"
  [ -f "$data/postmaster.pid" ] || return 0
  as_pg "$(pg_bin)/pg_ctl" -D "$data" -w -t 120 -m "${2:-fast}" stop >/dev/null || true
}
pg_pid() { pidof_file "$dir/pg-$1/postmaster.pid"; }

primary_up() {
  new_port "$run/primary.port"; local port; port="$(cat "$run/primary.port")"
  od -An -N18 -tx1 /dev/urandom | tr -d ' \n' > "$run/pg.password"; chmod 600 "$run/pg.password"
  local data="$dir/pg-primary"
  mkdir -p "$data" "$dir/pg-sock"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$data" "$dir/logs" "$dir/pg-sock"
    install -o postgres -m 600 "$run/pg.password" "$dir/pg.pwfile"
  else cp "$run/pg.password" "$dir/pg.pwfile"; fi
  as_pg "$(pg_bin)/initdb" -D "$data" -U postgres --pwfile="$dir/pg.pwfile" -A scram-sha-256 -E UTF8 --no-sync >/dev/null
  rm -f "$dir/pg.pwfile"
  cat >> "$data/postgresql.conf" <<EOF
# cluster.sh: a primary with one streaming replica
wal_level = replica
max_wal_senders = 5
wal_keep_size = 256MB
hot_standby = on
max_connections = 200
shared_buffers = 64MB
EOF
  pg_start primary "$port"
  as_pg "$(pg_bin)/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -q -c "CREATE DATABASE kpi" >/dev/null
}

replica_up() {
  new_port "$run/replica.port"; local port; port="$(cat "$run/replica.port")"
  local data="$dir/pg-replica"
  mkdir -m 700 -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data"
  # pg_basebackup -R writes primary_conninfo (with the password it used) and standby.signal.
  as_pg "$(pg_bin)/pg_basebackup" -h 127.0.0.1 -p "$(cat "$run/primary.port")" -U postgres -D "$data" -R -X stream -c fast >/dev/null
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$data"; chmod 700 "$data"; fi
  pg_start replica "$port"
  wait_until 60 "replica in recovery" as_pg "$(pg_bin)/psql" -h 127.0.0.1 -p "$port" -U postgres -d kpi -tAc \
    "SELECT 1 WHERE pg_is_in_recovery()" || die "the replica did not come up in recovery"
}

# ---- Redis -----------------------------------------------------------------------------------------------
redis_start() {
  mkdir -p "$dir/redis"
  redis-server --bind 127.0.0.1 --port "$(cat "$run/redis.port")" --save '' --appendonly no --daemonize yes \
    --dir "$dir/redis" --pidfile "$run/redis.pid" --logfile "$dir/logs/redis.log"
  wait_until 20 "redis" bash -c "[ \"\$(redis-cli -h 127.0.0.1 -p $(cat "$run/redis.port") ping)\" = PONG ]" || die "redis did not start"
}
redis_stop() {
  local pid; pid="$(pidof_file "$run/redis.pid")"
  alive "$pid" || return 0
  kill "$pid"; for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$run/redis.pid"
}

# ---- API instances ---------------------------------------------------------------------------------------
instance_env() { # n port
  local n="$1" port="$2" redis="127.0.0.1:$(cat "$run/redis.port")"
  {
    kv() { printf '%s=%q\n' "$1" "$2"; }
    kv ASPNETCORE_ENVIRONMENT Production
    kv Database__Provider postgres
    kv ConnectionStrings__Kpi "$(conn "$(cat "$run/primary.port")")"
    kv ConnectionStrings__Replica "$(conn "$(cat "$run/replica.port")")"
    kv ConnectionStrings__Redis "$redis"
    kv Cache__Redis "$redis"
    kv Auth__AdminApiKey "$(cat "$run/admin.key")"
    kv ForwardedHeaders__KnownProxies 127.0.0.1
    kv INSTANCE_URL "http://127.0.0.1:$port"
  } > "$run/instance-$n.env"
  chmod 600 "$run/instance-$n.env"
}

instance_start() { # n
  local n="$1" dll; dll="$(cat "$run/dll")"
  local url; url="$(sed -n 's/^INSTANCE_URL=//p' "$run/instance-$n.env")"
  # setsid: the instance outlives this script and a job-control group that started it; exec keeps $! its pid.
  ( cd "$(dirname "$dll")"; set -a; . "$run/instance-$n.env"; set +a
    exec setsid dotnet "$dll" --urls "$url" ) >>"$dir/logs/instance-$n.log" 2>&1 &
  echo $! > "$run/instance-$n.pid"
}
instance_wait() { # n
  local n="$1" url pid; url="$(sed -n 's/^INSTANCE_URL=//p' "$run/instance-$n.env")"; pid="$(pidof_file "$run/instance-$n.pid")"
  local deadline=$((SECONDS + ${CLUSTER_READY_SECS:-120}))
  until http_ok "$url/health/ready"; do
    alive "$pid" || { tail -n 40 "$dir/logs/instance-$n.log" >&2; die "instance $n exited before it was ready"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 40 "$dir/logs/instance-$n.log" >&2; die "instance $n not ready in time"; }
    sleep 0.3
  done
}
instance_stop() { # n [signal]
  local pid; pid="$(pidof_file "$run/instance-$1.pid")"
  alive "$pid" || return 0
  kill "-${2:-TERM}" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# ---- HAProxy ---------------------------------------------------------------------------------------------
haproxy_config() {
  local port; port="$(cat "$run/haproxy.port")"
  # When no instance is ready (the database is down: /health/ready fails everywhere), HAProxy answers itself;
  # with Retry-After and a problem+json body like the API's own 503, so a client's retry logic is the same.
  local code title
  for code in 502 503 504; do
    case "$code" in 502) title="Bad Gateway" ;; 503) title="Service Unavailable" ;; 504) title="Gateway Timeout" ;; esac
    printf 'HTTP/1.1 %s %s\r\nContent-Type: application/problem+json\r\nRetry-After: 5\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"%s","status":%s,"detail":"No API instance is available for the moment; nothing of this request was stored. Retry after 5 seconds."}\n' \
      "$code" "$title" "$title" "$code" > "$run/$code.http"
  done
  {
    cat <<EOF
# Written by scripts/cluster.sh (deploy/haproxy.cfg is the same for containers).
global
    maxconn 4096
    stats socket $run/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout queue 10s
    # Clients see the caller's address: the API trusts X-Forwarded-For from 127.0.0.1 only (ForwardedHeaders:KnownProxies).
    option forwardfor
    # A request that could not reach an instance (refused, or the connection closed before any answer: a
    # killed instance) is sent to another one; a POST only with an Idempotency-Key (see the backend).
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
    option http-buffer-request
    errorfile 502 $run/502.http
    errorfile 503 $run/503.http
    errorfile 504 $run/504.http
frontend api
    bind 127.0.0.1:$port
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /health/ready
    http-check expect status 200
    default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2
    # A POST without an Idempotency-Key is not sent again once it reached an instance (that instance may have
    # stored it before dying; without the key a replay would store it twice): the caller gets the 502 and decides.
    # A refused connection (nothing was sent) is still retried (probes/cluster/haproxy-retries.test.mjs).
    http-request disable-l7-retry if METH_POST !{ req.hdr(idempotency-key) -m found }
EOF
    for n in $(seq 1 "$(cat "$run/instances")"); do
      echo "    server api-$n $(sed -n 's#^INSTANCE_URL=http://##p' "$run/instance-$n.env") check"
    done
  } > "$dir/haproxy.cfg"
}
haproxy_start() {
  haproxy -c -q -f "$dir/haproxy.cfg" || die "haproxy.cfg is not valid"
  haproxy -D -f "$dir/haproxy.cfg" -p "$run/haproxy.pid" 2>>"$dir/logs/haproxy.log"
  wait_until 20 "haproxy" test -s "$run/haproxy.pid" || die "haproxy did not start"
}
haproxy_stop() {
  local pid; pid="$(pidof_file "$run/haproxy.pid")"
  alive "$pid" || return 0
  kill "$pid"; for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
# HAProxy's view of the instances: "api-1 UP" lines.
haproxy_states() {
  node -e '
    const s = require("net").connect(process.argv[1]); let out = "";
    s.on("connect", () => s.write("show stat\n")); s.on("data", d => out += d);
    s.on("end", () => { for (const l of out.split("\n")) { const f = l.split(","); if (f[0] === "instances" && f[1].startsWith("api-")) console.log(f[1] + " " + f[17]); } });
    s.on("error", () => process.exit(1));' "$run/haproxy.sock"
}
all_up_in_haproxy() { [ "$(haproxy_states | grep -c ' UP$')" = "$(cat "$run/instances")" ]; }

# ---- cluster.json ----------------------------------------------------------------------------------------
write_json() {
  local n inst="" sep=""
  for n in $(seq 1 "$(cat "$run/instances")"); do
    inst+="$sep$(sed -n 's/^INSTANCE_URL=//p' "$run/instance-$n.env")|$(pidof_file "$run/instance-$n.pid")"; sep=","
  done
  CLUSTER_INSTANCES="$inst" CLUSTER_URL="http://127.0.0.1:$(cat "$run/haproxy.port")" CLUSTER_ADMIN="$(cat "$run/admin.key")" \
  CLUSTER_PRIMARY="$(conn "$(cat "$run/primary.port")")" CLUSTER_REPLICA="$(conn "$(cat "$run/replica.port")")" \
  CLUSTER_PRIMARY_PID="$(pg_pid primary)" CLUSTER_REPLICA_PID="$(pg_pid replica)" CLUSTER_REDIS_PORT="$(cat "$run/redis.port")" \
  CLUSTER_REDIS_PID="$(pidof_file "$run/redis.pid")" CLUSTER_HAPROXY_PID="$(pidof_file "$run/haproxy.pid")" \
  CLUSTER_STATS="$run/haproxy.sock" CLUSTER_DIR="$dir" node -e '
    const e = process.env, num = v => v ? Number(v) : null;
    const j = {
      url: e.CLUSTER_URL, adminKey: e.CLUSTER_ADMIN,
      instances: e.CLUSTER_INSTANCES.split(",").map(s => { const [url, pid] = s.split("|"); return { pid: num(pid), url }; }),
      postgres: { primary: e.CLUSTER_PRIMARY, replica: e.CLUSTER_REPLICA, primaryPid: num(e.CLUSTER_PRIMARY_PID), replicaPid: num(e.CLUSTER_REPLICA_PID) },
      redis: { url: "redis://127.0.0.1:" + e.CLUSTER_REDIS_PORT, connection: "127.0.0.1:" + e.CLUSTER_REDIS_PORT, pid: num(e.CLUSTER_REDIS_PID) },
      haproxyPid: num(e.CLUSTER_HAPROXY_PID), haproxyStats: e.CLUSTER_STATS, dir: e.CLUSTER_DIR,
    };
    require("fs").writeFileSync(e.CLUSTER_DIR + "/cluster.json", JSON.stringify(j, null, 2) + "\n", { mode: 0o600 });'
}

# ---- commands --------------------------------------------------------------------------------------------
up() {
  [ ! -f "$run/started" ] || die "$dir already holds a cluster (scripts/cluster.sh down --dir $dir first)"
  ensure_packages
  rm -rf "$run" "$dir/pg-primary" "$dir/pg-replica" "$dir/pg-sock" "$dir/redis" "$dir/logs"
  mkdir -p "$run" "$dir/logs"; chmod 700 "$run"
  [ "$(id -u)" = 0 ] && chmod 711 "$dir"
  touch "$run/started"
  echo "$instances" > "$run/instances"
  # If anything below fails, stop what was started so far.
  trap 'rc=$?; if [ $rc -ne 0 ]; then log "start failed; stopping what was started"; down_all; fi' EXIT

  local dll
  if [ -n "$publish" ]; then
    dll="$publish"; [ -d "$dll" ] && dll="$dll/B2BKpiApi.dll"
    [ -f "$dll" ] || die "no B2BKpiApi.dll at $publish"
  else
    log "publishing src/B2BKpiApi (Release) into $dir/publish"
    dotnet publish "$root/src/B2BKpiApi" -c Release -o "$dir/publish" --nologo -v quiet >"$dir/logs/publish.log" 2>&1 \
      || { cat "$dir/logs/publish.log" >&2; die "dotnet publish failed"; }
    dll="$dir/publish/B2BKpiApi.dll"
  fi
  (cd "$(dirname "$dll")" && pwd) | sed "s#\$#/$(basename "$dll")#" > "$run/dll"

  echo "cluster-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" > "$run/admin.key"; chmod 600 "$run/admin.key"
  log "PostgreSQL primary"; primary_up
  log "PostgreSQL streaming replica (pg_basebackup -R)"; replica_up
  new_port "$run/redis.port"; log "Redis"; redis_start
  local n
  for n in $(seq 1 "$instances"); do new_port "$run/instance-$n.port"; instance_env "$n" "$(cat "$run/instance-$n.port")"; done
  # The first instance applies the migrations; the others start once the schema is there.
  log "API instance 1 (applies the migrations)"; instance_start 1; instance_wait 1
  for n in $(seq 2 "$instances"); do log "API instance $n"; instance_start "$n"; done
  for n in $(seq 2 "$instances"); do instance_wait "$n"; done
  new_port "$run/haproxy.port"; haproxy_config
  log "HAProxy"; haproxy_start
  wait_until 30 "haproxy sees every instance" all_up_in_haproxy || { haproxy_states >&2; die "HAProxy does not see every instance UP"; }
  http_ok "http://127.0.0.1:$(cat "$run/haproxy.port")/health/ready" || die "HAProxy does not answer /health/ready"
  write_json
  trap - EXIT
  log "up: $(node -e 'const j=require(process.argv[1]);console.log(j.url+" -> "+j.instances.map(i=>i.url).join(" "))' "$dir/cluster.json")"
  echo "$dir/cluster.json"
}

down_all() {
  [ -d "$run" ] || return 0
  haproxy_stop
  local n
  for n in $(seq 1 "$(cat "$run/instances" 2>/dev/null || echo 0)"); do instance_stop "$n"; done
  redis_stop
  pg_stop replica fast
  pg_stop primary fast
  rm -f "$run/started"
}

down() {
  [ -d "$run" ] || { log "nothing recorded under $dir"; return 0; }
  down_all
  log "down: every process started under $dir is stopped"
}

part_cmd() { # stop|start|restart
  local action="$1"
  [ -f "$run/started" ] || die "no cluster recorded under $dir"
  case "$part" in
    primary|replica)
      [ "$action" = start ] || pg_stop "$part" fast
      [ "$action" = stop ] || pg_start "$part" "$(cat "$run/$part.port")" ;;
    redis)
      [ "$action" = start ] || redis_stop
      [ "$action" = stop ] || redis_start ;;
    haproxy)
      [ "$action" = start ] || haproxy_stop
      [ "$action" = stop ] || haproxy_start ;;
    instance)
      [[ "$part_n" =~ ^[0-9]+$ ]] && [ -f "$run/instance-$part_n.env" ] || die "no instance '$part_n'"
      [ "$action" = start ] || instance_stop "$part_n"
      if [ "$action" != stop ]; then
        alive "$(pidof_file "$run/instance-$part_n.pid")" && die "instance $part_n is running"
        instance_start "$part_n"; instance_wait "$part_n"
      fi ;;
    *) usage ;;
  esac
  write_json
}

case "$cmd" in
  up) up ;;
  down) down ;;
  stop|start|restart) part_cmd "$cmd" ;;
  status) [ -f "$run/started" ] || die "no cluster under $dir"; write_json; cat "$dir/cluster.json" ;;
  *) usage ;;
esac
