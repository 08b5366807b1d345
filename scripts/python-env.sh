#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Creates (or updates) the project-local Python environment .venv from python/requirements.txt.
# Idempotent: a second run with everything installed only checks. Undo: rm -rf .venv
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv || { echo "python-env: '$PY -m venv .venv' failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
if .venv/bin/python -c 'import keras, tensorflow, onnx, onnxruntime, h5py, PIL' 2>/dev/null \
   && [ "$(.venv/bin/python -c 'import keras; print(keras.__version__)' 2>/dev/null)" = "3.15.1" ]; then
  echo "python-env: .venv ready ($(.venv/bin/python --version))"
  exit 0
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --retries 0 -r python/requirements.txt \
  || { echo "python-env: pip could not install python/requirements.txt into .venv (is a package index configured?)" >&2; exit 1; }
echo "python-env: .venv ready ($(.venv/bin/python --version))"
