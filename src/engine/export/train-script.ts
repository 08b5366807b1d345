// SPDX-License-Identifier: MIT
// The Python side of the training package: the run's recipe as data for resources/package/train.py
// (a Keras 3 / TensorFlow script that trains with tf.distribute), and the package README that says
// how to run it on one machine, on N machines and as a Kubeflow TFJob, and how to bring it back.
import { readFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { DEFAULT_AUGMENT, type AugmentConfig } from '../data/augment';
import { resourcePath } from '../../platform/app-root';
import { backboneBlocks } from '../train/freeze';
import { isHeadLayer } from '../train/head';
import { getModelSpec } from '../zoo/registry';

/** One freezing block of the backbone, bottom first (what `freezeUntil` and `fineTune.blocks` count). */
export interface RecipeBlock {
  name: string;
  layers: string[];
}

/** The run's recipe as train.py reads it from manifest.json (every field resolved, nothing implied). */
export interface Recipe {
  backbone: string;
  weights: string;
  imageSize: number;
  seed: number;
  batch: number;
  optimizer: 'adam' | 'sgd';
  momentum: number;
  labelSmoothing: number;
  classWeights: 'balanced' | number[] | null;
  patience: number;
  schedule: { name: 'constant' | 'cosine' | 'step'; warmupEpochs: number; stepEvery: number; stepGamma: number };
  /** Backbone BatchNormalization layers run in inference mode (pretrained weights). */
  bnInference: boolean;
  augment: AugmentConfig | null;
  /** 'all', 'none' or a block name: phase 1 freezes that block and every block below it. */
  freezeUntil: string;
  /** Phase 2 unfreezes this many blocks from the top. */
  fineTuneBlocks: number;
  /** Phase 1 (head) and phase 2 (fine-tuning; epochs 0 when the run had none). */
  phases: [{ phase: 1; epochs: number; lr: number }, { phase: 2; epochs: number; lr: number }];
  blocks: RecipeBlock[];
}

const num = (o: Record<string, unknown>, k: string, d: number): number => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : d);

/** Blocks from the zoo spec; a backbone the zoo does not know is one block (freeze all or nothing). */
function blocksOf(model: tf.LayersModel, backbone: string): RecipeBlock[] {
  try {
    const spec = getModelSpec(backbone);
    return backboneBlocks(model, (n) => spec.blockOf(n));
  } catch {
    const layers = model.layers.map((l) => l.name).filter((n) => !isHeadLayer(n));
    return layers.length ? [{ name: 'backbone', layers }] : [];
  }
}

/**
 * The recipe of a run from its recorded config (`{...request, resolved: TrainConfig, augment}` as
 * train.start and export.run store it; a flat TrainConfig-like object works too).
 */
export function recipeFrom(training: Record<string, unknown> | undefined, o: { model: tf.LayersModel; backbone: string; weights: string; inputSize: number }): Recipe {
  const t = training ?? {};
  const r = (t.resolved && typeof t.resolved === 'object' ? t.resolved : t) as Record<string, unknown>;
  const ft = (r.fineTune && typeof r.fineTune === 'object' ? r.fineTune : {}) as Record<string, unknown>;
  const lr = num(r, 'lr', 1e-3);
  const blocks = blocksOf(o.model, o.backbone);
  const cw = r.classWeights;
  // train.start applies DEFAULT_AUGMENT when the request names none; false or null turns it off.
  const augment = t.augment === false || t.augment === null ? null : ((t.augment as AugmentConfig | undefined) ?? DEFAULT_AUGMENT);
  const weights = typeof r.weights === 'string' ? r.weights : o.weights;
  return {
    backbone: o.backbone,
    weights,
    imageSize: o.inputSize,
    seed: num(r, 'seed', 42),
    batch: num(r, 'batch', 32),
    optimizer: r.optimizer === 'sgd' ? 'sgd' : 'adam',
    momentum: num(r, 'momentum', 0.9),
    labelSmoothing: num(r, 'labelSmoothing', 0),
    classWeights: cw === 'balanced' ? 'balanced' : Array.isArray(cw) ? (cw as number[]) : null,
    patience: num(r, 'patience', 0),
    schedule: {
      name: r.schedule === 'cosine' || r.schedule === 'step' ? r.schedule : 'constant',
      warmupEpochs: num(r, 'warmupEpochs', 0),
      stepEvery: num(r, 'stepEvery', 10),
      stepGamma: num(r, 'stepGamma', 0.1),
    },
    bnInference: typeof r.bnInference === 'boolean' ? r.bnInference : weights !== 'none',
    augment,
    freezeUntil: typeof r.freezeUntil === 'string' && (r.freezeUntil === 'all' || r.freezeUntil === 'none' || blocks.some((b) => b.name === r.freezeUntil)) ? r.freezeUntil : 'all',
    fineTuneBlocks: Math.min(blocks.length, num(ft, 'blocks', 3)),
    phases: [
      { phase: 1, epochs: num(r, 'epochs', 10), lr },
      { phase: 2, epochs: num(ft, 'epochs', 0), lr: num(ft, 'lr', lr * 0.1) },
    ],
    blocks,
  };
}

/** train.py, verbatim: every recipe value comes from manifest.json at run time. */
export function trainScript(): string {
  return readFileSync(resourcePath('package', 'train.py'), 'utf8');
}

function recipeLine(r: Recipe): string {
  const [p1, p2] = r.phases;
  const freeze = r.freezeUntil === 'all' ? 'the whole backbone frozen' : r.freezeUntil === 'none' ? 'nothing frozen' : `the backbone frozen up to ${r.freezeUntil}`;
  const phase2 = p2.epochs > 0 ? `; phase 2: the top ${r.fineTuneBlocks} of ${r.blocks.length} blocks unfrozen for ${p2.epochs} epoch(s) at lr ${p2.lr}` : '; no phase 2 (pass --fine-tune-epochs N to add one)';
  return `phase 1: the new head with ${freeze} for ${p1.epochs} epoch(s) at lr ${p1.lr}${phase2}. ${r.optimizer}, batch ${r.batch}, ${r.schedule.name} schedule, label smoothing ${r.labelSmoothing}, class weights ${r.classWeights === null ? 'none' : Array.isArray(r.classWeights) ? JSON.stringify(r.classWeights) : r.classWeights}, seed ${r.seed}, augmentation ${r.augment ? JSON.stringify(r.augment) : 'off'}`;
}

/**
 * The TFJob's metadata.name: the training operator's webhook refuses a name that is not a DNS-1035
 * label (a-z first, then a-z, 0-9 or '-', alphanumeric last, at most 63 characters).
 */
export function tfjobName(modelName: string): string {
  const base = modelName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^[^a-z]+/, '').slice(0, 57).replace(/-+$/, '');
  return `${base || 'model'}-train`;
}

/** README.md for the package. */
export function packageReadme(o: { modelName: string; labels: string[]; counts: Record<string, number>; recipe: Recipe; datasetRoot?: string }): string {
  const r = o.recipe;
  const root = o.datasetRoot ?? '/path/to/dataset';
  return `# Training package: ${o.modelName}

Continue training this Transfer Studio model where there is more compute, then bring it back as a run.

## Contents

- \`model.keras\`: the trained model (Keras 3), layer names as in Keras Applications
- \`manifest.json\`, \`manifest.csv\`: every image (path relative to the dataset root), its label and split
  (train ${o.counts.train ?? 0}, validation ${o.counts.validation ?? 0}, test ${o.counts.test ?? 0}, unassigned ${o.counts.none ?? 0});
  \`manifest.json\` also holds the recipe and the backbone's freezing blocks
- \`labels.txt\`, \`preprocessing.json\`: class order and input preprocessing (the script applies it)
- \`train.py\`: the training script; \`python train.py --help\` lists the flags that override the recipe
- \`model-card.md\`, \`model-card.html\`: what the model is and how it did

The recipe, as the run trained: ${recipeLine(r)}.
BatchNormalization layers of the backbone ${r.bnInference ? 'stay in inference mode' : 'train'}.

## One machine, all its GPUs (MirroredStrategy)

\`\`\`sh
pip install "tensorflow>=2.16" "keras>=3"
python train.py --data-root ${root}
\`\`\`

## N machines (MultiWorkerMirroredStrategy)

Copy the dataset and this folder to every machine (or mount them). On machine \`i\` of \`N\` (0-based),
list all N workers in the same order and give its own index; then run the same command everywhere:

\`\`\`sh
export TF_CONFIG='{"cluster": {"worker": ["host0:12345", "host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}'
python train.py --data-root ${root} --out /shared/output
\`\`\`

\`--batch\` is the global batch size, split across all workers' replicas; keep it or scale \`--lr\` with it.
Worker 0 writes \`trained.keras\`, \`trained.weights.h5\` and \`manifest.json\` into \`--out\`; the other
workers write scratch copies under \`--out/scratch/\`.

## Fault tolerance (BackupAndRestore)

Every worker backs up the model and optimizer at each epoch end to \`--out/backup/phase-P/worker-I/\`
(\`--backup-every N\` also backs up every N batches). If a worker dies, stop the job and start every worker
again with the same command: each restores from its backup and continues from the last finished epoch
(the log says \`"event": "restore"\`). The backups stay after training, so running the command again on a
finished output folder only re-saves the result; delete \`--out\` to train from the start.

## Kubernetes (Kubeflow training operator, TFJob)

The operator fills in \`TF_CONFIG\` for each replica. Build an image with this folder and TensorFlow,
put the dataset and an output folder on a volume every pod can read, and apply:

\`\`\`yaml
apiVersion: kubeflow.org/v1
kind: TFJob
metadata:
  name: ${tfjobName(o.modelName)}
spec:
  tfReplicaSpecs:
    Worker:
      replicas: 2
      restartPolicy: OnFailure
      template:
        spec:
          containers:
            - name: tensorflow
              image: registry.example.com/transfer-studio-package:latest
              command: ["python", "/package/train.py", "--data-root", "/data", "--out", "/output"]
              resources:
                limits:
                  nvidia.com/gpu: 1
              volumeMounts:
                - { name: data, mountPath: /data, readOnly: true }
                - { name: output, mountPath: /output }
          volumes:
            - { name: data, persistentVolumeClaim: { claimName: dataset } }
            - { name: output, persistentVolumeClaim: { claimName: training-output } }
\`\`\`

With \`restartPolicy: OnFailure\` a failed pod restarts and resumes from its backup. Transfer Studio's CI runs
this script under MirroredStrategy and under MultiWorkerMirroredStrategy with two worker processes on one
machine (CPU), including a killed worker that resumes; it does not run it on Kubernetes or on GPUs, so treat
the manifest above as a starting point for your cluster.

## Bring the result back

\`\`\`sh
transfer-studio runs import output
\`\`\`

This evaluates the trained model on the original run's test split and lists it beside that run. Classes
(${o.labels.length}): ${o.labels.join(', ')}.
`;
}
