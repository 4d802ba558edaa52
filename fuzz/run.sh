#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in build-fz/ and runs each for SECONDS,
# all at once. Usage: fuzz/run.sh SECONDS [TARGET...]   (targets: fuzz_npy fuzz_npz fuzz_args)
# Exit status 0 when no target found anything; otherwise 1, with the crashing input saved under
# build-fz/fuzz-artifacts/<target>/ and the log's end printed. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_npy fuzz_npz fuzz_args)
build=${NEUROCODEC_FUZZ_BUILD:-build-fz}

CXX=clang++ cmake -S . -B "$build" -DNEUROCODEC_FUZZ=ON -DNEUROCODEC_TESTS=OFF -DNEUROCODEC_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target "${targets[@]}"

declare -A seeds=([fuzz_npy]=npy [fuzz_npz]=npz [fuzz_args]=args)
pids=()
for t in "${targets[@]}"; do
  # New inputs go to the build folder's corpus; the committed seeds are only read.
  work=$build/fuzz-corpus/$t art=$build/fuzz-artifacts/$t/
  mkdir -p "$work" "$art"
  dict=()
  [ -f "fuzz/${seeds[$t]}.dict" ] && dict=(-dict="fuzz/${seeds[$t]}.dict")
  "$build/$t" "$work" "fuzz/corpus/${seeds[$t]}" "${dict[@]}" -max_total_time="$seconds" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$art" \
    >"$build/$t.log" 2>&1 &
  pids+=($!)
done

status=0
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  if wait "${pids[$i]}"; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$t.log" | grep -o '[0-9]*$' || true)
    corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$build/$t.log" | tail -1 || true)
    echo "$t: no finding in ${seconds}s, ${runs:-?} executions, ${corp:-corpus ?} ($(ls "$build/fuzz-corpus/$t" | wc -l) new inputs kept)"
  else
    status=1
    echo "$t: FINDING (log $build/$t.log, input under $build/fuzz-artifacts/$t/):"
    tail -n 40 "$build/$t.log"
  fi
done
exit $status
