#!/usr/bin/env bash
# Benchmark of `shirabe import` (docs/benchmarks.md): generates ROWS rule-consistent SC3 responses (fixed seed, sparse
# short free text), then RUNS times imports them into a fresh SQLite file and into a fresh database on the private
# PostgreSQL server of scripts/postgres.sh, each under /usr/bin/time, and prints medians (wall, CPU, rows/s) and the
# peak RSS. A second, smaller file (ROWS / 10) shows that memory does not grow with the file.
# Usage: scripts/bench-import.sh [ROWS] [RUNS]      (defaults: 100000 3; files go to .build/bench/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-100000}"
runs="${2:-3}"
dir="$root/.build/bench"
mkdir -p "$dir"

./shirabe --help >/dev/null            # builds the Release app once, outside the timings
pg="$(scripts/postgres.sh start)"
admin="host=$(sed 's/.*Host=\([^;]*\).*/\1/' <<<"$pg") port=$(sed 's/.*Port=\([^;]*\).*/\1/' <<<"$pg") user=postgres dbname=postgres"
export PGOPTIONS="-c client_min_messages=warning"
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

file_for() {
  local csv="$dir/import-$1.csv"
  [[ -f "$csv" ]] || ./shirabe responses generate --survey surveys/sc3-2023 --rows "$1" --seed 2023 --text 0.02 --out "$csv" 2>/dev/null
  cat "$csv" >/dev/null                # in the page cache: the import is timed, not the disk's read
  echo "$csv"
}

# run NAME ROWS: RUNS imports of ROWS rows into fresh databases of both kinds; times in $dir/NAME-{sqlite,postgres}.times
run() {
  local name="$1" n="$2" csv db
  csv="$(file_for "$n")"
  : >"$dir/$name-sqlite.times"; : >"$dir/$name-postgres.times"
  for ((i = 1; i <= runs; i++)); do
    db="$dir/import-bench.db"
    rm -f "$db" "$db-wal" "$db-shm"
    ./shirabe db migrate --db "Data Source=$db" >/dev/null
    /usr/bin/time -f "%e %U %S %M" -o "$dir/t" ./shirabe import "$csv" --db "Data Source=$db" >/dev/null 2>"$dir/import.stderr"
    cat "$dir/t" >>"$dir/$name-sqlite.times"

    psql "$admin" -qc "DROP DATABASE IF EXISTS shirabe_bench_import WITH (FORCE)" -c "CREATE DATABASE shirabe_bench_import"
    local cs="${pg/Database=postgres/Database=shirabe_bench_import}"
    ./shirabe db migrate --db "$cs" >/dev/null
    /usr/bin/time -f "%e %U %S %M" -o "$dir/t" ./shirabe import "$csv" --db "$cs" >/dev/null 2>"$dir/import.stderr"
    cat "$dir/t" >>"$dir/$name-postgres.times"
  done
  rm -f "$dir/import-bench.db" "$dir/import-bench.db-wal" "$dir/import-bench.db-shm"
  psql "$admin" -qc "DROP DATABASE IF EXISTS shirabe_bench_import WITH (FORCE)"
}

report() {
  local name="$1" n="$2" db="$3" f="$dir/$1-$3.times" wall
  wall="$(cut -d' ' -f1 "$f" | median)"
  printf '%-9s %7d rows: median %6.2f s wall (%6.0f rows/s), %5.2f s CPU (user+sys), peak RSS %4d MiB   [runs: %s]\n' \
    "$db" "$n" "$wall" "$(awk -v n="$n" -v w="$wall" 'BEGIN { print n / w }')" \
    "$(awk '{ print $2 + $3 }' "$f" | median)" "$(( $(cut -d' ' -f4 "$f" | sort -n | tail -1) / 1024 ))" \
    "$(cut -d' ' -f1 "$f" | tr '\n' ' ')"
}

small=$((rows / 10))
echo "machine:   $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average before $(cut -d' ' -f1-3 /proc/loadavg)"
run small "$small"
run large "$rows"
echo "file:      $dir/import-$rows.csv ($(stat -c %s "$dir/import-$rows.csv") bytes)"
report small "$small" sqlite; report small "$small" postgres
report large "$rows" sqlite; report large "$rows" postgres
echo "load average after $(cut -d' ' -f1-3 /proc/loadavg)"
