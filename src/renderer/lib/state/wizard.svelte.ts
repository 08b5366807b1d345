// SPDX-License-Identifier: MIT
// Which wizard step is showing, kept in the URL hash so reloads and the back button work.
export interface Step {
  id: string;
  title: string;
}

class WizardState {
  steps = $state<Step[]>([]);
  current = $state<string>(typeof location !== 'undefined' ? location.hash.slice(1) || 'projects' : 'projects');
  currentStep = $derived(this.steps.find((s) => s.id === this.current));

  go(id: string): void {
    this.current = id;
    if (typeof history !== 'undefined') history.replaceState(null, '', `#${id}`);
  }
}

export const wizard = new WizardState();
