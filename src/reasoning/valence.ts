import { ConfigError } from '../core/errors.js';

/**
 * Default polarity (valence sign and rough magnitude, [-1, 1]) of common emotion
 * class names, after the circumplex placements in Russell (1980) and the
 * NRC-VAD lexicon's valence scores rescaled to [-1, 1]. Used as the class prior
 * of an intent's polarity and as the polarity of corpus entries in training.
 * Configs can override or extend it (`class_valence`).
 */
export const DEFAULT_CLASS_VALENCE: Readonly<Record<string, number>> = {
  happy: 0.8,
  happiness: 0.8,
  joy: 0.8,
  excited: 0.6,
  excitement: 0.6,
  calm: 0.4,
  relaxed: 0.5,
  content: 0.6,
  surprised: 0.2,
  surprise: 0.2,
  neutral: 0,
  sad: -0.7,
  sadness: -0.7,
  angry: -0.6,
  anger: -0.6,
  frustrated: -0.5,
  frustration: -0.5,
  fear: -0.7,
  fearful: -0.7,
  anxious: -0.6,
  anxiety: -0.6,
  disgust: -0.6,
  disgusted: -0.6,
  stressed: -0.5,
};

/**
 * The valence of each class, overrides first. An unknown class name is an error
 * (naming it and where to add it), never a silent 0.
 */
export function classValences(classes: readonly string[], overrides: Readonly<Record<string, number>> = {}, where = 'class_valence'): number[] {
  return classes.map((c) => {
    const key = c.toLowerCase();
    const v = overrides[c] ?? overrides[key] ?? DEFAULT_CLASS_VALENCE[key];
    if (v === undefined) {
      throw new ConfigError(`${where}: no valence for emotion class ${JSON.stringify(c)}; expected an entry ${where}.${c}: <number in [-1, 1]>`);
    }
    return v;
  });
}
