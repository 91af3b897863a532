# Sourced by the scripts that check something against a live API (http-check.sh, ts-client-check.sh).
#
#   live_api_start NAME DLL WORK    starts DLL on 127.0.0.1 (port $LIVE_API_PORT or a free one) with a
#                                   fresh SQLite file in WORK and a random operator key, waits for
#                                   /health/ready (up to $LIVE_API_READY_SECS, default 60), and sets
#                                   base_url, admin_key and server_pid; exits 1 with the API's log if
#                                   it does not come up. NAME prefixes the messages.
#   live_api_stop                   stops it (also safe when it never started); call it from a trap.
#
# LIVE_API_PROVIDER / LIVE_API_CONNECTION (optional) run it on another database (e.g. postgres and a
# connection string) instead of the fresh SQLite file.
#
# The content root is the dll's folder, so its appsettings.json applies as in a real deployment; the
# environment overrides only the database and the operator key.

server_pid=""

live_api_start() {
  local name="$1" dll="$2" work="$3"
  local port="${LIVE_API_PORT:-$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}"
  base_url="http://127.0.0.1:$port"
  admin_key="$name-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"

  live_api_provider="${LIVE_API_PROVIDER:-sqlite}"
  live_api_connection="${LIVE_API_CONNECTION:-Data Source=$work/kpi.db}"
  echo "== starting API: $dll on $base_url ($live_api_provider)"
  (
    cd "$(dirname "$dll")"
    export Database__Provider="$live_api_provider"
    export ConnectionStrings__Kpi="$live_api_connection"
    export Auth__AdminApiKey="$admin_key"
    exec dotnet "$dll" --urls "$base_url"
  ) >"$work/server.log" 2>&1 &
  server_pid=$!

  local ready_secs="${LIVE_API_READY_SECS:-60}"
  local deadline=$((SECONDS + ready_secs))
  until node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$base_url/health/ready"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$name: the API exited before it was ready; its log:" >&2
      cat "$work/server.log" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "$name: /health/ready did not answer 200 within ${ready_secs}s; the API's log:" >&2
      tail -n 50 "$work/server.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "== API ready"
}

live_api_stop() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
