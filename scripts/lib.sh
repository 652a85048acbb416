# Shared set-up for scripts/demo and scripts/test: each step installs or starts what it
# needs, or stops with a message saying what to do.

# Each step says how long the run has taken so far, so a slow step shows in CI's log.
say() { printf '\033[1m==> %s\033[0m (%s s in)\n' "$*" "$SECONDS"; }
fail() { printf '\033[31mdignity: %s\033[0m\n' "$*" >&2; exit 1; }

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ -z "${APT_UPDATED_BY_DIGNITY:-}" ]; then
    as_root apt-get update -qq || return 1
    export APT_UPDATED_BY_DIGNITY=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || fail "Rust is not installed. Install it from https://rustup.rs and run this again."
}

ensure_node_packages() {
  command -v npm >/dev/null || apt_install nodejs npm || fail "Node.js and npm are needed for the NHS design system. Install them (for example: apt-get install nodejs npm) and run this again."
  local web="$1/web"
  if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
    say "Installing front-end packages (nhsuk-frontend, playwright-core, axe-core)"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm could not install the front-end packages in web/. Check the npm registry can be reached."
  fi
}

ensure_chromium() {
  if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    say "Installing Chromium for the browser tests"
    apt_install chromium || fail "Chromium is needed for the browser tests. Install it (apt-get install chromium) or set CHROMIUM to its path."
  fi
}

# The age command checks that Dignity's encryption interoperates with a real age client.
ensure_age() {
  command -v age >/dev/null && return 0
  say "Installing the age command for the encryption interoperability test"
  apt_install age || fail "The age command is needed by the tests. Install it (apt-get install age) and run this again."
}

# The board pack's PDF is typeset in Liberation Sans (or DejaVu Sans) from the machine's
# fonts, as the plan posters are drawn.
ensure_fonts() {
  if ls /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf \
    /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1; then
    return 0
  fi
  say "Installing fonts for the board pack and the plan posters"
  apt_install fonts-liberation fonts-dejavu-core || fail "Fonts are needed to make PDFs. Install them (apt-get install fonts-liberation fonts-dejavu-core) and run this again."
}

# The board pack's tests read its PDF back: its text (pdftotext), whether it is tagged
# (pdfinfo) and its pages as pictures (pdftoppm).
ensure_pdf_tools() {
  if command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null && command -v pdftoppm >/dev/null; then
    return 0
  fi
  say "Installing poppler-utils to read the board pack's PDF back"
  apt_install poppler-utils || fail "poppler-utils is needed by the tests. Install it (apt-get install poppler-utils) and run this again."
}

# Starts the local PostgreSQL server if the tests would use it and it is not answering.
ensure_postgres() {
  local url="${DIGNITY_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  case "$url" in
    *@127.0.0.1:5432/*|*@localhost:5432/*) ;;
    *) say "Using PostgreSQL at the address in DIGNITY_TEST_POSTGRES_URL"; return 0 ;;
  esac
  command -v pg_isready >/dev/null || apt_install postgresql-client || true
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  say "Starting PostgreSQL"
  if [ ! -d /etc/postgresql ] || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    apt_install postgresql || fail "PostgreSQL is needed for the tests and could not be installed. Install it, or set DIGNITY_TEST_POSTGRES_URL to a server you can use."
  fi
  local version
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && return 0
    sleep 1
  done
  fail "PostgreSQL did not start on 127.0.0.1:5432. Start it with: pg_ctlcluster --skip-systemctl-redirect $version main start"
}

# Removes databases left by test runs that were stopped part way.
drop_stale_test_databases() {
  command -v psql >/dev/null || return 0
  local url="${DIGNITY_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  psql "$url" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'dignity\_t\_%'" 2>/dev/null |
    while read -r name; do
      psql "$url" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
}

# Starts `dignity demo` on a free loopback port with its database in DIR, for the checks
# that drive a real server. Sets demo_url and demo_pid; extra NAME=VALUE settings may follow.
#   start_demo_server BIN DIR [NAME=VALUE...]
start_demo_server() {
  local bin="$1" dir="$2" port
  shift 2
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  demo_url="http://127.0.0.1:$port"
  env DIGNITY_DATABASE_URL="sqlite://$dir/demo.db" DIGNITY_BIND="127.0.0.1:$port" \
    DIGNITY_WEB_DIR="$(repo_root)/web" DIGNITY_LOG_LEVEL=error "$@" \
    "$bin" demo >"$dir/server.log" 2>&1 &
  demo_pid=$!
  for _ in $(seq 1 300); do
    curl -sf "$demo_url/readyz" >/dev/null && return 0
    sleep 0.2
  done
  fail "the demo server did not start: $(cat "$dir/server.log")"
}


# The offline copy of RustSec's advisory database: $DIGNITY_ADVISORY_DB, else
# ../shared/advisory-db beside the repository, else /work/shared/advisory-db.
advisory_db() {
  local dir
  for dir in "${DIGNITY_ADVISORY_DB:-}" "$(repo_root)/../shared/advisory-db" /work/shared/advisory-db; do
    if [ -n "$dir" ] && [ -d "$dir/crates" ]; then (cd "$dir" && pwd); return 0; fi
  done
  return 1
}

# How old the copy is: its last commit's date when it is a git clone, else the date of
# the newest advisory in it.
advisory_db_date() {
  if [ -d "$1/.git" ]; then
    echo "last commit $(git -C "$1" log -1 --format=%cs)"
  else
    echo "newest advisory $(grep -rh '^date = ' "$1/crates" | sort | tail -n 1 | tr -d '"' | cut -d' ' -f3)"
  fi
}

# Building cargo-audit takes minutes on a fresh machine (most of a CI run's first eight in
# one log). A debug build is enough for reading a lock file and the advisories and builds
# in about half the time; started early, it runs beside the lints, which leave a core idle
# for much of their time.
begin_cargo_audit_install() {
  cargo audit --version >/dev/null 2>&1 && return 0
  say "Building cargo-audit in the background, beside the lints (once: it stays in ~/.cargo/bin)"
  cargo install --locked --debug cargo-audit >/dev/null 2>&1 &
  cargo_audit_install=$!
}

ensure_cargo_audit() {
  if [ -n "${cargo_audit_install:-}" ]; then
    wait "$cargo_audit_install" || true
    cargo_audit_install=""
  fi
  cargo audit --version >/dev/null 2>&1 && return 0
  say "Installing cargo-audit (once: it stays in ~/.cargo/bin)"
  cargo install --locked --debug cargo-audit >/dev/null 2>&1
}

# Checks Cargo.lock against the offline advisory copy, without the network. Any
# vulnerability not listed with a reason in .cargo/audit.toml fails; unmaintained or
# unsound crates are shown, not failed. With no copy or no cargo-audit it says so, and
# fails only if the first argument is "strict". Leaves a summary line in $audit_result.
dependency_audit() {
  local strict="$1" db when json
  audit_result=""
  if ! db="$(advisory_db)"; then
    audit_result="not run: no copy of the RustSec advisory database was found (set DIGNITY_ADVISORY_DB to one)"
  elif ! ensure_cargo_audit; then
    audit_result="not run: cargo-audit is not installed and could not be installed (cargo install --locked cargo-audit)"
  fi
  if [ -n "$audit_result" ]; then
    printf '\033[33mcargo audit %s\033[0m\n' "$audit_result" >&2
    [ "$strict" = strict ] && fail "the dependency audit could not run"
    return 0
  fi
  when="$(advisory_db_date "$db")"
  say "cargo audit, offline, against the advisory database copy in $db ($when)"
  if ! json="$(cd "$(repo_root)" && cargo audit --no-fetch --no-yanked --stale --db "$db" --json 2>/dev/null)"; then
    (cd "$(repo_root)" && cargo audit --no-fetch --no-yanked --stale --db "$db") || true
    [ -n "$json" ] || fail "cargo audit could not read the advisory database copy in $db"
    fail "cargo audit found a vulnerability not listed with a reason in .cargo/audit.toml"
  fi
  audit_result="$(printf '%s' "$json" | python3 -c '
import json, sys
r = json.load(sys.stdin)
warned = []
for kind, found in r.get("warnings", {}).items():
    for w in found:
        if w.get("advisory"):
            warned.append("%s %s (%s)" % (w["package"]["name"], kind, w["advisory"]["id"]))
print("%d crates against %d advisories: %d vulnerabilities not excepted; warnings: %s" % (
    r["lockfile"]["dependency-count"], r["database"]["advisory-count"],
    r["vulnerabilities"]["count"], "; ".join(warned) or "none"))
')"
  audit_result="$audit_result; exceptions: $(grep -o 'RUSTSEC-[0-9]*-[0-9]*' "$(repo_root)/.cargo/audit.toml" | paste -sd, - || true); database copy: $when"
  echo "$audit_result"
}
