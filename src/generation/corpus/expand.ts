/**
 * Expands one grammar template into a sentence. Hand-written (a dozen lines)
 * because the syntax is tiny: `[a|b]` alternatives (nesting allowed, empty
 * alternative allowed) and `{slot}` / `{slot:lc}` / `{slot:cap}` fills.
 */
import { DataError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';

export type SlotValues = Record<string, readonly string[]>;

const INNER_ALT = /\[([^[\]]*)\]/;
const SLOT = /\{(\w+)(?::(lc|cap))?\}/g;

/** Picks alternatives innermost-first, then fills slots (slot values may themselves hold alternatives). */
export function expandTemplate(template: string, slots: SlotValues, rng: Rng, where = 'template'): string {
  let s = template;
  for (let depth = 0; depth < 4; depth++) {
    let m: RegExpExecArray | null;
    while ((m = INNER_ALT.exec(s)) !== null) {
      const options = m[1].split('|');
      s = s.slice(0, m.index) + rng.choice(options) + s.slice(m.index + m[0].length);
    }
    if (!s.includes('{')) break;
    s = s.replace(SLOT, (_all, name: string, mod: string | undefined) => {
      const values = slots[name];
      if (!values || values.length === 0) {
        throw new DataError(`${where}: slot {${name}} has no values (expected one of ${Object.keys(slots).join(', ')})`);
      }
      const v = rng.choice(values);
      if (mod === 'lc') return v.charAt(0).toLowerCase() + v.slice(1);
      if (mod === 'cap') return v.charAt(0).toUpperCase() + v.slice(1);
      return v;
    });
  }
  if (/[[\]{}]/.test(s)) throw new DataError(`${where}: unbalanced brackets in ${JSON.stringify(template)}`);
  return tidySentence(s);
}

/** Collapses spaces, removes space before punctuation, capitalises the first letter. */
export function tidySentence(s: string): string {
  const t = s.replace(/\s+/g, ' ').replace(/\s+([,.;:?!])/g, '$1').trim();
  return t.charAt(0).toUpperCase() + t.slice(1);
}
