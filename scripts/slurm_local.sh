#!/usr/bin/env bash
# A single-node Slurm cluster on this machine (Debian's slurm-wlm and munge), for tests and CI.
# Usage: scripts/slurm_local.sh start|stop|status
#   start   installs slurm-wlm/munge if missing, writes $NC_SLURM_DIR/slurm.conf from
#           scripts/slurm/slurm.conf.in, starts munged, slurmctld and slurmd, waits until the node
#           is idle and prints one line for eval: eval "$(scripts/slurm_local.sh start)"
#   stop    cancels the cluster's jobs and stops the daemons started by `start` (safe to repeat)
#   status  prints sinfo's output; exit 1 when the cluster is not running
# State, spool, logs and pid files live in $NC_SLURM_DIR (default /tmp/neurocodec-slurm).
# There is no slurmdbd, so `sacct` does not work: use squeue/scontrol, and for jobs that ended
# more than MinJobAge (300 s) ago the completion log $NC_SLURM_DIR/log/jobcomp.log.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${NC_SLURM_DIR:-/tmp/neurocodec-slurm}
conf=$dir/slurm.conf
export SLURM_CONF=$conf
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
log() { echo "slurm_local: $*" >&2; }

alive() { # alive PIDFILE: the pid in it is a running process
  [ -f "$1" ] && $sudo kill -0 "$(cat "$1")" 2>/dev/null
}

install_missing() {
  local missing=() p
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]}"
  # Lock timeout: another apt-get (e.g. install_deps.sh) may be running at the same time.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
    --no-install-recommends "${missing[@]}" >&2
}

start_munge() {
  # A munged that already works (e.g. the system's service) is used as is and never stopped.
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
  local d
  for d in /etc/munge /var/lib/munge /var/log/munge /run/munge; do
    $sudo install -d -o munge -g munge "$d"
  done
  # munged refuses to start when these are more open than this.
  $sudo chmod 0700 /etc/munge /var/log/munge
  $sudo chmod 0711 /var/lib/munge
  $sudo chmod 0755 /run/munge # clients (any user) must reach the socket
  if ! $sudo test -s /etc/munge/munge.key; then
    log "creating /etc/munge/munge.key"
    if command -v mungekey >/dev/null; then $sudo mungekey --create --keyfile=/etc/munge/munge.key
    elif command -v create-munge-key >/dev/null; then $sudo create-munge-key -f
    else $sudo dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
  fi
  $sudo chown munge:munge /etc/munge/munge.key
  $sudo chmod 0400 /etc/munge/munge.key
  $sudo runuser -u munge -- /usr/sbin/munged # daemonizes once its socket is ready
  $sudo cp /run/munge/munged.pid "$dir/run/munged.pid" # marks it as ours for `stop`
  munge -n | unmunge >/dev/null
}

wait_idle() { # the node's state is "unknown" or "down" until slurmd has registered
  local state=""
  for _ in $(seq 60); do
    state=$(sinfo -h -N -n "$host" -o %t 2>/dev/null || true)
    [ "$state" = idle ] && return
    sleep 1
  done
  log "node $host not idle after 60 s (state: ${state:-none}); see $dir/log/"
  sinfo -N -l -R >&2 || true
  return 1
}

start() {
  install_missing
  host=$(hostname -s)
  if alive "$dir/run/slurmctld.pid" && alive "$dir/run/slurmd.pid"; then
    log "already running"
  else
    $sudo mkdir -p "$dir"/{state,spool,log,run}
    dir=$(cd "$dir" && pwd); conf=$dir/slurm.conf; export SLURM_CONF=$conf
    local cpus mem_mb
    cpus=$(nproc)
    # slurmd drains a node whose RealMemory is above what it measures, hence a margin.
    mem_mb=$(awk '/^MemTotal:/ { m = int($2 / 1024); print (m > 1024 ? m - 512 : int(m / 2)) }' /proc/meminfo)
    sed -e "s|@HOST@|$host|g" -e "s|@CPUS@|$cpus|g" -e "s|@REALMEM@|$mem_mb|g" -e "s|@DIR@|$dir|g" \
      "$here/slurm/slurm.conf.in" | $sudo tee "$conf" >/dev/null
    start_munge
    # -c: start from a clean job state, not the jobs of an earlier run.
    alive "$dir/run/slurmctld.pid" || $sudo /usr/sbin/slurmctld -c -f "$conf"
    alive "$dir/run/slurmd.pid" || $sudo /usr/sbin/slurmd -c -f "$conf"
  fi
  wait_idle
  printf 'export SLURM_CONF=%q\n' "$conf"
}

stop() {
  local f
  if alive "$dir/run/slurmctld.pid"; then
    # Killing slurmd would leave running jobs' slurmstepd behind, so the jobs go first.
    # (sudo drops SLURM_CONF from the environment, hence env.)
    $sudo env SLURM_CONF="$conf" scancel --partition=debug 2>/dev/null || true
    for _ in $(seq 20); do [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  for f in slurmd slurmctld munged; do
    if alive "$dir/run/$f.pid"; then
      local pid; pid=$(cat "$dir/run/$f.pid")
      $sudo kill "$pid"
      for _ in $(seq 100); do $sudo kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      $sudo kill -0 "$pid" 2>/dev/null && $sudo kill -9 "$pid"
      log "stopped $f ($pid)"
    fi
    $sudo rm -f "$dir/run/$f.pid"
  done
}

status() {
  if alive "$dir/run/slurmctld.pid"; then sinfo; else echo "slurm_local: not running ($dir)"; return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
