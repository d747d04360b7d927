#!/usr/bin/env bash
# Starts (or stops) a private IMAP server (Debian's dovecot-imapd, see scripts/install.sh) for the bounce tests, without
# systemd and without the system's /etc/dovecot: its own configuration, one passwd-file user and Maildirs under
# .build/dovecot of this checkout, plain IMAP on a free loopback port.
#   scripts/dovecot.sh start   → prints the connection: Host=127.0.0.1;Port=N;User=shirabe;Password=…
#   scripts/dovecot.sh stop
# As root the server's helpers run as Debian's dovecot/dovenull users and the mailboxes belong to dovecot; otherwise
# everything runs as the calling user.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.build/dovecot"
port="${SHIRABE_IMAP_PORT:-14329}"
user=shirabe
password=shirabe-test
conf="$dir/dovecot.conf"
case "${1:-start}" in
  start)
    if ! command -v dovecot >/dev/null && [[ ! -x /usr/sbin/dovecot ]]; then
      echo "dovecot.sh: dovecot がインストールされていません。root で scripts/install.sh を実行してください（dovecot-imapd）。" >&2
      exit 1
    fi
    dovecot=/usr/sbin/dovecot; [[ -x $dovecot ]] || dovecot="$(command -v dovecot)"
    if [[ -f "$dir/run/master.pid" ]] && kill -0 "$(cat "$dir/run/master.pid")" 2>/dev/null; then
      echo "Host=127.0.0.1;Port=$(cat "$dir/port");User=$user;Password=$password"
      exit 0
    fi
    mkdir -p "$dir/run" "$dir/state" "$dir/mail"
    if [[ $(id -u) == 0 ]]; then
      internal=dovecot; login=dovenull; owner=dovecot
    else
      internal="$(id -un)"; login="$internal"; owner="$internal"
    fi
    uid="$(id -u "$owner")"; gid="$(id -g "$owner")"
    chown "$owner" "$dir/mail"
    # Another checkout's server may hold the default port: take the next free one.
    while ss -ltn "sport = :$port" 2>/dev/null | grep -q LISTEN; do port=$((port + 1)); done
    echo "$port" > "$dir/port"
    echo "$user:{PLAIN}$password:$uid:$gid::$dir/mail/$user::" > "$dir/users"
    cat > "$conf" <<EOF
# Written by scripts/dovecot.sh: a test server on loopback, no TLS, one user.
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = $internal
default_internal_group = $(id -gn "$internal")
default_login_user = $login
first_valid_uid = $uid
last_valid_uid = 0
first_valid_gid = $gid
mail_location = maildir:~/Maildir
mail_privileged_group =
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/users
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    user = $owner
  }
  unix_listener stats-writer {
    user = $owner
  }
}
EOF
    "$dovecot" -c "$conf"
    # Ready when the port answers (a second at most on an idle machine).
    for _ in $(seq 1 100); do
      ss -ltn "sport = :$port" 2>/dev/null | grep -q LISTEN && break
      sleep 0.1
    done
    ss -ltn "sport = :$port" 2>/dev/null | grep -q LISTEN || { echo "dovecot.sh: dovecot did not start; see $dir/log" >&2; exit 1; }
    echo "Host=127.0.0.1;Port=$port;User=$user;Password=$password"
    ;;
  stop)
    if [[ -f "$dir/run/master.pid" ]]; then
      pid="$(cat "$dir/run/master.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    ;;
esac
