// SPDX-License-Identifier: MIT
// Choosing a folder, the same way on every screen: the native dialog in Electron, the confined
// folder browser (fs.list) in browser mode. Each screen says what a chosen folder is for.
import type { FolderListing } from '../../../shared/ipc/methods/fs';
import { call } from '../api';
import { handleError } from '../handle-error';

export class FolderPicker {
  listing = $state<FolderListing | undefined>();
  browsing = $state(false);
  readonly #dialogTitle: string;
  readonly #onChoose: (path: string) => void | Promise<void>;

  constructor(dialogTitle: string, onChoose: (path: string) => void | Promise<void>) {
    this.#dialogTitle = dialogTitle;
    this.#onChoose = onChoose;
  }

  /** Opens the folder browser at `path` (default: the home folder). */
  async browse(path?: string): Promise<void> {
    try {
      this.listing = await call('fs.list', path ? { path } : {});
      this.browsing = true;
    } catch (err) {
      handleError(err, 'Could not open that folder');
    }
  }

  toggle(): void {
    if (this.browsing) this.browsing = false;
    else void this.browse();
  }

  async chooseNative(): Promise<void> {
    try {
      const { path } = await call('dialog.openFolder', { title: this.#dialogTitle });
      if (path) await this.choose(path);
    } catch (err) {
      handleError(err, 'Could not open the folder dialog');
    }
  }

  async choose(path: string): Promise<void> {
    this.browsing = false;
    await this.#onChoose(path);
  }
}
