import { parseOverrideFull } from './override.js';

/**
 * Expands sweep overrides into one list of plain overrides per job, like
 * Hydra's BasicSweeper: the cartesian product in the order the overrides were
 * given, the first override outermost and the last varying fastest. Each job's
 * override reads as the user wrote the element (`modalities=[audio,face]`,
 * `+lr=0.1`), so the saved overrides reproduce the job. With no sweep the
 * result is one job with the overrides unchanged.
 */
export function expandSweep(overrides: string[]): string[][] {
  let jobs: string[][] = [[]];
  for (const raw of overrides) {
    const o = parseOverrideFull(raw);
    const choices = o.sweepTexts ? o.sweepTexts.map((t) => `${o.prefix}${o.key}=${t}`) : [raw];
    const next: string[][] = [];
    for (const job of jobs) for (const c of choices) next.push([...job, c]);
    jobs = next;
  }
  return jobs;
}
