// SPDX-License-Identifier: MIT
export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

class ToastManager {
  #next = 1;
  items = $state<Toast[]>([]);

  show(text: string, kind: Toast['kind'] = 'info'): void {
    const id = this.#next++;
    this.items.push({ id, text, kind });
    setTimeout(() => this.dismiss(id), kind === 'error' ? 10_000 : 4_000);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new ToastManager();
