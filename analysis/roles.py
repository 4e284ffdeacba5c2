"""Who is the seller: stereo channel, enrolled voice, or transcript evidence, in that order.

Transcript evidence per speaker: self-introductions ("this is Dana from Northwind"), the
company's own names and seller names from the config, offering talk ("our platform", "let me show
you", leading questions) and discovery questions; buyer talk ("your pricing", "do you integrate
with...", "we're using...") counts against. The speaker with the most evidence is the seller;
another speaker with comparable evidence is a second seller (an AE with a solutions engineer).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.classifier import TurnLabel
from analysis.config import AnalysisConfig
from analysis.cues import find_cues
from analysis.text import normalize
from analysis.types import BUYER, SELLER, RoleAssignment
from transcription.types import Utterance

log = logging.getLogger(__name__)

METHOD_CHANNEL = "channel"
METHOD_VOICE = "voice"
METHOD_TRANSCRIPT = "transcript"
METHOD_FIRST_SPEAKER = "first_speaker"
METHOD_NONE = "none"

INTRO_COMPANY = 6.0
INTRO_SELLER_NAME = 4.0
INTRO_OTHER = 2.0
VOCABULARY_MENTION = 1.0
OFFERING_TALK = 1.5
DISCOVERY_QUESTION = 1.0
BUYER_TALK = -2.0
SECOND_SELLER_SHARE = 0.5
SECOND_SELLER_MIN = 4.0

_INTRO = re.compile(
    r"\b(?:this is|my name is|my name's|i'm|i am|it's)\s+([a-z][\w'-]*)(?:\s+[a-z][\w'-]*)?\s+"
    r"(?:from|with|at|over at|here at|calling from)\s+([\w&'. -]{2,40})"
)
_CALLING_FROM = re.compile(r"\b(?:calling|reaching out|i'm|i am|we're|we are) (?:from|with) ([\w&'. -]{2,40})")
_BUYER_TALK = re.compile(
    r"\b(?:your (?:product|platform|solution|tool|software|company|pricing|price|team's product|system|"
    r"offering|app|service)|do you (?:guys )?(?:integrate|support|offer|have an?|work with|provide)|"
    r"does (?:it|your \w+) (?:integrate|support|work with|handle)|how much (?:does|would|will|is) (?:it|this|that)|"
    r"can you send (?:me|us|over)|send (?:me|us) (?:the )?(?:pricing|a quote|a proposal|some info)|"
    r"we're (?:currently )?using|we (?:currently )?use|our current (?:vendor|provider|system|tool|setup)|"
    r"we've been looking|we're looking (?:at|for)|we need|our team (?:is|has)|i'm not sure we)\b"
)

_NOT_NAMES = frozenset(
    {"not", "so", "just", "really", "sure", "happy", "glad", "going", "still", "also", "here", "now",
     "only", "very", "a", "the", "done", "working", "based", "in", "on", "out", "back", "good", "fine"}
)


@dataclass(frozen=True)
class SpeakerEvidence:
    speaker: str
    score: float
    introduced_as_company: bool


def assign_roles(
    utterances: Sequence[Utterance],
    labels: Sequence[TurnLabel],
    config: AnalysisConfig,
    *,
    seller_speaker: str | None = None,
    voice_similarity: Mapping[str, float] | None = None,
) -> RoleAssignment:
    """Seller and buyers among the speakers; ``labels`` are every utterance classified as if by a seller."""
    known = known_roles(utterances, config, seller_speaker=seller_speaker, voice_similarity=voice_similarity)
    return known if known is not None else transcript_roles(utterances, labels, config)


def known_roles(
    utterances: Sequence[Utterance],
    config: AnalysisConfig,
    *,
    seller_speaker: str | None = None,
    voice_similarity: Mapping[str, float] | None = None,
) -> RoleAssignment | None:
    """Roles from the seller channel or an enrolled voice; None when neither decides."""
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    if seller_speaker is not None:
        return _with_sellers(speakers, {seller_speaker}, METHOD_CHANNEL, 1.0)
    if voice_similarity:
        matched = {s: v for s, v in voice_similarity.items() if v >= config.voice_match_threshold}
        if matched:
            return _with_sellers(speakers, set(matched), METHOD_VOICE, round(min(matched.values()), 3))
        log.info("no speaker matches an enrolled seller voice; using transcript evidence")
    return None


def transcript_roles(
    utterances: Sequence[Utterance], labels: Sequence[TurnLabel], config: AnalysisConfig
) -> RoleAssignment:
    """Roles from what each speaker says (see the module docstring)."""
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    if not speakers:
        return RoleAssignment({}, METHOD_NONE, 0.0)
    evidence = _evidence(utterances, labels, config)
    ranked = sorted(evidence.values(), key=lambda e: (-e.score, speakers.index(e.speaker)))
    top = ranked[0]
    if len(speakers) == 1:
        if top.score <= 0:
            return RoleAssignment({}, METHOD_NONE, 0.0)
        return _with_sellers(speakers, {top.speaker}, METHOD_TRANSCRIPT, round(min(0.6, _certainty(top.score)), 3))
    if top.score <= 0:
        return _with_sellers(speakers, {utterances_by_start(utterances)[0].speaker}, METHOD_FIRST_SPEAKER, 0.2)
    sellers = {top.speaker}
    for other in ranked[1:]:
        if other.introduced_as_company or (
            other.score >= SECOND_SELLER_MIN and other.score >= SECOND_SELLER_SHARE * top.score
        ):
            sellers.add(other.speaker)
    best_buyer = max((e.score for e in ranked if e.speaker not in sellers), default=0.0)
    margin = min(evidence[s].score for s in sellers) - max(best_buyer, 0.0)
    confidence = 0.95 if top.introduced_as_company and margin > 0 else _certainty(margin)
    return _with_sellers(speakers, sellers, METHOD_TRANSCRIPT, round(confidence, 3))


def utterances_by_start(utterances: Sequence[Utterance]) -> list[Utterance]:
    return sorted(utterances, key=lambda u: (u.start, u.end))


def _certainty(margin: float) -> float:
    """0 for no margin, about 0.5 at two cue phrases, approaching 0.9."""
    return 0.9 * max(margin, 0.0) / (max(margin, 0.0) + 2.0)


def _with_sellers(speakers: list[str], sellers: set[str], method: str, confidence: float) -> RoleAssignment:
    roles = {s: (SELLER if s in sellers else BUYER) for s in speakers}
    for s in sellers:
        roles.setdefault(s, SELLER)
    return RoleAssignment(roles, method, confidence)


def _evidence(
    utterances: Sequence[Utterance], labels: Sequence[TurnLabel], config: AnalysisConfig
) -> dict[str, SpeakerEvidence]:
    companies = [normalize(c) for c in config.company_names if c.strip()]
    seller_names = {normalize(n) for n in config.seller_names if n.strip()}
    vocabulary = [normalize(v) for v in config.vocabulary]
    scores: dict[str, float] = {}
    introduced: dict[str, bool] = {}
    mentions: dict[str, int] = {}
    for utt, label in zip(utterances, labels):
        text = normalize(utt.text)
        score = scores.get(utt.speaker, 0.0)
        intro = _introduction(text)
        if intro is not None:
            name, org = intro
            if companies and any(org.startswith(c) or f" {c}" in f" {org}" for c in companies):
                score += INTRO_COMPANY
                introduced[utt.speaker] = True
            elif name in seller_names:
                score += INTRO_SELLER_NAME
            elif not companies:
                score += INTRO_OTHER
        if name_said(text, vocabulary) and not _BUYER_TALK.search(text):
            mentions[utt.speaker] = mentions.get(utt.speaker, 0) + 1
        families = {c.family for c in find_cues(utt.text)}
        if label.label == "product_push" and families & {"offering_we", "demo", "leading_question"}:
            score += OFFERING_TALK
        if label.label == "discovery" and label.is_question and label.confidence >= 0.7:
            score += DISCOVERY_QUESTION
        if _BUYER_TALK.search(text):
            score += BUYER_TALK
        scores[utt.speaker] = score
    return {
        s: SpeakerEvidence(s, v + VOCABULARY_MENTION * min(mentions.get(s, 0), 3), introduced.get(s, False))
        for s, v in scores.items()
    }


def _introduction(text: str) -> tuple[str, str] | None:
    m = _INTRO.search(text)
    if m and m.group(1) not in _NOT_NAMES:
        return m.group(1), m.group(2).strip()
    m = _CALLING_FROM.search(text)
    if m:
        return "", m.group(1).strip()
    return None


def name_said(text: str, terms: Sequence[str]) -> bool:
    return any(t and re.search(r"\b" + re.escape(t) + r"\b", text) for t in terms)
