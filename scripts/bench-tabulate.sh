#!/usr/bin/env bash
# Benchmark of `shirabe tabulate` (docs/benchmarks.md): generates a synthetic responses file of ROWS rule-consistent
# SC3 responses (fixed seed, sparse short free text), then times `./shirabe tabulate … --format json > /dev/null`
# end to end (default: one thread per core; and again with --threads 1) and `wc -l` on the same file, RUNS times each,
# and prints medians, the ratio and the peak RSS.
# Usage: scripts/bench-tabulate.sh [ROWS] [RUNS]      (defaults: 1000000 5; files go to .build/bench/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-1000000}"
runs="${2:-5}"
dir="$root/.build/bench"
csv="$dir/sc3-$rows.csv"
mkdir -p "$dir"

./shirabe --help >/dev/null            # builds the Release app once, outside the timings
if [[ ! -f "$csv" ]]; then
  ./shirabe responses generate --survey surveys/sc3-2023 --rows "$rows" --seed 2023 --text 0.02 --out "$csv"
fi
cat "$csv" >/dev/null                  # both commands read a file that is in the page cache

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

: >"$dir/tabulate.times"; : >"$dir/tabulate1.times"; : >"$dir/wc.times"
for ((i = 1; i <= runs; i++)); do
  /usr/bin/time -f "%e %U %S %M" -o "$dir/t" ./shirabe tabulate --survey surveys/sc3-2023 --responses "$csv" --format json \
    >/dev/null 2>"$dir/tabulate.stderr"
  cat "$dir/t" >>"$dir/tabulate.times"
  /usr/bin/time -f "%e %U %S %M" -o "$dir/t" ./shirabe tabulate --survey surveys/sc3-2023 --responses "$csv" --format json \
    --threads 1 >/dev/null 2>"$dir/tabulate.stderr"
  cat "$dir/t" >>"$dir/tabulate1.times"
  /usr/bin/time -f "%e %U %S %M" -o "$dir/t" wc -l "$csv" >/dev/null
  cat "$dir/t" >>"$dir/wc.times"
done

t_wall="$(cut -d' ' -f1 "$dir/tabulate.times" | median)"
t_cpu="$(awk '{ print $2 + $3 }' "$dir/tabulate.times" | median)"
t_rss="$(cut -d' ' -f4 "$dir/tabulate.times" | sort -n | tail -1)"
s_wall="$(cut -d' ' -f1 "$dir/tabulate1.times" | median)"
s_cpu="$(awk '{ print $2 + $3 }' "$dir/tabulate1.times" | median)"
s_rss="$(cut -d' ' -f4 "$dir/tabulate1.times" | sort -n | tail -1)"
w_wall="$(cut -d' ' -f1 "$dir/wc.times" | median)"
echo "machine:   $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "file:      $csv ($(stat -c %s "$csv") bytes, $rows responses)"
echo "tabulate:  median $t_wall s wall, $t_cpu s CPU (user+sys), peak RSS $((t_rss / 1024)) MiB   [runs: $(cut -d' ' -f1 "$dir/tabulate.times" | tr '\n' ' ')]"
echo "1 thread:  median $s_wall s wall, $s_cpu s CPU (user+sys), peak RSS $((s_rss / 1024)) MiB   [runs: $(cut -d' ' -f1 "$dir/tabulate1.times" | tr '\n' ' ')]"
echo "wc -l:     median $w_wall s wall   [runs: $(cut -d' ' -f1 "$dir/wc.times" | tr '\n' ' ')]"
awk -v t="$t_wall" -v w="$w_wall" 'BEGIN { if (w > 0) printf "ratio:     tabulate / wc -l = %.1f\n", t / w; else print "ratio:     wc -l too fast to time" }'
