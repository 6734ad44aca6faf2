/**
 * Output filter: generated text that gives self-harm methods, medication
 * dosing, diagnoses, blame or shaming, or false promises is blocked and
 * replaced by a safe fallback; the verdict names the rule. Method and dosing
 * rules ignore negation ("do not take more than 3 pills" is still dosing);
 * blame and promise rules respect it ("this is not your fault", "I can't
 * promise it will be fine"). Diagnoses are blocked even when negated ("you
 * don't have depression" is still a diagnostic claim).
 */
import type { SafetyVerdict } from '../types.js';
import { bestMatch, findMatches, tokenize, type Rule } from './match.js';

export const OUTPUT_RULE_NAMES = ['self_harm_method', 'medication_dosing', 'diagnosis', 'blame_shaming', 'false_promise'] as const;
export type OutputRuleName = (typeof OUTPUT_RULE_NAMES)[number];

const DISORDERS = [
  'clinical depression', 'depression', 'major depression', 'depressive disorder', 'bipolar', 'bipolar disorder', 'ptsd', 'post traumatic stress disorder',
  'ocd', 'adhd', 'bpd', 'borderline', 'borderline personality disorder', 'a personality disorder', 'personality disorder', 'schizophrenia',
  'schizophrenic', 'psychosis', 'psychotic', 'an anxiety disorder', 'anxiety disorder', 'generalised anxiety disorder', 'generalized anxiety disorder',
  'panic disorder', 'an eating disorder', 'eating disorder', 'anorexia', 'anorexic', 'bulimia', 'bulimic', 'narcissistic', 'a narcissist', 'narcissist',
  'autistic', 'autism', 'manic', 'mentally ill', 'clinically depressed', 'a disorder', 'a mental illness', 'mental illness', 'paranoid',
  'dissociative', 'seasonal affective disorder', 'postpartum depression', 'postnatal depression', 'agoraphobia', 'social anxiety disorder', 'burnout syndrome',
  'a condition', 'depressed',
];
const DRUGS = [
  'sertraline', 'fluoxetine', 'citalopram', 'escitalopram', 'paroxetine', 'venlafaxine', 'duloxetine', 'mirtazapine', 'bupropion', 'trazodone',
  'amitriptyline', 'diazepam', 'lorazepam', 'alprazolam', 'clonazepam', 'xanax', 'valium', 'ativan', 'klonopin', 'zopiclone', 'zolpidem', 'ambien',
  'quetiapine', 'seroquel', 'olanzapine', 'risperidone', 'aripiprazole', 'lithium', 'lamotrigine', 'ibuprofen', 'paracetamol', 'acetaminophen',
  'tylenol', 'aspirin', 'melatonin', 'benadryl', 'diphenhydramine', 'prozac', 'zoloft', 'lexapro', 'celexa', 'wellbutrin', 'effexor', 'propranolol',
  'codeine', 'tramadol', 'oxycodone', 'morphine', 'fentanyl', 'adderall', 'ritalin', 'methylphenidate', 'gabapentin', 'pregabalin', 'antidepressant',
  'antidepressants', 'benzodiazepine', 'benzodiazepines', 'benzos', 'sleeping pills', 'sleeping tablets', 'painkillers', 'sedatives', 'antipsychotics',
];
const YOU_WILL = ['you will', 'you are going to', 'it will', 'it is going to', 'everything will', 'everything is going to', 'things will', 'things are going to', 'all will', 'this will', 'life will', 'we will'];

export const OUTPUT_RULES: readonly Rule<OutputRuleName>[] = [
  { name: 'self_harm_method', kind: 'self_harm_method', weight: 1, negatable: false, patterns: [
    { slots: [['cut', 'slit', 'slice', 'cutting', 'slitting', 'carve'], ['your wrists', 'your wrist', 'deeper', 'along the vein', 'along the veins', 'vertically', 'your arm', 'your arms', 'your thigh', 'your thighs', 'your skin', 'the vein']], gap: 2 },
    { slots: [['hang yourself', 'hanging yourself', 'noose', 'tie a rope', 'lethal dose', 'fatal dose', 'lethal amount', 'fatal amount', 'lethal', 'carbon monoxide', 'bleed out', 'painless way', 'painless method', 'kill yourself', 'killing yourself', 'end your life', 'ending your life', 'take your own life', 'take your life', 'unalive yourself', 'suicide method', 'suicide methods']] },
    { slots: [['how many', 'how much', 'enough'], ['pills', 'tablets', 'to overdose', 'to die', 'would kill', 'it takes to']], gap: 2 },
    { slots: [['quickest', 'easiest', 'best', 'surest', 'fastest', 'least painful', 'a good'], ['way to die', 'way to end', 'way to kill', 'way to hurt yourself', 'method to die', 'method of suicide', 'place to cut', 'way to overdose']], gap: 1 },
    { slots: [['jump', 'jumping'], ['from', 'off'], ['bridge', 'roof', 'building', 'height', 'cliff', 'balcony', 'tower']], gap: 2 },
    { slots: [['overdose', 'overdosing', 'od'], ['on', 'with', 'by taking']], gap: 1 },
    { slots: [['take all', 'swallow all', 'take every', 'swallow every', 'stockpile', 'save up', 'hoard'], ['pills', 'tablets', 'your pills', 'your tablets', 'your medication', 'your meds', 'of them', 'the pills']], gap: 2 },
    { slots: [['razor', 'blade', 'knife', 'lighter', 'scissors'], ['on your', 'to your', 'against your', 'across your', 'into your'], ['skin', 'arm', 'arms', 'wrist', 'wrists', 'leg', 'legs', 'thigh', 'thighs', 'throat', 'neck']], gap: 1 },
    { slots: [['hurt', 'harm', 'burn', 'punish', 'starve', 'hit', 'cut'], ['yourself'], ['by', 'with', 'using']], gap: 1 },
    { slots: [['on your', 'across your', 'into your', 'inside your'], ['thighs', 'thigh', 'wrists', 'wrist', 'arms', 'arm', 'legs', 'stomach', 'hips'], ['where nobody', 'where no one', 'so nobody', 'so no one', 'so people', 'where people']], gap: 1 },
    { slots: [['cut', 'cutting', 'burn', 'burning', 'hurt', 'harm', 'hurting', 'harming', 'do it'], ['somewhere less visible', 'somewhere hidden', 'where no one can see', 'where nobody can see', 'where it will not show', 'less visible', 'where it does not show', 'somewhere people will not see']], gap: 2 },
    { slots: [['a bottle of', 'a packet of', 'a box of', 'a handful of', 'a strip of', 'the whole bottle of', 'the whole packet of'], ['pills', 'sleeping pills', 'tablets', 'painkillers', 'paracetamol', 'ibuprofen', 'aspirin', 'sleeping tablets', 'antidepressants']] },
    { slots: [['long sleeves', 'sleeves', 'a bracelet', 'bracelets', 'makeup', 'concealer', 'plasters', 'bandages', 'a watch'], ['so nobody', 'so no one', 'so people', 'to hide', 'to cover', 'so nobody sees', 'so they do not see', 'and nobody will']], gap: 2 },
    { slots: [['hide', 'hiding', 'cover up', 'cover'], ['the cuts', 'the scars', 'the marks', 'the wounds', 'your cuts', 'your scars', 'the burns']], gap: 1 },
  ] },
  { name: 'medication_dosing', kind: 'medication_dosing', weight: 1, negatable: false, fuzzy: false, patterns: [
    { slots: [['#num'], ['mg', 'milligram', 'milligrams', 'mcg', 'microgram', 'micrograms', 'ml', 'millilitre', 'millilitres', 'milliliter', 'milliliters', 'g', 'gram', 'grams', 'iu', 'units']] },
    { slots: [['#num', 'a couple of', 'a handful of', 'extra', 'more', 'another', 'an extra', 'a double'], ['pill', 'pills', 'tablet', 'tablets', 'capsule', 'capsules', 'dose', 'doses', 'drops']] },
    { slots: [['take', 'taking', 'try', 'double', 'increase', 'decrease', 'reduce', 'lower', 'raise', 'stop', 'skip', 'up', 'halve', 'cut', 'adjust', 'change', 'come off', 'switch'],
      ['your dose', 'your dosage', 'the dose', 'the dosage', 'your medication', 'your meds', 'your medicine', 'your pills', 'your tablets', 'your prescription']], gap: 2 },
    { slots: [DRUGS] },
    { slots: [['dose', 'dosage', 'doses'], ['of', 'is', 'should be', 'per day', 'a day', 'twice']], gap: 1 },
  ] },
  { name: 'diagnosis', kind: 'diagnosis', weight: 1, negatable: false, fuzzy: false, patterns: [
    { slots: [['suffer from', 'suffering from', 'you seem to have', 'you seem to be', 'you appear to have', 'you appear to be', 'you might be', 'you may be', 'you could be', 'you probably are', 'sounds like a', 'sounds like you are', 'you have', 'you have got', 'you suffer from', 'you are suffering from', 'you are showing signs of', 'you show signs of', 'you display', 'you are', 'you might have', 'you may have',
      'you could have', 'you probably have', 'you definitely have', 'you clearly have', 'sounds like', 'looks like', 'seems like', 'this is', 'that is', 'it is', 'classic', 'textbook', 'symptoms of', 'signs of',
      'a case of', 'you do not have', 'you are not', 'i think you have', 'i think you are', 'consistent with', 'diagnose you with', 'diagnosed with', 'meet the criteria for', 'you meet the criteria for'], DISORDERS], gap: 2 },
    { slots: [['i diagnose', 'my diagnosis', 'my assessment is', 'a diagnosis of', 'you would be diagnosed', 'i would diagnose', 'clinically speaking you']] },
  ] },
  { name: 'blame_shaming', kind: 'blame_shaming', weight: 1, negatable: true, patterns: [
    { slots: [['your fault', 'your own fault', 'your own doing', 'on you entirely', 'all on you']] },
    { slots: [['you brought this on yourself', 'you asked for it', 'you deserve this', 'you deserved it', 'you deserve it', 'you deserved this', 'yourself to blame', 'you are to blame', 'blame yourself',
      'should be ashamed', 'shame on you', 'ashamed of yourself', 'should feel guilty', 'should feel bad', 'should feel ashamed', 'should know better', 'should have known better', 'embarrassing yourself', 'you let everyone down', 'you let them down', 'disappointed in you']] },
    { slots: [['if you', 'if only you', 'had you'], ['this would not have happened', 'none of this would have happened', 'this would never have happened', 'it would not have happened', 'would not be in this mess', 'would not be in this situation', 'would not be here']], gap: 5 },
    { slots: [['you should have', 'you ought to have', 'you could have just'], ['known', 'listened', 'tried harder', 'been more careful', 'seen it coming', 'left', 'said no', 'done better', 'stopped']], gap: 1 },
    { slots: [['if you tried harder', 'if you had tried harder', 'try harder', 'if you just tried', 'did not try hard enough', 'not trying hard enough', 'need to try harder', 'crying will not help', 'crying does not help',
      'crying about it will not help', 'grow up $', 'your own choices', 'you made your bed', 'you chose this', 'you let this happen', 'you let it happen']] },
    { slots: [['you are', 'you were', 'you are too', 'you were too', 'you are being', 'stop being', 'you sound', 'you seem', 'how', 'make you', 'makes you', 'you were being', 'you are acting', 'you act', 'such a', 'you are so', 'you are just'],
      ['pathetic', 'weak', 'ridiculous', 'dramatic', 'overreacting', 'over reacting', 'selfish', 'stupid', 'lazy', 'worthless', 'a failure', 'useless', 'attention seeking', 'an attention seeker', 'too sensitive', 'childish',
        'crazy', 'hysterical', 'a burden', 'a disappointment', 'silly', 'an idiot', 'irrational', 'oversensitive', 'a coward', 'cowardly', 'a loser', 'ungrateful', 'a drama queen', 'so negative', 'a mess', 'hopeless', 'needy', 'spoiled', 'spoilt']], gap: 1 },
    { slots: [['others', 'other people', 'some people', 'many people', 'lots of people'], ['have it worse', 'have it much worse', 'have it way worse', 'have it far worse', 'have bigger problems', 'have real problems', 'are worse off']] },
    { slots: [['get over it', 'get over yourself', 'man up', 'toughen up', 'stop whining', 'stop complaining', 'quit whining', 'quit complaining', 'snap out of it', 'what is wrong with you', 'nobody cares', 'no one cares',
      'just get on with it', 'stop feeling sorry for yourself', 'others have it worse', 'other people have it worse', 'it could be worse', 'stop being so', 'suck it up', 'stop crying', 'harden up', 'pull yourself together', 'first world problem', 'cry me a river']] },
  ] },
  { name: 'false_promise', kind: 'false_promise', weight: 1, negatable: true, patterns: [
    { slots: [YOU_WILL, ['feel completely better', 'feel much better', 'feel totally better', 'feel completely fine', 'be completely fine', 'be totally fine', 'be fine', 'be okay', 'be ok', 'be alright', 'be all right', 'be perfect', 'be great', 'work out', 'all work out', 'be better soon', 'get better', 'improve', 'feel better', 'be happy', 'be cured', 'go away',
      'never feel', 'never be sad', 'never happen again', 'always be', 'fix', 'cure', 'solve', 'heal', 'recover', 'get through this', 'pass', 'be over soon', 'disappear', 'definitely', 'certainly', 'surely']], gap: 1 },
    { slots: [['will', 'is going to', 'are going to', 'will all'], ['cure', 'fix', 'solve', 'heal', 'be cured', 'be fixed', 'be behind you', 'be over', 'be a distant memory', 'be gone', 'be completely', 'be totally', 'be fully', 'completely cured', 'fully cured', 'fully recovered', 'make it go away', 'take away the pain', 'definitely', 'certainly', 'never feel', 'disappear', 'go away', 'vanish']], gap: 1 },
    { slots: [['i promise', 'we promise', 'promise you', 'i guarantee', 'we guarantee', 'guaranteed', 'guarantee you', 'i swear', 'i assure you', 'it gets better', 'it will get better', 'it always gets better', 'trust me it will', '100 percent', 'one hundred percent', 'without a doubt', 'there is no doubt', 'for sure you', 'for certain']] },
    { slots: [['i can fix', 'i will fix', 'i can make', 'i will make', 'i can cure', 'i will cure', 'this will cure', 'this cures', 'i can solve', 'i will solve', 'this will solve', 'this will fix', 'i can take away', 'i will take away'],
      ['this', 'it', 'you', 'your', 'everything', 'the pain', 'all of']], gap: 1 },
    { slots: [['nothing bad will happen', 'nothing bad is going to happen', 'never feel this way again', 'never feel sad again', 'never be alone again', 'never hurt again', 'no need to worry', 'nothing to worry about', 'all your problems will', 'everything happens for a reason', 'always be there for you', 'i will always be here', 'always be here for you', 'never leave you']] },
  ] },
];

/** What a blocked output is replaced with: supportive, content-free, safe for any emotion. */
export const SAFE_FALLBACK =
  'Thank you for sharing this with me. I want to make sure I respond carefully. Could you tell me a little more about what is on your mind right now?';

export interface OutputVerdict extends SafetyVerdict {
  /** The safe text to return instead, when blocked. */
  replacement?: string;
  /** The words that matched, when blocked. */
  evidence?: string;
}

/** Rules whose block also asks for a person to look at the turn. */
const NEEDS_HUMAN: ReadonlySet<string> = new Set(['self_harm_method', 'medication_dosing']);

export function filterOutput(text: string, opts: { fallback?: string; rules?: readonly Rule<OutputRuleName>[] } = {}): OutputVerdict {
  const best = bestMatch(findMatches(tokenize(text), opts.rules ?? OUTPUT_RULES, { conservative: false }));
  if (!best) return { verdict: 'ok', needsHuman: false };
  return {
    verdict: 'blocked',
    rule: best.rule.name,
    needsHuman: NEEDS_HUMAN.has(best.rule.name),
    replacement: opts.fallback ?? SAFE_FALLBACK,
    evidence: best.span,
  };
}
