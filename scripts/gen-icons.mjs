// SPDX-License-Identifier: MIT
// Renders the app icon from resources/icons/icon.svg into the sizes electron-builder wants.
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';

mkdirSync('build/icons', { recursive: true });
for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
  await sharp('resources/icons/icon.svg', { density: 300 }).resize(size, size).png().toFile(`build/icons/${size}x${size}.png`);
}
await sharp('resources/icons/icon.svg', { density: 300 }).resize(512, 512).png().toFile('build/icon.png');
console.log('icons written to build/');
