# Shared by the Slurm test scripts (scripts/slurm/test_array.sh, tests/slurm/test_sweep_slurm.sh);
# sourced, not run. The caller sets $cluster (scripts/slurm_local.sh), $work (a temporary
# folder), $was_running (1 when the cluster was up before the test) and passed=0 failed=0, and
# installs `trap finish EXIT`.
check() { # check NAME COMMAND...: runs the command, counts and prints the result
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   - $name"
  else failed=$((failed + 1)); echo "FAIL - $name"; fi
}
finish() { # stops a cluster the test started, removes $work, prints the tally, exits 1 on failure
  local rc=$?
  [ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || { failed=1; echo "FAIL - script aborted (exit $rc)"; }
  [ "$was_running" -eq 1 ] || "$cluster" stop >/dev/null 2>&1 || true
  rm -rf "$work"
  echo "$passed passed, $failed failed"
  exit $((failed > 0))
}
wait_gone() { # wait_gone JOBID SECONDS: until squeue no longer lists the job (pending/running)
  for _ in $(seq $(($2 * 2))); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  return 1
}
