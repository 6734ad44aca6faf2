import type { Rng } from '../../core/rng.js';
import type { EmotionName } from './presets.js';

/** Emotion cue phrases by strength. Strong cues name the emotion; weak ones only lean towards it. */
const CUES: Record<EmotionName, { strong: string[]; weak: string[] }> = {
  neutral: { strong: ['it is what it is', 'nothing special to report', 'it was an ordinary day'], weak: ['i guess it is fine', 'it went as planned', 'not much changed'] },
  happy: { strong: ['i am so happy', 'this is wonderful', 'i feel great about it', 'i love it'], weak: ['it went pretty well', 'that was nice', 'i enjoyed it a bit'] },
  sad: { strong: ['i feel so sad', 'it breaks my heart', 'i miss them terribly', 'i feel hopeless'], weak: ['i feel a little down', 'it was disappointing', 'i am kind of tired of it'] },
  angry: { strong: ['i am furious', 'this makes me so angry', 'i hate this', 'it is outrageous'], weak: ['it is a bit annoying', 'that bothers me', 'i am not pleased'] },
  fearful: { strong: ['i am terrified', 'i am so scared', 'this frightens me', 'i panic'], weak: ['i am a little nervous', 'it worries me', 'i feel uneasy'] },
  disgusted: { strong: ['that is disgusting', 'it makes me sick', 'how revolting', 'it is gross'], weak: ['it is a bit off-putting', 'i do not like the smell of it', 'that was unpleasant'] },
  surprised: { strong: ['i cannot believe it', 'what a shock', 'i am so surprised', 'wow i never expected that'], weak: ['that was unexpected', 'i did not see that coming', 'oh really'] },
};

const OPENERS = ['well', 'you know', 'honestly', 'so', 'okay', 'listen', 'um'];
const TOPICS = ['about work', 'about my family', 'about the exam', 'about the weather', 'about the trip', 'about the meeting', 'about my friend', 'about the news'];
const FRAMES = ['when i think', 'now that i hear', 'after what happened', 'every time i talk', 'since this morning, thinking'];
const FILLERS = ['the', 'a', 'and', 'then', 'it', 'was', 'there', 'with', 'just', 'really', 'maybe', 'today', 'yesterday', 'again'];

export type CueStrength = 'strong' | 'weak' | 'none';

export interface Transcript {
  text: string;
  cue: CueStrength;
  asrErrors: number;
}

/**
 * A transcript from a small grammar: [opener] [frame] [topic] [cue] with a cue
 * of random strength (stronger with intensity), then ASR-style word errors
 * (substitution, deletion, insertion) at `asrErrorRate` per word.
 */
export function synthTranscript(rng: Rng, emotion: EmotionName, intensity: number, asrErrorRate: number): Transcript {
  const u = rng.next();
  const cue: CueStrength = u < 0.25 + 0.5 * intensity ? 'strong' : u < 0.9 ? 'weak' : 'none';
  const parts: string[] = [];
  if (rng.bernoulli(0.6)) parts.push(rng.choice(OPENERS));
  parts.push(rng.choice(FRAMES), rng.choice(TOPICS));
  if (cue !== 'none') parts.push(rng.choice(CUES[emotion][cue]));
  else parts.push(rng.choice(FILLERS), rng.choice(FILLERS));
  const words = parts.join(' ').split(' ');
  const out: string[] = [];
  let asrErrors = 0;
  for (const w of words) {
    if (rng.bernoulli(asrErrorRate)) {
      asrErrors++;
      // Substitution 50 %, deletion 35 %, insertion 15 % (roughly the mix reported for conversational ASR).
      const u = rng.next();
      if (u < 0.5) out.push(rng.choice(FILLERS));
      else if (u >= 0.85) out.push(w, rng.choice(FILLERS));
    } else out.push(w);
  }
  return { text: out.join(' '), cue, asrErrors };
}
