// SPDX-License-Identifier: MIT
// The shape of `window.transferStudio`, which the Electron preload exposes and the renderer's
// lib/api.ts uses: declared once, from the contract.
import type { Method } from './contract';

/** What every bridged call answers: the result, or the serialised error (errors do not cross contextBridge intact). */
export interface BridgeEnvelope {
  ok: boolean;
  result?: unknown;
  error?: unknown;
}

/** One function per contract method; main validates the input (dispatch) before any handler runs. */
export type BridgeMethods = { readonly [M in Method]: (input: unknown) => Promise<BridgeEnvelope> };

export interface Bridge {
  methods: BridgeMethods;
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}
