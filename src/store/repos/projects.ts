// SPDX-License-Identifier: MIT
import type { Db } from '../db';
import type { Project } from '../../shared/dto/project';

interface ProjectRow {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  settings: string;
}

const toProject = (r: ProjectRow): Project => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  settings: JSON.parse(r.settings) as Record<string, unknown>,
});

export function listProjects(db: Db): Project[] {
  return (db.prepare('SELECT * FROM projects ORDER BY updated_at DESC, id DESC').all() as ProjectRow[]).map(toProject);
}

export function getProject(db: Db, id: number): Project | undefined {
  const row = db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as ProjectRow | undefined;
  return row && toProject(row);
}

export function createProject(db: Db, name: string, settings: Record<string, unknown> = {}): Project {
  const info = db.prepare('INSERT INTO projects (name, settings) VALUES (?, ?)').run(name, JSON.stringify(settings));
  return getProject(db, Number(info.lastInsertRowid))!;
}

export function updateProjectSettings(db: Db, id: number, settings: Record<string, unknown>): Project | undefined {
  db.prepare("UPDATE projects SET settings = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?").run(JSON.stringify(settings), id);
  return getProject(db, id);
}

export function deleteProject(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM projects WHERE id = ?').run(id).changes > 0;
}
