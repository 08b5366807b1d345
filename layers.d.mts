// SPDX-License-Identifier: MIT
// Types of layers.mjs for the TypeScript tests that read it.
export declare const LAYERS: Record<string, string[]>;
export declare const SERVICE_MODULES_ALLOWED: Record<string, string[]>;
export declare const CLI_CONTRACT_EXCEPTIONS: Record<string, string>;
export declare const ENGINE_FLOORS: string[][];
