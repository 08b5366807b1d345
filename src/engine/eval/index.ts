// SPDX-License-Identifier: MIT
export * from './metrics';
export * from './compare';
export * from './evaluate';
