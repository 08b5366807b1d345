// SPDX-License-Identifier: MIT
// Every schema version, listed by hand. Versions step by 10 to leave room for fix-ups (Signal's scheme).
import type { Database } from 'better-sqlite3';
import migrate0010 from './0010-init';
import migrate0020 from './0020-classify';
import migrate0040 from './0040-wizard-runs';
import migrate0050 from './0050-dataset-health';

export interface SchemaVersion {
  version: number;
  update: (db: Database) => void;
}

export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  { version: 10, update: migrate0010 },
  { version: 20, update: migrate0020 },
  { version: 40, update: migrate0040 },
  { version: 50, update: migrate0050 },
];

export const LATEST_SCHEMA_VERSION = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1].version;
