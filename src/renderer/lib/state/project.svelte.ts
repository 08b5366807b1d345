// SPDX-License-Identifier: MIT
// The open project and the choices made for it along the wizard (backbone, dataset, freezing,
// training settings, the latest run), and the step last shown. Kept per project in the engine's
// SQLite database (wizard.get / wizard.save), not in localStorage: browser mode gets a new origin
// whenever `serve` picks a new port, and the desktop app and browser mode share one database.
import type { Project } from '../../../shared/dto/project';
import type { WizardStateDto } from '../../../shared/dto/runs';
import type { TrainStart } from '../../../shared/dto/train';
import { call } from '../api';
import { handleError } from '../handle-error';

/** The training settings TrainStep offers; undefined fields take the recipe's defaults. */
export type TrainSettings = Partial<Omit<TrainStart, 'datasetId' | 'backbone' | 'weights' | 'freezeUntil' | 'validation' | 'test'>>;

export interface ProjectChoices {
  /** Architecture id; '' until models.default names the registry's default. */
  backbone: string;
  /** train.start's weights, chosen on the Backbone step: a tag of the backbone ('imagenet', 'nsfwjs', 'none') or the path of the user's own file; absent: the backbone's default. */
  weights?: string;
  datasetId?: number;
  /** 'all', 'none' or a block name of the backbone. */
  freezeUntil: string;
  imageSize?: number;
  runId?: number;
  split: { validation: number; test: number; seed: number };
  train?: TrainSettings;
}

export const DEFAULT_CHOICES: ProjectChoices = { backbone: '', freezeUntil: 'all', split: { validation: 0.2, test: 0.1, seed: 42 } };

/** Where the state is kept; tests pass one backed by memory or by a real engine. */
export interface WizardStore {
  load(projectId?: number): Promise<WizardStateDto>;
  save(input: { projectId: number | null; step?: string; choices?: Record<string, unknown> }): Promise<unknown>;
}

const engineStore: WizardStore = {
  load: (projectId) => call('wizard.get', projectId === undefined ? {} : { projectId }),
  save: (input) => call('wizard.save', input),
};

function merged(saved: Record<string, unknown>, defaultBackbone: string): ProjectChoices {
  const c = { ...structuredClone(DEFAULT_CHOICES), ...(saved as Partial<ProjectChoices>) };
  // A value of the wrong shape (an older app, a hand edit) falls back to the default, field by field.
  if (typeof c.backbone !== 'string' || !c.backbone) c.backbone = defaultBackbone;
  if (c.weights !== undefined && typeof c.weights !== 'string') delete c.weights;
  if (typeof c.freezeUntil !== 'string') c.freezeUntil = DEFAULT_CHOICES.freezeUntil;
  if (!c.split || typeof c.split !== 'object') c.split = structuredClone(DEFAULT_CHOICES.split);
  return c;
}

export class ProjectState {
  current = $state<Project | undefined>();
  choices = $state<ProjectChoices>(structuredClone(DEFAULT_CHOICES));
  /** The step saved for the open project, once loaded. */
  savedStep = $state<string | null>(null);
  #store: WizardStore;
  #saving: Promise<unknown> = Promise.resolve();
  /** False while a project's saved state loads: a step saved then would overwrite the one being restored. */
  #ready = false;
  /** The registry's default architecture (from models.default): the model names live in the engine only. */
  #defaultBackbone = '';

  constructor(store: WizardStore = engineStore) {
    this.#store = store;
  }

  /** Saves in order: a later save never lands before an earlier one. */
  #save(input: Parameters<WizardStore['save']>[0]): Promise<unknown> {
    this.#saving = this.#saving.then(() => this.#store.save(input)).catch((err: unknown) => handleError(err, 'Could not save where you are in the wizard'));
    return this.#saving;
  }

  /** Opens a project with its saved choices and remembers it as the one open; resolves to its saved step. */
  async open(p: Project): Promise<string | null> {
    this.current = p;
    this.choices = this.#defaults();
    this.savedStep = null;
    this.#ready = false;
    const saved = await this.#store.load(p.id);
    if (this.current?.id !== p.id) return null;
    this.choices = merged(saved.choices, this.#defaultBackbone);
    this.savedStep = saved.step;
    this.#ready = true;
    await this.#save({ projectId: p.id });
    return saved.step;
  }

  /** Re-opens the project the last window had open, if it still exists; resolves to its saved step. */
  async resume(projects: () => Promise<Project[]>): Promise<string | null> {
    const { lastProjectId } = await this.#store.load();
    if (lastProjectId === null) return null;
    const last = (await projects()).find((p) => p.id === lastProjectId);
    return last ? this.open(last) : null;
  }

  close(): void {
    this.current = undefined;
    this.choices = this.#defaults();
    this.savedStep = null;
    void this.#save({ projectId: null });
  }

  /** Sets the default backbone from the engine and fills it in where none was chosen yet. */
  setDefaultBackbone(id: string): void {
    this.#defaultBackbone = id;
    if (!this.choices.backbone) this.choices = { ...this.choices, backbone: id };
  }

  #defaults(): ProjectChoices {
    return { ...structuredClone(DEFAULT_CHOICES), backbone: this.#defaultBackbone };
  }

  /** Changes some choices of the open project and remembers them. */
  update(patch: Partial<ProjectChoices>): Promise<unknown> {
    this.choices = { ...this.choices, ...patch };
    if (!this.current) return Promise.resolve();
    return this.#save({ projectId: this.current.id, choices: $state.snapshot(this.choices) as unknown as Record<string, unknown> });
  }

  /** Remembers the step now showing for the open project. */
  saveStep(step: string): Promise<unknown> {
    // The project list is where one picks a project, not a place to come back to.
    if (!this.current || !this.#ready || step === 'projects' || step === this.savedStep) return Promise.resolve();
    this.savedStep = step;
    return this.#save({ projectId: this.current.id, step });
  }

  /** Resolves once every save so far has reached the store. */
  flushed(): Promise<unknown> {
    return this.#saving;
  }
}

export const project = new ProjectState();
