#!/usr/bin/env bash
# Benchmark of the fieldwork's bulk paths (docs/benchmarks.md, "Fieldwork"): RUNS times, into a fresh SQLite file and a
# fresh database on the private PostgreSQL server of scripts/postgres.sh, each step under /usr/bin/time:
#   1. `roster import` of a roster of ROWS invitees (generated, fixed content),
#   2. `invite create --out` (a derived link for each, under a fixed test link key),
#   3. `mail invite` (ROWS invitation mails rendered and queued in the outbox),
# then, once per database, on a subset of DRAIN invitees: `mail send` into the pickup folder and into a local SMTP
# server (Debian's python3-aiosmtpd, tests/Shirabe.Tests/Mail/smtp_server.py) with the caps lifted.
# Prints medians of wall time, rows/s, CPU (user+sys) and the peak RSS, the database's and the outbox's size after
# `mail invite`, and the load average before and after.
# Usage: scripts/bench-fieldwork.sh [ROWS] [RUNS] [DRAIN]     (defaults: 100000 5 5000; files go to .build/bench/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-100000}"
runs="${2:-5}"
drain="${3:-5000}"
dir="$root/.build/bench/fieldwork"
rm -rf "$dir"
mkdir -p "$dir"

./shirabe --help >/dev/null            # builds the Release app once, outside the timings
pg="$(scripts/postgres.sh start)"
admin="host=$(sed 's/.*Host=\([^;]*\).*/\1/' <<<"$pg") port=$(sed 's/.*Port=\([^;]*\).*/\1/' <<<"$pg") user=postgres dbname=postgres"
export PGOPTIONS="-c client_min_messages=warning"
# The settings an operator would give: a link key (outside the data folder), the public address, a time inside the
# sample survey's period (sc3-2023: 2023-10-19 to 12-15), and no embedded key file in the home folder.
export Shirabe__LinkKey="oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr8="
export Shirabe__PublicUrl="https://survey.example.jp/"
export Shirabe__Now="2023-11-01T00:00:00Z"
export Shirabe__Smtp__PickupDir="$dir/pickup"
export XDG_CONFIG_HOME="$dir/config"
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

roster_for() {
  local csv="$dir/roster-$1.csv"
  [[ -f "$csv" ]] || awk -v n="$1" 'BEGIN {
    print "コード,団体名,担当者名,メールアドレス,業種,地域"
    for (i = 1; i <= n; i++) printf "M%06d,会員企業%d株式会社,担当 %d,m%d@example.jp,製造業,関東\n", i, i, i, i }' >"$csv"
  cat "$csv" >/dev/null
  echo "$csv"
}

# fresh KIND: an empty, migrated database of KIND (sqlite|postgres) with the sample survey stored; prints its connection string
fresh() {
  local cs
  if [[ "$1" == sqlite ]]; then
    rm -f "$dir/bench.db" "$dir/bench.db-wal" "$dir/bench.db-shm"
    cs="Data Source=$dir/bench.db"
  else
    psql "$admin" -qc "DROP DATABASE IF EXISTS shirabe_bench_fieldwork WITH (FORCE)" -c "CREATE DATABASE shirabe_bench_fieldwork"
    cs="${pg/Database=postgres/Database=shirabe_bench_fieldwork}"
  fi
  ./shirabe db migrate --db "$cs" >/dev/null
  ./shirabe survey add surveys/sc3-2023 --db "$cs" >/dev/null 2>&1
  echo "$cs"
}

# timed NAME KIND COMMAND…: runs the command under /usr/bin/time, appending "wall user sys maxrss" to NAME-KIND.times
timed() {
  local name="$1" kind="$2"
  shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$dir/t" "$@" >"$dir/$name.out" 2>"$dir/$name.err" || { cat "$dir/$name.err" >&2; exit 1; }
  cat "$dir/t" >>"$dir/$name-$kind.times"
}

# db_size KIND: "database outbox" in bytes after the run (SQLite: the file and its WAL; PostgreSQL: the database and the
# OutboxMails table with its indexes and TOAST)
db_size() {
  if [[ "$1" == sqlite ]]; then
    echo "$(cat "$dir/bench.db" "$dir/bench.db-wal" 2>/dev/null | wc -c) $(sqlite3 "$dir/bench.db" "SELECT sum(pgsize) FROM dbstat WHERE name LIKE '%OutboxMails%'" 2>/dev/null || echo 0)"
  else
    psql "${admin/dbname=postgres/dbname=shirabe_bench_fieldwork}" -Atc \
      "SELECT pg_database_size(current_database()) || ' ' || pg_total_relation_size('\"OutboxMails\"')"
  fi
}

report() {
  local name="$1" kind="$2" n="$3" f="$dir/$1-$2.times" wall
  wall="$(cut -d' ' -f1 "$f" | median)"
  printf '%-13s %-9s %7d rows: median %6.2f s wall (%7.0f rows/s), %6.2f s CPU, peak RSS %4d MiB   [runs: %s]\n' \
    "$name" "$kind" "$n" "$wall" "$(awk -v n="$n" -v w="$wall" 'BEGIN { print n / w }')" \
    "$(awk '{ print $2 + $3 }' "$f" | median)" "$(( $(cut -d' ' -f4 "$f" | sort -n | tail -1) / 1024 ))" \
    "$(cut -d' ' -f1 "$f" | tr '\n' ' ')"
}

echo "machine:   $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average before $(cut -d' ' -f1-3 /proc/loadavg)"
csv="$(roster_for "$rows")"
for kind in sqlite postgres; do
  for ((i = 1; i <= runs; i++)); do
    cs="$(fresh "$kind")"
    timed roster-import "$kind" ./shirabe roster import "$csv" --survey sc3-2023 --db "$cs"
    rm -f "$dir/links.csv"
    timed invite-create "$kind" ./shirabe invite create --survey sc3-2023 --out "$dir/links.csv" --db "$cs"
    timed mail-invite "$kind" ./shirabe mail invite --survey sc3-2023 --db "$cs"
    grep -q "依頼メールを $rows 通作成し" "$dir/mail-invite.out" || { echo "mail invite did not queue $rows mails:" >&2; cat "$dir/mail-invite.out" >&2; exit 1; }
    db_size "$kind" >>"$dir/size-$kind"
  done
done

# The drain: DRAIN invitations into the pickup folder, then the same again (mail invite --all) through SMTP.
smtp_folder="$dir/smtp"
mkfifo "$dir/smtp.in"
/usr/bin/python3 tests/Shirabe.Tests/Mail/smtp_server.py --folder "$smtp_folder" <"$dir/smtp.in" >"$dir/smtp.port" 2>/dev/null &
exec 3>"$dir/smtp.in"                  # the server stops when this closes (at exit)
for _ in $(seq 50); do [[ -s "$dir/smtp.port" ]] && break; sleep 0.1; done
small="$(roster_for "$drain")"
for kind in sqlite postgres; do
  cs="$(fresh "$kind")"
  ./shirabe roster import "$small" --survey sc3-2023 --db "$cs" >/dev/null 2>&1
  ./shirabe mail invite --survey sc3-2023 --db "$cs" >/dev/null
  rm -rf "$Shirabe__Smtp__PickupDir"
  timed drain-pickup "$kind" ./shirabe mail send --db "$cs"
  ./shirabe mail invite --all --survey sc3-2023 --db "$cs" >/dev/null
  timed drain-smtp "$kind" env Shirabe__Smtp__Host=127.0.0.1 Shirabe__Smtp__Port="$(head -1 "$dir/smtp.port")" Shirabe__Smtp__Security=none \
    Shirabe__Smtp__From="調査事務局 <secretariat@example.jp>" Shirabe__Smtp__PerMinute=1000000 Shirabe__Smtp__PerDay=1000000 \
    ./shirabe mail send --db "$cs"
  grep -q "送信 $drain 通" "$dir/drain-smtp.out" || { echo "mail send did not send $drain mails:" >&2; cat "$dir/drain-smtp.out" >&2; exit 1; }
done
[[ "$kind" == postgres ]] && psql "$admin" -qc "DROP DATABASE IF EXISTS shirabe_bench_fieldwork WITH (FORCE)"

echo "roster:    $csv ($(stat -c %s "$csv") bytes)"
for kind in sqlite postgres; do
  report roster-import "$kind" "$rows"; report invite-create "$kind" "$rows"; report mail-invite "$kind" "$rows"
done
for kind in sqlite postgres; do
  printf 'size      %-9s after mail invite: database %s MB, outbox (table and indexes) %s MB (medians)\n' "$kind" \
    "$(cut -d' ' -f1 "$dir/size-$kind" | median | awk '{ printf "%.1f", $1 / 1e6 }')" \
    "$(cut -d' ' -f2 "$dir/size-$kind" | median | awk '{ printf "%.1f", $1 / 1e6 }')"
done
for kind in sqlite postgres; do report drain-pickup "$kind" "$drain"; report drain-smtp "$kind" "$drain"; done
echo "load average after $(cut -d' ' -f1-3 /proc/loadavg)"
