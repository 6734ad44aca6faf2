/**
 * The affectlab intervention grammar: hand-written templates and slot lexicons
 * from which `buildCorpus` composes labelled supportive replies.
 *
 * Syntax (see expand.ts): `[a|b|c]` picks one alternative (an empty
 * alternative is allowed, brackets nest), `{slot}` is filled from the emotion's
 * lexicon (`{slot:lc}` lower-cases the first letter, `{slot:cap}` capitalises it).
 *
 * Writing rules followed throughout, so that every sentence passes the output
 * filter in ../safety: no diagnoses or disorder labels attributed to the user,
 * no promises about outcomes ("everything will be fine"), no blame, no
 * medication or method talk; hedged, non-judgemental language; referral
 * sentences point to people (counsellor, GP, helplines), never to treatments.
 */
import type { IntensityLevel, Strategy, Tone } from '../types.js';

/** The `ekman7` label preset; `gu5` and `iemocap4` are subsets of it. */
export const EKMAN7 = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type Ekman7 = (typeof EKMAN7)[number];

export const INTENSITIES: readonly IntensityLevel[] = ['low', 'medium', 'high'];

/** Openers differ by how the emotion feels to the person, not by the exact class. */
export type Polarity = 'distress' | 'positive' | 'neutral' | 'surprise';
export const POLARITY: Record<Ekman7, Polarity> = {
  neutral: 'neutral',
  happy: 'positive',
  sad: 'distress',
  angry: 'distress',
  fearful: 'distress',
  disgusted: 'distress',
  surprised: 'surprise',
};

/**
 * Per-emotion slot values. `feel` depends on intensity; everything else is a
 * list of paraphrases. Shapes, so templates read grammatically:
 * - feel: adjective phrase after "feel" ("a bit low");
 * - noun: noun phrase naming the feeling ("this sadness"); nounBare without determiner;
 * - about: noun phrase for the situation ("what happened");
 * - need: clause saying what the feeling signals ("something that matters to you has been lost");
 * - reframe: a full clause offering another perspective;
 * - ground: an imperative grounding or breathing instruction (no final period);
 * - step: a verb phrase for a small activity ("send a short message to someone you trust");
 * - fact: an accurate psychoeducation statement (sentence, no final period);
 * - refer: a conditional clause starting with "if".
 */
export interface EmotionLexicon {
  feel: Record<IntensityLevel, string[]>;
  noun: string[];
  nounBare: string[];
  about: string[];
  need: string[];
  reframe: string[];
  ground: string[];
  step: string[];
  fact: string[];
  refer: string[];
}

export const LEXICON: Record<Ekman7, EmotionLexicon> = {
  neutral: {
    feel: {
      low: ['fairly flat', 'a little unsure how you feel', 'somewhat in between'],
      medium: ['steady', 'okay', 'fairly settled'],
      high: ['very even', 'calm and clear', 'completely steady'],
    },
    noun: ['this steadiness', 'this calmer space', 'this in-between feeling'],
    nounBare: ['calm', 'steadiness', 'quieter moods'],
    about: ['how things are going', 'your day so far', 'where things stand', 'what is on your mind'],
    need: ['you have some room to reflect', 'things feel manageable right now', 'you have a moment to take stock'],
    reframe: [
      'a quiet moment can be a good time to check in with what you need',
      'feeling neutral is not the same as feeling nothing; it can be a useful resting point',
      'a steady day still counts as a good base to build on',
    ],
    ground: [
      'Take a moment to notice your breath without changing it',
      'Notice three sounds around you, then let your attention return to your breath',
      'Let your shoulders drop and notice how your body feels right now',
    ],
    step: [
      'pick one small thing you have been meaning to do',
      'spend ten minutes on something you enjoy',
      'check in with a friend you have not spoken to for a while',
      'write down one thing you would like from the rest of the day',
    ],
    fact: [
      'Moods naturally drift between high and low, and a neutral stretch is a normal part of that',
      'Checking in with how you feel, even on ordinary days, makes it easier to notice changes early',
      'Regular routines such as sleep, meals and movement help keep mood steady',
    ],
    refer: [
      'if something starts to weigh on you later',
      'if you ever notice your mood changing in ways that worry you',
      'if you would like a space to think things through',
    ],
  },
  happy: {
    feel: {
      low: ['a bit brighter', 'quietly pleased', 'a little more hopeful'],
      medium: ['happy', 'glad', 'pleased'],
      high: ['really happy', 'overjoyed', 'delighted'],
    },
    noun: ['this happiness', 'this good feeling', 'this lift in your mood'],
    nounBare: ['joy', 'happiness', 'contentment'],
    about: ['this news', 'what happened', 'how things turned out', 'this moment'],
    need: ['something that matters to you went well', 'you are connecting with something you value', 'your efforts are being rewarded'],
    reframe: [
      'it is worth noticing the part you played in making this happen',
      'this moment shows what you can do when things line up',
      'good moments like this are worth remembering when days are harder',
    ],
    ground: [
      'Take a slow breath and notice where this good feeling sits in your body',
      'Pause for a moment and let yourself really take this in',
      'Notice what you can see and hear right now, and let this moment settle in',
    ],
    step: [
      'share the news with someone who will be glad for you',
      'write down what made today good so you can come back to it',
      'mark the moment with something small you enjoy',
      'use this energy for something you have been putting off',
    ],
    fact: [
      'Savouring a good moment, by pausing to notice it, can help the feeling last longer',
      'Sharing good news with others tends to strengthen the positive feeling',
      'Writing down things that went well is linked with better mood over time',
    ],
    refer: [
      'if you ever want to talk through what helps you feel this way',
      'if harder days come along later',
      'if you would like support in keeping this going',
    ],
  },
  sad: {
    feel: {
      low: ['a bit low', 'a little down', 'somewhat flat'],
      medium: ['sad', 'down', 'heavy-hearted'],
      high: ['deeply sad', 'heartbroken', 'overwhelmed by sadness'],
    },
    noun: ['this sadness', 'this heaviness', 'this low feeling'],
    nounBare: ['sadness', 'grief', 'low mood'],
    about: ['what happened', 'this loss', 'what you are going through', 'all of this'],
    need: [
      'something that matters to you has been lost or hurt',
      'you care a great deal about this',
      'you might need some comfort and rest',
    ],
    reframe: [
      'the sadness you feel reflects how much this mattered to you',
      'feeling low right now does not mean you will always feel this way',
      'being gentle with yourself is a strength, not a weakness',
    ],
    ground: [
      'Put a hand on your chest, breathe in slowly, and let the out-breath be long and soft',
      'Wrap yourself in something warm and notice the weight of it around you',
      'Breathe in for four counts and out for six, and repeat that a few times',
    ],
    step: [
      'send a short message to someone you trust',
      'step outside for a few minutes of fresh air',
      'do one small, kind thing for yourself today',
      'put on some music that has comforted you before',
    ],
    fact: [
      'Sadness is a natural response to loss and often slows us down so we can take stock',
      'Low mood tends to make us withdraw, and gentle contact with others can ease it',
      'Feelings of sadness usually rise and fall rather than staying at one level',
    ],
    refer: [
      'if this low feeling stays with you for a couple of weeks or more',
      'if sadness starts to get in the way of sleep, eating or work',
      'if you find yourself feeling hopeless',
    ],
  },
  angry: {
    feel: {
      low: ['a bit irritated', 'somewhat frustrated', 'a little on edge'],
      medium: ['angry', 'frustrated', 'annoyed'],
      high: ['furious', 'really angry', 'full of rage'],
    },
    noun: ['this anger', 'this frustration', 'this heat'],
    nounBare: ['anger', 'frustration', 'irritation'],
    about: ['the way you were treated', 'what happened', 'this situation', 'what they did'],
    need: [
      'something you care about feels threatened or unfair',
      'a boundary of yours may have been crossed',
      'you want things to be fair',
    ],
    reframe: [
      'your anger may be pointing to something that needs to change',
      'you can take your anger seriously and still choose how to act on it',
      'there may be parts of this you can influence and parts you cannot',
    ],
    ground: [
      'Unclench your jaw and hands, and breathe out slowly through your mouth',
      'Step away for a few minutes and let your breathing slow down before you respond',
      'Press your feet into the floor and take three slow breaths, each out-breath longer than the last',
    ],
    step: [
      'write down what you would like to say before deciding whether to send it',
      'go for a brisk walk to let some of the energy out',
      'name one thing in this situation you can change',
      'talk it through with someone you trust before acting',
    ],
    fact: [
      'Anger is often a sign that something feels unfair or that a boundary has been crossed',
      'Anger speeds up the heart and tenses the muscles, which is why slowing the breath can help',
      'The strongest surge of anger tends to ease within minutes if we pause before acting',
    ],
    refer: [
      'if anger is starting to affect your relationships or work',
      'if you find the anger hard to manage',
      'if you would like help finding ways to respond that work for you',
    ],
  },
  fearful: {
    feel: {
      low: ['a little uneasy', 'a bit nervous', 'somewhat worried'],
      medium: ['anxious', 'scared', 'worried'],
      high: ['terrified', 'very frightened', 'overwhelmed by fear'],
    },
    noun: ['this fear', 'this worry', 'this anxious feeling'],
    nounBare: ['fear', 'worry', 'anxiety'],
    about: ['what might happen', 'the uncertainty', 'what is coming up', 'this situation'],
    need: [
      'something feels uncertain or unsafe',
      'you are trying to protect yourself or someone you care about',
      'part of you is bracing for something difficult',
    ],
    reframe: [
      'a worry about what might happen is not the same as it happening',
      'you have faced uncertain moments before and found ways through them',
      'it may help to separate what you can control from what you cannot',
    ],
    ground: [
      'Breathe in gently through your nose and let a slow breath out through your mouth',
      'Name five things you can see around you, one at a time',
      'Hold something with texture and describe to yourself how it feels in your hands',
    ],
    step: [
      'write the worry down and note one thing you could do about it',
      'set aside a short worry time later today and return to the present now',
      'take one small step towards the thing you are worried about',
      'tell someone you trust what is worrying you',
    ],
    fact: [
      'Fear is the body\'s alarm system, and it can go off even when there is no immediate danger',
      'Anxiety tends to peak and then ease when we do not fight it',
      'Avoiding what we fear can bring short-term relief but often keeps the fear going',
    ],
    refer: [
      'if worry is taking up much of your day',
      'if fear starts to stop you doing things that matter to you',
      'if the anxious feelings keep coming back',
    ],
  },
  disgusted: {
    feel: {
      low: ['a bit put off', 'somewhat uncomfortable', 'a little repelled'],
      medium: ['disgusted', 'repulsed', 'really uncomfortable'],
      high: ['deeply disgusted', 'completely repulsed', 'sickened'],
    },
    noun: ['this disgust', 'this revulsion', 'this strong discomfort'],
    nounBare: ['disgust', 'revulsion', 'discomfort'],
    about: ['what you saw', 'what happened', 'how they behaved', 'this situation'],
    need: [
      'something crossed a line for you',
      'this clashes with what you value',
      'you want to keep distance from something that feels wrong',
    ],
    reframe: [
      'your reaction shows that your values matter to you',
      'you can honour this feeling and still choose how close you stay to the situation',
      'strong discomfort can fade once you have some distance from what caused it',
    ],
    ground: [
      'Turn your attention to something pleasant nearby, like a smell or a colour you like',
      'Take a slow breath of fresh air and notice the temperature of it',
      'Wash your hands or face with cool water and notice the sensation',
    ],
    step: [
      'put some distance between yourself and what upset you',
      'do something that helps you feel clean and refreshed',
      'talk it over with someone who shares your values',
      'write down what crossed the line for you',
    ],
    fact: [
      'Disgust is a protective emotion that helps us keep away from what might harm us',
      'Disgust can also respond to behaviour that goes against our values',
      'Like other feelings, disgust tends to fade once we are away from its cause',
    ],
    refer: [
      'if this reaction keeps coming back and bothers you',
      'if it is getting in the way of everyday life',
      'if you would like to talk through what happened',
    ],
  },
  surprised: {
    feel: {
      low: ['a little caught off guard', 'mildly surprised', 'a bit taken aback'],
      medium: ['surprised', 'caught off guard', 'taken aback'],
      high: ['completely thrown', 'shocked', 'stunned'],
    },
    noun: ['this surprise', 'this jolt', 'the shock of it'],
    nounBare: ['surprise', 'shock', 'astonishment'],
    about: ['this turn of events', 'the news', 'what happened', 'this change'],
    need: [
      'something did not go the way you expected',
      'you are still making sense of what happened',
      'you need a moment to catch up with events',
    ],
    reframe: [
      'a surprise can be a chance to look again at what you expected',
      'it is fine not to know yet how you feel about this',
      'you do not need to decide anything while you are still taking it in',
    ],
    ground: [
      'Pause, take one slow breath, and let yourself catch up with what happened',
      'Feel your feet on the ground and take a couple of steady breaths',
      'Look around and name a few familiar things to help you settle',
    ],
    step: [
      'give yourself a little time before responding',
      'jot down your first thoughts so you can come back to them',
      'talk the news through with someone you trust',
      'find out one more fact before you decide how you feel',
    ],
    fact: [
      'Surprise is a brief emotion that focuses our attention on something new',
      'After a surprise it is common to feel a mix of emotions that settle over time',
      'A jolt of surprise can speed up the heart for a short while before it settles',
    ],
    refer: [
      'if this news turns out to be hard to adjust to',
      'if the shock stays with you for a while',
      'if you would like help making sense of the change',
    ],
  },
};

/** Core sentences, one list per strategy; each string is one template (its paraphrases are its alternatives). */
export const STRATEGY_TEMPLATES: Record<Strategy, string[]> = {
  validation: [
    'It makes [complete |a lot of |real ]sense to feel {feel} [given {about}|after {about}|right now].',
    '[Feeling|Being] {feel} is [an understandable|a very human|a natural] response to {about}.',
    '[Anyone|Most people] [in your position|in your place] [might|could] feel {feel}[, and that is okay|, and that is allowed|].',
    'Your feelings about {about} [are valid|matter|deserve to be taken seriously][, and you do not have to justify them|].',
    '[It is okay|It is alright] to feel {feel}; [it tells us|it shows] that {need}.',
    '[Thank you for telling me|I am glad you told me] that you feel {feel}[; that takes honesty| about {about}|].',
  ],
  reflection: [
    'It sounds like you are feeling {feel} [about|because of] {about}.',
    '[If I am hearing you right, |From what you have said, |What I am hearing is that ]{about} has left you feeling {feel}.',
    '[So|It seems] {about} [is|has been] [stirring up|bringing up] {noun} for you.',
    'You [seem to be|may be] carrying {noun}[ right now| at the moment|], and it sounds like {need}.',
    '[It comes across|I notice] that {about} means a lot to you[, and you are feeling {feel}|].',
    '[Let me check I have understood|Let me reflect that back]: you are feeling {feel}, [because|and it sounds like] {need}.',
  ],
  reframing: [
    '[One way to look at it is that|Another way to see it is that|It might help to consider that] {reframe}.',
    '[I wonder if|Perhaps|It could be that] {reframe}.',
    '[What might you say to a friend who felt {feel} about {about}?|If a friend felt {feel} about {about}, what would you tell them?]',
    '[Is there another way to look at|Could there be another way of seeing] {about}, [one that is|perhaps one that is] [a little kinder to you|more balanced]?',
    '[Thoughts are not always facts|A feeling is not the same as a fact], and [it may be that|perhaps] {reframe}.',
    '[Looking at it from a little distance|Stepping back for a moment], [you may notice that|it may turn out that] {reframe}.',
  ],
  grounding: [
    '[Let us take|Try taking] a [slow|gentle] breath[ together|]: in for four, [hold for a moment|pause briefly], and out for six.',
    '{ground}.',
    '[Try|You could try] noticing five things you can see, four you can [hear|touch], and three you can [feel|hear].',
    '[Place|Rest] your feet flat on the floor and notice [the ground beneath you|the support under you][ for a moment|].',
    '[Notice|See if you can notice] where {noun} [sits|shows up] in your body, [and breathe gently into that spot|and let your breath slow down around it].',
    '[Breathe out|Let your out-breath be] a little longer than [your in-breath|you breathe in]; it [can help|tends to help] your body [settle|slow down].',
  ],
  activation: [
    '[Would it help to|Could you] {step} [today|this week|in the next hour]?',
    '[One small step might be to|A small thing you could try is to] {step}.',
    '[What is one small thing|Is there one small thing] you could do [today|in the next hour] that [usually lifts you a little|you have enjoyed before]?',
    '[Sometimes|Often] action [comes before motivation|can come before we feel ready], so [maybe|perhaps] {step}.',
    '[Planning|Scheduling] [one|a single] [small|manageable] [activity|task] [for tomorrow|for later today] [could give you|might give you] [something to look forward to|a little sense of control].',
    '[Even|Just] a [short|ten-minute] walk [outside|around the block] [can shift|may shift] how {noun} feels[ a little|].',
  ],
  psychoeducation: [
    '{fact}.',
    '[It can help to know that|It is worth knowing that] {fact:lc}.',
    '[Research suggests|Psychologists have found] that noticing and naming {nounBare} [can make it|often makes it] [a little easier to manage|feel less overwhelming].',
    'Feelings like {nounBare} [rise and fall|come in waves], and they [usually ease|tend to ease] [when we let them be there|when we do not fight them].',
    '[Emotions|Feelings] carry information: {noun} [may be telling you|can be a sign] that {need}.',
    '[Our bodies|The body] [react|reacts] to {nounBare} [with real physical changes|in real, physical ways], [which is why|and that is why] [slowing the breath|a few slow breaths] can help.',
  ],
  referral: [
    '[If|Especially] {refer}, [talking with|reaching out to] a [counsellor|therapist|GP] [could help|may be worth considering].',
    '[You do not have to carry this alone|You do not have to face this on your own]; [a counsellor or therapist|a mental health professional] [can offer support|could help you explore this][ {refer}|].',
    '[Would you consider|Have you thought about] [speaking with|talking to] someone [you trust|like a counsellor] about {about}?',
    '[A counsellor|Your GP|A trusted professional] [can be a good person to talk to|is there to help] {refer}.',
    '[Support services|Helplines and peer support groups] [are there for moments like this|can be a good place to start], [whenever you feel ready|if you would like].',
    '[It might be worth|It could be worth] [booking a chat with|reaching out to] a professional {refer}.',
  ],
};

/**
 * Openers by tone and polarity; `{hard}` / `{good}` / `{big}` come from the
 * intensity words below. An empty alternative lets the core stand alone.
 */
export const OPENERS: Record<Tone, Record<Polarity, string>> = {
  warm: {
    distress: '[I am really sorry you are going through this.|That sounds {hard}, and I am glad you reached out.|I am here with you.|That sounds {hard}.]',
    positive: '[That is {good} to hear.|I am so glad you shared this with me.|How {good}.]',
    neutral: '[Thanks for checking in.|It is good to hear from you.|]',
    surprise: '[That sounds like {big} to take in.|Thank you for telling me about this.|]',
  },
  calm: {
    distress: '[Let us slow down for a moment.|There is no rush here.|Let us take this one step at a time.|]',
    positive: '[It sounds like a {good} moment.|Let us pause on this for a moment.|]',
    neutral: '[Let us take a moment.|There is no rush.|]',
    surprise: '[Let us take a breath.|There is time to take this in.|]',
  },
  encouraging: {
    distress: '[Reaching out like this takes strength.|You have already taken a step by talking about it.|It is good that you are putting this into words.|]',
    positive: '[That is {good}, well done.|You should feel good about this.|What a {good} thing to hear.]',
    neutral: '[It is good you are making time to check in.|Checking in like this is a good habit.|]',
    surprise: '[Thank you for sharing this.|It is good that you are taking a moment to process this.|]',
  },
  validating: {
    distress: '[What you are feeling makes sense.|Of course this is {hard}.|Your reaction is understandable.]',
    positive: '[You have every reason to feel good about this.|Your happiness makes sense.|]',
    neutral: '[However you are feeling is okay.|There is no right way to feel today.|]',
    surprise: '[It makes sense to be surprised.|Of course that is {big} to take in.|]',
  },
  direct: {
    distress: '[Let us focus on one thing.|Here is something that may help.|]',
    positive: '[Good.|Nice.|]',
    neutral: '[Okay.|Here is a thought.|]',
    surprise: '[Okay, that is new.|Let us take stock.|]',
  },
};

export const CLOSERS: Record<Tone, string> = {
  warm: '[I am here with you.|I am here to listen.|You matter.|]',
  calm: '[There is no rush.|Take all the time you need.|One step at a time.|]',
  encouraging: '[Small steps count.|You have taken a good step by sharing this.|Each small step matters.|]',
  validating: '[Your feelings make sense.|What you feel matters.|]',
  direct: '[Let us start there.|]',
};

/** Intensity words used by the openers. */
export const INTENSITY_WORDS: Record<IntensityLevel, { hard: string[]; good: string[]; big: string[] }> = {
  low: { hard: ['tough', 'a bit hard'], good: ['nice', 'good'], big: ['a bit much', 'something new'] },
  medium: { hard: ['hard', 'difficult'], good: ['lovely', 'really good'], big: ['a lot', 'quite a lot'] },
  high: { hard: ['really hard', 'incredibly painful'], good: ['wonderful', 'fantastic'], big: ['so much', 'an awful lot'] },
};
