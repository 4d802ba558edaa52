#!/usr/bin/env bash
# Sweeps on a real (single-node) Slurm: scripts/slurm_local.sh starts one for the test and stops
# it on exit unless it was already running. Usage: tests/slurm/test_sweep_slurm.sh [NEUROCODEC]
#  1. a 12-job sweep submitted with --slurm as a 4-task array; collected results equal a local
#     `--jobs 2` run's bit for bit (without the wall-time and memory fields);
#  2. a sweep whose jobs wait (test hook NEUROCODEC_TEST_JOB_SLEEP) has one running array task
#     cancelled; the resubmission runs only the missing jobs, and the results are complete and
#     equal to a local run's.
# Takes about a minute. Ends with "N passed, M failed"; exit 1 on any failure.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
exe=$(realpath "${1:-$root/build/neurocodec}")
cluster=$root/scripts/slurm_local.sh
work=$(mktemp -d /tmp/sweep-slurm.XXXXXX)
chmod 0755 "$work"
passed=0 failed=0
source "$root/scripts/slurm/harness.sh"  # check, finish, wait_gone
# same_results DIR_A DIR_B: every job file in B exists in A with equal content, less the
# fields that differ between identical runs; and A has no other job files.
same_results() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, os, sys
a, b = sys.argv[1] + "/jobs", sys.argv[2] + "/jobs"
names = lambda d: sorted(f for f in os.listdir(d) if f.endswith(".json") and not f.startswith("."))
if names(a) != names(b):
    sys.exit(f"job files differ: {len(names(a))} vs {len(names(b))}")
for f in names(b):
    ja, jb = (json.load(open(os.path.join(d, f))) for d in (a, b))
    for k in ("seconds", "job_seconds", "peak_rss_bytes"):
        ja.pop(k, None); jb.pop(k, None)
    if ja != jb:
        sys.exit(f"{f} differs")
PY
}
submitted_id() { sed -n 's/^submitted Slurm job \([0-9]*\).*/\1/p' "$1"; }

was_running=0
"$cluster" status >/dev/null 2>&1 && was_running=1
trap finish EXIT
if ! out=$("$cluster" start); then check "cluster starts" false; exit 1; fi
eval "$out"

"$exe" simulate --neurons 200 --trials 720 --out "$work/x.npz" >/dev/null
cat >"$work/plan.json" <<JSON
{"command": "decode", "data": ["$work/x.npz"], "options": {"iters": 30, "hidden": 8},
 "grid": {"l2": [0, 0.01]}, "seeds": [1, 2], "folds": 3}
JSON

# 1. Submit, wait, collect, compare with a local run.
"$exe" sweep "$work/plan.json" --out "$work/slurm" --slurm --shards 4 >"$work/submit1.out"
id=$(submitted_id "$work/submit1.out")
check "submission prints the job id" test -n "$id"
check "submission prints the collect command" grep -q "neurocodec sweep collect $work/slurm" "$work/submit1.out"
check "sweep.sbatch is a 4-task array" grep -q -- "--array=0-3%4" "$work/slurm/sweep.sbatch"
check "array finishes within 120 s" wait_gone "$id" 120
check "collect finds all 12 jobs" "$exe" sweep collect "$work/slurm"
"$exe" sweep "$work/plan.json" --out "$work/local" --jobs 2 --quiet
check "Slurm results equal a local --jobs 2 run, bit for bit" same_results "$work/slurm" "$work/local"
check "--dry-run writes the script only" bash -c "'$exe' sweep '$work/plan.json' --out '$work/dry' --slurm --dry-run --max-parallel 2 | grep -q 'not submitted' && grep -q -- '--array=0-11%2' '$work/dry/sweep.sbatch' && [ ! -d '$work/dry/jobs' ]"

# 2. Cancel one running task, resubmit: only the missing jobs run.
sed 's/"seeds": \[1, 2\]/"seeds": [3, 4]/' "$work/plan.json" >"$work/plan2.json"
NEUROCODEC_TEST_JOB_SLEEP=2 "$exe" sweep "$work/plan2.json" --out "$work/cancel" --slurm --shards 3 >"$work/submit2.out"
id=$(submitted_id "$work/submit2.out")
running() { [ "$(squeue -h -j "${id}_1" -o %T 2>/dev/null)" = RUNNING ]; }
for _ in $(seq 120); do running && break; sleep 0.5; done
check "task 1 is running within 60 s" running
sleep 1
scancel "${id}_1"
check "cancelled array finishes within 120 s" wait_gone "$id" 120
before=$(ls "$work/cancel/jobs" | grep -c '^[0-9]*\.json$' || true)
check "the cancelled task left jobs missing" test "$before" -lt 12
stamps() { (cd "$work/cancel/jobs" && for f in [0-9]*.json; do [ -e "$f" ] && stat -c '%n %Y %i' "$f"; done) | sort; }
stamps >"$work/before.txt"
! "$exe" sweep collect "$work/cancel" >"$work/collect2.out" 2>&1
check "collect lists the missing jobs and exits 1" grep -q "missing or unreadable jobs ($((12 - before)))" "$work/collect2.out"
"$exe" sweep "$work/plan2.json" --out "$work/cancel" --slurm --shards 3 >"$work/submit3.out"
id2=$(submitted_id "$work/submit3.out")
check "resubmitted array finishes within 120 s" wait_gone "$id2" 120
ran=$(cat "$work/cancel/logs/${id2}"_*.out | sed -n 's/^sweep: ran \([0-9]*\) of.*/\1/p' | paste -sd+ | bc)
check "the resubmission ran only the $((12 - before)) missing jobs (ran $ran)" test "$ran" -eq $((12 - before))
stamps | grep -F -f "$work/before.txt" -x >"$work/kept.txt" || true
check "the jobs done before were not rewritten" cmp -s "$work/before.txt" "$work/kept.txt"
check "collect finds all 12 jobs after the resubmission" "$exe" sweep collect "$work/cancel"
"$exe" sweep "$work/plan2.json" --out "$work/local2" --jobs 2 --quiet
check "results after cancel + resubmit equal a local run" same_results "$work/cancel" "$work/local2"
