# Private audio servers for the live-audio tests (sourced, not run).
#
#   . scripts/servers.sh
#   servers_install            # Debian packages (root installs, others are told)
#   servers_start              # private JACK (dummy driver) + PulseAudio (null sink)
#   trap servers_stop EXIT     # stop both, remove the private folder
#
# After servers_start, clients find ONLY these servers through the environment:
#   JACK_DEFAULT_SERVER        unique server name (chronus-PID-XXXXXX); dummy driver,
#                              48 kHz, period 64, ports system:playback_1/2, system:capture_1/2
#   JACK_NO_START_SERVER=1     a client never autostarts a jackd of its own
#   JACK_NO_AUDIO_RESERVATION=1  no D-Bus device reservation
#   PULSE_SERVER               unix:<private folder>/pulse/native (anonymous auth)
#   PULSE_SINK / PULSE_SOURCE  chronus_null / chronus_null.monitor (48 kHz, 2 ch)
#   PULSE_COOKIE, PULSE_CLIENTCONFIG (autospawn = no), PULSE_RUNTIME_PATH,
#   PULSE_STATE_PATH, XDG_RUNTIME_DIR  all inside the private folder
#   CHRONUS_AUDIO_DIR          the private folder (server logs: jack.log, pulse.log)
# A 10 ms keep-alive recording of chronus_null.monitor (client "chronus-keepalive")
# runs for the whole session so the null sink answers new streams within ~10 ms.
# servers_stop puts the previous values of these variables back.
#
# CHRONUS_JACK_PERIOD (default 64) overrides the JACK period. Without realtime
# scheduling a 64-frame period gives occasional client xruns on a busy machine.
#
# Call servers_start directly (not in a pipeline or $(...)), or its exports are lost.
# Every function is safe under `set -euo pipefail` and returns non-zero on failure.

SERVERS_DIR=""
SERVERS_JACK_PID=""
SERVERS_PULSE_PID=""
SERVERS_KEEPALIVE_PID=""
SERVERS_JACK_NAME=""
SERVERS_JACK_PERIOD=64
SERVERS_SAVED_ENV=()

SERVERS_PACKAGES=(jackd2 libjack-jackd2-dev pulseaudio pulseaudio-utils libpulse-dev)
SERVERS_COMMANDS=(jackd jack_lsp jack_connect jack_wait pulseaudio pactl parec paplay)

_servers_say() { echo "chronus: $*" >&2; }

_servers_pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# servers_install: make sure the JACK and PulseAudio packages are present.
servers_install() {
    local missing=() pkg cmd tools_missing=0
    for pkg in "${SERVERS_PACKAGES[@]}"; do
        _servers_pkg_installed "$pkg" || missing+=("$pkg")
    done
    # Debian 12 ships jack_lsp/jack_connect/jack_wait in jackd2; newer releases
    # moved them to jack-example-tools.
    for cmd in jack_lsp jack_connect jack_wait; do
        command -v "$cmd" >/dev/null 2>&1 || tools_missing=1
    done
    [ ${#missing[@]} -eq 0 ] && [ "$tools_missing" -eq 0 ] && return 0

    if ! command -v apt-get >/dev/null 2>&1; then
        _servers_say "no apt-get here: install JACK2 (jackd, jack_lsp, jack_wait, dev headers) and PulseAudio (server, pactl, parec, paplay, dev headers) by hand"
        return 1
    fi
    local extra=""
    if [ "$tools_missing" -eq 1 ] || ! _servers_pkg_installed jackd2; then
        extra="jack-example-tools"   # only added below when the archive has it
    fi
    if [ "$(id -u)" -ne 0 ]; then
        local list="${missing[*]}"
        if [ -n "$extra" ] && apt-cache show "$extra" >/dev/null 2>&1; then list="$list $extra"; fi
        _servers_say "audio test servers need packages; run as root:"
        echo "  echo 'jackd2 jackd/tweak_rt_limits boolean false' | sudo debconf-set-selections" >&2
        echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${list# }" >&2
        return 1
    fi

    local log rc=0
    log=$(mktemp -t chronus-apt.XXXXXX) || return 1
    {
        echo "jackd2 jackd/tweak_rt_limits boolean false" | debconf-set-selections &&
        apt-get update -qq
    } >"$log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ] && [ -n "$extra" ] && apt-cache show "$extra" >/dev/null 2>&1; then
        missing+=("$extra")
    fi
    if [ "$rc" -eq 0 ]; then
        _servers_say "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -o DPkg::Lock::Timeout=120 "${missing[@]}" >>"$log" 2>&1 || rc=$?
    fi
    if [ "$rc" -eq 0 ]; then
        for cmd in "${SERVERS_COMMANDS[@]}"; do
            command -v "$cmd" >/dev/null 2>&1 || { echo "still missing: $cmd" >>"$log"; rc=1; }
        done
    fi
    if [ "$rc" -ne 0 ]; then
        _servers_say "installing audio packages failed; last lines of the log:"
        tail -n 20 "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    return 0
}

# _servers_export VAR VALUE: export, remembering the previous value once.
_servers_export() {
    local var=$1 val=$2 saved=0 entry
    for entry in "${SERVERS_SAVED_ENV[@]+"${SERVERS_SAVED_ENV[@]}"}"; do
        [ "${entry%%=*}" = "$var" ] && saved=1
    done
    if [ "$saved" -eq 0 ]; then
        if [ -n "${!var+x}" ]; then
            SERVERS_SAVED_ENV+=("$var=set:${!var}")
        else
            SERVERS_SAVED_ENV+=("$var=unset:")
        fi
    fi
    export "$var=$val"
}

_servers_restore_env() {
    local entry var rest
    for entry in "${SERVERS_SAVED_ENV[@]+"${SERVERS_SAVED_ENV[@]}"}"; do
        var=${entry%%=*}
        rest=${entry#*=}
        case "$rest" in
            set:*) export "$var=${rest#set:}" ;;
            *) unset "$var" ;;
        esac
    done
    SERVERS_SAVED_ENV=()
}

# _servers_fail MESSAGE LOG...: report, show the logs' tails, clean up.
_servers_fail() {
    _servers_say "$1"
    shift
    local f
    for f in "$@"; do
        if [ -s "$f" ]; then
            echo "---- tail of $f" >&2
            tail -n 25 "$f" >&2
        fi
    done
    servers_stop
    return 0    # the caller returns 1 (so `set -e` callers see it there)
}

# servers_start: start a private JACK server and a private PulseAudio server.
servers_start() {
    if [ -n "$SERVERS_DIR" ]; then
        _servers_say "audio servers already running (in $SERVERS_DIR)"
        return 0
    fi
    local cmd
    for cmd in "${SERVERS_COMMANDS[@]}"; do
        command -v "$cmd" >/dev/null 2>&1 || { _servers_say "$cmd not found: run servers_install first"; return 1; }
    done

    # Unix socket paths must stay short (108 bytes): fall back to /tmp.
    local base="${TMPDIR:-/tmp}"
    [ ${#base} -gt 60 ] && base=/tmp
    SERVERS_DIR=$(mktemp -d "$base/chronus-audio.XXXXXX") || { SERVERS_DIR=""; _servers_say "mktemp failed"; return 1; }
    mkdir -p "$SERVERS_DIR/pulse" "$SERVERS_DIR/home"
    chmod 700 "$SERVERS_DIR/pulse"
    SERVERS_JACK_NAME="chronus-${BASHPID:-$$}-${SERVERS_DIR##*.}"
    local sock="$SERVERS_DIR/pulse/native"
    # Nothing of ours may reach a session or system bus, nor a display.
    local nobus="unix:path=$SERVERS_DIR/no-dbus"

    _servers_export CHRONUS_AUDIO_DIR "$SERVERS_DIR"
    _servers_export XDG_RUNTIME_DIR "$SERVERS_DIR"
    _servers_export JACK_DEFAULT_SERVER "$SERVERS_JACK_NAME"
    _servers_export JACK_NO_START_SERVER 1
    _servers_export JACK_NO_AUDIO_RESERVATION 1

    # ---- JACK: dummy driver, 48 kHz, 64 frames, no D-Bus; realtime
    # scheduling only when CHRONUS_JACK_REALTIME=1 (benchmarks, as root).
    SERVERS_JACK_PERIOD=${CHRONUS_JACK_PERIOD:-64}
    local rt=(--no-realtime)
    if [ "${CHRONUS_JACK_REALTIME:-0}" = 1 ]; then
        rt=(--realtime)
        [ -n "${CHRONUS_JACK_RTPRIO:-}" ] && rt+=(--realtime-priority "$CHRONUS_JACK_RTPRIO")
    fi
    env -u DISPLAY DBUS_SESSION_BUS_ADDRESS="$nobus" DBUS_SYSTEM_BUS_ADDRESS="$nobus" \
        jackd "${rt[@]}" --name "$SERVERS_JACK_NAME" \
        -d dummy -r 48000 -p "$SERVERS_JACK_PERIOD" -C 2 -P 2 \
        </dev/null >"$SERVERS_DIR/jack.log" 2>&1 &
    SERVERS_JACK_PID=$!
    echo "$SERVERS_JACK_PID" >"$SERVERS_DIR/jack.pid"

    # Up when jack_lsp sees the dummy driver's playback ports (jack_wait -c
    # exits 0 even when the server is not running, so it cannot be used).
    local ok=0 ports=""
    for _ in $(seq 100); do
        kill -0 "$SERVERS_JACK_PID" 2>/dev/null || break
        ports=$(jack_lsp -s "$SERVERS_JACK_NAME" 2>/dev/null) || ports=""
        case "$ports" in
            *system:playback_1*system:playback_2*) ok=1; break ;;
        esac
        sleep 0.1
    done
    if [ "$ok" -ne 1 ]; then
        local why="did not accept clients within 10 s"
        kill -0 "$SERVERS_JACK_PID" 2>/dev/null || why="exited"
        [ -n "$ports" ] && why="has no system:playback_1/2 ports"
        _servers_fail "JACK server $SERVERS_JACK_NAME $why" "$SERVERS_DIR/jack.log"
        return 1
    fi

    # ---- PulseAudio: per-user (not --system) instance as root, no default.pa,
    # no system/user daemon.conf (a private one instead), one null sink and a
    # native socket in the private folder. HOME is private for this process
    # only, so ~/.config/pulse is never touched.
    cat >"$SERVERS_DIR/pulse/daemon.conf" <<'EOF'
daemonize = no
exit-idle-time = -1
realtime-scheduling = no
high-priority = no
default-sample-format = s16le
default-sample-rate = 48000
alternate-sample-rate = 48000
default-sample-channels = 2
avoid-resampling = yes
EOF
    printf 'autospawn = no\n' >"$SERVERS_DIR/pulse/client.conf"
    _servers_export PULSE_RUNTIME_PATH "$SERVERS_DIR/pulse"
    _servers_export PULSE_STATE_PATH "$SERVERS_DIR/pulse"
    _servers_export PULSE_COOKIE "$SERVERS_DIR/pulse/cookie"
    _servers_export PULSE_CLIENTCONFIG "$SERVERS_DIR/pulse/client.conf"

    env -u DISPLAY HOME="$SERVERS_DIR/home" XDG_CONFIG_HOME="$SERVERS_DIR/home/.config" \
        PULSE_CONFIG="$SERVERS_DIR/pulse/daemon.conf" \
        DBUS_SESSION_BUS_ADDRESS="$nobus" DBUS_SYSTEM_BUS_ADDRESS="$nobus" \
        pulseaudio -n --system=no --daemonize=no --use-pid-file=no --exit-idle-time=-1 \
        --realtime=no --high-priority=no --disable-shm=yes --log-target=stderr \
        -L "module-null-sink sink_name=chronus_null format=float32le rate=48000 channels=2" \
        -L "module-native-protocol-unix socket=$sock auth-anonymous=1 cookie=$SERVERS_DIR/pulse/cookie" \
        </dev/null >"$SERVERS_DIR/pulse.log" 2>&1 &
    SERVERS_PULSE_PID=$!
    echo "$SERVERS_PULSE_PID" >"$SERVERS_DIR/pulse.pid"
    _servers_export PULSE_SERVER "unix:$sock"

    ok=0
    for _ in $(seq 100); do
        kill -0 "$SERVERS_PULSE_PID" 2>/dev/null || break
        if pactl info >/dev/null 2>&1; then ok=1; break; fi
        sleep 0.1
    done
    if [ "$ok" -ne 1 ]; then
        if kill -0 "$SERVERS_PULSE_PID" 2>/dev/null; then
            _servers_fail "PulseAudio did not answer on $sock within 10 s" "$SERVERS_DIR/pulse.log"
        else
            _servers_fail "PulseAudio exited" "$SERVERS_DIR/pulse.log"
        fi
        return 1
    fi
    pactl set-default-sink chronus_null >/dev/null 2>&1 ||
        { _servers_fail "PulseAudio: cannot make chronus_null the default sink" "$SERVERS_DIR/pulse.log"; return 1; }
    pactl set-default-source chronus_null.monitor >/dev/null 2>&1 ||
        { _servers_fail "PulseAudio: cannot make chronus_null.monitor the default source" "$SERVERS_DIR/pulse.log"; return 1; }
    local sources
    sources=$(pactl list short sources 2>/dev/null) ||
        { _servers_fail "PulseAudio: cannot list its sources" "$SERVERS_DIR/pulse.log"; return 1; }
    case "$sources" in
        *chronus_null.monitor*) ;;
        *) _servers_fail "PulseAudio: no chronus_null.monitor source" "$SERVERS_DIR/pulse.log"; return 1 ;;
    esac
    _servers_export PULSE_SINK chronus_null
    _servers_export PULSE_SOURCE chronus_null.monitor

    # The null sink renders in blocks as long as the largest latency any
    # client allows (2 s when it has none), so the first stream after an idle
    # spell could wait up to 2 s for its first sample. A 10 ms recording of the
    # monitor that lasts the whole session keeps the blocks short, and a
    # suspend/resume restarts the sink's clock at that block size.
    parec --raw -d chronus_null.monitor --rate=48000 --channels=2 --format=float32le \
        --latency-msec=10 --client-name=chronus-keepalive --stream-name=keepalive \
        </dev/null >/dev/null 2>>"$SERVERS_DIR/keepalive.log" &
    SERVERS_KEEPALIVE_PID=$!
    ok=0
    for _ in $(seq 50); do
        kill -0 "$SERVERS_KEEPALIVE_PID" 2>/dev/null || break
        if [ -n "$(pactl list short source-outputs 2>/dev/null)" ]; then ok=1; break; fi
        sleep 0.1
    done
    [ "$ok" -eq 1 ] || { _servers_fail "PulseAudio: the keep-alive recording of chronus_null.monitor did not start" "$SERVERS_DIR/keepalive.log" "$SERVERS_DIR/pulse.log"; return 1; }
    if ! pactl suspend-sink chronus_null 1 >/dev/null 2>&1 ||
        ! pactl suspend-sink chronus_null 0 >/dev/null 2>&1; then
        _servers_fail "PulseAudio: cannot restart the chronus_null sink" "$SERVERS_DIR/pulse.log"
        return 1
    fi

    _servers_say "audio servers up in $SERVERS_DIR: JACK '$SERVERS_JACK_NAME' (pid $SERVERS_JACK_PID, dummy 48 kHz/$SERVERS_JACK_PERIOD), PulseAudio $PULSE_SERVER (pid $SERVERS_PULSE_PID, sink chronus_null)"
    return 0
}

# _servers_alive PID: the process exists and is not a zombie (no ps needed).
_servers_alive() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat:0:1}" != "Z" ]
}

# _servers_kill PID: TERM, wait up to ~3 s, then KILL; reap if it is our child.
_servers_kill() {
    local pid=$1
    [ -n "$pid" ] || return 0
    # It may exit on its own between the check and the signal: then there is
    # nothing to stop.
    if _servers_alive "$pid" && kill -TERM "$pid" 2>/dev/null; then
        for _ in $(seq 30); do
            _servers_alive "$pid" || break
            sleep 0.1
        done
        if _servers_alive "$pid" && kill -KILL "$pid" 2>/dev/null; then
            _servers_say "process $pid ignored TERM for 3 s: killed"
        fi
    fi
    # Reap it if it is our child; a non-zero status (killed by our signal)
    # is expected here.
    if ! wait "$pid" 2>/dev/null; then
        :
    fi
}

# servers_stop: stop both servers and remove the private folder (idempotent).
servers_stop() {
    _servers_kill "$SERVERS_KEEPALIVE_PID"
    SERVERS_KEEPALIVE_PID=""
    _servers_kill "$SERVERS_PULSE_PID"
    SERVERS_PULSE_PID=""
    _servers_kill "$SERVERS_JACK_PID"
    SERVERS_JACK_PID=""
    if [ -n "$SERVERS_JACK_NAME" ]; then
        # Left behind only when jackd had to be killed; the names are ours alone.
        rm -f /dev/shm/jack_sem."$(id -u)"_"$SERVERS_JACK_NAME"_* \
              /dev/shm/jack_"$SERVERS_JACK_NAME"_*
        SERVERS_JACK_NAME=""
    fi
    case "$SERVERS_DIR" in
        */chronus-audio.*) [ -d "$SERVERS_DIR" ] && rm -rf "$SERVERS_DIR" ;;
    esac
    SERVERS_DIR=""
    _servers_restore_env
    return 0
}
