// SPDX-License-Identifier: MIT
// Browser mode confines every path a request names to the folders the user may reach: the home
// folder, folders listed in TRANSFER_STUDIO_ROOTS (path-list separated), and folders chosen in
// this session. Paths are resolved (`..`) and symlinks followed before the check, so neither
// escapes. The CLI (a user at a terminal) and Electron (paths from native dialogs) are not confined.
import { existsSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../shared/errors';
import type { ServiceContext } from './context';

export function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** The folders browser mode may reach, symlinks resolved. */
export function reachableRoots(ctx: Pick<ServiceContext, 'allowedRoots'>, env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.TRANSFER_STUDIO_ROOTS ?? '').split(path.delimiter).filter(Boolean);
  return [...new Set([os.homedir(), ...extra, ...ctx.allowedRoots].map(real))];
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest (for outputs not yet created). */
function realOrNearest(p: string): string {
  let existing = path.resolve(p);
  const rest: string[] = [];
  while (!existsSync(existing) && path.dirname(existing) !== existing) {
    rest.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  return path.join(real(existing), ...rest);
}

/**
 * Resolves a path from a request and, in browser mode, refuses one outside the reachable folders.
 * Returns the absolute path to use. `what` names the path in the message ("dataset folder").
 * @throws AppError FORBIDDEN_PATH
 */
export function confinePath(ctx: Pick<ServiceContext, 'mode' | 'allowedRoots'>, p: string, what: string): string {
  const abs = path.resolve(p);
  if (ctx.mode !== 'browser') return abs;
  const target = realOrNearest(abs);
  const roots = reachableRoots(ctx);
  if (roots.some((r) => isInside(target, r))) return abs;
  throw new AppError(
    'FORBIDDEN_PATH',
    `The ${what} ${abs} is outside the folders browser mode may use (your home folder and the folders chosen in this session). Move it inside your home folder, or start the desktop app or the CLI.`,
    { received: p },
  );
}
