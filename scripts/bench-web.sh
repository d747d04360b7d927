#!/usr/bin/env bash
# Load test of the respondents' web pages (docs/benchmarks.md, section "Web"). Not part of the test suite.
#   scripts/bench-web.sh [--quick] [--no-write]     (BENCH_RUNS=5: five rounds of the page-view rows, medians written)
#   (BENCH_SUBMIT_ONLY=1: only the submission runs; BENCH_APP=DIR: run that published app instead of building;
#    BENCH_PROVIDERS=postgres: one database only)
# Builds Release, then for SQLite and for PostgreSQL (scripts/postgres.sh): migrates a fresh database, seeds invitations
# with drafts, starts `shirabe serve` on 127.0.0.1 and runs wrk at 50 and 200 connections (submissions also 1,000) against
#   static   GET /css/site.css                      the framework's ceiling (no database, no Razor)
#   pagefile GET /bench-page.html                   the page below saved as a static file of the app: its ceiling
#   view     GET /a/{token}/s/2                     a section page with a valid link, answers filled in (and its
#                                                   rate as a share of pagefile's, of_page_file=…%)
#   viewcookie  the same, sending the antiforgery cookie a browser has after its first page (an extra row)
#   submit   POST /a/{token}/review                 回答を送信する with the form's antiforgery token; every request
#                                                   submits a different invitation's draft (committed: durable)
# Durable submissions/s are counted in the database afterwards (rows of Submissions / wrk's duration).
# Results: bench/out/web-*.txt and the "Web" section of docs/benchmarks.md (other sections are kept).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=0; write=1
for a in "$@"; do case "$a" in --quick) quick=1 ;; --no-write) write=0 ;; *) echo "unknown option $a" >&2; exit 2 ;; esac; done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
duration=${BENCH_SECONDS:-$((quick ? 5 : 10))}
views=2000                     # invitations whose section page is viewed
runs=${BENCH_RUNS:-1}          # rounds of the static, page-file and page-view runs (the doc shows each row's median)
warm=1500                      # invitations submitted while warming up the submit path
pool=${BENCH_POOL:-$((quick ? 16000 : 30000))} # invitations submitted, per connection count (a thread stops when its share runs out)
submit_conns="50 200 1000"     # connection counts of the submission runs
submit_only=${BENCH_SUBMIT_ONLY:-0}
port="${SHIRABE_BENCH_PORT:-5391}"
out="$root/bench/out"; app="$root/.build/bench/app"
mkdir -p "$out"
export BENCH_LUA_DIR="$root/bench/web" BENCH_THREADS=2
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/install.sh" >&2; exit 1; }

if [[ -n "${BENCH_APP:-}" ]]; then app=$BENCH_APP # an app published before (e.g. of an earlier commit, for a before/after)
else
  echo "bench: building Release" >&2
  dotnet publish src/Shirabe/Shirabe.csproj -c Release -o "$app" -v quiet --nologo >/dev/null
fi

server_pid=""
stop_server() { if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; fi; }
trap 'stop_server' EXIT

start_server() { # $1 = connection string
  # Request logging off (Warning), as in production: one console line per request would dominate.
  Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production \
    dotnet "$app/shirabe.dll" serve --db "$1" --urls "http://127.0.0.1:$port" --now 2023-11-01T10:00:00+09:00 \
    >"$out/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/css/site.css" && return 0
    sleep 0.2
  done
  echo "bench: the server did not start (see $out/server.log)" >&2; exit 1
}

count_submissions() { # $1 = provider, $2 = connection / file
  if [[ $1 == sqlite ]]; then python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from \"Submissions\"').fetchone()[0])" "$2"
  else psql -h 127.0.0.1 -p "$pg_port" -U postgres -d shirabe_bench -Atc 'select count(*) from "Submissions"'; fi
}

server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

run_wrk() { # name connections lua url args… → prints the RESULT line, with the server's CPU time per request and
  # the machine's load average (the cores are shared: a busy machine makes every latency longer)
  local name=$1 c=$2 lua=$3 url=$4; shift 4
  local load before after requests
  load=$(cut -d' ' -f1 /proc/loadavg)
  before=$(server_cpu_ticks)
  wrk -t2 -c"$c" -d"${duration}s" --timeout 10s -s "$lua" "$url" -- "$@" >"$out/web-$name.txt" 2>&1
  after=$(server_cpu_ticks)
  requests=$(sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p' "$out/web-$name.txt")
  echo "$(grep '^RESULT' "$out/web-$name.txt" | sed "s/^RESULT/$name/") cpu_ms_per_req=$(python3 -c "print(round(($after - $before) * 1000 / $(getconf CLK_TCK) / max($requests, 1), 2))") loadavg=$load"
}

results="$out/web-results.txt"; : >"$results"
# Its own PostgreSQL port: another worktree's test server may hold the default one.
pg_port="${SHIRABE_BENCH_PG_PORT:-54391}"
export SHIRABE_PG_PORT=$pg_port
for provider in ${BENCH_PROVIDERS:-sqlite postgres}; do
  if [[ $provider == sqlite ]]; then
    file="$out/bench.db"; rm -f "$file" "$file"-*
    db="Data Source=$file"
  else
    scripts/postgres.sh start >/dev/null
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc 'DROP DATABASE IF EXISTS shirabe_bench' -c 'CREATE DATABASE shirabe_bench'
    # A pool below the server's max_connections (100), so psql can still count rows during the run.
    db="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=shirabe_bench;Maximum Pool Size=64${BENCH_PG_OPTIONS:+;$BENCH_PG_OPTIONS}"
  fi
  n_submit=$(wc -w <<<"$submit_conns")
  total=$((views + warm + n_submit * pool))
  echo "bench: $provider: migrating and seeding $total invitations" >&2
  dotnet "$app/shirabe.dll" db migrate --db "$db" >/dev/null
  dotnet "$app/shirabe.dll" survey add surveys/sc3-2023 --db "$db" >/dev/null 2>&1 # the invitations' survey and version
  if [[ $provider == sqlite ]]; then python3 bench/web/seed.py sqlite "$file" "$total" "$out/tokens.txt"
  else python3 bench/web/seed.py postgres - "$total" "$out/tokens.txt" | psql -h 127.0.0.1 -p "$pg_port" -U postgres -d shirabe_bench -q >/dev/null; fi
  head -n "$views" "$out/tokens.txt" >"$out/view-tokens.txt"

  start_server "$db"
  base="http://127.0.0.1:$port"
  # Warm-up by request count, not time (tiered JIT, connection pools): until 20,000 page views and 2,000 static
  # files are served, at most 20 rounds of 3 s. Without it a loaded machine measures the JIT.
  served=0
  ((submit_only)) || for _ in $(seq 1 20); do
    n=$(wrk -t2 -c16 -d3s -s bench/web/view.lua "$base" -- "$out/view-tokens.txt" 2>&1 | sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p')
    served=$((served + ${n:-0})); ((served >= 20000)) && break
  done
  wrk -t2 -c16 -d2s -s bench/web/static.lua "$base/css/site.css" >/dev/null 2>&1
  # The ceiling that matters for a page (issue 12): the same page's bytes, fetched once from the running app, saved as
  # a static file and served by the same app in the same run. A page view's rate is reported as a share of it.
  curl -fs -D "$out/view-headers.txt" -o "$app/wwwroot/bench-page.html" "$base/a/$(head -n1 "$out/view-tokens.txt")/s/2"
  # The antiforgery cookie that page set: the viewcookie rows send it, as a browser does after its first page.
  sed -n 's/^[Ss]et-[Cc]ookie: \(shirabe-af=[^;]*\).*/\1/p' "$out/view-headers.txt" >"$out/view-cookie.txt"
  wrk -t2 -c16 -d2s -s bench/web/static.lua "$base/bench-page.html" >/dev/null 2>&1
  echo "bench: $provider: warmed up with $served page views; the page is $(stat -c %s "$app/wwwroot/bench-page.html") bytes" >&2
  ((submit_only)) || for run in $(seq 1 "$runs"); do for c in 50 200; do
    run_wrk "$provider-static-c$c" "$c" bench/web/static.lua "$base/css/site.css" | tee -a "$results"
    file_line=$(run_wrk "$provider-pagefile-c$c" "$c" bench/web/static.lua "$base/bench-page.html")
    echo "$file_line" | tee -a "$results"
    view_line=$(run_wrk "$provider-view-c$c" "$c" bench/web/view.lua "$base" "$out/view-tokens.txt")
    echo "$view_line of_page_file=$(python3 -c "import sys; print(round(100 * float(sys.argv[2]) / max(float(sys.argv[1]), 1), 1))" \
      "$(sed -n 's/.* rps=\([0-9]*\).*/\1/p' <<<"$file_line")" "$(sed -n 's/.* rps=\([0-9]*\).*/\1/p' <<<"$view_line")")%" | tee -a "$results"
    # The same views from a browser that already has the antiforgery cookie (an extra row; the row above stays the one
    # compared with the targets).
    view_line=$(run_wrk "$provider-viewcookie-c$c" "$c" bench/web/view.lua "$base" "$out/view-tokens.txt" "$out/view-cookie.txt")
    echo "$view_line of_page_file=$(python3 -c "import sys; print(round(100 * float(sys.argv[2]) / max(float(sys.argv[1]), 1), 1))" \
      "$(sed -n 's/.* rps=\([0-9]*\).*/\1/p' <<<"$file_line")" "$(sed -n 's/.* rps=\([0-9]*\).*/\1/p' <<<"$view_line")")%" | tee -a "$results"
  done; done
  # Warm-up of the submit path on invitations of its own.
  python3 bench/web/prepare_submits.py "$base" "$out/tokens.txt" "$views" "$warm" "$out/submits.txt" "$out/cookie.txt"
  wrk -t2 -c16 -d5s -s bench/web/submit.lua "$base" -- "$out/submits.txt" "$out/cookie.txt" >/dev/null 2>&1
  first=$((views + warm))
  for c in $submit_conns; do
    echo "bench: $provider: opening $pool review pages for the submit run at $c connections" >&2
    python3 bench/web/prepare_submits.py "$base" "$out/tokens.txt" "$first" "$pool" "$out/submits.txt" "$out/cookie.txt"
    before=$(count_submissions "$provider" "${file:-}")
    line=$(run_wrk "$provider-submit-c$c" "$c" bench/web/submit.lua "$base" "$out/submits.txt" "$out/cookie.txt")
    after=$(count_submissions "$provider" "${file:-}")
    secs=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$line")
    durable=$(python3 -c "print(round(($after - $before) / $secs))")
    echo "$line durable=$((after - before)) durable_per_s=$durable pool=$pool" | tee -a "$results"
    if ((after - before >= pool)); then echo "bench: WARNING: the pool of $pool ran out; durable/s is a lower bound" >&2; fi
    first=$((first + pool))
  done
  stop_server
  [[ $provider == postgres ]] && scripts/postgres.sh stop
done

((write)) && python3 bench/web/write_doc.py "$results" docs/benchmarks.md "$duration"
echo "bench: results in $results" >&2
