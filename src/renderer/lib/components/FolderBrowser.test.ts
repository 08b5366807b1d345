// SPDX-License-Identifier: MIT
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import FolderBrowser from './FolderBrowser.svelte';

const listing = {
  path: '/home/ana/photos/birds',
  parent: '/home/ana/photos',
  home: '/home/ana',
  roots: ['/home/ana'],
  folders: [
    { name: 'robin', path: '/home/ana/photos/birds/robin', images: 12, folders: 0 },
    { name: 'wren', path: '/home/ana/photos/birds/wren', images: 1, folders: 2 },
    { name: 'notes', path: '/home/ana/photos/birds/notes', images: 0, folders: 0 },
  ],
  images: 0,
  truncated: false,
};

describe('FolderBrowser', () => {
  it('lists sub-folders with image counts and says which will become classes', () => {
    render(FolderBrowser, { listing, onOpen: () => undefined, onChoose: () => undefined });
    const items = screen.getAllByRole('listitem').map((li) => li.textContent?.replace(/\s+/g, ' ').trim());
    expect(items).toEqual(['⬑ Up one level', '📁 robin 12 images', '📁 wren 1 image, 2 folders', '📁 notes 0 images']);
    expect(screen.getByTestId('browser-summary').textContent).toContain('2 sub-folders with images: they will become the classes (robin, wren)');
  });

  it('opens sub-folders, the parent and typed paths, and chooses the shown folder', async () => {
    const opened: string[] = [];
    const chosen: string[] = [];
    render(FolderBrowser, { listing, onOpen: (p: string) => opened.push(p), onChoose: (p: string) => chosen.push(p) });
    await fireEvent.click(screen.getByRole('button', { name: 'Open wren' }));
    await fireEvent.click(screen.getByRole('button', { name: '⬑ Up one level' }));
    await fireEvent.input(screen.getByLabelText('Folder'), { target: { value: '  ~/elsewhere ' } });
    await fireEvent.submit(screen.getByRole('button', { name: 'Go' }).closest('form')!);
    await fireEvent.click(screen.getByRole('button', { name: 'Use this folder' }));
    expect(opened).toEqual(['/home/ana/photos/birds/wren', '/home/ana/photos', '~/elsewhere']);
    expect(chosen).toEqual(['/home/ana/photos/birds']);
  });

  it('has no way up at the top of what may be browsed', () => {
    render(FolderBrowser, { listing: { ...listing, parent: null, folders: [] }, onOpen: () => undefined, onChoose: () => undefined });
    expect(screen.queryByRole('button', { name: '⬑ Up one level' })).toBeNull();
    expect(screen.getByText('No sub-folders here.')).toBeTruthy();
  });
});
