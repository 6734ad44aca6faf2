import { join } from 'node:path';
import { parseFusionConfig, saveModel } from '../../perception/model.js';
import { runPerceptionPipeline } from '../../perception/pipeline.js';
import type { JobDefinition, JobResult, RunContext } from '../types.js';
import { jobSpecs } from './specs.js';

/**
 * The perception experiment: dataset → features (cached) → alignment →
 * fusion training → test metrics, one fusion strategy per run. Every epoch of
 * every fold goes to metrics.jsonl; the result carries the confusion matrix,
 * the one-vs-rest ROC curves and a SynAffect alignment example for the report,
 * and the holdout model is saved as `model.json` (loadModel rebuilds it).
 */
export async function runPerceptionJob(ctx: RunContext): Promise<JobResult> {
  const { config } = ctx;
  const res = await runPerceptionPipeline({
    config: { dataset: config.dataset, perception: config.perception, fusion: config.fusion },
    rng: ctx.rng,
    log: ctx.log,
    cwd: process.cwd(),
    onEpoch: (fold, rec) => ctx.metrics.log({ fold, ...rec }),
    checkpointDir: join(ctx.runDir, 'checkpoints'),
    signal: ctx.signal,
    progress: (label, total) => ctx.progress(label, total),
  });
  try {
    const artifacts: Record<string, string> = {};
    if (res.folds.length === 1) {
      const f = res.folds[0];
      const path = join(ctx.runDir, 'model.json');
      saveModel(path, f.model, parseFusionConfig(config.fusion), res.dims, res.classes, {
        norm: f.norm,
        perception: config.perception,
        dataset: config.dataset.name,
        steps: res.T,
      });
      artifacts.model = 'model.json';
    }
    const tables: Record<string, unknown> = {
      confusion: { classes: res.classes, matrix: res.confusion },
      roc: { classes: res.classes, curves: res.roc },
      folds: res.folds.map((f) => ({ name: f.name, sizes: f.sizes, metrics: f.metrics, stopReason: f.train.stopReason, bestEpoch: f.train.bestEpoch })),
      prep: res.prep,
    };
    if (res.alignment) tables.alignment = res.alignment;
    const metrics = Object.fromEntries(Object.entries(res.metrics).filter(([, v]) => Number.isFinite(v)));
    return { metrics, tables, artifacts, notes: res.notes };
  } finally {
    res.dispose();
  }
}

export const perceptionJob: JobDefinition = { ...jobSpecs.perception, run: runPerceptionJob };
