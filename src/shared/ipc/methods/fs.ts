// SPDX-License-Identifier: MIT
// Choosing folders from the UI: a confined folder browser for browser mode, the native dialog in Electron.
import { z } from 'zod';
import { FsPath } from './common';

export const FolderEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  /** Image files directly inside (by extension). */
  images: z.number(),
  /** Sub-folders directly inside. */
  folders: z.number(),
});

export const FolderListingSchema = z.object({
  path: z.string(),
  /** The folder above, or null at the top of what may be browsed. */
  parent: z.string().nullable(),
  home: z.string(),
  /** The folders browsing is confined to: the home folder and the folders chosen in this session. */
  roots: z.array(z.string()),
  folders: z.array(FolderEntrySchema),
  images: z.number(),
  /** True when the folder had more entries than were read. */
  truncated: z.boolean(),
});
export type FolderListing = z.infer<typeof FolderListingSchema>;

export const fsMethods = {
  'fs.list': { input: z.object({ path: FsPath.optional() }).strict(), output: FolderListingSchema },
  /** Small previews of image files by absolute path (evaluation galleries, classify results). */
  'fs.thumbnails': {
    input: z.object({ paths: z.array(FsPath).min(1).max(200), size: z.number().int().min(16).max(256).optional() }).strict(),
    output: z.array(z.object({ path: z.string(), dataUrl: z.string().nullable(), error: z.string().optional() })),
  },
  /**
   * Marks a folder picked in the folder browser as chosen for this session (export targets,
   * folders to sort), after the same confinement checks as fs.list; returns its real path.
   */
  'fs.choose': { input: z.object({ path: FsPath }).strict(), output: z.object({ path: z.string() }) },
  'dialog.openFolder': {
    input: z.object({ title: z.string().max(200).optional() }).strict(),
    output: z.object({ path: z.string().nullable() }),
  },
} as const;
