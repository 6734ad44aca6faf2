import { ConfigError } from './errors.js';
import { didYouMean } from './suggest.js';

/**
 * A named registry (datasets, fusion strategies, generators, environments,
 * experiments). Built-ins register at import; plugins register at start-up,
 * before the config is validated, so configs select plugin entries by name.
 */
export class Registry<T> {
  private readonly entries = new Map<string, T>();
  constructor(readonly kind: string) {}

  register(name: string, entry: T, opts: { override?: boolean } = {}): void {
    if (this.entries.has(name) && !opts.override) {
      throw new ConfigError(`${this.kind} ${JSON.stringify(name)} is already registered (pass { override: true } to replace it)`);
    }
    this.entries.set(name, entry);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string, where = `${this.kind}`): T {
    const e = this.entries.get(name);
    if (e === undefined) {
      throw new ConfigError(
        `${where}: unknown ${this.kind} ${JSON.stringify(name)}; expected one of ${this.names().join(', ')}${didYouMean(name, this.names())}`,
      );
    }
    return e;
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }
}
