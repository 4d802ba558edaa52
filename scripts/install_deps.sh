#!/usr/bin/env bash
# Installs the Debian packages neurocodec needs to build and test, only those missing.
# Usage: scripts/install_deps.sh [--numpy] [--torch] [--browser] [--fuzz] [--notebook] [--format]
# The default list includes what the Python package (python/) needs to build and to run its
# pytest suite under ctest: python3-dev, pybind11-dev, numpy, scikit-learn, pytest, and pip,
# venv, setuptools and wheel for `pip install --no-build-isolation .`.
#   --numpy    also Debian's python3-numpy (tests check that our files load in numpy)
#   --notebook also matplotlib, Jupyter's nbconvert/nbclient and ipykernel (examples/tutorial.ipynb)
#   --torch    also Debian's python3-torch/numpy/scipy (golden files, benchmarks against PyTorch)
#   --browser  also Debian's chromium and Node.js tooling for the report browser test
#   --fuzz     also clang and libFuzzer (fuzz/run.sh, docs/fuzzing.md)
#   --format   also clang-format (the formatting check of .ci/run)
set -euo pipefail
pkgs=(build-essential cmake pkg-config libeigen3-dev libopenblas-dev libzip-dev zipcmp zipmerge ziptool libcli11-dev
      nlohmann-json3-dev libgtest-dev libbenchmark-dev libcurl4-openssl-dev libssl-dev
      libplplot-dev plplot-driver-cairo
      python3-dev pybind11-dev python3-numpy python3-sklearn python3-pytest python3-pip python3-venv
      python3-setuptools python3-wheel)
browser=0
for arg in "$@"; do
  case "$arg" in
    --numpy) pkgs+=(python3-numpy) ;;
    --torch) pkgs+=(python3-torch python3-numpy python3-scipy) ;;
    --browser) pkgs+=(chromium); browser=1 ;;
    --fuzz) pkgs+=(clang libclang-rt-14-dev zlib1g-dev) ;;
    --notebook) pkgs+=(python3-matplotlib jupyter-nbconvert python3-nbclient python3-ipykernel) ;;
    --format) pkgs+=(clang-format) ;;
    *) echo "error: unknown option $arg (expected --numpy, --torch, --browser, --fuzz, --notebook or --format)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm: any install that provides the commands will do (NodeSource's nodejs bundles
# npm and conflicts with Debian's npm package), so Debian's are installed only when absent.
if [ "$browser" -eq 1 ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing: ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
