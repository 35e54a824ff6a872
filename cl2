#!/usr/bin/env bash
# cl2 — one entry point: set up, run, inspect and test the platform on one machine.
# Everything it makes lives under .cl2/ (git-ignored): logs, pid files, data, the local PostgreSQL cluster.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE="${CL2_STATE_DIR:-$ROOT/.cl2}"
RUN="$STATE/run"
LOGS="$STATE/logs"
DATA="$STATE/data"
# The built-in sign-in provider's generated passwords, client secrets (secrets/) and signing keys (keys/); docs/security.md.
IDENTITY="$STATE/identity"
# Development (the default) or Production: the ASP.NET Core environment every service runs in (docs/security.md).
ENVIRONMENT="${CL2_ENVIRONMENT:-Development}"
CONFIGURATION="${CL2_CONFIGURATION:-Release}"
PG_BIN="${CL2_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${CL2_PG_PORT:-55432}"
GATEWAY_PORT="${CL2_GATEWAY_PORT:-8080}"
LABELING_PORT="${CL2_LABELING_PORT:-8081}"
INFERENCE_PORT="${CL2_INFERENCE_PORT:-8082}"
DICOM_PORT="${CL2_DICOM_PORT:-11112}"
# The services, in start order: name, project, HTTP port (- for none), what must be ready before it starts. This table and
# service_environment (below) are all the script knows about a service; the test launcher asks this script for both
# (`./cl2 service-command NAME`), so tests start each service exactly as `up` does.
# The worker starts after the gateway: its first call to labeling asks the gateway's sign-in provider for a token.
SERVICE_TABLE=(
  "labeling   labeling/Cl2.Labeling    $LABELING_PORT   postgres"
  "inference  inference/Cl2.Inference  $INFERENCE_PORT  labeling"
  "gateway    gateway/Cl2.Gateway      $GATEWAY_PORT    labeling,inference"
  "training   training/Cl2.Training    -                labeling,gateway"
)
# What `up` builds besides the services: the tools `./cl2 dicom`, `synth` and `train` run.
TOOL_PROJECTS=(inference/Cl2.Dicom.Tools training/Cl2.Training.Cli)
SERVICES=()
for row in "${SERVICE_TABLE[@]}"; do SERVICES+=("${row%% *}"); done
# Settings a person adds for the services (docs/operations.md): KEY=VALUE lines, in [service] sections.
SETTINGS="$STATE/settings.env"

# Debian packages the platform and its tests need, and why each one is there.
APT_PACKAGES=(
  postgresql-15 postgresql-client-15 # the system of record (Marten)
  curl ca-certificates               # readiness probes from this script
  dcmtk                              # DICOM peer: dcmdump, dcm2json, storescu/storescp, dcmdjpeg, dcmdrle …
  python3-pydicom                    # the real DICOM corpus the DICOM tests read
  python3-numpy                      # pydicom's pixel_array: the SEG tests read frames with it
  libgdcm-tools                      # gdcmconv: the JPEG 2000 / JPEG-LS oracle
  libcharls2 libopenjp2-7            # JPEG-LS and JPEG 2000 codecs, loaded by Cl2.Dicom
  orthanc orthanc-dicomweb orthanc-gdcm # the test / demo PACS (DIMSE, REST, DICOMweb, JPEG 2000)
  dicom3tools                        # dciodvfy: validates the SEG / SR objects we write
  python3-torch python3-torchvision  # the PyTorch peer: model import/export tests, ./cl2 bench train
  chromium                           # the browser the web app's tests drive (Playwright, headless; docs/web.md)
  libxml2-utils                      # xmllint: checks exported audit messages against the PS3.15 A.5.1 schema
  slurmctld slurmd slurm-client munge # a one-node Slurm cluster: the training worker's batch script test (docs/deploy.md)
)
# kubectl renders the Kubernetes manifests for the deploy tests: Debian's kubernetes-client, unless a kubectl is there.
command -v kubectl >/dev/null || APT_PACKAGES+=(kubernetes-client)

say() { printf '\033[1m%s\033[0m\n' "$*"; }
warn() { printf '\033[33m%s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mcl2: %s\033[0m\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

usage() {
  cat <<EOF
usage: ./cl2 <command>

  up                 set up what runs (apt packages, PostgreSQL, build) and start the platform
  down               stop the processes that 'up' started
  restart SERVICE    stop and start one service, with the settings in .cl2/settings.env
  status             which services run and whether they are ready
  logs [service] [-f] [--json]  show (or follow) a service's log; services: ${SERVICES[*]} postgres
  token [--user NAME | --role ROLE | --client ID]  print an access token from the running gateway's sign-in provider
  test               set up everything and run every test
  dicom <command>    DICOM tools (dump, json, pixels, convert, deidentify; echo, store, find, move, get, scp); './cl2 dicom' lists them
  demo [--quick]     the closed loop end to end with simulated annotators and radiologists; prints each version's metric and lineage
  bench <name>       a benchmark against its peer, measured in the same run (dicom-parse, e2e, graphql, ingest, ingest-kill, learning-curve, scale, train, viewer)
  synth --task T --out DIR   write a synthetic cohort (brain-mri, liver-ct, hip-xray) as DICOM + ground truth
  train --task T     train locally on a synthetic cohort read back from DICOM; prints the metrics (docs/training.md)
  infer --model DIR --in STUDY_DIR --out DIR   run a model on a folder of one study's DICOM files; writes a DICOM SEG and SR (docs/inference.md)
  model import --task T (--torchscript F | --state-dict F) --spacing MM,MM[,MM] [--register MODEL]   bring in a model trained elsewhere;
                     --register uploads it and registers a candidate version through the running gateway (docs/inference.md)

Environment: CL2_ENVIRONMENT (Development; Production runs every service with production settings),
CL2_CONFIGURATION (Release), CL2_PG_PORT (55432), CL2_GATEWAY_PORT (8080),
CL2_LABELING_PORT (8081), CL2_INFERENCE_PORT (8082), CL2_DICOM_PORT (11112). See docs/configuration.md.
'./cl2 COMMAND --help' describes a command.
EOF
}

# ---------------------------------------------------------------- set-up

ensure_apt_packages() {
  local missing=() package
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_root; then
    die "missing Debian packages; install them with:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  say "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >"$STATE/apt.log" 2>&1 ||
    { tail -n 30 "$STATE/apt.log" >&2; die "apt-get install failed (full log: $STATE/apt.log)"; }
}

ensure_dotnet() {
  command -v dotnet >/dev/null || die "the .NET SDK is not installed. Install the version in global.json (https://learn.microsoft.com/dotnet/core/install/linux-debian)."
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

# The projects `up` builds: the services of SERVICE_TABLE and TOOL_PROJECTS (their references come along), one a line.
platform_projects() {
  local name
  for name in "${SERVICES[@]}"; do service_project "$name"; done
  printf '%s\n' "${TOOL_PROJECTS[@]}"
}

# build all|platform: the whole solution (tests, benchmarks, fuzzing), or only what `up` runs (services and tools).
build() {
  local target=cl2.sln
  if [ "$1" = platform ]; then
    # A solution filter made from platform_projects; project references come along.
    target="$STATE/platform.slnf"
    local projects=() project
    mapfile -t projects < <(platform_projects)
    {
      printf '{ "solution": { "path": "%s", "projects": [' "$ROOT/cl2.sln"
      local separator=""
      for project in "${projects[@]}"; do printf '%s "%s/%s.csproj"' "$separator" "$project" "$(basename "$project")"; separator=,; done
      printf ' ] } }\n'
    } >"$target"
  fi
  say "Restoring and building ($CONFIGURATION, $([ "$1" = platform ] && echo "services and tools" || echo "everything"))"
  (cd "$ROOT" && dotnet build "$target" -c "$CONFIGURATION" -nologo -v:minimal -clp:NoSummary) ||
    die "the build failed; the errors are above"
}

# The web app (web/, docs/web.md): npm ci from the committed lock, then a Vite build into web/dist, which the gateway
# serves. Skipped when the lock file and the sources are those of the last build.
WEB="$ROOT/web"
build_web() {
  command -v node >/dev/null && command -v npm >/dev/null ||
    die "Node.js 20 (with npm) is not installed; the web app is built with it (https://nodejs.org, or your distribution's nodejs 20)."
  local stamp="$STATE/web-build.sha256" sources
  sources=$(cd "$WEB" && find index.html graphiql.html package.json package-lock.json tsconfig.json vite.config.ts src -type f -print0 | sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-64)
  if [ -f "$WEB/dist/index.html" ] && [ -d "$WEB/node_modules" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sources" ]; then
    return 0
  fi
  say "Building the web app (npm ci, vite build; log in $LOGS/web-build.log)"
  (cd "$WEB" && npm ci --no-audit --no-fund && npm run build) >"$LOGS/web-build.log" 2>&1 ||
    { tail -n 30 "$LOGS/web-build.log" >&2; die "the web app's build failed (full log: $LOGS/web-build.log)"; }
  echo "$sources" >"$stamp"
}

# setup all|platform: state folders, .NET, Debian packages, and a build of that scope.
setup() {
  mkdir -p "$STATE" "$RUN" "$LOGS" "$DATA"
  ensure_dotnet
  # The end-to-end tests run ./cl2 against what the test run already installed and built.
  [ "${CL2_SKIP_SETUP:-}" = 1 ] && return 0
  ensure_apt_packages
  build_web
  build "$1"
}

# ---------------------------------------------------------------- PostgreSQL (local cluster)

# The cluster's home (data/ and server.log) must be a folder the postgres user owns and can reach (not under /root,
# mode 700): .cl2/postgres when it can, else /var/lib/cl2/<hash of the state folder> with .cl2/postgres pointing at it.
pg_home() {
  if [ -e "$STATE/postgres" ]; then
    readlink -f "$STATE/postgres"
  elif is_root && ! runuser -u postgres -- test -x "$STATE"; then
    echo "/var/lib/cl2/$(printf '%s' "$STATE" | sha256sum | cut -c1-12)"
  else
    echo "$STATE/postgres"
  fi
}

pg_data_dir() { echo "$(pg_home)/data"; }

as_pg_owner() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() {
  local data
  data=$(pg_data_dir)
  [ -f "$data/postmaster.pid" ] && as_pg_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

pg_password() { cat "$STATE/postgres.password"; }

# CL2_POSTGRES_CONNECTION_STRING replaces the local cluster's (the test launcher points labeling at its own cluster).
connection_string() {
  if [ -n "${CL2_POSTGRES_CONNECTION_STRING:-}" ]; then
    echo "$CL2_POSTGRES_CONNECTION_STRING"
  else
    echo "Host=127.0.0.1;Port=$PG_PORT;Username=cl2;Password=$(pg_password);Database=cl2"
  fi
}

ensure_postgres() {
  local data
  data=$(pg_data_dir)
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 is not installed in $PG_BIN"
  if [ ! -f "$data/PG_VERSION" ]; then
    local home pwfile
    home=$(pg_home)
    say "Creating a PostgreSQL 15 cluster in $home (port $PG_PORT)"
    mkdir -p "$data"
    [ -f "$STATE/postgres.password" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$STATE/postgres.password")
    pwfile="$home/initdb.password"
    (umask 077 && pg_password >"$pwfile")
    if is_root; then chown -R postgres:postgres "$home"; fi
    chmod 700 "$home" "$data"
    as_pg_owner "$PG_BIN/initdb" -D "$data" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
      --pwfile="$pwfile" -E UTF8 --locale=C >"$LOGS/initdb.log" 2>&1 ||
      { rm -f "$pwfile"; die "initdb failed; see $LOGS/initdb.log"; }
    rm -f "$pwfile"
    [ "$home" = "$STATE/postgres" ] || ln -sfn "$home" "$STATE/postgres"
  fi
  if ! pg_running; then
    say "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
    # The server writes its log as postgres, in its home; .cl2/logs/postgres.log points there.
    ln -sfn "$(pg_home)/server.log" "$LOGS/postgres.log"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$data" -l "$(pg_home)/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $data" start >/dev/null ||
      die "PostgreSQL did not start; see ./cl2 logs postgres (is port $PG_PORT taken?)"
  fi
  # Idempotent: the cl2 role and database exist with the password in .cl2/postgres.password.
  PGPASSWORD=$(pg_password) "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt >/dev/null <<SQL ||
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cl2') THEN CREATE ROLE cl2 LOGIN; END IF;
END \$\$;
ALTER ROLE cl2 PASSWORD '$(pg_password)';
SELECT 'CREATE DATABASE cl2 OWNER cl2' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'cl2') \gexec
SQL
    die "could not create the cl2 role and database; see ./cl2 logs postgres"
}

stop_postgres() {
  pg_running || return 0
  say "Stopping PostgreSQL"
  as_pg_owner "$PG_BIN/pg_ctl" -D "$(pg_data_dir)" -m fast -w stop >/dev/null
}

# ---------------------------------------------------------------- services

# service_field NAME COLUMN: a column of NAME's row in SERVICE_TABLE (1 name, 2 project, 3 port, 4 needs).
service_field() {
  local row
  for row in "${SERVICE_TABLE[@]}"; do
    [ "${row%% *}" = "$1" ] && { awk -v column="$2" '{ print $column }' <<<"$row"; return 0; }
  done
  die "no service '$1' (services: ${SERVICES[*]})"
}

service_project() { service_field "$1" 2; }

service_needs() { service_field "$1" 4 | tr ',' ' '; }

service_dll() {
  local project
  project=$(service_project "$1")
  echo "$ROOT/$project/bin/$CONFIGURATION/net10.0/$(basename "$project").dll"
}

service_url() {
  local port
  port=$(service_field "$1" 3)
  [ "$port" = - ] || echo "http://127.0.0.1:$port"
}

service_pid() { cat "$RUN/$1.pid" 2>/dev/null || true; }

service_running() {
  local pid
  pid=$(service_pid "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$(basename "$(service_dll "$1")")"
}

# The seeded users of the built-in provider (one per role) and its service clients.
IDENTITY_USERS=(annotator radiologist ml-engineer admin)
IDENTITY_CLIENTS=(training-worker inference)

# identity_secret users|clients NAME: prints the generated password or client secret, making it on first use (mode 600).
identity_secret() {
  local folder="$IDENTITY/secrets/$1" extension file
  extension=$([ "$1" = users ] && echo password || echo secret)
  file="$folder/$2.$extension"
  if [ ! -f "$file" ]; then
    (umask 077 && mkdir -p "$folder" && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$file")
  fi
  cat "$file"
}

# The environment a service starts with: what a local run needs, then the settings file's lines for it (they win).
service_environment() {
  local labeling="http://127.0.0.1:$LABELING_PORT/" authority="http://127.0.0.1:$GATEWAY_PORT/" name
  echo "DOTNET_ENVIRONMENT=$ENVIRONMENT"
  echo "ASPNETCORE_ENVIRONMENT=$ENVIRONMENT"
  # Every service accepts the access tokens the gateway's built-in provider signs.
  echo "Identity__Authority=$authority"
  case "$1" in
    gateway)
      echo "Urls=$(service_url gateway)"
      echo "ReverseProxy__Clusters__labeling__Destinations__labeling__Address=$labeling"
      echo "ReverseProxy__Clusters__inference__Destinations__inference__Address=http://127.0.0.1:$INFERENCE_PORT/"
      echo "Identity__Provider__Enabled=true"
      echo "Identity__Provider__ConnectionString=$(connection_string)"
      echo "Identity__Provider__KeysPath=$IDENTITY/keys"
      echo "Identity__Provider__SecretsPath=$IDENTITY/secrets"
      # Browser sign-in at the gateway: the gateway is its own provider's client cl2-gateway (code + PKCE).
      echo "Identity__BrowserSession__Enabled=true"
      echo "Identity__BrowserSession__ClientId=cl2-gateway"
      echo "Identity__Provider__BrowserClients__0__Name=cl2-gateway"
      echo "Identity__Provider__BrowserClients__0__RedirectUris__0=${authority}signin-oidc"
      echo "Identity__Provider__BrowserClients__0__PostLogoutRedirectUris__0=${authority}signout-callback-oidc"
      # The web app at / once it is built (setup builds it); before that / is the gateway's status page.
      [ -f "$WEB/dist/index.html" ] && echo "WebApp__Root=$WEB/dist"
      for name in "${IDENTITY_USERS[@]}"; do identity_secret users "$name" >/dev/null; done
      for name in "${IDENTITY_CLIENTS[@]}"; do identity_secret clients "$name" >/dev/null; done ;;
    labeling)
      echo "Urls=$(service_url labeling)"
      echo "Postgres__ConnectionString=$(connection_string)"
      echo "Blobs__Root=$DATA/blobs"
      echo "Archive__SpoolPath=$DATA/stow-spool" ;;
    inference)
      echo "Urls=$(service_url inference)"
      echo "Labeling__BaseAddress=$labeling"
      echo "Inference__Forwarding__LabelingUrl=$labeling"
      echo "Inference__StoragePath=$DATA/inference"
      echo "Inference__Listener__Port=$DICOM_PORT"
      echo "Labeling__ClientId=inference"
      echo "Labeling__ClientSecret=$(identity_secret clients inference)" ;;
    training)
      echo "Labeling__BaseAddress=$labeling"
      echo "Training__Jobs__WorkDirectory=$DATA/training"
      echo "Training__Cache__Directory=$DATA/training-cache"
      echo "Health__StatusFile__Path=$RUN/training.health"
      echo "Labeling__ClientId=training-worker"
      echo "Labeling__ClientSecret=$(identity_secret clients training-worker)" ;;
  esac
  service_settings "$1"
}

# The settings file's KEY=VALUE lines for service $1: those above the first [section] (every service) and those in [$1].
service_settings() {
  [ -f "$SETTINGS" ] || return 0
  awk -v service="$1" -v file="$SETTINGS" -v services=" ${SERVICES[*]} " '
    /^[ \t]*(#|$)/ { next }
    /^[ \t]*\[[^]]*\][ \t]*$/ {
      section = $0; gsub(/[][ \t]/, "", section)
      if (index(services, " " section " ") == 0) {
        printf "cl2: %s line %d: no service [%s] (services:%s)\n", file, NR, section, services > "/dev/stderr"; failed = 1; exit 1
      }
      next
    }
    !/^[ \t]*[A-Za-z_][A-Za-z0-9_:.]*=/ {
      printf "cl2: %s line %d is not KEY=VALUE or [service]: %s\n", file, NR, $0 > "/dev/stderr"; failed = 1; exit 1
    }
    section == "" || section == service { sub(/^[ \t]+/, ""); print }
    END { exit failed }
  ' "$SETTINGS" || die "fix $SETTINGS (docs/operations.md, \"Settings\")"
}

start_service() {
  local name=$1 dll
  dll=$(service_dll "$name")
  [ -f "$dll" ] || die "$name is not built ($dll missing)"
  service_settings "$name" >/dev/null # a bad settings file stops here, with its line
  local -a environment
  mapfile -t environment < <(service_environment "$name")
  rm -f "$RUN/$name.health"
  (cd "$(dirname "$dll")" && exec env "${environment[@]}" setsid dotnet "$dll" >>"$LOGS/$name.log" 2>&1 </dev/null) &
  echo $! >"$RUN/$name.pid"
}

service_ready() {
  case "$1" in
    training) [ -f "$RUN/training.health" ] && [ "$(head -n1 "$RUN/training.health")" = Healthy ] ;;
    *) curl -fs -o /dev/null --max-time 3 "$(service_url "$1")/health/ready" ;;
  esac
}

wait_ready() {
  local name=$1 started=$SECONDS deadline=$((SECONDS + 120))
  printf '  %-10s ' "$name"
  until service_ready "$name"; do
    # The process just started: alive is enough. service_running also matches the command line (against a reused pid
    # in a stale pid file), which is still the forked shell's until the start command has exec'd dotnet: on a loaded
    # machine that window reported a starting worker as exited before it had written a line.
    if ! kill -0 "$(service_pid "$name")" 2>/dev/null; then
      echo "exited"
      tail -n 20 "$LOGS/$name.log" | format_log >&2
      die "$name exited during start-up; full log: ./cl2 logs $name"
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "not ready after 120 s"
      die "$name did not become ready; see ./cl2 logs $name and ./cl2 status"
    fi
    sleep 0.5
  done
  echo "ready ($((SECONDS - started)) s)"
}

stop_service() {
  local name=$1 pid
  pid=$(service_pid "$name")
  if service_running "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      warn "$name did not stop in 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "  stopped $name (pid $pid)"
  fi
  rm -f "$RUN/$name.pid" "$RUN/$name.health"
}

print_urls() {
  cat <<EOF

cl2 is running.
  Gateway (everything a user or client needs)  $(service_url gateway)
  GraphQL API                                   $(service_url gateway)/graphql
  GraphiQL (development)                        $(service_url gateway)/graphiql
  DICOMweb archive (QIDO / WADO / STOW)         $(service_url gateway)/dicomweb
  Inference API                                 $(service_url gateway)/api/inference/status
  DICOM listener (C-ECHO, C-STORE, C-FIND, ...) AE CL2 at 127.0.0.1:$DICOM_PORT   (./cl2 dicom echo 127.0.0.1 $DICOM_PORT -aec CL2)
  Readiness                                     $(service_url gateway)/health/ready
  $(printf '%-45s' "Sign-in ($ENVIRONMENT)") users ${IDENTITY_USERS[*]}; passwords in ${IDENTITY#"$ROOT"/}/secrets/users/
  Sign in with a browser                        $(service_url gateway)/account/signin   (sign out: /account/signout)
  Access token for curl or a GraphQL client     ./cl2 token --role annotator   (then: curl -H "Authorization: Bearer \$TOKEN" ...)
  PostgreSQL                                    127.0.0.1:$PG_PORT (database cl2, role cl2, password in .cl2/postgres.password)
  Logs                                          ./cl2 logs [service]   (files in .cl2/logs/)
  Settings                                      $SETTINGS   (./cl2 restart SERVICE applies a change)
Stop with ./cl2 down.
EOF
}

# JSON log lines (Timestamp, LogLevel, Category, Message, Exception) as "time level category: message"; other lines as
# they are. A message longer than a few lines (Marten's schema SQL) shows its start; --json shows everything.
format_log() {
  if ! command -v python3 >/dev/null; then cat; return; fi
  python3 -u -c '
import json, sys
LEVELS = {"Trace": "trce", "Debug": "dbug", "Information": "info", "Warning": "warn", "Error": "fail", "Critical": "crit"}
KEPT_LINES = 4
for line in sys.stdin:
    text = line.rstrip("\n")
    try:
        entry = json.loads(text)
    except ValueError:
        entry = None
    if not isinstance(entry, dict) or "Message" not in entry:
        print(text)
        continue
    stamp = str(entry.get("Timestamp", "")).replace("T", " ").rstrip("Z")
    level = LEVELS.get(entry.get("LogLevel"), str(entry.get("LogLevel", "?"))[:4].lower())
    lines = str(entry.get("Message", "")).splitlines() or [""]
    if len(lines) > KEPT_LINES + 1:
        lines = lines[:KEPT_LINES] + ["... (%d more lines; --json shows them)" % (len(lines) - KEPT_LINES)]
    print("%s %s %s: %s" % (stamp, level, entry.get("Category", ""), "\n    ".join(lines)))
    for detail in str(entry.get("Exception") or "").splitlines():
        print("    " + detail)
'
}

# ---------------------------------------------------------------- help

help_requested() {
  local argument
  for argument in "$@"; do
    if [ "$argument" = --help ] || [ "$argument" = -h ]; then return 0; fi
  done
  return 1
}

# The --help text of the commands this script runs itself (dicom, synth and train pass --help to their tools).
command_help() {
  case "$1" in
    up) echo "usage: ./cl2 up
  Installs missing Debian packages, creates and starts the PostgreSQL cluster, builds the services and the tools,
  starts each service once what it needs is ready (labeling; then inference; then the gateway; then training) and
  prints the URLs. While everything runs it changes nothing. Settings for the services: $SETTINGS
  (docs/operations.md)." ;;
    down) echo "usage: ./cl2 down
  Stops the services 'up' started (in the reverse order: training, the gateway, inference, labeling) and the PostgreSQL cluster." ;;
    restart) echo "usage: ./cl2 restart SERVICE
  Stops SERVICE (${SERVICES[*]}), starts it again with the current settings ($SETTINGS) and waits until
  it is ready. What it needs must be running. It does not build: after a code change, ./cl2 down && ./cl2 up." ;;
    status) echo "usage: ./cl2 status
  Each service's pid, whether it runs and whether it is ready; the PostgreSQL cluster's pid and address." ;;
    logs) echo "usage: ./cl2 logs [SERVICE] [-f] [--json] [-n LINES]
  Without SERVICE: the last 20 lines of every log. With SERVICE (${SERVICES[*]} postgres): its last LINES
  lines (200), followed with -f. Lines read 'time level category: message'; --json prints them as written, one JSON
  object a line (the files are in $LOGS)." ;;
    test) echo "usage: ./cl2 test
  Installs and builds everything, then runs every test project: one line per project as it finishes, and each
  failing test's name and message. The full output is kept in $STATE/test-results/console.log. The last line is
  'N passed, N failed, N skipped'; the exit code is non-zero on any failure, and on a test project whose test host
  crashed (named on an 'aborted:' line: the tests it had not reached did not run).
  The web app's Vitest tests run too (web/test); their result line counts in the summary.
  CL2_TEST_PROJECTS='tests/A tests/B' runs only those test projects ('web' among them: the web tests too)." ;;
    token) echo "usage: ./cl2 token [--user NAME | --role ROLE | --client ID]
  Prints an access token for a seeded user (${IDENTITY_USERS[*]}; --role ROLE is the user of that name) or a
  service client (${IDENTITY_CLIENTS[*]}), from the gateway's built-in provider, with the generated password or
  secret in $IDENTITY/secrets/. Without an option: --role admin. Use it as
  curl -H \"Authorization: Bearer \$(./cl2 token --role annotator)\" http://127.0.0.1:$GATEWAY_PORT/dicomweb/studies" ;;
    demo) echo "usage: ./cl2 demo [--quick] [--record FILE]
  Builds what it needs, then runs the closed loop end to end on this machine, headless, on its own free ports and a
  temporary state folder (a running ./cl2 up is not touched): PostgreSQL, an Orthanc as the hospital PACS and the four
  services as 'up' starts them; simulated annotators label a few cases (noisily), the worker trains v1 and the gate
  promotes it, the PACS sends new studies, simulated radiologists correct the worst results, and the retraining policy and
  the gate make v2 and v3. Prints progress, a table (one row per version: what it trained on, its held-out metric, the
  gate's decision), the stages' times, the GraphQL lineage query with its answer, and the web app's address; the platform
  then runs until you press Enter. Without --quick it runs the loop on liver CT, brain MRI and the hip radiographs, one
  after another on one platform, each with its small network. --quick: the reduced run for CI (liver only, its small
  network, tiny sizes). --record FILE: also write what the simulated people submitted, as JSON. docs/closed-loop.md." ;;
    bench) echo "usage: ./cl2 bench NAME [ARGUMENTS]
  A benchmark against its peer, measured in the same run: dicom-parse, e2e, graphql, ingest, ingest-kill, learning-curve, scale, train, viewer
  (viewer: the web app in headless Chromium and the archive against Orthanc's DICOMweb; ./cl2 bench viewer SLICES PEER-SLICES ROUNDS).
  Each one's arguments and latest figures are in docs/benchmarks.md." ;;
    *) return 1 ;;
  esac
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local running=() name need
  for name in "${SERVICES[@]}"; do service_running "$name" && running+=("$name"); done
  if [ ${#running[@]} -eq ${#SERVICES[@]} ]; then
    say "cl2 is already running (${running[*]}); nothing changed. ./cl2 status shows its health, ./cl2 down stops it."
    print_urls
    return 0
  fi
  setup platform
  ensure_postgres
  # Each service starts once what it needs answers, so none logs failed calls or failed health checks meanwhile.
  say "Starting services"
  local -A ready=()
  for name in "${SERVICES[@]}"; do
    for need in $(service_needs "$name"); do
      [ "$need" = postgres ] || [ -n "${ready[$need]:-}" ] || { wait_ready "$need"; ready[$need]=1; }
    done
    if service_running "$name"; then
      echo "  $name already running (pid $(service_pid "$name"))"
    else
      start_service "$name"
    fi
  done
  for name in "${SERVICES[@]}"; do [ -n "${ready[$name]:-}" ] || wait_ready "$name"; done
  print_urls
}

cmd_restart() {
  [ $# -eq 1 ] || { command_help restart >&2; exit 2; }
  local name=$1 need
  service_field "$name" 1 >/dev/null
  mkdir -p "$STATE" "$RUN" "$LOGS" "$DATA"
  ensure_dotnet
  for need in $(service_needs "$name"); do
    if [ "$need" = postgres ]; then
      pg_running || die "PostgreSQL is not running; ./cl2 up starts everything"
    else
      service_ready "$need" || die "$name needs $need, which is not ready; ./cl2 up starts everything"
    fi
  done
  stop_service "$name"
  start_service "$name"
  wait_ready "$name"
}

cmd_down() {
  local index
  for ((index = ${#SERVICES[@]} - 1; index >= 0; index--)); do stop_service "${SERVICES[index]}"; done
  [ -d "$STATE" ] && stop_postgres
  say "cl2 is stopped."
}

cmd_status() {
  local name state
  printf '%-10s %-8s %-8s %s\n' SERVICE PID STATE READY
  for name in "${SERVICES[@]}"; do
    if service_running "$name"; then
      state=running
      if service_ready "$name"; then ready=yes; else ready=no; fi
      printf '%-10s %-8s %-8s %s\n' "$name" "$(service_pid "$name")" "$state" "$ready"
    else
      printf '%-10s %-8s %-8s %s\n' "$name" - stopped -
    fi
  done
  if [ -d "$STATE" ] && pg_running; then
    printf '%-10s %-8s %-8s %s\n' postgres "$(head -n1 "$(pg_data_dir)/postmaster.pid")" running "127.0.0.1:$PG_PORT"
  else
    printf '%-10s %-8s %-8s %s\n' postgres - stopped -
  fi
}

cmd_logs() {
  local name="" follow=() format=format_log lines=200
  while [ $# -gt 0 ]; do
    case "$1" in
      -f | --follow) follow=(-f) ;;
      --json) format=cat ;;
      -n) [ $# -gt 1 ] || die "-n needs a number of lines"; lines=$2; shift ;;
      -*) command_help logs >&2; exit 2 ;;
      *) [ -z "$name" ] || die "one service at a time ('$name' and '$1')"; name=$1 ;;
    esac
    shift
  done
  if [ -z "$name" ]; then
    for name in "${SERVICES[@]}" postgres; do
      [ -f "$LOGS/$name.log" ] && { say "== $name"; tail -n 20 "$LOGS/$name.log" | $format; }
    done
    return 0
  fi
  [ -f "$LOGS/$name.log" ] || die "no log for '$name' (services: ${SERVICES[*]} postgres; ./cl2 logs --help)"
  tail -n "$lines" "${follow[@]}" "$LOGS/$name.log" | $format
}

# A solution filter of the projects named (folders or .csproj files, relative to the checkout), into file $1.
write_solution_filter() {
  local file=$1 separator="" project
  shift
  {
    printf '{ "solution": { "path": "%s", "projects": [' "$ROOT/cl2.sln"
    for project in "$@"; do
      [ -d "$ROOT/$project" ] && project="${project%/}/$(basename "$project").csproj"
      [ -f "$ROOT/$project" ] || die "no project $project"
      printf '%s "%s"' "$separator" "$project"
      separator=,
    done
    printf ' ] } }\n'
  } >"$file"
}

# What a person reads of `dotnet test`: a line when a test project starts and its result line when it ends, each failing
# test's name and message (at most 40 lines of it), and any aborted run; the whole output goes to console.log.
summarize_test_output() {
  # mawk (Debian's awk) reads a pipe in blocks unless told to read it line by line; other awks need no option.
  local live=()
  awk -W version 2>/dev/null | grep -q mawk && live=(-W interactive)
  awk "${live[@]}" '
    function flush_failure() { if (cut > 0) printf "      ... %d more lines in %s\n", cut, logfile; cut = 0 }
    /^Test run for / { flush_failure(); failing = 0; name = $0; sub(/^.*\//, "", name); sub(/\.dll.*$/, "", name); print "  " name ": running"; fflush(); next }
    /^(Passed|Failed)! +- / { flush_failure(); failing = 0; sub(/ *\(net[0-9.]+\) *$/, ""); print "  " $0; fflush(); next }
    # The display name of a theory has spaces in its arguments: match up to the duration in brackets at the end of the line.
    /^  Failed .+ \[[^]]*\]$/ { flush_failure(); failing = 1; shown = 0; print "  FAILED " substr($0, 10); next }
    failing && /^  (Stack Trace|Standard Output Messages|Standard Error Messages|Error Message):$/ {
      if ($0 ~ /Error Message/) next
      failing = 0; flush_failure(); fflush(); next
    }
    failing { if (shown++ < 40) print "    " $0; else cut++; next }
    /aborted|[Cc]rashed|[Hh]ang (dump|detected)|could not be found|No test is available/ { print "  " $0; fflush() }
    END { flush_failure() }
  ' logfile="$1"
}

# The web app's unit tests (Vitest), reported as one result line in dotnet test's format so the summary counts them.
run_web_tests() {
  local results=$1 report="$1/web-vitest.json"
  echo "  web (vitest): running"
  (cd "$WEB" && npx vitest run --reporter=default --reporter=json --outputFile.json="$report") >"$results/web-vitest.log" 2>&1 || true
  node -e '
    const fs = require("fs");
    let r;
    try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { r = { numPassedTests: 0, numFailedTests: 1, numPendingTests: 0, testResults: [] }; }
    const total = r.numPassedTests + r.numFailedTests + r.numPendingTests;
    for (const file of r.testResults) for (const t of file.assertionResults) if (t.status === "failed")
      console.log(`  FAILED ${t.fullName}\n    ${(t.failureMessages[0] || "").split("\n")[0]}`);
    console.log(`${r.numFailedTests ? "Failed" : "Passed"}!  - Failed: ${r.numFailedTests}, Passed: ${r.numPassedTests}, Skipped: ${r.numPendingTests}, Total: ${total} - web (vitest; output in ${process.argv[2]})`);
  ' "$report" "$results/web-vitest.log" | tee -a "$results/console.log"
}

# The style gate: layout and whitespace as .editorconfig says (its naming rules are enforced by the build itself, where
# code-style warnings are errors). --folder needs no compilation, so the check costs seconds.
check_style() {
  local results=$1
  echo "  style (dotnet format whitespace): running"
  if (cd "$ROOT" && dotnet format whitespace --folder --verify-no-changes -v:q \
      --exclude .cl2 artifacts web/node_modules) >"$results/style.log" 2>&1; then
    echo "  style: every C# file is laid out as .editorconfig says"
    return 0
  fi
  echo "  FAILED style: these files are not laid out as .editorconfig says (run: dotnet format whitespace --folder)"
  grep -oE "[^ ]+\.cs\(" "$results/style.log" | sed 's/($//; s|^'"$ROOT"'/||; s/^/    /' | sort -u | head -40
  return 1
}

cmd_test() {
  setup all
  local results="$STATE/test-results" started=$SECONDS status=0 target=cl2.sln
  rm -rf "$results" && mkdir -p "$results"
  if [ -n "${CL2_TEST_PROJECTS:-}" ]; then
    target="$results/tests.slnf"
    local projects=() project
    for project in $CL2_TEST_PROJECTS; do [ "${project%/}" = web ] || projects+=("$project"); done
    if [ ${#projects[@]} -eq 0 ]; then target=""; else write_solution_filter "$target" "${projects[@]}"; fi
  fi
  say "Running the tests (the whole output goes to $results/console.log)"
  local style=0
  check_style "$results" || style=1
  # Minimal verbosity: at normal, every in-process test host's JSON log reaches the console. trx keeps every test's
  # outcome, duration and output instead; processes the tests start write theirs to processes/ (CL2_TEST_PROCESS_LOGS).
  # TORCH_CPP_LOG_LEVEL: libtorch warns once per process where NNPACK does not support the CPU; not the reader's concern.
  if [ -n "$target" ]; then
    (cd "$ROOT" && CL2_TEST_PROCESS_LOGS="$results/processes" TORCH_CPP_LOG_LEVEL=ERROR dotnet test "$target" -c "$CONFIGURATION" --no-build -nologo \
      --blame-hang-timeout 10m --results-directory "$results" \
      --logger "console;verbosity=minimal" --logger trx) 2>&1 | tee "$results/console.log" |
      summarize_test_output "$results/console.log" || status=$?
  else
    : >"$results/console.log"
  fi
  if [ -z "${CL2_TEST_PROJECTS:-}" ] || [[ " $CL2_TEST_PROJECTS " =~ \ web/?\  ]]; then run_web_tests "$results"; fi
  echo "cl2: tests took $((SECONDS - started)) s; output in $results/ (console.log, a .trx per project, processes/)"
  # One closing line for the whole suite, summed over the test projects' result lines; it is the last thing printed.
  local summary
  summary=$(awk '/^(Passed|Failed)! +- / {
         line = $0; gsub(/[,:]/, " ", line); split(line, word, / +/)
         for (i = 1; i < length(word); i++) {
           if (word[i] == "Passed") passed += word[i + 1]
           if (word[i] == "Failed") failed += word[i + 1]
           if (word[i] == "Skipped") skipped += word[i + 1]
         }
       }
       END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$results/console.log")
  [ $style -eq 0 ] || warn "cl2: the style check failed (above; details in $results/style.log)"
  # A crashed test host ends its project's run early with every test so far passed: its count looks like a pass.
  local aborted="" trx
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] && grep -q 'The active test run was aborted' "$trx" || continue
    aborted+="  aborted: $(grep -om1 'codeBase="[^"]*"' "$trx" | sed -E 's|.*/||; s|\.dll"$||') (its test host crashed, so the tests it had not reached did not run; the reason is in $trx)"$'\n'
  done
  if [ $status -ne 0 ] || [ $style -ne 0 ] || [ -n "$aborted" ] || ! grep -q ' 0 failed' <<<"$summary" || grep -q '^0 passed' <<<"$summary"; then
    warn "cl2: tests failed (dotnet test exit $status)"
    # The trx files name every failing test even where the console line was not recognised above.
    find "$results" -maxdepth 1 -name '*.trx' -exec grep -ho '<UnitTestResult [^>]*outcome="Failed"[^>]*>' {} + 2>/dev/null |
      sed -E 's/.*testName="([^"]*)".*/  failed: \1/; s/&quot;/"/g; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g' || true
    [ -z "$aborted" ] || printf '%s' "$aborted"
    echo "$summary"
    exit 1
  fi
  echo "$summary"
}

# For the test launcher (tests/Cl2.Testing/PlatformLauncher.cs): the assembly `up` runs for SERVICE, then its environment, one
# KEY=VALUE a line, for the ports and state folder in CL2_* (and CL2_POSTGRES_CONNECTION_STRING).
cmd_service_command() {
  [ $# -eq 1 ] || die "usage: ./cl2 service-command SERVICE"
  service_settings "$1" >/dev/null
  service_dll "$1"
  service_environment "$1"
}

cmd_token() {
  local kind=users name=admin
  case "${1:-}" in
    "") ;;
    --user | --role) [ $# -eq 2 ] || { command_help token >&2; exit 2; }; name=$2 ;;
    --client) [ $# -eq 2 ] || { command_help token >&2; exit 2; }; kind=clients; name=$2 ;;
    *) command_help token >&2; exit 2 ;;
  esac
  local extension file
  extension=$([ "$kind" = users ] && echo password || echo secret)
  file="$IDENTITY/secrets/$kind/$name.$extension"
  [ -f "$file" ] || die "no ${kind%s} '$name' ($file is missing); users: ${IDENTITY_USERS[*]}, clients: ${IDENTITY_CLIENTS[*]}. ./cl2 up makes them."
  local -a form=(--data-urlencode "scope=cl2")
  if [ "$kind" = users ]; then
    form+=(--data-urlencode grant_type=password --data-urlencode client_id=cl2-cli --data-urlencode "username=$name" --data-urlencode "password@$file")
  else
    form+=(--data-urlencode grant_type=client_credentials --data-urlencode "client_id=$name" --data-urlencode "client_secret@$file")
  fi
  local answer
  answer=$(curl -sS --max-time 30 "${form[@]}" "$(service_url gateway)/connect/token") ||
    die "the gateway at $(service_url gateway) does not answer; start cl2 with ./cl2 up"
  python3 -c '
import json, sys
answer = json.loads(sys.argv[1])
if "access_token" not in answer:
    sys.exit("cl2: the provider refused: %s (%s)" % (answer.get("error"), answer.get("error_description", "")))
print(answer["access_token"])
' "$answer"
}

cmd_dicom() {
  ensure_dotnet
  local dll="$ROOT/inference/Cl2.Dicom.Tools/bin/$CONFIGURATION/net10.0/Cl2.Dicom.Tools.dll"
  if [ ! -f "$dll" ]; then
    (cd "$ROOT" && dotnet build inference/Cl2.Dicom.Tools -c "$CONFIGURATION" -nologo -v:quiet) >&2 || die "could not build the DICOM tools"
  fi
  exec dotnet "$dll" "$@"
}

# synth, train, infer and model import: the local training tool (training/Cl2.Training.Cli), built on first use.
cmd_training_tool() {
  ensure_dotnet
  local dll="$ROOT/training/Cl2.Training.Cli/bin/$CONFIGURATION/net10.0/Cl2.Training.Cli.dll"
  if [ ! -f "$dll" ]; then
    (cd "$ROOT" && dotnet build training/Cl2.Training.Cli -c "$CONFIGURATION" -nologo -v:quiet) >&2 || die "could not build the training tool"
  fi
  # libtorch warns once per convolution on CPUs NNPACK does not support ("Unsupported hardware"); a user's own level wins.
  TORCH_CPP_LOG_LEVEL="${TORCH_CPP_LOG_LEVEL:-ERROR}" exec dotnet "$dll" "$@"
}

# model import --register: labeling through the running gateway, as the seeded ml-engineer unless the caller says otherwise.
cmd_model() {
  local arg register=0 as=0
  for arg in "$@"; do
    case "$arg" in --register) register=1 ;; --as) as=1 ;; esac
  done
  if [ $register -eq 1 ]; then
    export CL2_LABELING_URL="${CL2_LABELING_URL:-$(service_url gateway)/}"
    if [ $as -eq 0 ] && [ -z "${CL2_ACCESS_TOKEN:-}" ]; then
      CL2_ACCESS_TOKEN=$(cmd_token --role ml-engineer) || exit 1
      export CL2_ACCESS_TOKEN
    fi
  fi
  cmd_training_tool model "$@"
}

# The demo driver (tests/Cl2.Demo) starts the services with the tests' launcher, which asks this script how (service-command).
cmd_demo() {
  setup platform
  if [ "${CL2_SKIP_SETUP:-}" != 1 ]; then
    (cd "$ROOT" && dotnet build tests/Cl2.Demo -c "$CONFIGURATION" -nologo -v:quiet -clp:NoSummary) || die "the demo's build failed; the errors are above"
  fi
  TORCH_CPP_LOG_LEVEL=ERROR exec dotnet "$ROOT/tests/Cl2.Demo/bin/$CONFIGURATION/net10.0/Cl2.Demo.dll" "$@"
}

cmd_bench() {
  [ $# -gt 0 ] || { command_help bench >&2; exit 2; }
  setup all
  TORCH_CPP_LOG_LEVEL="${TORCH_CPP_LOG_LEVEL:-ERROR}" exec dotnet "$ROOT/tests/Cl2.Benchmarks/bin/$CONFIGURATION/net10.0/Cl2.Benchmarks.dll" "$@"
}

command=${1:-}
[ $# -gt 0 ] && shift
# `./cl2 COMMAND --help` for the commands this script runs itself; the tools behind dicom, synth and train answer it too.
if command_help "$command" >/dev/null && help_requested "$@"; then
  command_help "$command"
  exit 0
fi
case "$command" in
  up | down | status) [ $# -eq 0 ] || { command_help "$command" >&2; exit 2; }; "cmd_$command" ;;
  restart) cmd_restart "$@" ;;
  synth) cmd_training_tool synth "$@" ;;
  train) cmd_training_tool train "$@" ;;
  infer) cmd_training_tool infer "$@" ;;
  model) cmd_model "$@" ;;
  logs) cmd_logs "$@" ;;
  test) [ $# -eq 0 ] || { command_help test >&2; exit 2; }; cmd_test ;;
  dicom) cmd_dicom "$@" ;;
  bench) cmd_bench "$@" ;;
  demo) cmd_demo "$@" ;;
  service-command) cmd_service_command "$@" ;;
  # For the tests: what `up` builds (it builds neither the tests nor the benchmarks).
  build-scope) [ $# -eq 0 ] || exit 2; platform_projects ;;
  token) cmd_token "$@" ;;
  -h | --help | help | "") usage ;;
  *) usage >&2; exit 2 ;;
esac
