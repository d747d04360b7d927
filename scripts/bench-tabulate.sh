#!/usr/bin/env bash
# Benchmark of `shirabe tabulate` against DuckDB (docs/benchmarks.md). Generates two synthetic SC3 responses files of
# ROWS rule-consistent responses (fixed seed): a sparse one (`--text 0.02`) and a text-heavy one where every shown text
# item carries a comment of about TEXTLEN characters (`--text 1 --text-length TEXTLEN`). For each file it times, RUNS
# times in turn:
#   - `./shirabe tabulate … --format json > /dev/null` end to end (one thread per core), with its peak RSS;
#   - the peer: DuckDB counting the values of every column of the same file (read_csv, UNPIVOT, GROUP BY), from Node
#     with @duckdb/node-api pinned below, installed by this script under .build/duckdb for the benchmark only (never a
#     dependency of Shirabe);
#   - `wc -l` on the file;
# and prints medians, the ratio tabulate / DuckDB and the load average before and after.
# Usage: scripts/bench-tabulate.sh [ROWS] [RUNS] [TEXTLEN]   (defaults: 1000000 5 20; files go to .build/bench/)
# BENCH_BASE=DIR also times DIR/shirabe (another checkout, e.g. main's: `git worktree add DIR main`) in the same rounds,
# for a before/after pair taken under the same load.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-1000000}"
runs="${2:-5}"
textlen="${3:-20}"
duckdb_version="1.5.6-r.1"
dir="$root/.build/bench"
mkdir -p "$dir"

./shirabe --help >/dev/null            # builds the Release app once, outside the timings
base="${BENCH_BASE:-}"
[[ -z "$base" ]] || "$base/shirabe" --help >/dev/null
peer="$root/.build/duckdb"
if [[ ! -f "$peer/node_modules/@duckdb/node-api/package.json" ]] \
   || ! grep -q "\"version\": \"$duckdb_version\"" "$peer/node_modules/@duckdb/node-api/package.json"; then
  mkdir -p "$peer"
  echo '{ "private": true }' >"$peer/package.json"
  (cd "$peer" && npm install --no-audit --no-fund --save-exact "@duckdb/node-api@$duckdb_version" >/dev/null)
fi
cat >"$peer/count.mjs" <<'JS'
// Value counts of every column of a CSV file, all read as text: what `shirabe tabulate` computes, as DuckDB does it.
import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const file = process.argv[2].replaceAll("'", "''");
const r = await c.runAndReadAll(`
  SELECT name, value, count(*) AS n
  FROM (UNPIVOT (SELECT * FROM read_csv('${file}', header = true, all_varchar = true)) ON COLUMNS(*) INTO NAME name VALUE value)
  GROUP BY ALL`);
console.log(`${r.currentRowCount} (column, value) groups`);
JS

sparse="$dir/sc3-$rows.csv"
texts="$dir/sc3-$rows-text$textlen.csv"
[[ -f "$sparse" ]] || ./shirabe responses generate --survey surveys/sc3-2023 --rows "$rows" --seed 2023 --text 0.02 --out "$sparse"
[[ -f "$texts" ]] || ./shirabe responses generate --survey surveys/sc3-2023 --rows "$rows" --seed 2023 --text 1 \
  --text-length "$textlen" --out "$texts"

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "machine:   $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ { print $2 }') GiB RAM"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for csv in "$sparse" "$texts"; do
  cat "$csv" >/dev/null                # every command reads a file that is in the page cache
  : >"$dir/tabulate.times"; : >"$dir/duckdb.times"; : >"$dir/wc.times"; : >"$dir/base.times"
  for ((i = 1; i <= runs; i++)); do
    /usr/bin/time -f "%e %U %S %M" -o "$dir/t" ./shirabe tabulate --survey surveys/sc3-2023 --responses "$csv" --format json \
      >/dev/null 2>"$dir/tabulate.stderr"
    cat "$dir/t" >>"$dir/tabulate.times"
    if [[ -n "$base" ]]; then
      /usr/bin/time -f "%e %U %S %M" -o "$dir/t" "$base/shirabe" tabulate --survey surveys/sc3-2023 --responses "$csv" --format json \
        >/dev/null 2>"$dir/base.stderr"
      cat "$dir/t" >>"$dir/base.times"
    fi
    /usr/bin/time -f "%e %U %S %M" -o "$dir/t" node "$peer/count.mjs" "$csv" >"$dir/duckdb.out"
    cat "$dir/t" >>"$dir/duckdb.times"
    /usr/bin/time -f "%e %U %S %M" -o "$dir/t" wc -l "$csv" >/dev/null
    cat "$dir/t" >>"$dir/wc.times"
  done
  t_wall="$(cut -d' ' -f1 "$dir/tabulate.times" | median)"
  t_cpu="$(awk '{ print $2 + $3 }' "$dir/tabulate.times" | median)"
  t_rss="$(cut -d' ' -f4 "$dir/tabulate.times" | sort -n | tail -1)"
  d_wall="$(cut -d' ' -f1 "$dir/duckdb.times" | median)"
  d_cpu="$(awk '{ print $2 + $3 }' "$dir/duckdb.times" | median)"
  d_rss="$(cut -d' ' -f4 "$dir/duckdb.times" | sort -n | tail -1)"
  w_wall="$(cut -d' ' -f1 "$dir/wc.times" | median)"
  json="$(./shirabe tabulate --survey surveys/sc3-2023 --responses "$csv" --format json 2>/dev/null | wc -c)"
  echo
  echo "file:      $csv ($(stat -c %s "$csv") bytes, $rows responses); JSON $json bytes"
  echo "tabulate:  median $t_wall s wall, $t_cpu s CPU (user+sys), peak RSS $((t_rss / 1024)) MiB   [runs: $(cut -d' ' -f1 "$dir/tabulate.times" | tr '\n' ' ')]"
  echo "duckdb:    median $d_wall s wall, $d_cpu s CPU (user+sys), peak RSS $((d_rss / 1024)) MiB   [runs: $(cut -d' ' -f1 "$dir/duckdb.times" | tr '\n' ' ')] $(cat "$dir/duckdb.out")"
  echo "wc -l:     median $w_wall s wall"
  awk -v t="$t_wall" -v d="$d_wall" -v tc="$t_cpu" -v dc="$d_cpu" \
    'BEGIN { printf "ratio:     tabulate / DuckDB = %.2f wall, %.2f CPU\n", t / d, tc / dc }'
  if [[ -n "$base" ]]; then
    b_wall="$(cut -d' ' -f1 "$dir/base.times" | median)"
    b_cpu="$(awk '{ print $2 + $3 }' "$dir/base.times" | median)"
    b_rss="$(cut -d' ' -f4 "$dir/base.times" | sort -n | tail -1)"
    echo "base:      median $b_wall s wall, $b_cpu s CPU (user+sys), peak RSS $((b_rss / 1024)) MiB   [runs: $(cut -d' ' -f1 "$dir/base.times" | tr '\n' ' ')] ($base)"
    awk -v t="$b_wall" -v d="$d_wall" -v tc="$b_cpu" -v dc="$d_cpu" \
      'BEGIN { printf "ratio:     base / DuckDB = %.2f wall, %.2f CPU\n", t / d, tc / dc }'
  fi
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
