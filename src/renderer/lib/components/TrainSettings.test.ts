// SPDX-License-Identifier: MIT
// The advanced settings panel: what it shows as defaults, and the request fields it produces.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { TrainSettings } from '../state/project.svelte';
import TrainSettingsPanel from './TrainSettings.svelte';

function setup(value: TrainSettings = {}) {
  const onChange = vi.fn<(next: TrainSettings) => void>();
  // No engine here: the preview call fails quietly (a toast), which this test does not look at.
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ ok: false, error: { code: 'INTERNAL', message: 'offline' } }))));
  render(TrainSettingsPanel, { value, onChange, datasetId: 1, splitSeed: 42 });
  return onChange;
}

describe('TrainSettings', () => {
  it('shows each recipe default with its reason', () => {
    setup();
    const text = screen.getByTestId('advanced-settings').textContent ?? '';
    for (const s of ['default adam', 'default constant', 'default 0.', 'default off (0)', 'default none.', 'default 42 (the split’s)', 'default 3.', 'default auto.', 'default lr / 10', 'range 0–45°, default 10°', 'default 80%']) expect(text).toContain(s);
    expect(text).toContain('less over-confident');
    expect((screen.getByTestId('optimizer') as HTMLSelectElement).value).toBe('adam');
    expect((screen.getByTestId('aug-rotation') as HTMLInputElement).value).toBe('10');
  });

  it('turns each control into the contract field it names', async () => {
    const onChange = setup({ epochs: 4 });
    await fireEvent.change(screen.getByTestId('optimizer'), { target: { value: 'sgd' } });
    expect(onChange).toHaveBeenLastCalledWith({ epochs: 4, optimizer: 'sgd' });
    await fireEvent.input(screen.getByTestId('patience'), { target: { value: '3' } });
    expect(onChange).toHaveBeenLastCalledWith({ epochs: 4, patience: 3 });
    await fireEvent.input(screen.getByTestId('fine-tune-epochs'), { target: { value: '' } });
    expect(onChange).toHaveBeenLastCalledWith({ epochs: 4 });
    await fireEvent.input(screen.getByTestId('aug-rotation'), { target: { value: '30' } });
    expect(onChange.mock.lastCall![0].augment).toEqual({ flipHorizontal: true, randomResizedCrop: { scale: [0.8, 1] }, rotation: 30, brightness: 0.1, contrast: 0.1 });
    await fireEvent.input(screen.getByTestId('aug-crop'), { target: { value: '1' } });
    expect(onChange.mock.lastCall![0].augment).toMatchObject({ randomResizedCrop: false });
    await fireEvent.click(screen.getByTestId('augment-on'));
    expect(onChange).toHaveBeenLastCalledWith({ epochs: 4, augment: false });
  });
});
