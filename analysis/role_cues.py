"""Cue phrases that say which side of a sales call an utterance comes from, and introductions.

Each family is a regular expression on normalised text with the side it points to: the seller
talks about the offering, makes offers and next steps, and answers as the company ("let me pull
up your account"); the buyer asks about the vendor ("what does it cost", "do you integrate"),
describes their own setup ("we're using..."), reports problems and hesitates. The role model uses
which families fired as features next to the sentence embedding, and reports the phrases of the
families that agree with a speaker's side as evidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from analysis.cues import FAMILY_NAMES, CueFamily, CueMatch, find_cues, is_acknowledgement
from analysis.questions import is_question
from analysis.text import normalize, tokens

SELLER_SIDE = "seller"
BUYER_SIDE = "buyer"

_OFFERING_NOUNS = (
    r"platform|solutions?|plans?|packages?|tiers?|program|technicians?|engineers?|analysts?|specialists?|"
    r"inspectors?|installers?|consultants?|attorneys|linguists|interpreters|support (?:team|line)|pricing|"
    r"rates|warranty|promotion|trial|pilot|demo|menu|catalog|price list|inventory|lot|showroom"
)


_ROLE_PATTERNS = (
    ("offering_talk", SELLER_SIDE,
            r"our (?:\w+ )?(?:" + _OFFERING_NOUNS + r")|"
            r"we (?:offer|provide|specialize|guarantee|install|integrate with|carry|stock|include|waive|"
            r"deliver|service|serve|cover|'d (?:suggest|propose|recommend|start with|use))|"
            r"(?:it|the \w+) (?:comes with|includes|integrates with|is included)"),
    ("offer_or_concession", SELLER_SIDE,
            r"i (?:can|could) (?:offer|do|give you|take|knock|waive|throw in|include|hold|extend|match|bring|"
            r"get you|have (?:it|that|them|someone)|send (?:a|the|you|over|someone|samples?)|set (?:that|it|you) up)|"
            r"if you (?:sign|commit|renew|book|order|take|pay|move|switch|prepay)|"
            r"(?:as a|one time) courtesy|no charge|at no (?:extra )?cost|free of charge"),
    ("company_service", SELLER_SIDE,
            r"how (?:can|may) i help|what can i do for you|"
            r"(?:can|could|may) i (?:get|have) (?:your|the)|"
            r"(?:let me|i'll) (?:pull up|look up|check|take a look|pull that up)|"
            r"i (?:can )?see (?:the|your|that|it|an?)|"
            r"i'm (?:sending|dispatching|scheduling|rerunning|putting you)|"
            r"i've (?:credited|added|updated|scheduled|applied|reset|noted)|"
            r"anything else i can|thanks? (?:you )?for (?:calling(?! back)|your patience)|while i have you"),
    ("next_step_offer", SELLER_SIDE,
            r"i'll (?:send|email|put together|get|have|bring|drop off|prepare|arrange|include|note|run|"
            r"make sure|set (?:that|it|you) up)|"
            r"(?:set up|book|schedule|arrange) (?:a|the|an) (?:demo|trial|pilot|walkthrough|visit|inspection|"
            r"assessment|tour|call|consultation|site visit|test drive)|"
            r"would (?:you like|it help|\w+ (?:work|suit) for you)|(?:does|how does) \w+ (?:\w+ )?(?:work for you|sound)"),
    ("asks_vendor", BUYER_SIDE,
            r"your (?:product|platform|solution|pricing|prices?|rates?|plans?|company|software|service|services|"
            r"offer|proposal|quote|estimate|contract|system|tool|app|website|ads?|flyer|postcard|brochure|"
            r"minimums|fee|people|guys|team's)|"
            r"do you (?:guys )?(?:offer|have|do|carry|support|integrate|work with|provide|handle|charge|ship|"
            r"deliver|install|cover)|"
            r"does (?:it|that|this|your \w+) (?:integrate|support|work|include|come with|handle|need|fit|cost)|"
            r"how much (?:does|would|will|is|are|do|for|more)|"
            r"what (?:does|would|will) (?:it|that|this|one|all of that|something like (?:this|that)) (?:cost|run|come to)|"
            r"what's (?:the|your) (?:price|cost|rate|fee|catch)|can (?:you|someone) (?:send|come|email)|"
            r"send (?:me|us)|is there a (?:free )?(?:trial|discount|contract|minimum)"),
    ("own_situation", BUYER_SIDE,
            r"we're (?:currently )?(?:using|on|paying|looking|evaluating|shopping|comparing|opening|moving|"
            r"planning|hiring|thinking|a (?:\w+ )?(?:company|business|firm|practice|clinic|team|pharmacy|school|"
            r"group|shop|family))|"
            r"we (?:currently )?(?:use|pay|need|want|got|ordered|bought|booked|received|sent|tried|lost|had)|"
            r"our (?:current|existing|old|last|previous) (?:vendor|provider|supplier|system|contract|plan|carrier|"
            r"broker|agency|one|wholesaler|setup|company|service)|"
            r"i'm (?:calling|looking|trying|shopping|interested|organizing|planning)|"
            r"we've (?:been|had|got)|(?:we|i) just (?:moved|bought|opened|started|hired|got)"),
    ("problem_report", BUYER_SIDE,
            r"(?:isn't|wasn't|won't|doesn't|didn't|stopped|keeps?|kept) (?:\w+ )?(?:working|coming|showing|"
            r"connecting|turning|arrive|dropping|stopping|declining|breaking)|"
            r"(?:is|was|are|were|got) (?:broken|stuck|down|missing|wrong|late|short|canceled|cancelled)|"
            r"my (?:order|account|bill|invoice|internet|car|phone|policy|booking|flight|payment|invoice)|"
            r"our (?:order|account|bill|invoice|delivery|shipment|freezer|elevator|wifi|internet)"),
    ("hesitation", BUYER_SIDE,
            r"(?:let me|i'll|i need to|i'd (?:need|have) to|i have to|we need to|we'll) "
            r"(?:think|check|talk|ask|run (?:it|that|this)|discuss|look at|get back|bring (?:it|this)|compare)|"
            r"(?:too|pretty|really|a bit|kind of|quite) (?:expensive|pricey|high|much)|"
            r"(?:over|out of|above) (?:our|my|the) budget|"
            r"(?:more|higher) than (?:we|i) (?:pay|expected|hoped|budgeted|wanted)|"
            r"that's (?:a lot|a chunk|a big)|we'll (?:think|see)|i'll think"),
)
# A family's ``label`` is the side it points to; so is the ``label`` of its matches.
ROLE_FAMILIES = tuple(CueFamily(name, side, re.compile(r"\b(?:" + pattern + r")\b"))
                      for name, side, pattern in _ROLE_PATTERNS)
ROLE_FAMILY_NAMES = tuple(f.name for f in ROLE_FAMILIES)
EXTRA_FEATURES = ("is_question", "short")
# ``usage_change`` tells a seller's usage pitch from a seller's reflect-back, not seller from buyer;
# retraining the role head with it cost a held-out buyer voicemail, so the role model leaves it out.
ROLE_TURN_FAMILIES = tuple(n for n in FAMILY_NAMES if n != "usage_change")
FEATURE_NAMES = ROLE_FAMILY_NAMES + tuple(f"turn_{n}" for n in ROLE_TURN_FAMILIES) + EXTRA_FEATURES
_SIDE = {f.name: f.label for f in ROLE_FAMILIES}
_GREETING_ONLY = re.compile(
    r"^(?:(?:hi|hello|hey|yes|yeah|good (?:morning|afternoon|evening)|hi there|hello there|"
    r"speaking|bye|goodbye|thanks|thank you|okay|ok|sure|you too|likewise|"
    r"nice to meet you|great to meet you|good to meet you)\s*)+$"
)


def find_role_cues(text: str) -> list[CueMatch]:
    """Every role family that fires on ``text``, with the first phrase it matched."""
    norm = normalize(text)
    return [CueMatch(f.name, f.label, m.group(0)) for f in ROLE_FAMILIES if (m := f.pattern.search(norm))]


def is_uninformative(text: str) -> bool:
    """Backchannels and bare greetings say nothing about who is selling."""
    norm = normalize(text)
    return not tokens(norm) or is_acknowledgement(text) or bool(_GREETING_ONLY.match(norm))


def feature_vector(text: str, role_cues: list[CueMatch], turn_cues: list[CueMatch]) -> np.ndarray:
    """Lexical features in ``FEATURE_NAMES`` order."""
    fired = {c.family for c in role_cues} | {f"turn_{c.family}" for c in turn_cues}
    values = [1.0 if name in fired else 0.0 for name in FEATURE_NAMES[: -len(EXTRA_FEATURES)]]
    values += [1.0 if is_question(text) else 0.0, 1.0 if len(tokens(normalize(text))) <= 4 else 0.0]
    return np.asarray(values, dtype=np.float32)


def lexical_features(text: str) -> tuple[np.ndarray, list[CueMatch]]:
    role_cues = find_role_cues(text)
    return feature_vector(text, role_cues, find_cues(text)), role_cues


def side_of(family: str) -> str:
    return _SIDE[family]


_ORG = r"([a-z0-9][\w&'-]*(?: [a-z0-9][\w&'-]*){0,3})"
_NAME = r"([a-z][\w'-]*)"
_ITS_NAME_FROM = re.compile(r"\bit's\s+" + _NAME + r"(?: [a-z][\w'-]*)? (?:from|with|calling from) " + _ORG)
_SELF_WITH_ORG = (
    re.compile(r"\b(?:this is|my name is|my name's|i'm|i am)\s+" + _NAME + r"(?: [a-z][\w'-]*)?(?: here)?,? "
               r"(?:i'm |i am |and i'm )?(?:from|with|at|over at|here at|calling from) " + _ORG),
    _ITS_NAME_FROM,
    re.compile(r"\b" + _NAME + r" (?:from|with) " + _ORG + r" here\b"),
    re.compile(r"\b" + _NAME + r" here (?:from|with) " + _ORG),
    re.compile(r"\b(?:this is|i'm)\s+" + _NAME + r" (?:and )?i (?:look after|run|manage|handle|work) "
               r"[\w ]{0,40}? (?:at|for|with) " + _ORG),
)
_COMPANY_VOICE = re.compile(
    r"\b(?:calling|reaching out) (?:from|with|on behalf of) " + _ORG + r"|\bthanks? (?:you )?for calling (?!back\b)" + _ORG
)
_NAME_ONLY = re.compile(r"\b(?:this is|my name is|my name's|it's|you're speaking with)\s+" + _NAME + r"\b|"
                        r"\b" + _NAME + r" (?:here|speaking)\b")
_NOT_NAMES = frozenset(
    {"not", "so", "just", "really", "sure", "happy", "glad", "going", "still", "also", "here", "now", "only",
     "very", "a", "an", "the", "done", "working", "based", "in", "on", "out", "back", "good", "fine", "about",
     "for", "what", "that", "it", "this", "me", "her", "him", "us", "them", "our", "your", "my", "who",
     "great", "okay", "is", "calling", "too", "pretty", "been", "like", "actually", "usually",
     "probably", "always", "mostly", "why", "how", "where", "when", "yes", "no", "one", "two", "all",
     "expensive", "more", "less", "interesting", "exactly", "fair", "typical", "common", "huge", "getting"}
)

_NOT_ORGS = frozenset({"our", "your", "my", "a", "an", "his", "her", "their"})


@dataclass(frozen=True)
class Introduction:
    """Someone saying who they are: a name, the organisation they speak for, or both."""

    name: str | None
    organisation: str | None
    explicit: bool = True  # "this is / my name is / I'm NAME from ORG"; False for looser forms


def find_introduction(text: str) -> Introduction | None:
    """"this is Dana from Northwind", "Dana here from Northwind", "thanks for calling Horizon Travel"."""
    norm = normalize(text)
    for pattern in _SELF_WITH_ORG:
        m = pattern.search(norm)
        if m and _is_name(m.group(1)) and m.group(2).split()[0] not in _NOT_ORGS:
            return Introduction(m.group(1), m.group(2).strip(), explicit=pattern is not _ITS_NAME_FROM)
    m = _COMPANY_VOICE.search(norm)
    if m:
        return Introduction(None, (m.group(1) or m.group(2)).strip(), explicit=False)
    m = _NAME_ONLY.search(norm)
    if m:
        name = m.group(1) or m.group(2)
        if _is_name(name):
            return Introduction(name, None)
    return None


def _is_name(word: str) -> bool:
    return word not in _NOT_NAMES and not word.endswith("ing")


def mentions(text: str, terms: tuple[str, ...]) -> bool:
    """Whether any of ``terms`` (already normalised) occurs as whole words in ``text``."""
    norm = normalize(text)
    return any(t and re.search(r"\b" + re.escape(t) + r"\b", norm) for t in terms)
