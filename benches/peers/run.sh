#!/usr/bin/env bash
# Side-by-side peer benchmark (run by hand, never in CI; see BENCHMARKS.md).
#
#   bash benches/peers/run.sh [--rounds R] [--sizes 100000,10000000] [--quick] [--skip-install]
#                             [--install-only] [other peers.py options: python3 peers.py --help]
#
# 1. Creates a virtual environment in benches/peers/.venv (gitignored) and installs the pinned
#    peers from PyPI into it (once; a stamp file records the pins). PyPI's Linux torch wheel is
#    the CUDA build and pulls the nvidia-* libraries (several GB): there is no CPU-only torch
#    wheel on PyPI, and the benchmark only runs torch on the CPU.
# 2. Builds our release binaries (the `throughput` example and the CLI).
# 3. Runs peers.py, which times the peers and our code in the same run on the same inputs and
#    prints the table of M elements/s and the ratios (also written to benches/peers/last_run.md).
#
# Extra arguments go to peers.py (`--help` lists them).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
PYTHON="${PYTHON:-python3}"

# Pinned peers. tensorflow-probability 0.25.0 (the last release on PyPI) needs jax < 0.7 (its JAX
# substrate uses jax.interpreters.xla.pytype_aval_mappings, removed in jax 0.7), which in turn
# caps numpyro at 0.19.0.
PINS=(
  "torch==2.15.0"
  "jax[cpu]==0.6.2"
  "jaxlib==0.6.2"
  "numpyro==0.19.0"
  "tensorflow-probability==0.25.0"
  "numpy==2.4.6"
)

install_only=0
skip_install=0
args=()
for a in "$@"; do
  case "$a" in
    --install-only) install_only=1 ;;
    --skip-install) skip_install=1 ;;
    *) args+=("$a") ;;
  esac
done

if [ "$skip_install" = 0 ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV" >&2
    "$PYTHON" -m venv "$VENV"
  fi
  stamp="$VENV/.peer-pins"
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "${PINS[*]}" ]; then
    echo "== installing ${PINS[*]} into $VENV (torch pulls the CUDA libraries: several GB)" >&2
    start=$(date +%s)
    # --no-cache-dir: everything stays under benches/peers/.venv.
    "$VENV/bin/pip" install --no-cache-dir "${PINS[@]}"
    echo "${PINS[*]}" >"$stamp"
    echo "== installed in $(( $(date +%s) - start )) s; venv size: $(du -sh "$VENV" | cut -f1)" >&2
  fi
fi
if [ "$install_only" = 1 ]; then
  exit 0
fi

echo "== building release binaries" >&2
(cd "$ROOT" && cargo build --release -p relaxed --example throughput && cargo build --release -p relaxed-cli)

# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set on some of our machines for old OpenBLAS builds
# and slow a current numpy: unset them for this command only.
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
  "$VENV/bin/python" "$HERE/peers.py" --root "$ROOT" "${args[@]}"
