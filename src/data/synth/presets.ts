/**
 * Label presets for SynAffect. Prototypes sit on Russell's circumplex
 * (arousal, valence in [-1, 1]); positions follow the usual placement of the
 * basic emotions (e.g. Russell 1980; Posner et al. 2005), rounded.
 * The facial action weights are the textbook FACS signatures, reduced to the
 * few parameters the renderer draws (brows, eyes, mouth).
 */
export type EmotionName = 'neutral' | 'happy' | 'sad' | 'angry' | 'fearful' | 'disgusted' | 'surprised';

export interface EmotionPrototype {
  arousal: number;
  valence: number;
  /** Facial parameters at full intensity, each roughly in [-1, 1]. */
  face: { browRaise: number; browSlant: number; eyeOpen: number; mouthCurve: number; mouthOpen: number; mouthWidth: number };
  /** Voice quality at full intensity: breathiness [0,1], tension [-1,1], jitter [0,1]. */
  voice: { breathiness: number; tension: number; jitter: number };
}

export const EMOTIONS: Record<EmotionName, EmotionPrototype> = {
  neutral: { arousal: 0, valence: 0, face: { browRaise: 0, browSlant: 0, eyeOpen: 0, mouthCurve: 0, mouthOpen: 0, mouthWidth: 0 }, voice: { breathiness: 0.1, tension: 0, jitter: 0 } },
  happy: { arousal: 0.5, valence: 0.8, face: { browRaise: 0.2, browSlant: 0, eyeOpen: -0.3, mouthCurve: 1, mouthOpen: 0.3, mouthWidth: 0.6 }, voice: { breathiness: 0.1, tension: 0.3, jitter: 0 } },
  sad: { arousal: -0.6, valence: -0.7, face: { browRaise: 0.3, browSlant: -0.9, eyeOpen: -0.4, mouthCurve: -0.8, mouthOpen: 0, mouthWidth: -0.2 }, voice: { breathiness: 0.6, tension: -0.6, jitter: 0.1 } },
  angry: { arousal: 0.8, valence: -0.6, face: { browRaise: -0.8, browSlant: 1, eyeOpen: 0.3, mouthCurve: -0.4, mouthOpen: 0.2, mouthWidth: -0.3 }, voice: { breathiness: 0, tension: 1, jitter: 0.1 } },
  fearful: { arousal: 0.7, valence: -0.7, face: { browRaise: 0.8, browSlant: -0.5, eyeOpen: 0.9, mouthCurve: -0.2, mouthOpen: 0.5, mouthWidth: 0.6 }, voice: { breathiness: 0.4, tension: 0.4, jitter: 0.8 } },
  disgusted: { arousal: 0.3, valence: -0.8, face: { browRaise: -0.5, browSlant: 0.4, eyeOpen: -0.6, mouthCurve: -0.6, mouthOpen: 0.1, mouthWidth: -0.5 }, voice: { breathiness: 0.3, tension: 0.5, jitter: 0.2 } },
  surprised: { arousal: 0.85, valence: 0.2, face: { browRaise: 1, browSlant: 0, eyeOpen: 1, mouthCurve: 0.1, mouthOpen: 1, mouthWidth: -0.2 }, voice: { breathiness: 0.2, tension: 0.2, jitter: 0.2 } },
};

export const LABEL_PRESETS = {
  ekman7: ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'],
  iemocap4: ['neutral', 'happy', 'sad', 'angry'],
  gu5: ['happy', 'angry', 'sad', 'surprised', 'neutral'],
} as const satisfies Record<string, readonly EmotionName[]>;

export type LabelPreset = keyof typeof LABEL_PRESETS;
