// SPDX-License-Identifier: MIT
// The open project and the choices made for it along the wizard (backbone, dataset, freezing,
// the latest run). Kept per project in localStorage so a reload resumes where the user was.
import type { Project } from '../../../shared/dto/project';

export interface ProjectChoices {
  backbone: string;
  datasetId?: number;
  /** 'all', 'none' or a block name of the backbone. */
  freezeUntil: string;
  imageSize?: number;
  runId?: number;
  split: { validation: number; test: number; seed: number };
}

export const DEFAULT_CHOICES: ProjectChoices = { backbone: 'mobilenetv2', freezeUntil: 'all', split: { validation: 0.2, test: 0.1, seed: 42 } };

const CURRENT_KEY = 'transfer-studio-project';
const choicesKey = (id: number) => `transfer-studio-project-${id}`;

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export class ProjectState {
  current = $state<Project | undefined>();
  choices = $state<ProjectChoices>(structuredClone(DEFAULT_CHOICES));
  /** The id the last session had open; App re-opens it once the project list is loaded. */
  readonly lastOpenId: number | undefined = Number(storage()?.getItem(CURRENT_KEY)) || undefined;

  open(p: Project): void {
    this.current = p;
    const saved = storage()?.getItem(choicesKey(p.id));
    let parsed: Partial<ProjectChoices> = {};
    try {
      parsed = saved ? (JSON.parse(saved) as Partial<ProjectChoices>) : {};
    } catch {
      parsed = {};
    }
    this.choices = { ...structuredClone(DEFAULT_CHOICES), ...parsed };
    storage()?.setItem(CURRENT_KEY, String(p.id));
  }

  close(): void {
    this.current = undefined;
    this.choices = structuredClone(DEFAULT_CHOICES);
    storage()?.removeItem(CURRENT_KEY);
  }

  /** Changes some choices of the open project and remembers them. */
  update(patch: Partial<ProjectChoices>): void {
    this.choices = { ...this.choices, ...patch };
    if (this.current) storage()?.setItem(choicesKey(this.current.id), JSON.stringify(this.choices));
  }
}

export const project = new ProjectState();
