#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The wasm leg: where the native engine is installed, `npm test` runs on it, so the wasm fallback
# (with our training kernels) gets its own run: its kernel tests, one real CLI training run and
# one end-to-end wizard run, all with TS_BACKEND=wasm (the ladder's override; `train --backend wasm`
# is the CLI's own).
set -euo pipefail
cd "$(dirname "$0")/.."
export TS_BACKEND=wasm
npx vitest run src/engine/backend/wasm-training.test.ts src/engine/backend/wasm-mobilenetv2.test.ts src/cli/commands/train.test.ts
# Its screenshots go beside the main leg's, not over them.
TS_E2E_ARTIFACTS=test-results/e2e-wasm npx vitest run -c vitest.e2e.config.ts test/e2e/wizard-flow.e2e.test.ts
