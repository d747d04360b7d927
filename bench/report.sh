#!/usr/bin/env bash
# Report benchmark: time and peak memory of `shirabe report` in each format, for the SC3 responses and for N synthetic
# responses (default 100,000). Usage: bench/report.sh [N]. Results go to bench/out/report.tsv (see docs/benchmarks.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-100000}"
out="$root/bench/out"
mkdir -p "$out"
./shirabe survey check surveys/sc3-2023 >/dev/null   # builds the app once, outside the measurements
synthetic="$out/synthetic-$rows.csv"
[[ -f "$synthetic" ]] || ./shirabe responses generate --survey surveys/sc3-2023 --rows "$rows" --out "$synthetic" >/dev/null
printf 'data\tformat\tseconds\tcpu_s\tpeak_MB\tbytes\n' > "$out/report.tsv"
for data in sc3 synthetic; do
  [[ $data == sc3 ]] && file=surveys/sc3-2023/responses-2023.csv || file="$synthetic"
  for format in html pdf docx xlsx; do
    target="$out/report-$data.$format"
    /usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" \
      dotnet .build/app/shirabe.dll report --survey surveys/sc3-2023 --responses "$file" --format "$format" --out "$target" 2>"$target.log"
    read -r seconds user sys kb < "$out/time.txt"
    printf '%s\t%s\t%s\t%s\t%d\t%d\n' "$data" "$format" "$seconds" "$(awk "BEGIN { print $user + $sys }")" $((kb / 1024)) "$(stat -c %s "$target")" >> "$out/report.tsv"
  done
done
column -t "$out/report.tsv"
