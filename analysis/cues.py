"""Cue phrases: the explainable evidence behind a turn label.

Each cue family is a regular expression on normalised text with the label it points to. The
classifier uses which families fired as features next to the sentence embedding, and reports the
matched phrases of the families that agree with its label as ``cues``.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.price import PriceHit
from analysis.text import normalize, tokens


@dataclass(frozen=True)
class CueFamily:
    name: str
    label: str
    pattern: re.Pattern[str]


def cue_family(name: str, label: str, pattern: str) -> CueFamily:
    """A family whose ``pattern`` matches whole words of normalised text."""
    return CueFamily(name, label, re.compile(r"\b(?:" + pattern + r")\b"))


_ACK = (
    r"okay|ok|right|yeah|yes|yep|sure|got it|gotcha|mm-hmm|mm|mhm|uh huh|i see|makes sense|"
    r"understood|perfect|great|cool|awesome|absolutely|totally|fair enough|no problem|no worries|"
    r"for sure|definitely|sounds good|nice|wow|oh|lovely|brilliant|indeed|of course|that's fair|fab|"
    r"good|thanks|thank you|alright|so|and|um|uh|hmm|ha|well|really|interesting|that|it|then|"
    r"yeah no|no|sounds like a plan|go ahead"
)
_YOU = r"(?:you|your|you're|you've|y'all|your team|your side|your end)"
CUE_FAMILIES: tuple[CueFamily, ...] = (
    cue_family("probe_request", "discovery",
            r"walk me through|talk me through|tell me (?:more )?about|help me understand|"
            r"(?:can|could) you (?:say|tell me|talk|share|give me|explain|describe)|say more|"
            r"i'd love to (?:hear|understand|learn)|i'm curious|curious (?:what|how|about)|"
            r"give me an example|what do you mean|how so|why is that|why do you think|"
            r"what happens (?:when|if|then|next)|and then what"),
    cue_family("situation_question", "discovery",
            r"(?:how|what|who|which|where|when|why)(?:'s| is| are| do| does| did| would| was)? "
            r"(?:\w+ ){0,3}" + _YOU + r"|how (?:many|much|long|often) "
            r"|who (?:else|owns|decides|approves|makes|signs|manages|handles|sits|is involved|would|will|needs|has to|gets)"),
    cue_family("impact_goal", "discovery",
            r"impact|priority|priorities|biggest (?:challenge|problem|issue|complaint|headache)|"
            r"keeps? \w+ up at night|success look|look like for you|what's driving|what made you|"
            r"what's prompting|what prompted|what's behind|timeline|frustrat\w*|pain|"
            r"(?:cost|costing) you|worth to you|goals?|objectives?|targets?"),
    cue_family("current_state", "discovery",
            r"today|right now|currently|at the moment|these days|current(?:ly)?|last time|"
            r"so far|in the past|historically|typical(?:ly)?"),
    cue_family("reflect_back", "discovery",
            r"(?:it )?sounds like(?! a plan| good| great| fun)|so what i'm hearing|what i'm hearing|if i (?:heard|understand|understood|"
            r"got that)|if i'm hearing|so (?:basically |essentially )?(?:your|the|every|when|nobody|you're|"
            r"you've|you|they're|they|each|no one|most|half)|just so i'm clear|to make sure i understand|"
            r"in other words|sounds as though|you (?:mentioned|said|told me|think)|when you say|"
            r"^(?:(?:ok|okay|right|alright|and|yeah|got it) )*so (?!we\b|our\b|i\b|i'll|i'd|i'm|let|let's|this\b|"
            r"here\b|that's|if we|with\b|next\b|the next\b)\w+"),
    cue_family("offering_we", "product_push",
            r"our (?:platform|product|products|solution|software|system|tool|app|team|engine|module|"
            r"service|services|customers|clients|sensors?|api|ai|network|technology|machines?|devices?|"
            r"new|latest|\w+ (?:platform|module|tool|system|engine|app))|"
            r"we (?:have|offer|provide|support|integrate|guarantee|include|bundle|deliver|carry|built|"
            r"launched|just|were|are the|can get|can have|can do|can offer|also|automatically|handle|helped|"
            r"solve|stop|process|supply|cover)|we've (?:helped|got|built|been|won|saved|deployed|installed)|we're (?:the|rated|trusted|used|certified|known)|"
            r"it (?:comes|integrates|includes|has|gives|lets|handles|works|runs|supports|tracks)|"
            r"the (?:platform|system|app|tool|device|software|agent|sensor|machine)s? (?:has|is|does|can|"
            r"comes|gives|lets|uses|includes|flags)"),
    cue_family("claim_benefit", "product_push",
            r"you'll (?:\w+ )?(?:save|never|cut|see|get|have|be|hit|eliminate|close|reduce|love|"
            r"find|notice)|(?:it|this|that) will (?:save|cut|lower|reduce|eliminate|help|give|pay)|"
            r"pays? for itself|guarantee[ds]?|out of the box|best|leader|leading|number one|"
            r"award|certified|compliant|only (?:vendor|one|carrier|provider|company)|faster|easier|"
            r"cheaper|better than|industry average|percent (?:less|more|faster|drop|reduction)|"
            r"times (?:faster|more|less)|no (?:extra|additional) (?:cost|charge)|trusted by|"
            r"voted|named|rated|customers like|clients like|customers see|customers tell|you won't find|"
            r"anywhere (?:in|on) the market|the beauty of|real time|real-time|automatically|by itself|"
            r"accurate to|the minute|in (?:under|less than) (?:a|an|one|two|\w+) (?:minute|hour|day|second)s?"),
    cue_family("leading_question", "product_push",
            r"wouldn't (?:you|it|your|the|they|that|this|everyone)|don't you (?:think|want|agree)|isn't it (?:time|great|nice)|"
            r"doesn't it make sense|what if (?:you|your|i told|i could|i can|i showed|the|we)|imagine|"
            r"how (?:great|nice|cool|amazing) would|can you imagine|who wouldn't|"
            r"(?<!paint a )(?<!draw a )picture (?:your|this|yourself|a world|every|how|what|the)|"
            r"you'd agree|surely|think about (?:how|what)|think of what|"
            r"would it help if (?:we|our|i)|wouldn't that be|you know what would|how does (?:\w+ ){1,12}sound|"
            r"just think|think how"),
    # What the buyer would do, stop doing or get with the offering: a usage pitch, not a reflect-back.
    cue_family("usage_change", "product_push",
               r"(?:you|your \w+(?: \w+)?|they|nobody|no one|everyone) (?:would|'d|will|'ll) \w+|you'd|goes away|"
               r"go away|no more|no longer|stops? \w+ing|won't have to|never has to|themselves|by itself|"
               r"(?:is|are|it's|they're) already (?:there|done|set|in|on|sorted|attached|planned)|"
               r"the same (?:day|afternoon|evening|morning)"),
    cue_family("demo", "product_push",
            r"let me (?:show|demo|pull up|walk you through|share|tell you about)|i'll show you|"
            r"this is the (?:\w+ )?(?:screen|dashboard|view|page|module)|you can see (?:here|the|every)|"
            r"the way it works|here's how|how it works|shall i show"),
    cue_family("logistics", "other",
            r"(?:can|could) you (?:hear|see)|hear me|see my screen|on mute|you're muted|cut out|"
            r"broke up|froze|echo|calendar|invite|schedule|reschedule|agenda|record(?:ing)? (?:this|the)|"
            r"send (?:you|over|the|it|a)|i'll send|follow up|follow-up|next steps?|next week|touch base|"
            r"circle back|get back to you|loop in|set up a call|book|(?:hard )?stop at|wrap up|"
            r"email|brochure|samples?|paperwork|nda|proposal over|invoice|link|"
            r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|o'clock|tomorrow|"
            r"(?:at|by) (?:one|two|three|four|five|noon|end of day)|pencil (?:in|it)|"
            r"let's (?:lock|pencil|plan|set|schedule|meet|pick|do|touch|reconvene|get|aim|find|book)|"
            r"anything else|any (?:other )?questions|to cover|a copy of|forward me|send me|teams|zoom|webex|"
            r"chat|slides|deck|works (?:best )?for (?:you|your)|diary|at time|recap|one (?:sec|second)|"
            r"give me a (?:sec|second|minute)|reach out|i'm late|running late|take your time|run over|"
            r"(?:first|second|third|\w+teenth|twentieth|\w+(?:st|nd|rd|th)) of|the \d+(?:st|nd|rd|th)"),
    cue_family("we_our", "product_push", r"we|we're|we've|we'll|our|us|ours"),
    cue_family("you_your", "discovery", r"you|your|you're|you've|yours|y'all"),
    cue_family("greeting_smalltalk", "other",
            r"hi|hello|hey|good (?:morning|afternoon|evening)|morning|thanks|thank you|cheers|"
            r"appreciate|nice to meet|good to (?:see|meet|hear)|how are you(?: doing)?(?: today)?$|"
            r"how (?:are|is|was|were) (?:things|the (?:trip|family|holiday|conference|flight|weather)|your (?:weekend|week|"
            r"holiday|trip|vacation|flight))|how's (?:everything|it going|your week|the family|life)|how have you been|"
            r"weekend|have a (?:good|great)|take care|talk soon|speak soon|bye|"
            r"this is \w+ (?:from|with)|my name is"),
)
FAMILY_NAMES = tuple(f.name for f in CUE_FAMILIES) + ("acknowledgement",)
EXTRA_FEATURES = ("is_question", "price_mention", "price_amount", "short")
FEATURE_NAMES = FAMILY_NAMES + EXTRA_FEATURES
_ACK_ONLY = re.compile(r"^(?:" + _ACK + r")(?:\s+(?:" + _ACK + r"))*$")


@dataclass(frozen=True)
class CueMatch:
    family: str
    label: str
    phrase: str


def find_cues(text: str, vocabulary: Sequence[str] = ()) -> list[CueMatch]:
    """Every cue family that fires on ``text``, with the first phrase it matched.

    ``vocabulary`` (the company's product names and feature words) counts as offering talk.
    """
    norm = normalize(text)
    found = [
        CueMatch(f.name, f.label, m.group(0))
        for f in CUE_FAMILIES
        if (m := f.pattern.search(norm)) is not None
    ]
    if any(c.family == "leading_question" for c in found):
        # A question that sells is not a question about the buyer's situation.
        found = [c for c in found if c.family != "situation_question"]
    if is_acknowledgement(text):
        found.append(CueMatch("acknowledgement", "other", norm))
    if not any(c.family == "offering_we" for c in found):
        for term in vocabulary:
            if term and re.search(r"\b" + re.escape(normalize(term)) + r"\b", norm):
                found.append(CueMatch("offering_we", "product_push", term))
                break
    return found


def is_acknowledgement(text: str) -> bool:
    """A backchannel or one-word reply: "okay", "yeah, got it", "mm-hmm, makes sense"."""
    norm = normalize(text).replace("-", " ")
    return bool(norm) and bool(_ACK_ONLY.match(norm.replace("mm hmm", "mm-hmm")))


def feature_vector(
    text: str, cues: Sequence[CueMatch], question: bool, price: PriceHit | None
) -> np.ndarray:
    """Lexical features in ``FEATURE_NAMES`` order."""
    fired = {c.family for c in cues}
    n_words = len(tokens(normalize(text)))
    values = [1.0 if name in fired else 0.0 for name in FAMILY_NAMES]
    values += [
        1.0 if question else 0.0,
        1.0 if price is not None else 0.0,
        1.0 if price is not None and price.amount is not None else 0.0,
        1.0 if n_words <= 4 else 0.0,
    ]
    return np.asarray(values, dtype=np.float32)
