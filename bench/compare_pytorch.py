#!/usr/bin/python3
"""Full-size neurocodec vs PyTorch benchmark and parity check (DESIGN.md, "Performance model"
and "Parity procedure").

One invocation:
  1. measures the machine's SGEMM peak with <build-dir>/sgemm_peak;
  2. simulates the full-size data with `neurocodec simulate` (resp/stimuli file for the
     decoders, split-format file for the encoder) and a seeded 60/40 split of its rows;
  3. for every selected run (the seed tutorial's runs):
       regression           DeepNetReLU, H=10, 50 iterations, lr 1e-4
       classification       DeepNetSoftmax, H=20, C=20, 1000 iterations, lr 0.1
       classification_l1l2  the same with --l2 1e-2 --l1 5e-4
       encoder              ConvFC, 200 iterations, lr 2, momentum 0.9, l2 5e-4, l1 1e-6,
                            seed filter bank
     a. runs the PyTorch oracle (tools/torch_reference.py) once with PyTorch's default thread
        settings, writing the initial weights and the per-iteration losses (the parity
        reference; its training time is the "default" timing);
     b. times PyTorch from those same initial weights under every setting of the grid
        torch.set_num_threads in {1, 2} x OPENBLAS_NUM_THREADS in {1, 2} (the encoder with
        fewer iterations, --encoder-grid-iters, scaled to the full run);
     c. runs neurocodec from the same initial weights and split, twice (--nc-reps), and
        keeps the faster training time; the losses of the first run are compared with
        PyTorch's at every iteration with the DESIGN.md pass rule
        |nc - torch| <= rtol*|torch| + 1e-5 (rtol 2e-3 decoders, 5e-3 encoder);
  4. prints a table and optionally writes the same as JSON (--json-out).

Timings are the training-loop wall times that both programs report ("seconds"), not process
times: data loading and output writing are excluded on both sides.

Run with Debian's python (it has python3-torch and numpy):
    /usr/bin/python3 bench/compare_pytorch.py [--runs regression,classification] [--quick]

Exit status: 0 all runs done and parity passed; 1 a run failed or parity failed;
2 set-up problem (torch/numpy missing, neurocodec not built, bad arguments).
"""

import argparse
import datetime
import importlib
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCH_REFERENCE = os.path.join(REPO, "tools", "torch_reference.py")
INSTALL_DEPS = os.path.join(REPO, "scripts", "install_deps.sh")

ALL_RUNS = ["regression", "classification", "classification_l1l2", "encoder"]

# The tutorial's runs. "args" are passed to both programs (same flag names).
RUN_SPECS = {
    "regression": {
        "kind": "decode", "model": "regression", "hidden": 10, "classes": None,
        "iters": 50, "lr": 1e-4, "l1": 0.0, "l2": 0.0, "rtol": 2e-3,
    },
    "classification": {
        "kind": "decode", "model": "classification", "hidden": 20, "classes": 20,
        "iters": 1000, "lr": 0.1, "l1": 0.0, "l2": 0.0, "rtol": 2e-3,
    },
    "classification_l1l2": {
        "kind": "decode", "model": "classification", "hidden": 20, "classes": 20,
        "iters": 1000, "lr": 0.1, "l1": 5e-4, "l2": 1e-2, "rtol": 2e-3,
    },
    "encoder": {
        "kind": "encode", "channels": 6, "kernel": 7, "iters": 200, "lr": 2.0,
        "momentum": 0.9, "l1": 1e-6, "l2": 5e-4, "filters": "seed", "rtol": 5e-3,
    },
}
ATOL = 1e-5
TORCH_THREADS_GRID = [1, 2]
OPENBLAS_THREADS_GRID = [1, 2]
# environment variables that change thread counts; removed for the "default" settings
THREAD_ENV_VARS = ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                   "GOTO_NUM_THREADS", "NEUROCODEC_THREADS"]

np = None  # numpy, imported in main() once we know it is there


def log(msg):
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {msg}", file=sys.stderr, flush=True)


class RunError(Exception):
    """A command failed; .short is a one-line summary, str() the command and log tail."""

    def __init__(self, message, short=None):
        super().__init__(message)
        self.short = short or message.splitlines()[0]


# --------------------------------------------------------------------------------------
# Dependencies
# --------------------------------------------------------------------------------------


def import_deps():
    """Import numpy and torch; returns (numpy module, torch version) or raises ImportError."""
    importlib.invalidate_caches()
    numpy = importlib.import_module("numpy")
    torch = importlib.import_module("torch")
    return numpy, torch.__version__


def ensure_deps(install):
    global np
    try:
        np, torch_version = import_deps()
        return torch_version
    except ImportError as err:
        first_error = err
    if install:
        log(f"running {INSTALL_DEPS} --torch")
        rc = subprocess.call(["bash", INSTALL_DEPS, "--torch"], cwd=REPO)
        if rc != 0:
            print(f"compare_pytorch: error: {INSTALL_DEPS} --torch failed (exit {rc})",
                  file=sys.stderr)
            sys.exit(2)
        try:
            np, torch_version = import_deps()
            return torch_version
        except ImportError as err:
            first_error = err
    print(f"compare_pytorch: error: PyTorch/numpy cannot be imported by {sys.executable} "
          f"({first_error}).\n"
          f"  Debian's python3-torch, python3-numpy are visible to /usr/bin/python3 only: run\n"
          f"    /usr/bin/python3 {os.path.relpath(__file__)} ...\n"
          + ("  (scripts/install_deps.sh --torch has run: the packages are installed.)"
             if install else
             "  and add --install-torch to install them with scripts/install_deps.sh --torch."),
          file=sys.stderr)
    sys.exit(2)


# --------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------


def clean_env(**overrides):
    """os.environ without thread-count variables, plus overrides (str values)."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_ENV_VARS}
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def run_logged(cmd, log_path, env=None, cwd=None):
    """Run cmd, stdout+stderr to log_path; raise RunError with the log's tail on failure."""
    with open(log_path, "w") as fh:
        fh.write("$ " + " ".join(cmd) + "\n")
        fh.flush()
        t0 = time.perf_counter()
        rc = subprocess.call(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        wall = time.perf_counter() - t0
    if rc != 0:
        with open(log_path) as fh:
            tail = "".join(fh.readlines()[-15:])
        what = f"signal {-rc}" if rc < 0 else f"exit {rc}"
        prog = os.path.basename(cmd[1] if cmd[0] == sys.executable else cmd[0])
        raise RunError(f"command failed ({what}): {' '.join(cmd)}\nlog {log_path}:\n{tail}",
                       short=f"{prog} failed ({what})")
    return wall


def read_json(path):
    with open(path) as fh:
        return json.load(fh)


# --------------------------------------------------------------------------------------
# SGEMM peak
# --------------------------------------------------------------------------------------


def sgemm_exe(args, build_dir):
    """--sgemm-exe, else <build-dir>/sgemm_peak, else build-bench/sgemm_peak (a build folder
    configured with -DNEUROCODEC_BENCH=OFF has no benchmarks)."""
    if args.sgemm_exe:
        return os.path.abspath(args.sgemm_exe)
    exe = os.path.join(build_dir, "sgemm_peak")
    fallback = os.path.join(REPO, "build-bench", "sgemm_peak")
    if not os.access(exe, os.X_OK) and os.access(fallback, os.X_OK):
        log(f"note: {exe} not built (NEUROCODEC_BENCH=OFF?); using {fallback}")
        return fallback
    return exe


def kernel_path(bench_dir, shape):
    """The fused L1 step's kernel path (vector width, block size) for the run's rows, as
    bench/wide_step reports it (one repetition)."""
    exe = os.path.join(bench_dir, "wide_step")
    if not os.access(exe, os.X_OK):
        return "unknown (wide_step not built)"
    out = subprocess.run([exe, "--reps", "1", "--neurons", str(shape["n_neurons"]),
                          "--train", str(shape["n_train"]), "--test", str(shape["n_test"])],
                         capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if "kernel_path" in line:
            return json.loads(line)["kernel_path"]
    return "unknown"


def measure_sgemm(exe, logdir):
    if not os.access(exe, os.X_OK):
        log(f"warning: {exe} not found: build it (cmake --build <build-dir> --target "
            "sgemm_peak); reporting no SGEMM peak")
        return {"peak_gflops": None, "shapes": [], "error": f"{exe} not found"}
    log(f"measuring SGEMM peak with {exe}")
    # default OpenBLAS threading (all cores) unless the caller set OPENBLAS_NUM_THREADS
    out = subprocess.run([exe], capture_output=True, text=True)
    with open(os.path.join(logdir, "sgemm_peak.log"), "w") as fh:
        fh.write(out.stdout + out.stderr)
    if out.returncode != 0:
        log(f"warning: sgemm_peak failed (exit {out.returncode}): {out.stderr.strip()}")
        return {"peak_gflops": None, "shapes": [], "error": out.stderr.strip()}
    result = {"peak_gflops": None, "shapes": []}
    for line in out.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        doc = json.loads(line)
        if "peak_gflops" in doc:
            result["peak_gflops"] = doc["peak_gflops"]
            result["blas_threads"] = doc.get("blas_threads")
        else:
            result["shapes"].append(doc)
    for s in result["shapes"]:
        log(f"  sgemm {s['shape']}: {s['gflops']:.1f} GFLOP/s")
    log(f"  SGEMM peak {result['peak_gflops']} GFLOP/s")
    return result


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


def prepare_data(nc, workdir, neurons, seed, logdir):
    """Simulated data (full size unless --neurons) and the seeded split; reused when the
    workdir holds files made with the same settings (--keep)."""
    stamp_path = os.path.join(workdir, "data_stamp.json")
    stamp = {"neurons": neurons, "split_seed": seed, "train_fraction": 0.6,
             "neurocodec": os.path.abspath(nc)}
    paths = {"decode": os.path.join(workdir, "data.npz"),
             "encode": os.path.join(workdir, "data_split.npz"),
             "split": os.path.join(workdir, "split.npz")}
    if os.path.exists(stamp_path) and all(os.path.exists(p) for p in paths.values()):
        try:
            if read_json(stamp_path) == stamp:
                log(f"reusing data in {workdir}")
                return paths, True
        except (OSError, ValueError):
            pass
    extra = ["--neurons", str(neurons)] if neurons else []
    log("simulating the decoder data (resp/stimuli)")
    run_logged([nc, "simulate", "--out", paths["decode"]] + extra,
               os.path.join(logdir, "simulate.log"))
    log("simulating the encoder data (split format)")
    run_logged([nc, "simulate", "--split", "--out", paths["encode"]] + extra,
               os.path.join(logdir, "simulate_split.log"))
    with np.load(paths["decode"], allow_pickle=False) as z:
        n = int(z["resp"].shape[0])
    perm = np.random.default_rng(seed).permutation(n)
    n_train = int(math.floor(0.6 * n))
    np.savez(paths["split"], train_idx=perm[:n_train].astype(np.int64),
             test_idx=perm[n_train:].astype(np.int64))
    with open(stamp_path, "w") as fh:
        json.dump(stamp, fh)
    return paths, False


def data_shape(paths):
    with np.load(paths["decode"], allow_pickle=False) as z:
        n_stimuli, n_neurons = (int(d) for d in z["resp"].shape)
    with np.load(paths["split"], allow_pickle=False) as z:
        n_train, n_test = int(z["train_idx"].size), int(z["test_idx"].size)
    with np.load(paths["encode"], allow_pickle=False) as z:
        enc_rows = int(z["resp_train"].shape[0])
    return {"n_stimuli": n_stimuli, "n_neurons": n_neurons, "n_train": n_train,
            "n_test": n_test, "encoder_rows": enc_rows}


# --------------------------------------------------------------------------------------
# FLOP counts (matrix products only; elementwise work is not counted)
# --------------------------------------------------------------------------------------


def flops_per_iteration(spec, shape):
    """Matrix-product FLOPs of one training iteration (2 FLOPs per multiply-add).

    Decoders, N neurons, H hidden units, O outputs (1 or C), n_tr / n_te rows:
      in_layer forward on train   2*n_tr*N*H
      dW_in (backward)            2*n_tr*N*H      (no dX: the input needs no gradient)
      in_layer forward on test    2*n_te*N*H      (test loss after every step)
      out_layer: forward train 2*n_tr*H*O, dW_out 2*n_tr*H*O, dH 2*n_tr*H*O,
                 forward test 2*n_te*H*O
    Encoder, B images, F = C*12*16 features, N neurons, K x K kernel:
      out_layer forward 2*B*F*N, dW_out 2*B*F*N, dA 2*B*F*N
      conv forward 2*B*C*192*K*K, conv dW 2*B*C*192*K*K
      The test loss after a step uses the prediction for the same images with the same
      weights as the next step's forward pass, so that product is counted once.
    """
    if spec["kind"] == "decode":
        n_tr, n_te, n = shape["n_train"], shape["n_test"], shape["n_neurons"]
        h = spec["hidden"]
        o = 1 if spec["model"] == "regression" else spec["classes"]
        big = 2 * n_tr * n * h * 2 + 2 * n_te * n * h
        small = 2 * n_tr * h * o * 3 + 2 * n_te * h * o
        return big + small
    b, n = shape["encoder_rows"], shape["n_neurons"]
    pixels = 12 * 16
    f = spec["channels"] * pixels
    conv = 2 * b * spec["channels"] * pixels * spec["kernel"] ** 2
    return 3 * 2 * b * f * n + 2 * conv


# --------------------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------------------


def torch_cmd(spec, paths, iters, extra):
    cmd = [sys.executable, TORCH_REFERENCE, spec["kind"]]
    if spec["kind"] == "decode":
        cmd += ["--data", paths["decode"], "--split", paths["split"], "--model", spec["model"],
                "--hidden", str(spec["hidden"])]
        if spec["classes"] is not None:
            cmd += ["--classes", str(spec["classes"])]
    else:
        cmd += ["--data", paths["encode"], "--channels", str(spec["channels"]),
                "--kernel", str(spec["kernel"]), "--momentum", repr(spec["momentum"]),
                "--filters", spec["filters"]]
    cmd += ["--iters", str(iters), "--lr", repr(spec["lr"]), "--l1", repr(spec["l1"]),
            "--l2", repr(spec["l2"])]
    return cmd + extra


def nc_cmd(nc, spec, paths, iters, init, out):
    cmd = [nc, spec["kind"]]
    if spec["kind"] == "decode":
        cmd += ["--data", paths["decode"], "--split", paths["split"], "--model", spec["model"],
                "--hidden", str(spec["hidden"])]
        if spec["classes"] is not None:
            cmd += ["--classes", str(spec["classes"])]
    else:
        cmd += ["--data", paths["encode"], "--channels", str(spec["channels"]),
                "--kernel", str(spec["kernel"]), "--momentum", repr(spec["momentum"]),
                "--filters", spec["filters"]]
    cmd += ["--iters", str(iters), "--lr", repr(spec["lr"]), "--l1", repr(spec["l1"]),
            "--l2", repr(spec["l2"]), "--init", init, "--out", out, "--quiet"]
    return cmd


def parity(nc_doc, torch_doc, rtol, prefix=False):
    """Worst |nc - torch| / (rtol*|torch| + ATOL) over every iteration, train and test.
    prefix: compare only the iterations both have (a shorter timing run)."""
    worst = {"ratio": 0.0, "series": None, "iteration": None, "neurocodec": None,
             "torch": None}
    problems = []
    for series in ("train_loss", "test_loss"):
        a = nc_doc.get(series)
        b = torch_doc.get(series)
        if not isinstance(a, list) or not isinstance(b, list):
            problems.append(f"{series} missing")
            continue
        if len(a) != len(b) and not prefix:
            problems.append(f"{series}: {len(a)} iterations in neurocodec, {len(b)} in torch")
        for i, (x, y) in enumerate(zip(a, b)):
            if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
                problems.append(f"{series}[{i + 1}] non-finite (nc {x}, torch {y})")
                ratio = math.inf
            else:
                ratio = abs(x - y) / (rtol * abs(y) + ATOL)
            if ratio > worst["ratio"] or worst["series"] is None:
                worst = {"ratio": ratio, "series": series, "iteration": i + 1,
                         "neurocodec": x, "torch": y}
    ok = not problems and worst["ratio"] <= 1.0
    return {"rtol": rtol, "atol": ATOL, "max_ratio": worst["ratio"], "worst": worst,
            "problems": problems[:5], "pass": ok}


def run_one(name, args, nc, paths, shape, workdir, logdir):
    spec = dict(RUN_SPECS[name])
    iters = spec["iters"] // 10 if args.quick else spec["iters"]
    iters = max(1, iters)
    rundir = os.path.join(workdir, name)
    os.makedirs(rundir, exist_ok=True)
    result = {"run": name, "iters": iters, "options": {k: v for k, v in spec.items()
                                                       if k not in ("rtol",)}}
    result["options"]["iters"] = iters
    flops = flops_per_iteration(spec, shape)
    result["gflop_per_iter"] = flops / 1e9

    # a. parity reference with PyTorch's default settings (no thread env, no --threads)
    init = os.path.join(rundir, "torch_init.npz")
    losses = os.path.join(rundir, "torch_losses.json")
    log(f"{name}: PyTorch parity run, default settings, {iters} iterations")
    run_logged(torch_cmd(spec, paths, iters, ["--init-out", init, "--losses-out", losses]),
               os.path.join(logdir, f"{name}_torch_parity.log"), env=clean_env())
    torch_doc = read_json(losses)
    default_s = float(torch_doc["seconds"])
    torch_info = {"parity_threads": torch_doc.get("options", {}).get("threads"),
                  "torch_version": torch_doc.get("options", {}).get("torch_version"),
                  "default": {"setting": "default", "seconds": default_s,
                              "seconds_per_iter": default_s / iters, "iters_timed": iters},
                  "grid": []}

    # b. the thread grid, from the same initial weights
    grid_iters = iters
    if spec["kind"] == "encode":
        grid_iters = max(1, min(iters, args.encoder_grid_iters))
    if not args.no_grid:
        for tt in TORCH_THREADS_GRID:
            for ob in OPENBLAS_THREADS_GRID:
                setting = f"torch{tt}/openblas{ob}"
                out = os.path.join(rundir, f"torch_t{tt}_ob{ob}.json")
                log(f"{name}: PyTorch timing {setting}, {grid_iters} iterations")
                run_logged(torch_cmd(spec, paths, grid_iters,
                                     ["--init-in", init, "--losses-out", out,
                                      "--threads", str(tt)]),
                           os.path.join(logdir, f"{name}_torch_t{tt}_ob{ob}.log"),
                           env=clean_env(OPENBLAS_NUM_THREADS=ob))
                doc = read_json(out)
                s = float(doc["seconds"])
                # PyTorch against itself: how far another thread setting strays from the
                # reference trajectory (rounding differs with the summation order)
                own = parity(doc, torch_doc, spec["rtol"], prefix=True)
                torch_info["grid"].append({
                    "setting": setting, "torch_threads": tt, "openblas_threads": ob,
                    "iters_timed": grid_iters, "seconds_timed": s,
                    "seconds_per_iter": s / grid_iters, "seconds": s / grid_iters * iters,
                    "parity_vs_reference_max_ratio": own["max_ratio"]})
    if torch_info["grid"]:
        torch_info["self_parity_max_ratio"] = max(g["parity_vs_reference_max_ratio"]
                                                  for g in torch_info["grid"])
        torch_info["self_parity_iters"] = grid_iters
    candidates = torch_info["grid"] + [torch_info["default"]]
    best = min(candidates, key=lambda c: c["seconds_per_iter"])
    torch_info["best"] = {"setting": best["setting"], "seconds": best["seconds_per_iter"] * iters,
                          "seconds_per_iter": best["seconds_per_iter"],
                          "iters_timed": best["iters_timed"]}
    result["torch"] = torch_info
    torch_info["best"]["gflops"] = flops / best["seconds_per_iter"] / 1e9
    torch_info["default"]["gflops"] = flops / torch_info["default"]["seconds_per_iter"] / 1e9

    # c. neurocodec, from the torch init, --nc-reps times
    try:
        nc_part(name, args, nc, spec, paths, iters, init, rundir, logdir, result)
    except (RunError, OSError, ValueError, KeyError) as err:
        # keep the PyTorch numbers; the neurocodec part failed
        result.pop("_first_doc", None)
        result["error"] = getattr(err, "short", None) or f"neurocodec: {err}".splitlines()[0]
        result["error_detail"] = str(err)
        log(f"{name}: FAILED: {err}")
        return result
    best_nc = result["neurocodec"]["seconds"]
    first_doc = result.pop("_first_doc")

    # parity, rates
    result["parity"] = parity(first_doc, torch_doc, spec["rtol"])
    result["neurocodec"]["gflops"] = flops * iters / best_nc / 1e9 if best_nc > 0 else None
    result["speedup_vs_torch_best"] = result["torch"]["best"]["seconds"] / best_nc
    result["speedup_vs_torch_default"] = default_s / best_nc
    p = result["parity"]
    log(f"{name}: torch best {torch_info['best']['seconds']:.3f} s "
        f"[{torch_info['best']['setting']}], default {default_s:.3f} s, "
        f"neurocodec {best_nc:.3f} s, parity max ratio {p['max_ratio']:.3g} "
        f"{'PASS' if p['pass'] else 'FAIL'}")
    return result


def nc_part(name, args, nc, spec, paths, iters, init, rundir, logdir, result):
    """neurocodec runs; fills result["neurocodec"], result["nc_repeatable"], "_first_doc"."""
    nc_runs = []
    first_doc = None
    for rep in range(args.nc_reps):
        out = os.path.join(rundir, f"nc_{rep + 1}")
        log(f"{name}: neurocodec run {rep + 1}/{args.nc_reps}, {iters} iterations")
        wall = run_logged(nc_cmd(nc, spec, paths, iters, init, out),
                          os.path.join(logdir, f"{name}_nc_{rep + 1}.log"))
        doc = read_json(os.path.join(out, "metrics.json"))
        nc_runs.append({"seconds": float(doc["seconds"]), "process_seconds": wall,
                        "peak_rss_bytes": doc.get("peak_rss_bytes")})
        if first_doc is None:
            first_doc = doc
        else:
            same = (doc.get("train_loss") == first_doc.get("train_loss")
                    and doc.get("test_loss") == first_doc.get("test_loss"))
            result.setdefault("nc_repeatable", True)
            result["nc_repeatable"] = result["nc_repeatable"] and same
    best_nc = min(r["seconds"] for r in nc_runs)
    rss = [r["peak_rss_bytes"] for r in nc_runs if r["peak_rss_bytes"] is not None]
    result["neurocodec"] = {
        "runs": nc_runs, "seconds": best_nc, "seconds_per_iter": best_nc / iters,
        "peak_rss_bytes": max(rss) if rss else None,
        "threads_env": {k: os.environ[k] for k in THREAD_ENV_VARS if k in os.environ}}
    result["_first_doc"] = first_doc


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def self_ratio(t):
    """PyTorch's grid runs against its own reference, same ratio as the parity column."""
    v = t.get("self_parity_max_ratio")
    if v is None:
        return "-"
    # the default timing is the reference run, over every iteration of the run
    partial = "*" if t.get("self_parity_iters") != t["default"]["iters_timed"] else ""
    return f"{v:.3g}{partial}"


def table(results, peak):
    head = ["run", "iters", "torch best s [setting]", "torch default s", "neurocodec s",
            "speed-up", "GFLOP/s nc", "GFLOP/s torch", "% peak", "peak RSS MiB",
            "parity max ratio", "torch-vs-torch"]
    rows = []
    for r in results:
        if "error" in r:
            t = r.get("torch")
            if t and "best" in t:
                rows.append([r["run"], str(r.get("iters", "-")),
                             f"{t['best']['seconds']:.3f} [{t['best']['setting']}]",
                             f"{t['default']['seconds']:.3f}", "-", "-", "-",
                             fmt(t["best"].get("gflops"), ".1f"), "-", "-",
                             "ERROR: " + r["error"], self_ratio(t)])
            else:
                rows.append([r["run"], str(r.get("iters", "-"))] + ["-"] * (len(head) - 4)
                            + ["ERROR: " + r["error"], "-"])
            continue
        t, n, p = r["torch"], r["neurocodec"], r["parity"]
        scaled = "*" if t["best"]["iters_timed"] != r["iters"] else ""
        pct = n["gflops"] / peak * 100 if (peak and n["gflops"]) else None
        rss = n["peak_rss_bytes"] / 2 ** 20 if n["peak_rss_bytes"] else None
        rows.append([
            r["run"], str(r["iters"]),
            f"{t['best']['seconds']:.3f}{scaled} [{t['best']['setting']}]",
            f"{t['default']['seconds']:.3f}",
            f"{n['seconds']:.3f}",
            f"{r['speedup_vs_torch_best']:.2f}x",
            fmt(n["gflops"], ".1f"),
            fmt(t["best"]["gflops"], ".1f"),
            fmt(pct, ".0f") + ("^" if pct is not None and pct > 100 else ""),
            fmt(rss, ".0f"),
            f"{p['max_ratio']:.3g} {'PASS' if p['pass'] else 'FAIL'}",
            self_ratio(t),
        ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
              for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)),
             "  ".join("-" * w for w in widths)]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)))
    return "\n".join(lines)


def loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def machine_info():
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "platform": platform.platform(),
            "python": sys.version.split()[0]}


# --------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Benchmark neurocodec against PyTorch on the full-size tutorial runs "
                    "and check per-iteration loss parity.",
        epilog="Run with /usr/bin/python3 (Debian's python3-torch). See bench/README.md.")
    ap.add_argument("--runs", default=",".join(ALL_RUNS),
                    help=f"comma list of runs (default: all): {', '.join(ALL_RUNS)}")
    ap.add_argument("--quick", action="store_true",
                    help="iterations divided by 10 (smoke test; timings less meaningful)")
    ap.add_argument("--build-dir", default="build",
                    help="CMake build folder holding neurocodec and sgemm_peak (default: build)")
    ap.add_argument("--workdir", help="folder for data and outputs (default: a new temporary "
                                      "folder, removed at the end unless --keep)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the workdir (data is reused by a later run with the same "
                         "--workdir)")
    ap.add_argument("--json-out", help="write the results as JSON here")
    ap.add_argument("--install-torch", action="store_true",
                    help="first run scripts/install_deps.sh --torch (apt-get)")
    ap.add_argument("--seed", type=int, default=1,
                    help="seed of the numpy permutation that splits the rows (default 1)")
    ap.add_argument("--neurons", type=int,
                    help="simulate this many neurons instead of the default (testing only; the "
                         "FLOP counts follow the data)")
    ap.add_argument("--encoder-grid-iters", type=int, default=20,
                    help="iterations of each PyTorch thread-grid timing run of the encoder, "
                         "scaled to the full run (default 20)")
    ap.add_argument("--nc-reps", type=int, default=2,
                    help="neurocodec runs per benchmark; the fastest is reported (default 2)")
    ap.add_argument("--no-grid", action="store_true",
                    help="skip the PyTorch thread grid (time the default setting only)")
    ap.add_argument("--no-sgemm", action="store_true", help="skip the SGEMM peak measurement")
    ap.add_argument("--sgemm-exe", help="sgemm_peak executable (default: <build-dir>/sgemm_peak, else "
                         "build-bench/sgemm_peak)")
    args = ap.parse_args(argv)
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    bad = [r for r in runs if r not in RUN_SPECS]
    if bad or not runs:
        ap.error(f"--runs: unknown run(s) {', '.join(bad) or '(none given)'}; "
                 f"choose from {', '.join(ALL_RUNS)}")
    args.runs = list(dict.fromkeys(runs))
    if args.nc_reps < 1:
        ap.error("--nc-reps must be >= 1")
    if args.encoder_grid_iters < 1:
        ap.error("--encoder-grid-iters must be >= 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    torch_version = ensure_deps(args.install_torch)

    build_dir = os.path.abspath(os.path.join(REPO, args.build_dir)
                                if not os.path.isabs(args.build_dir) else args.build_dir)
    nc = os.path.join(build_dir, "neurocodec")
    if not os.access(nc, os.X_OK):
        print(f"compare_pytorch: error: {nc} not found; build it first: "
              f"cmake -S . -B {args.build_dir} && cmake --build {args.build_dir} -j2",
              file=sys.stderr)
        return 2

    made_tmp = args.workdir is None
    workdir = (tempfile.mkdtemp(prefix="nc_bench_") if made_tmp
               else os.path.abspath(args.workdir))
    os.makedirs(workdir, exist_ok=True)
    logdir = os.path.join(workdir, "logs")
    os.makedirs(logdir, exist_ok=True)
    log(f"workdir {workdir}; neurocodec {nc}; torch {torch_version}")

    load_start = loadavg()
    if load_start and load_start[0] > 0.5:
        log(f"warning: load average {load_start[0]:.1f} before starting: other work on the "
            "machine makes the timings (not the parity) unreliable")
    t_start = time.perf_counter()
    results = []
    status = 0
    data_reused = False
    try:
        sgemm = ({"peak_gflops": None, "shapes": [], "error": "skipped (--no-sgemm)"}
                 if args.no_sgemm else measure_sgemm(sgemm_exe(args, build_dir), logdir))
        try:
            paths, data_reused = prepare_data(nc, workdir, args.neurons, args.seed, logdir)
        except RunError as err:
            print(f"compare_pytorch: error: could not simulate the data: {err}", file=sys.stderr)
            return 2
        shape = data_shape(paths)
        log(f"data: {shape}")
        for name in args.runs:
            try:
                results.append(run_one(name, args, nc, paths, shape, workdir, logdir))
            except (RunError, OSError, ValueError, KeyError) as err:
                log(f"{name}: FAILED: {err}")
                results.append({"run": name, "error": getattr(err, "short", None)
                                or str(err).splitlines()[0], "error_detail": str(err)})
            if "error" in results[-1]:
                status = 1
        if any("parity" in r and not r["parity"]["pass"] for r in results):
            status = 1

        peak = sgemm.get("peak_gflops")
        print()
        print(f"neurocodec vs PyTorch {torch_version}: {shape['n_neurons']} neurons, "
              f"{shape['n_train']} train / {shape['n_test']} test rows (decoders), "
              f"{shape['encoder_rows']} images (encoder)"
              + (", --quick (iterations / 10)" if args.quick else ""))
        print(f"machine: {machine_info()['cpu']}, {os.cpu_count()} CPUs; "
              f"SGEMM peak {fmt(peak, '.1f')} GFLOP/s (sgemm_peak, OpenBLAS default threads)")
        print(f"L1 kernels: {kernel_path(os.path.dirname(sgemm_exe(args, build_dir)), shape)}")
        print(table(results, peak))
        print("seconds: training loop only, whole run; neurocodec: best of "
              f"{args.nc_reps}; '*': timed on --encoder-grid-iters iterations and scaled.")
        print("speed-up = torch best / neurocodec; GFLOP/s from the matrix-product FLOP count "
              "(bench/README.md); % peak = neurocodec GFLOP/s / SGEMM peak.")
        if any(r.get("neurocodec", {}).get("gflops") and peak
               and r["neurocodec"]["gflops"] > peak for r in results):
            print("'^': above the SGEMM peak: the FLOP count is that of the plain algorithm "
                  "(what PyTorch does); neurocodec does less work\n"
                  "   (e.g. its decoders' Gram-matrix path when l1 = 0), so its rate is an "
                  "effective one.")
        print(f"parity ratio = max over iterations and train/test of |nc - torch| / "
              f"(rtol*|torch| + {ATOL:g}), PASS when <= 1 (rtol 2e-3 decoders, 5e-3 encoder).")
        print("torch-vs-torch = the same ratio for PyTorch's own thread-grid runs against its "
              "reference run ('*': over the encoder's\n"
              "   --encoder-grid-iters iterations only): the spread rounding alone causes.")
        for r in results:
            if "parity" in r and (not r["parity"]["pass"] or r["parity"]["problems"]):
                w = r["parity"]["worst"]
                print(f"  {r['run']}: worst {w['series']} at iteration {w['iteration']}: "
                      f"neurocodec {w['neurocodec']!r}, torch {w['torch']!r}"
                      + (f"; {'; '.join(r['parity']['problems'])}"
                         if r["parity"]["problems"] else ""))
                own = r["torch"].get("self_parity_max_ratio")
                if own is not None and own > 1:
                    print(f"    PyTorch's own runs at other thread settings also break the rule "
                          f"(ratio {own:.3g}): this trajectory is sensitive to rounding.")
            if "error" in r:
                print(f"  {r['run']}: {r['error_detail'].splitlines()[0]}")
                for line in r["error_detail"].splitlines()[1:]:
                    if line.startswith("log "):
                        gone = "" if args.keep else " (removed: rerun with --keep)"
                        print(f"    {line.rstrip(':')}{gone}")
            if r.get("nc_repeatable") is False:
                print(f"  {r['run']}: note: the neurocodec runs gave different losses")
        elapsed = time.perf_counter() - t_start
        load_end = loadavg()
        busy = load_end and load_end[2] > 1.25 * (os.cpu_count() or 1)
        print(f"total time {elapsed:.0f} s; load average (1, 5, 15 min) at the end "
              f"{', '.join(f'{x:.1f}' for x in load_end) if load_end else '-'}"
              + (" -- the machine was busy: timings are unreliable" if busy else ""))

        if args.json_out:
            doc = {"tool": "bench/compare_pytorch.py",
                   "date": datetime.datetime.now().isoformat(timespec="seconds"),
                   "machine": machine_info(), "torch_version": torch_version,
                   "neurocodec": nc, "quick": args.quick, "data": shape,
                   "split_seed": args.seed, "sgemm": sgemm, "runs": results,
                   "elapsed_seconds": elapsed, "loadavg_start": load_start,
                   "loadavg_end": load_end,
                   "workdir": workdir if args.keep else None}
            folder = os.path.dirname(os.path.abspath(args.json_out))
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp_", suffix=".json")
            with os.fdopen(fd, "w") as fh:
                json.dump(doc, fh, indent=1)
                fh.write("\n")
            os.replace(tmp, args.json_out)
            log(f"wrote {args.json_out}")
    finally:
        if args.keep:
            log(f"kept {workdir}")
        elif made_tmp:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            # a given workdir: remove what this invocation made (data it reused stays)
            for name in list(RUN_SPECS) + ["logs"]:
                shutil.rmtree(os.path.join(workdir, name), ignore_errors=True)
            made = [] if data_reused else ["data.npz", "data_split.npz", "split.npz",
                                           "data_stamp.json"]
            for f in made:
                try:
                    os.remove(os.path.join(workdir, f))
                except OSError:
                    pass
    return status


if __name__ == "__main__":
    sys.exit(main())
