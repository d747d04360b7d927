#!/usr/bin/env bash
# Times every console page over a large survey (docs/benchmarks.md, section "Console"). Not part of the test suite.
#   scripts/bench-console.sh [ROWS|sc3] [RUNS]        (defaults: 100000 5; sc3: the 48 reconstructed responses)
# Seeds once (kept in .build/bench/console-ROWS.db; delete it to seed again): `responses generate` ROWS SC3 responses
# (seed 2023), `import` them (ROWS invitees, ~99% submitted), then `roster import` a roster of the same codes plus
# ROWS/100 invitees who have not answered (names, contacts, industries), and a console user. Then starts
# `shirabe serve` (Release, request logging off) on 127.0.0.1 and, signed in as 管理者, GETs each page RUNS times after
# one untimed request, printing the median wall time (curl's time_total), the HTML size and the server's CPU time
# per request. Results: the table printed, and bench/out/console.tsv.
# SKIP_BUILD=1 times the app published by the previous run. With PDF=1 it also times the report PDF download (POST → job → file, RUNS times, Chromium warm: `serve` starts it) and answers.pdf.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-100000}"
runs="${2:-5}"
dir="$root/.build/bench"; out="$root/bench/out"; app="${APP:-$root/.build/bench/app}" # APP=DIR: a build published elsewhere (with SKIP_BUILD=1)
mkdir -p "$dir" "$out"
port="${SHIRABE_BENCH_PORT:-5393}"
base="http://127.0.0.1:$port"
db="$dir/console-$rows.db"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
password="bench-console-password-1"
token="BenchConsoleAnswersPdf01"   # a link inserted for the first submitted invitation (answers.pdf)
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
sql() { /usr/bin/python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print('\n'.join('\t'.join(str(v) for v in x) for x in r))" "$db" "$1"; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then # SKIP_BUILD=1: time the app published last (e.g. the build before a change)
  echo "bench: building Release" >&2
  dotnet publish src/Shirabe/Shirabe.csproj -c Release -o "$app" -v quiet --nologo >/dev/null
fi
shirabe() { dotnet "$app/shirabe.dll" "$@"; }

if [[ ! -f "$db" && "$rows" == sc3 ]]; then # the 48 reconstructed SC3 responses and the 57 invitees of its roster
  shirabe db migrate --db "Data Source=$db.part" >/dev/null
  shirabe import surveys/sc3-2023/responses-2023.csv --db "Data Source=$db.part" 2>/dev/null >&2
  shirabe roster import surveys/sc3-2023/roster.csv --survey sc3-2023 --db "Data Source=$db.part" 2>/dev/null >&2
  printf '%s\n' "$password" | shirabe admin add-user --name bench --role admin --db "Data Source=$db.part" >/dev/null
  mv "$db.part" "$db"
elif [[ ! -f "$db" ]]; then
  csv="$dir/console-$rows.csv"
  [[ -f "$csv" ]] || shirabe responses generate --survey surveys/sc3-2023 --rows "$rows" --seed 2023 --text 0.02 --out "$csv" >&2
  rm -f "$db.part" "$db.part-wal" "$db.part-shm"
  shirabe db migrate --db "Data Source=$db.part" >/dev/null
  echo "bench: importing $rows responses" >&2
  shirabe import "$csv" --db "Data Source=$db.part" 2>/dev/null >&2
  # The roster: every imported code with a name and contact, and ROWS/100 more that have not answered.
  /usr/bin/python3 - "$csv" "$dir/console-roster-$rows.csv" "$rows" <<'EOF'
import csv, sys
industries = ["製造業", "サービス業", "金融・保険業", "建設業", "情報通信業", "運輸業", "卸売・小売業"]
with open(sys.argv[1], encoding="utf-8-sig") as f:
    codes = [r["id"] for r in csv.DictReader(f)]
codes += [f"N{i:06d}" for i in range(1, int(sys.argv[3]) // 100 + 1)]
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["コード", "団体名", "担当者名", "メールアドレス", "CC", "業種"])
    for i, c in enumerate(codes):
        w.writerow([c, f"一般社団法人テスト工業会{i + 1}", f"担当 太郎{i % 997}", f"contact-{c.lower()}@example.jp", "", industries[i % len(industries)]])
EOF
  shirabe roster import "$dir/console-roster-$rows.csv" --survey sc3-2023 --db "Data Source=$db.part" 2>/dev/null >&2
  printf '%s\n' "$password" | shirabe admin add-user --name bench --role admin --db "Data Source=$db.part" >/dev/null
  mv "$db.part" "$db"
fi
# A known link for answers.pdf: SHA-256 of the token, on the first submitted invitation (idempotent).
hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
sql "INSERT INTO AccessLinks (InvitationId, TokenHash, CreatedAt) SELECT (SELECT min(InvitationId) FROM Submissions), x'$hash', '2023-11-01 00:00:00' WHERE NOT EXISTS (SELECT 1 FROM AccessLinks WHERE TokenHash = x'$hash')" >/dev/null

if curl -fs -o /dev/null "$base/css/site.css"; then echo "bench: port $port is in use (SHIRABE_BENCH_PORT)" >&2; exit 1; fi
server_pid=""
stop_server() { if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; fi; }
trap 'stop_server' EXIT
Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production Shirabe__AnswersPdfPerLinkPerMinute=1000 \
  dotnet "$app/shirabe.dll" serve --db "Data Source=$db" --urls "$base" --now 2023-12-01T10:00:00+09:00 >"$out/console-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do curl -fs -o /dev/null "$base/css/site.css" && break; sleep 0.2; done
cpu() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
# CPU ticks of the server and every process below it (its Chromium: browser, renderer, GPU and utility processes).
tree_cpu() {
  local pids=("$server_pid") i=0 total=0 p
  while ((i < ${#pids[@]})); do
    for p in $(cat "/proc/${pids[i]}/task/"*/children 2>/dev/null); do pids+=("$p"); done
    i=$((i + 1))
  done
  for p in "${pids[@]}"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$total"
}
tree_ms() { awk -v a="$2" -v b="$1" -v n="$3" -v hz="$hz" 'BEGIN { printf "%.0f", (a - b) * 1000 / hz / n }'; }
hz=$(getconf CLK_TCK)

jar="$dir/console-cookies.txt"; rm -f "$jar"
form_token() { grep -o 'name="__RequestVerificationToken"[^>]*value="[^"]*"' | head -1 | sed 's/.*value="\([^"]*\)".*/\1/'; }
af="$(curl -fs -c "$jar" -b "$jar" "$base/admin/signin" | form_token)"
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "name=bench" --data-urlencode "password=$password" \
  --data-urlencode "__RequestVerificationToken=$af" "$base/admin/signin"

invitee="$(sql "SELECT i.OrganisationId FROM Invitations i JOIN Submissions s ON s.InvitationId = i.Id ORDER BY i.Id LIMIT 1 OFFSET $(( ${rows/sc3/48} / 2 ))")"
text_key="$(curl -fs -b "$jar" "$base/admin/report" | grep -o '/admin/report/answers/[^"]*' | head -1 | sed 's|.*/||')"
narrative_key="$(curl -fs -b "$jar" "$base/admin/report" | grep -o '/admin/report/narrative/[^"?]*' | head -1 | sed 's|.*/||')"
pages=(
  "/admin"
  "/admin?q=R0500"
  "/admin?q=%E3%83%86%E3%82%B9%E3%83%88%E5%B7%A5%E6%A5%AD%E4%BC%9A777"   # テスト工業会777
  "/admin?status=submitted&page=900"
  "/admin?sort=activity&dir=desc&size=200"
  "/admin/invitees/$invitee"
  "/admin/invitees/$invitee/edit"
  "/admin/invitees/$invitee/validity"
  "/admin/results"
  "/admin/results?section=all"
  "/admin/results?section=4"
  "/admin/results?f=1-6%3D1&f=1-3%3D2"
  "/admin/results?rows=4-3-a&cols=4-4-a"
  "/admin/results/compare"
  "/admin/report"
  "/admin/report/answers/$text_key"
  "/admin/report/narrative/$narrative_key"
  "/admin/mail"
  "/admin/roster"
  "/admin/audit"
  "/admin/users"
  "/admin/surveys"
  "/admin/surveys/sc3-2023"
)
tsv="$out/console.tsv"
printf 'page\tmedian_s\tfirst_s\thtml_bytes\tcpu_ms_per_request\truns\n' >"$tsv"
echo "load average before $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-48s %9s %9s %10s %8s\n' page median first "HTML KB" "CPU ms"
for p in "${pages[@]}"; do
  first="$(curl -s -o /dev/null -w '%{time_total}' -b "$jar" "$base$p")"
  before=$(cpu); times=()
  for ((i = 1; i <= runs; i++)); do
    read -r code t size < <(curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' -b "$jar" "$base$p")
    [[ "$code" == 200 ]] || { echo "bench: $p answered $code" >&2; exit 1; }
    times+=("$t")
  done
  after=$(cpu)
  m="$(printf '%s\n' "${times[@]}" | median)"
  ms=$(awk -v a="$after" -v b="$before" -v n="$runs" -v hz="$hz" 'BEGIN { printf "%.0f", (a - b) * 1000 / hz / n }')
  printf '%-48s %8.3fs %8.3fs %10.1f %8s\n' "$p" "$m" "$first" "$(awk -v s="$size" 'BEGIN { print s / 1024 }')" "$ms"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$m" "$first" "$size" "$ms" "${times[*]}" >>"$tsv"
done

# A validity change (the first submission's, back and forth, with its audit entry as the console writes it): a new
# data version, so the next result page tabulates again, and the next report is printed, not the file made last.
flip() {
  sql "UPDATE Submissions SET Valid = 1 - Valid WHERE Id = (SELECT min(Id) FROM Submissions)" >/dev/null
  sql "INSERT INTO AuditEntries (At, Action, Target, Detail) SELECT '2023-12-01 01:00:00', 'submission.validity', 'organisation:' || i.OrganisationId, json_object('invitation', s.InvitationId, 'submission', s.Id, 'version', s.Version, 'field', 'Submissions.Valid', 'before', 1 - s.Valid, 'after', s.Valid) FROM Submissions s JOIN Invitations i ON i.Id = s.InvitationId WHERE s.Id = (SELECT min(Id) FROM Submissions)" >/dev/null
}
# A resubmission as the submit path writes it: the submission's new version and its history row.
resubmit() {
  sql "UPDATE Submissions SET Version = Version + 1, SubmittedAt = '2023-12-01 01:00:00' WHERE Id = (SELECT max(Id) FROM Submissions)" >/dev/null
  sql "INSERT INTO AnswerHistory (InvitationId, Version, Answers, SubmittedAt, SurveyVersionId) SELECT InvitationId, Version, Answers, SubmittedAt, SurveyVersionId FROM Submissions WHERE Id = (SELECT max(Id) FROM Submissions)" >/dev/null
}
# The first view of /admin/results after a change (a cache miss: only the changed submissions are read again).
for change in flip resubmit; do
  before=$(cpu); t=()
  for ((i = 1; i <= runs; i++)); do $change; t+=("$(curl -s -o /dev/null -w '%{time_total}' -b "$jar" "$base/admin/results")"); done
  after=$(cpu)
  echo "/admin/results after each data change ($change): median $(printf '%s\n' "${t[@]}" | median) s, $(awk -v a="$after" -v b="$before" -v n="$runs" -v hz="$hz" 'BEGIN { printf "%.0f", (a - b) * 1000 / hz / n }') ms server CPU per view  [runs: ${t[*]}]"
done
(( runs % 2 )) && flip # the data as seeded again

if [[ "${PDF:-0}" == 1 ]]; then
  # The report PDF as the console makes it: POST 「PDF」, poll the job page until it links the file, download it.
  pdf_once() {
    local af job start
    af="$(curl -fs -b "$jar" -c "$jar" "$base/admin/report" | form_token)"
    start=$(date +%s.%N)
    job="$(curl -s -o /dev/null -w '%{redirect_url}' -b "$jar" -c "$jar" --data-urlencode "__RequestVerificationToken=$af" \
      --data-urlencode "format=pdf" "$base/admin/report?handler=Download")"
    local id="${job##*/}"
    until curl -fs -b "$jar" "$job" | grep -q "/admin/report/jobs/$id/file"; do sleep 0.02; done
    curl -fs -o "$dir/console-report.pdf" -b "$jar" "$base/admin/report/jobs/$id/file"
    awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", e - s }'
  }
  pdf_once >/dev/null # the first starts Chromium if it is not warm yet
  before=$(tree_cpu); t=(); for ((i = 1; i <= runs; i++)); do flip; t+=("$(pdf_once)"); done; after=$(tree_cpu)
  echo "report PDF (console, warm Chromium, data changed before each): median $(printf '%s\n' "${t[@]}" | median) s  [runs: ${t[*]}]  $(stat -c %s "$dir/console-report.pdf") bytes, CPU (server + Chromium) $(tree_ms "$before" "$after" "$runs") ms per PDF"
  before=$(tree_cpu); t=(); for ((i = 1; i <= runs; i++)); do t+=("$(pdf_once)"); done; after=$(tree_cpu)
  echo "report PDF (console, same data again): median $(printf '%s\n' "${t[@]}" | median) s  [runs: ${t[*]}], CPU $(tree_ms "$before" "$after" "$runs") ms per PDF"
  (( runs % 2 )) && flip # the data as seeded again
  curl -fs -o /dev/null "$base/a/$token/answers.pdf"
  t=(); c=0; for ((i = 1; i <= runs; i++)); do
    before=$(tree_cpu); t+=("$(curl -s -o "$dir/answers.pdf" -w '%{time_total}' "$base/a/$token/answers.pdf")"); c=$((c + $(tree_cpu) - before)); sleep 1
  done
  echo "answers.pdf (warm): median $(printf '%s\n' "${t[@]}" | median) s  [runs: ${t[*]}]  $(stat -c %s "$dir/answers.pdf") bytes, CPU $(tree_ms 0 "$c" "$runs") ms per PDF"
fi
echo "server memory: $(grep -E 'VmRSS|VmHWM' "/proc/$server_pid/status" | tr -s ' \t\n' ' ')"
echo "load average after $(cut -d' ' -f1-3 /proc/loadavg)"
