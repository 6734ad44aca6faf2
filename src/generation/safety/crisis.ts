/**
 * Input crisis detection. Text that signals a risk of suicide, self-harm or
 * harm to others switches the system to a fixed escalation reply and marks the
 * turn for a human; nothing is generated for it.
 *
 * The screen is a transparent rule set (every decision names its rule and the
 * matched words), tuned to be conservative: a false alarm costs one
 * unnecessary escalation and a human review, a miss can cost a life. It is a
 * safety net, not a clinical risk assessment, and it is English-only.
 */
import { bestMatch, findMatches, tokenize, type Match, type Rule } from './match.js';

export type CrisisRisk = 'none' | 'self_harm' | 'suicide' | 'harm_to_others';

export interface CrisisDetection {
  risk: CrisisRisk;
  /** The rule that fired. */
  rule?: string;
  /** Score of the strongest non-negated match, 0 when none. */
  score: number;
  /** The normalised words that matched. */
  evidence?: string;
  /** Matches cancelled by negation ("I would never hurt myself"), for audit. */
  negated?: string[];
  /** When no rule fired: concern words present (see CONCERN_WORDS); the turn goes to human review. */
  concern?: string[];
}

type Kind = Exclude<CrisisRisk, 'none'>;

const SELF = ['myself', 'my self', 'meself', 'my own self', 'my stupid self', 'herself', 'himself', 'themselves', 'themself'];
const PEOPLE = [
  'him', 'her', 'them', 'you', 'someone', 'somebody', 'anyone', 'anybody', 'everyone', 'everybody', 'people', 'all of them',
  'all of you', 'that guy', 'that man', 'that woman', 'this guy', 'my *', 'his *', 'her *', 'their *', 'the *', 'that *', 'those *',
];
const VIOLENT = [
  'kill', 'kil', 'murder', 'hurt', 'stab', 'shoot', 'strangle', 'choke', 'beat up', 'attack', 'poison', 'punch', 'harm', 'run over', 'slap',
  'knife', 'beat the crap out of', 'beat the shit out of', 'killing', 'murdering', 'hurting', 'stabbing', 'shooting', 'strangling', 'choking',
  'attacking', 'poisoning', 'punching', 'harming', 'beating up', 'smash', 'bash', 'burn', 'torch', 'set fire to', 'smashing', 'bashing', 'burning',
];
const INTENT = [
  'want to', 'going to', 'will', 'could', 'would', 'plan to', 'planning to', 'about to', 'ready to', 'feel like', 'thinking about',
  'thinking of', 'think about', 'fantasize about', 'fantasise about', 'dream about', 'imagine', 'imagining', 'urge to', 'might', 'wish i could',
  'should',
];
/** Objects that make violent verbs idiomatic ("kill the lights", "kill some time"). */
const IDIOM_OBJECTS = [
  'time', 'lights', 'light', 'engine', 'mood', 'vibe', 'bugs', 'bug', 'spider', 'spiders', 'mosquito', 'process', 'weeds', 'plant', 'plants',
  'conversation', 'music', 'battery', 'buzz', 'game', 'noise', 'flies', 'fly', 'wasp', 'pain', 'germs', 'record', 'deal', 'ice', 'habit', 'silence',
  'news', 'rules', 'bank', 'feelings', 'feeling', 'pride', 'ego', 'chances', 'chance', 'exam', 'test', 'interview', 'presentation', 'competition',
  'performance', 'gig', 'show', 'audition', 'problem', 'task', 'day', 'lot', 'bit', 'little', 'diet', 'budget', 'back', 'knee', 'leg', 'foot',
  'hand', 'head', 'eyes', 'ears', 'message', 'email', 'text', 'dm', 'look', 'smile', 'shot', 'ball', 'goal', 'target', 'piano', 'song',
  'boredom', 'hunger', 'thirst', 'cravings', 'craving', 'kindness', 'compliments', 'questions', 'question', 'breeze', 'party',
  'toast', 'bridges', 'candle', 'candles', 'calories', 'fat', 'cd', 'dvd', 'disc', 'records', 'workout', 'ceiling', 'glass', 'bread', 'dinner',
];

export const CRISIS_RULES: readonly Rule<Kind>[] = [
  // --- suicide -----------------------------------------------------------------------------------------
  { name: 'kill_self', kind: 'suicide', weight: 1, negatable: true, exclusions: ['laughing', 'kmsl', 'with laughter'], patterns: [
    { slots: [['kill', 'killing', 'killed', 'kil', 'kll', 'kiil', 'kills', 'murder', 'unalive', 'unaliving'], SELF], gap: 1 },
    { slots: [['killmyself', 'kms', 'unalive']] },
  ] },
  { name: 'suicide_word', kind: 'suicide', weight: 1, negatable: true,
    exclusions: ['suicide squad', 'suicide prevention', 'suicide awareness', 'suicide doors', 'political suicide', 'career suicide', 'social suicide', 'suicide run', 'suicide sprints', 'suicide wings', 'suicide awareness month'],
    patterns: [{ slots: [['suicide', 'suicidal', 'suiciding', 'sewerslide', 'suicidality']] }] },
  { name: 'end_life', kind: 'suicide', weight: 1, negatable: true, exclusions: ['back', 'for granted', 'in my hands', 'into my own hands', 'seriously', 'more seriously', 'in a new direction'], patterns: [
    { slots: [['end', 'ending', 'take', 'taking', 'finish', 'end off'], ['my life', 'my own life', 'it all', 'my existence', 'everything for good', 'my suffering for good']], gap: 1 },
    { slots: [['end it', 'do it', 'end things'], ['tonight', 'today', 'this weekend', 'soon', 'for good', 'once and for all']], gap: 1 },
    { slots: [['i', 'to', 'going to', 'like', 'about', 'of', 'will', 'just'], ['end it $', 'ending it $', 'end it all', 'end it now', 'end everything', 'ending everything']], gap: 1 },
    { slots: [['want out of', 'get out of', 'way out of', 'escape from', 'escape'], ['this life', 'life', 'living', 'existence', 'this world']], gap: 1 },
  ] },
  { name: 'wish_to_die', kind: 'suicide', weight: 1, negatable: true,
    exclusions: ['thought i was going to', 'felt like i was going to', 'thought we were going to', 'of embarrassment', 'of boredom', 'of laughter', 'laughing', 'of shame', 'of cringe', 'happy', 'for you', 'for my kids', 'for them', 'my hair', 'of old age', 'at a ripe old age'],
    patterns: [
    { slots: [['want to', 'wants to', 'wanting to', 'wanted to', 'wish to', 'ready to', 'going to', 'planning to', 'plan to', 'i deserve to', 'i should just', 'rather', 'prefer to', 'wish i could', 'just want to', 'longing to', 'like to'],
      ['die', 'be dead', 'be ded', 'not exist', 'stop existing', 'not be alive', 'disappear forever', 'not be here', 'sleep forever', 'never wake up', 'not wake up', 'cease to exist', 'be gone']], gap: 2 },
    { slots: [['wish i', 'wish that i', 'wished i', 'hope i', 'wish i could just', 'wish i would'], ['dead', 'ded', 'die', 'died', 'never been born', 'never born', 'not alive', 'gone forever', 'not wake up', 'never wake up', 'never woke up', 'not exist', 'did not exist', 'would not wake up']], gap: 3 },
    { slots: [['thinking about', 'think about', 'thoughts about', 'thoughts of', 'thinking of', 'obsessed with', 'fantasise about', 'fantasize about', 'dream about', 'dreaming about', 'planning'],
      ['dying', 'death', 'my death', 'killing myself', 'ending it', 'ending my life', 'not being here', 'being dead', 'not existing', 'my funeral']], gap: 1 },
    { slots: [['i', 'me'], ['was not here', 'were not here', 'was not around', 'were not around', 'was gone', 'were gone', 'did not exist', 'was dead', 'were dead', 'never existed', 'just disappeared', 'was not alive']], gap: 1 },
    { slots: [['sleep', 'go to sleep', 'fall asleep'], ['and never wake up', 'and not wake up', 'forever and not wake up', 'and just not wake up']], gap: 1 },
  ] },
  { name: 'better_off_dead', kind: 'suicide', weight: 1, negatable: true, patterns: [
    { slots: [['better off'], ['dead', 'ded', 'without me', 'if i was gone', 'if i were gone', 'if i died', 'if i was dead', 'if i were dead', 'if i was not here', 'if i were not here', 'if i was not around']], gap: 1 },
    { slots: [['better place without me', 'better without me', 'happier without me', 'easier without me', 'better off without me', 'fine without me', 'better if i was gone', 'better if i were gone', 'without me in it', 'without me around']] },
    { slots: [['nobody', 'no one', 'noone'], ['would miss me', 'will miss me', 'would notice if i', 'would care if i died', 'would care if i was gone']], gap: 1 },
  ] },
  { name: 'no_will_to_live', kind: 'suicide', weight: 1, negatable: true, spanExclusions: ['in', 'at', 'near', 'on', 'abroad', 'there', 'together', 'alone', 'with'], patterns: [
    { slots: [['not'], ['want to live', 'want to be alive', 'want to exist', 'want to be here', 'want to wake up', 'want to go on', 'want to carry on', 'want to keep living', 'want to keep going', 'see a future', 'see a way out', 'see the point in living', 'see any reason to live', 'want this life']], gap: 2 },
    { slots: [['no', 'nothing', 'not any', 'lost my', 'lost the', 'lost all'], ['reason to live', 'reason to go on', 'point in living', 'point of living', 'point of life', 'point of being alive', 'point in being alive', 'point living', 'point to living', 'point in going on', 'point anymore', 'point to life', 'point in life', 'point in anything anymore', 'will to live', 'left to live for', 'reason to stay', 'way out', 'future for me', 'hope left', 'reason to keep going']], gap: 1 },
    { slots: [['tired of living', 'sick of living', 'tired of being alive', 'done with life', 'done with living', 'give up on life', 'giving up on life', 'gave up on life', 'life is not worth living', 'life not worth living', 'not worth living']] },
  ] },
  { name: 'cant_go_on', kind: 'suicide', weight: 0.9, negatable: false, patterns: [
    { slots: [['can not', 'cant'], ['go on $', 'go on like this', 'go on anymore', 'go on living', 'keep going $', 'keep going anymore', 'keep living', 'live like this', 'carry on $', 'carry on anymore', 'do this anymore', 'take it anymore', 'take this anymore', 'cope anymore', 'bear it anymore', 'bear this anymore', 'handle life anymore', 'live with this anymore', 'keep doing this']], gap: 1 },
  ] },
  // Negating these keeps the risk ("I don't see the point of living", "I can't keep living like this").
  { name: 'hopeless_living', kind: 'suicide', weight: 0.9, negatable: false, patterns: [
    { slots: [['point of living', 'point of being alive', 'point in living', 'point in being alive', 'reason to live', 'reason to stay alive', 'keep living like this', 'go on living like this', 'live like this anymore',
      'keep going like this', 'carry on like this', 'keep living', 'worth living', 'worth being alive']] },
  ] },
  { name: 'not_around', kind: 'suicide', weight: 0.8, negatable: false, patterns: [
    { slots: [['not be around', 'not be here', 'be gone', 'not be alive', 'be dead'], ['much longer', 'for much longer', 'by tomorrow', 'next week', 'soon', 'by the weekend', 'by next week', 'anymore']], gap: 0 },
    { slots: [['this is my'], ['goodbye', 'last message', 'final message', 'last goodbye']], gap: 1 },
    { slots: [['write', 'wrote', 'writing', 'written', 'left'], ['goodbye letter', 'goodbye letters', 'goodbye note', 'goodbye notes', 'a note for my family', 'letters to my family']], gap: 2 },
    { slots: [['giving away', 'gave away', 'give away'], ['my things', 'my stuff', 'my belongings', 'all my', 'my possessions']], gap: 1 },
    // Warning signs (988 Lifeline / AFSP lists): saying goodbye, giving possessions away, feeling a burden, unbearable pain, feeling trapped.
    { slots: [['giving', 'gave', 'give', 'given'], ['my things', 'my stuff', 'my belongings', 'my possessions', 'everything i own', 'my pets', 'my savings'], ['away']], gap: 1 },
    { slots: [['said my goodbyes', 'saying my goodbyes', 'say my goodbyes', 'made my goodbyes', 'my final goodbyes', 'my last goodbyes']] },
    { slots: [['my funeral', 'my own funeral', 'my grave', 'my own grave', 'my suicide note', 'my will and']] },
    { slots: [['say goodbye', 'saying goodbye', 'said goodbye'], ['to everyone', 'forever', 'for the last time', 'for good']], gap: 1 },
  ] },
  { name: 'method_plan', kind: 'suicide', weight: 1, negatable: true, exclusions: ['in the foot'], patterns: [
    { slots: [['take', 'taking', 'took', 'swallow', 'swallowing', 'swallowed', 'down'],
      ['all my pills', 'all the pills', 'all my tablets', 'all the tablets', 'all of my pills', 'all my meds', 'a whole bottle', 'the whole bottle', 'the whole packet', 'every pill', 'too many pills', 'a handful of pills', 'a bunch of pills', 'all my medication', 'all of them at once']], gap: 2 },
    { slots: [['stockpile', 'stockpiling', 'stockpiled', 'saving up', 'saved up', 'hoarding', 'hoarded', 'collecting'], ['pills', 'my pills', 'my meds', 'tablets', 'my tablets', 'painkillers', 'sleeping pills', 'my medication']], gap: 1 },
    { slots: [['overdose', 'overdosing', 'overdosed', 'od', 'oding']] },
    { slots: [['painless', 'quickest', 'easiest', 'best', 'fastest', 'surest', 'quick', 'quietest'], ['way to die', 'way to kill myself', 'way to kill yourself', 'way to end it', 'way to end my life', 'way to end your life', 'way to commit suicide', 'way to go', 'method', 'methods', 'way to do it']], gap: 1 },
    { slots: [['how many', 'how much'], ['pills', 'tablets', 'paracetamol', 'acetaminophen', 'tylenol', 'ibuprofen', 'aspirin', 'sleeping pills', 'painkillers', 'insulin', 'xanax', 'antidepressants', 'of my meds', 'of my medication'], ['it takes', 'would it take', 'does it take', 'to die', 'to overdose', 'is lethal', 'is fatal', 'would kill', 'kill you', 'kill a person']], gap: 3 },
    { slots: [['drive', 'driving', 'crash', 'crashing', 'steer', 'swerve', 'swerving'], ['into a wall', 'into a tree', 'off a bridge', 'off the road', 'off a cliff', 'into traffic', 'into a lorry', 'into a truck', 'into oncoming traffic', 'into the river', 'into the sea']], gap: 3 },
    { slots: [['how many pills', 'how many tablets', 'how much'], ['to die', 'never wake up', 'not wake up', 'kill me', 'to overdose', 'is lethal', 'is fatal', 'would kill', 'to end it']], gap: 4 },
    { slots: [['jump', 'jumping', 'throw myself', 'throwing myself'], ['off', 'from', 'in front of'], ['bridge', 'roof', 'building', 'train', 'cliff', 'balcony', 'car', 'bus', 'window', 'tower', 'car park']], gap: 2 },
    { slots: [['step', 'stepping', 'walk', 'lie down', 'lay down'], ['in front of'], ['train', 'bus', 'car', 'truck', 'lorry', 'traffic']], gap: 2 },
    { slots: [['hang', 'hanging', 'hanged', 'drown', 'drowning', 'shoot', 'gas', 'poison', 'suffocate'], SELF], gap: 1 },
    { slots: [['noose', 'tie a rope', 'tied a rope', 'bought a rope', 'bought rope']] },
    { slots: [['bought', 'buy', 'got', 'get', 'getting', 'have', 'load', 'loaded'], ['a gun', 'a rifle', 'a shotgun', 'my gun', 'the gun', 'a pistol', 'a firearm'], ['for myself', 'to end', 'to use on myself', 'and end', 'and do it']], gap: 2 },
  ] },
  { name: 'burden', kind: 'suicide', weight: 0.7, negatable: true, patterns: [
    { slots: [['i am', 'i am just', 'i am such', 'feel like', 'i feel like', 'i have become', 'i am only', 'i am nothing but'], ['a burden', 'burden to everyone', 'a waste of space', 'a waste of oxygen', 'better off gone']], gap: 2 },
    { slots: [['everyone', 'everybody', 'my family', 'they', 'the world'], ['would be happier without me', 'would be fine without me', 'would be better without me', 'does not need me', 'do not need me']], gap: 1 },
  ] },
  { name: 'unbearable', kind: 'suicide', weight: 0.6, negatable: true, patterns: [
    { slots: [['want', 'wish', 'need', 'just want', 'i want'], ['it all to stop', 'everything to stop', 'it to stop forever', 'the pain to stop forever', 'to stop existing', 'to stop forever', 'to not exist', 'not to exist', 'it all to end', 'everything to end', 'it to be over', 'it all to be over', 'to be at peace forever', 'eternal sleep']], gap: 2 },
    { slots: [['unbearable pain', 'pain is unbearable', 'pain is too much', 'the pain is too much', 'too much pain to live', 'hurts too much to live', 'no way out', 'trapped with no way out', 'no escape', 'only way out']] },
  ] },
  { name: 'disappear', kind: 'suicide', weight: 0.6, negatable: true, patterns: [
    { slots: [['want to', 'wish i could', 'just want to', 'i could just', 'wish to'], ['disappear', 'vanish', 'fade away', 'cease to be']], gap: 1 },
  ] },
  // --- self-harm ---------------------------------------------------------------------------------------
  { name: 'hurt_self', kind: 'self_harm', weight: 1, negatable: true,
    exclusions: ['oven', 'kettle', 'iron', 'pan', 'stove', 'accidentally', 'by accident', 'shaving', 'cooking', 'chopping', 'at the gym', 'playing', 'on the stove', 'slipped', 'fell', 'tripped', 'laughing', 'football', 'soccer', 'running', 'training', 'skiing', 'falling', 'ironing', 'hiking', 'climbing', 'sunburn', 'sunburnt', 'in the sun'],
    patterns: [
      { slots: [['hurt', 'hurting', 'harm', 'harming', 'harmed', 'cut', 'cutting', 'burn', 'burning', 'burned', 'burnt', 'hurts', 'cuts', 'burns', 'punched', 'punished', 'injured',
        'scratched', 'starved', 'carved', 'sliced', 'mutilated', 'mutilating', 'strangled', 'choked', 'choking', 'bit', 'slapped', 'slapping', 'hits', 'punish', 'punishing', 'injure', 'injuring', 'hit', 'hitting', 'scratch', 'scratching', 'starve', 'starving', 'bruise', 'bite', 'biting', 'carve', 'carving', 'slice', 'slit', 'bleed', 'punch', 'punching', 'mutilate'],
        [...SELF, 'my arms', 'my arm', 'my wrists', 'my wrist', 'my legs', 'my thighs', 'my thigh', 'my skin', 'my body', 'my stomach', 'my hips', 'my face', 'my head']], gap: 1 },
    ] },
  { name: 'self_harm_word', kind: 'self_harm', weight: 1, negatable: true, patterns: [
    { slots: [['selfharm', 'selfharming', 'selfharmed', 'selfinjury', 'selfinjure', 'selfinjuring', 'sh relapse']] },
    { slots: [['cutting', 'burning myself', 'cutting myself'], ['again', 'for the first time', 'every night', 'helps', 'makes me feel better', 'is the only thing', 'is all i']], gap: 0 },
    { slots: [['started', 'start', 'stop', 'quit', 'back to'], ['cutting $', 'cutting again', 'self harming']], gap: 0 },
    { slots: [['urge', 'urges', 'tempted', 'temptation', 'craving', 'relapse', 'relapsed', 'relapsing'], ['to cut again', 'to cut myself', 'to hurt myself', 'to harm myself', 'to burn myself', 'to selfharm', 'to bleed', 'on cutting', 'on selfharm', 'cutting', 'to feel pain']], gap: 2 },
    { slots: [['razor', 'razors', 'blade', 'blades', 'lighter', 'knife', 'scissors', 'compass'], ['on my', 'to my', 'against my', 'across my', 'into my', 'over my'], ['arm', 'arms', 'wrist', 'wrists', 'skin', 'leg', 'legs', 'thigh', 'thighs', 'body', 'throat', 'neck']], gap: 1 },
    { slots: [['i', 'when i', 'if i', 'then i', 'until i'], ['cut $', 'cut again', 'cut deeper', 'cut deep', 'bleed $']], gap: 1 },
    { slots: [['hit', 'hitting', 'bang', 'banging', 'bash', 'bashing', 'slam', 'slamming', 'smash', 'smashing'], ['my head', 'my fists', 'my fist', 'my hand', 'my hands'], ['against', 'into', 'on', 'until']], gap: 1 },
    { slots: [['press it', 'pressed it', 'pressing it', 'dig it', 'dug it', 'drag it', 'dragged it', 'dragging it'], ['against my', 'into my', 'on my', 'across my', 'to my'], ['arm', 'arms', 'wrist', 'wrists', 'skin', 'leg', 'legs', 'thigh', 'thighs', 'throat', 'neck', 'stomach']] },
    { slots: [['deserve', 'deserved'], ['to hurt', 'to be hurt', 'pain', 'to suffer', 'to bleed', 'to be punished', 'the pain']], gap: 1 },
    { slots: [['make myself', 'making myself'], ['bleed', 'sick on purpose', 'suffer', 'throw up on purpose']], gap: 1 },
    { slots: [['stop eating', 'stopped eating', 'not eat'], ['to punish myself', 'as punishment', 'to disappear', 'until i die']], gap: 2 },
  ] },
  { name: 'urge_to_cut', kind: 'self_harm', weight: 1, negatable: true,
    spanExclusions: ['hair', 'costs', 'cost', 'class', 'classes', 'corners', 'ties', 'back', 'down', 'carbs', 'bangs', 'fringe', 'grass', 'the', 'a', 'out', 'off', 'through', 'in', 'loose', 'sugar', 'school', 'them', 'him', 'her', 'it', 'that', 'this', 'some', 'my', 'people', 'someone'],
    patterns: [{ slots: [['urge', 'urges', 'tempted', 'temptation', 'craving', 'need', 'want'], ['to cut']], gap: 1 }] },
  // --- harm to others ----------------------------------------------------------------------------------
  { name: 'violent_intent', kind: 'harm_to_others', weight: 1, negatable: true, spanExclusions: IDIOM_OBJECTS,
    exclusions: ['with kindness', 'in a game', 'at chess', 'at cards', 'a message', 'an email', 'a text', 'a dm', 'a look', 'a smile', 'a line', 'a quick', 'a photo', 'a picture', 'a video', 'photos'],
    patterns: [
      { slots: [INTENT, VIOLENT, PEOPLE], gap: 1 },
      { slots: [INTENT, ['make'], PEOPLE, ['bleed', 'suffer', 'scream', 'disappear for good']], gap: 1 },
    ] },
  { name: 'violent_act', kind: 'harm_to_others', weight: 0.8, negatable: true, spanExclusions: IDIOM_OBJECTS, fuzzy: false,
    exclusions: ['a message', 'an email', 'a text', 'a dm', 'a look', 'a smile', 'a line', 'with kindness', 'a quick', 'a photo', 'a picture', 'a video', 'a film', 'photos', 'in a game'],
    patterns: [
    { slots: [['kill', 'killing', 'murder', 'murdering', 'stab', 'stabbing', 'shoot', 'shooting', 'strangle', 'strangling', 'choke', 'choking', 'poison', 'poisoning'],
      ['him', 'her', 'them', 'someone', 'somebody', 'everyone', 'everybody', 'people', 'my boss', 'my wife', 'my husband', 'my mum', 'my mom', 'my dad', 'my father', 'my mother', 'my partner', 'my ex', 'my neighbour', 'my neighbor', 'my teacher', 'my roommate', 'my flatmate', 'my brother', 'my sister', 'my coworker', 'my colleague', 'my boyfriend', 'my girlfriend', 'my kids', 'my child', 'my baby', 'that guy', 'that man', 'that woman', 'all of them', 'the whole class', 'the lot of them']], gap: 1 },
  ] },
  { name: 'wish_dead_other', kind: 'harm_to_others', weight: 0.9, negatable: true, patterns: [
    { slots: [['want', 'wish', 'hope', 'wished'], ['him', 'her', 'them', 'he', 'she', 'they', 'my boss', 'my ex', 'my dad', 'my mum', 'my mom', 'everyone'], ['dead', 'to die', 'would die', 'was dead', 'were dead', 'dies', 'gone for good', 'six feet under']], gap: 1 },
    { slots: [['deserve to die', 'deserves to die', 'should die', 'needs to die', 'need to die', 'should be dead', 'should all die']] },
  ] },
  { name: 'weapon_plan', kind: 'harm_to_others', weight: 1, negatable: true, patterns: [
    { slots: [['bring', 'bringing', 'take', 'taking', 'brought', 'carry', 'carrying'], ['a gun', 'a knife', 'my gun', 'a weapon', 'my knife', 'a rifle', 'a bat', 'my dad\'s gun', 'a machete'], ['to school', 'to work', 'to class', 'to the office', 'to the party', 'to his house', 'to her house', 'to their house', 'tomorrow', 'to show them']], gap: 2 },
    { slots: [['shoot up', 'shooting up', 'blow up', 'bomb', 'set fire to', 'burn down'], ['the school', 'my school', 'the place', 'my work', 'the office', 'their house', 'his house', 'her house', 'the building', 'the church', 'the mosque', 'the synagogue', 'everyone']], gap: 1 },
  ] },
  { name: 'weapon', kind: 'harm_to_others', weight: 0.8, negatable: true, spanExclusions: ['set', 'sets', 'block', 'sharpener', 'skills', 'collection', 'range', 'club', 'safety', 'game', 'games'], patterns: [
    { slots: [['get', 'grab', 'take', 'bring', 'load', 'buy', 'bought', 'got', 'loaded', 'carry', 'use', 'getting', 'grabbing', 'taking', 'bringing', 'loading', 'buying'],
      ['gun', 'guns', 'rifle', 'shotgun', 'pistol', 'firearm', 'weapon', 'weapons', 'machete', 'ammo', 'ammunition', 'bullets']], gap: 3 },
    { slots: [['revenge', 'vengeance', 'payback'], ['knife', 'gun', 'weapon', 'blade', 'hurt', 'kill', 'pay', 'sorry', 'regret', 'suffer', 'bleed']], gap: 8 },
    { slots: [['get', 'take', 'have', 'plan', 'planning', 'plotting', 'want', 'going to get', 'going to take', 'will get', 'will have'], ['my revenge', 'revenge on', 'revenge', 'vengeance', 'payback']], gap: 1 },
    { slots: [['i have a', 'i have got a', 'i got a', 'i bought a', 'i carry a', 'i keep a'], ['knife', 'gun', 'blade', 'weapon', 'machete', 'rifle', 'pistol']] },
    { slots: [['make sure', 'make certain', 'ensure'], ['he', 'she', 'they', 'him', 'her', 'them'], ['never', 'can not', 'will not', 'does not', 'do not', 'is gone', 'are gone']], gap: 1 },
  ] },
  { name: 'tell_to_die', kind: 'harm_to_others', weight: 0.8, negatable: true, patterns: [
    { slots: [['kys', 'go kill yourself', 'kill yourself', 'go die', 'drink bleach']] },
  ] },
  { name: 'harm_child', kind: 'harm_to_others', weight: 1, negatable: true, patterns: [
    { slots: [['hurt', 'harm', 'shake', 'hit', 'smother', 'drown', 'hurting', 'harming', 'shaking', 'hitting'], ['the baby', 'my baby', 'my child', 'my kid', 'my kids', 'my son', 'my daughter', 'my children', 'the kids', 'the children', 'my newborn']], gap: 1 },
  ] },
];

/**
 * Second line of defence. The phrase rules miss a good share of wordings they
 * were not written for (about 40 % on an untouched red-team set), so a turn
 * without a crisis match that still mentions one of these words is generated
 * as usual but marked `needsHuman` for review. Words only, no negation
 * handling: this flag asks a person to look, it does not change the reply.
 * Death, method and harm vocabulary only: everyday words ("end", "done",
 * "hurt", "cut") would send most turns to review.
 */
export const CONCERN_WORDS: ReadonlySet<string> = new Set([
  'die', 'dying', 'death', 'dead', 'suicide', 'suicidal', 'kill', 'killing', 'overdose', 'pills', 'tablets', 'antidepressants', 'painkillers',
  'bridge', 'rope', 'hang', 'jump', 'bleed', 'bleeds', 'bleeding', 'blood', 'cutting', 'razor', 'blade', 'knife', 'gun', 'weapon',
  'harm', 'suffer', 'punish', 'revenge', 'poison', 'funeral', 'goodbye', 'goodbyes', 'hopeless', 'worthless', 'burden', 'trapped', 'pointless',
  'unbearable', 'disappear', 'let go', 'give up', 'giving up', 'done trying',
]);

function concernWords(words: string[]): string[] {
  const found = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    if (CONCERN_WORDS.has(words[i])) found.add(words[i]);
    const pair = `${words[i]} ${words[i + 1] ?? ''}`;
    if (CONCERN_WORDS.has(pair)) found.add(pair);
  }
  return [...found];
}

/** A match scores at least this to count as risk. */
export const CRISIS_THRESHOLD = 0.5;

/**
 * Screens one user input. Robust to misspelling (fuzzy words), obfuscation
 * ("k!ll", "su1cide"), contractions and slang; negation in scope cancels a
 * match unless hedged ("can't say I'd never…") or revived by a contrast or a
 * time qualifier.
 */
export function detectCrisis(text: string, rules: readonly Rule<Kind>[] = CRISIS_RULES): CrisisDetection {
  const toks = tokenize(text);
  const matches = findMatches(toks, rules, { conservative: true });
  const best = bestMatch(matches);
  const negated = matches.filter((m: Match<Kind>) => m.negated).map((m) => `${m.rule.name}: ${m.span}`);
  if (!best || best.score < CRISIS_THRESHOLD) {
    const concern = concernWords(toks.map((t) => t.w));
    return { risk: 'none', score: best?.score ?? 0, ...(negated.length ? { negated } : {}), ...(concern.length ? { concern } : {}) };
  }
  return { risk: best.rule.kind, rule: best.rule.name, score: best.score, evidence: best.span, ...(negated.length ? { negated } : {}) };
}
