import { z } from 'zod';
import { DataError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { ModalityName, ModalityQuality } from '../types.js';

/** `raise`: the first bad item stops loading with its error; `skip`: bad items are skipped, counted and logged. */
export const onErrorSchema = z.enum(['raise', 'skip']).default('raise');
export type OnError = z.infer<typeof onErrorSchema>;

/** Collects skipped items so that nothing is dropped silently. */
export class Problems {
  readonly skipped: string[] = [];
  constructor(
    private readonly where: string,
    private readonly onError: OnError,
    private readonly log: Logger,
  ) {}

  /** Raises `err`, or records it and returns (the caller then skips the item). */
  report(err: unknown): void {
    if (!(err instanceof DataError) || this.onError === 'raise') throw err;
    this.skipped.push(err.message);
    this.log.debug(`${this.where}: skipped: ${err.message}`);
  }

  /** Logs the total once loading is done. */
  summary(total: number): void {
    if (this.skipped.length === 0) return;
    this.log.warn(`${this.where}: skipped ${this.skipped.length} bad item(s) of ${total} (onError: skip); first: ${this.skipped[0]}`);
  }
}

/** Fails with a clear message when a required `path` is not set. */
export function requirePath(dataset: string, path: string | null): string {
  if (path === null || path === '') throw new DataError(`dataset.path: not set for dataset ${dataset} (expected the folder holding the corpus on your disk, e.g. dataset.path=/data/${dataset})`);
  return path;
}

export function qualities(present: Partial<Record<ModalityName, boolean>>): Record<ModalityName, ModalityQuality> {
  const q = (m: ModalityName): ModalityQuality => (present[m] ? 'clean' : 'missing');
  return { audio: q('audio'), face: q('face'), physio: q('physio'), text: q('text') };
}
