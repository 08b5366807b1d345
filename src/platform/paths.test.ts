// SPDX-License-Identifier: MIT
import { describe, expect, it } from 'vitest';
import { dataDir, databasePath, kerasCacheDir } from './paths';

describe('paths', () => {
  it('follows each OS like Electron userData', () => {
    expect(dataDir({ HOME: '/home/ada' }, 'linux')).toBe('/home/ada/.config/Transfer Studio');
    expect(dataDir({ HOME: '/home/ada', XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe('/cfg/Transfer Studio');
    expect(dataDir({ HOME: '/Users/ada' }, 'darwin')).toBe('/Users/ada/Library/Application Support/Transfer Studio');
    expect(dataDir({ HOME: 'C:/Users/ada', APPDATA: 'C:/Users/ada/AppData/Roaming' }, 'win32')).toBe(
      'C:/Users/ada/AppData/Roaming/Transfer Studio',
    );
  });

  it('honours TRANSFER_STUDIO_HOME and KERAS_HOME', () => {
    expect(dataDir({ TRANSFER_STUDIO_HOME: '/data/ts' }, 'linux')).toBe('/data/ts');
    expect(databasePath({ TRANSFER_STUDIO_HOME: '/data/ts' })).toBe('/data/ts/transfer-studio.db');
    expect(kerasCacheDir({ HOME: '/home/ada' })).toBe('/home/ada/.keras/models');
    expect(kerasCacheDir({ HOME: '/home/ada', KERAS_HOME: '/k' })).toBe('/k/models');
  });
});
