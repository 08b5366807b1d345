// SPDX-License-Identifier: MIT
// Builds the renderer once so browser mode serves what the tests drive.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
