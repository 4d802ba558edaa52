#!/usr/bin/env bash
# Self-test of the local Slurm cluster (scripts/slurm_local.sh): a 6-task job array runs to the
# end, and a cancelled task of a running array does not complete while its siblings do.
# Takes about a minute (the cancel check's tasks sleep 20 s each, two at a time on 2 CPUs).
# Stops the cluster on exit unless it was already running. Ends with "N passed, M failed".
set -euo pipefail
cluster=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/slurm_local.sh
work=$(mktemp -d /tmp/slurm-test.XXXXXX)
chmod 0755 "$work" # the jobs' output goes here
passed=0 failed=0
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"  # check, finish, wait_gone

was_running=0
"$cluster" status >/dev/null 2>&1 && was_running=1
trap finish EXIT
if ! out=$("$cluster" start); then check "cluster starts" false; exit 1; fi
eval "$out"
check "cluster starts (status)" bash -c "'$cluster' status >/dev/null"

# 1. A 6-task array with at most 3 tasks at a time: every task runs once and sees the array's env.
id=$(sbatch --parsable --array=0-5%3 --cpus-per-task=1 -o /dev/null --wrap \
  "echo \$SLURM_ARRAY_TASK_ID \$SLURM_ARRAY_TASK_MIN \$SLURM_ARRAY_TASK_MAX \$SLURM_ARRAY_TASK_COUNT > $work/out.\$SLURM_ARRAY_TASK_ID; sleep 2")
check "6-task array finishes within 60 s" wait_gone "$id" 60
for t in 0 1 2 3 4 5; do
  check "array task $t wrote 'ID MIN MAX COUNT'" grep -qx "$t 0 5 6" "$work/out.$t"
done

# 2. Cancelling one task of a running array: it stops, the others complete.
id=$(sbatch --parsable --array=0-3 --cpus-per-task=1 -o /dev/null --wrap \
  "sleep 20; echo done > $work/done.\$SLURM_ARRAY_TASK_ID")
running() { [ "$(squeue -h -j "${id}_1" -o %T 2>/dev/null)" = RUNNING ]; }
for _ in $(seq 60); do running && break; sleep 0.5; done
check "task 1 starts running within 30 s" running
scancel "${id}_1"
check "4-task array finishes within 75 s" wait_gone "$id" 75
check "cancelled task 1 did not complete" test ! -e "$work/done.1"
check "task 1 is CANCELLED" bash -c "scontrol show job ${id}_1 | grep -q JobState=CANCELLED"
for t in 0 2 3; do check "task $t completed" test -e "$work/done.$t"; done

# 3. stop leaves no daemon behind (the pids recorded by start).
if [ "$was_running" -eq 0 ]; then
  dir=$(dirname "$SLURM_CONF")
  pids=$(cat "$dir"/run/*.pid)
  "$cluster" stop
  gone() { local p; for p in $pids; do [ ! -e "/proc/$p" ] || return 1; done; }
  check "stop ends slurmctld, slurmd and munged" gone
  check "status says not running after stop" bash -c "! '$cluster' status >/dev/null"
fi
