"""Who is the seller: stereo channel, enrolled voice, or what each speaker says, in that order.

From the transcript, every informative utterance gets the log-odds that a seller said it
(``analysis.role_model``); each speaker's sum is combined with introductions ("this is Dana from
Northwind" with Northwind configured, or the manifest's seller name), the company's and products'
names, and an introduction from another company (the buyer's) into one score per speaker, with
weights fitted on training calls. The top speaker is the seller; in calls of three or more, another
speaker whose own evidence says seller is a second seller (an AE with a solutions engineer); the
lowest-scoring speaker is always a buyer. ``confidence`` is the calibrated probability that the
seller/buyer split is right; below ``AnalysisConfig.role_confidence_threshold`` the assignment is
``uncertain``. Only a call with no evidence at all (greetings and backchannels) falls back to the
first speaker.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np

from analysis.config import AnalysisConfig
from analysis.role_cues import find_introduction, mentions, side_of
from analysis.role_model import SPEAKER_FEATURES, RoleModel, UtteranceEvidence, load_role_model, sigmoid
from analysis.text import normalize
from analysis.types import BUYER, SELLER, RoleAssignment
from transcription.types import Utterance

log = logging.getLogger(__name__)

METHOD_CHANNEL = "channel"
METHOD_VOICE = "voice"
METHOD_TRANSCRIPT = "transcript"
METHOD_FIRST_SPEAKER = "first_speaker"
METHOD_NONE = "none"
MAX_VOCABULARY_MENTIONS = 3
EVIDENCE_CUES = 4


def assign_roles(
    utterances: Sequence[Utterance],
    config: AnalysisConfig,
    *,
    seller_speaker: str | None = None,
    voice_similarity: Mapping[str, float] | None = None,
    model: RoleModel | None = None,
) -> RoleAssignment:
    """Seller and buyers among the speakers of ``utterances`` (in time order)."""
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    if seller_speaker is not None:
        return _with_sellers(speakers, {seller_speaker}, METHOD_CHANNEL, 1.0)
    if voice_similarity:
        matched = {s: v for s, v in voice_similarity.items() if v >= config.voice_match_threshold}
        if matched:
            return _with_sellers(speakers, set(matched), METHOD_VOICE, round(min(matched.values()), 3))
        log.info("no speaker matches an enrolled seller voice; using the transcript")
    return transcript_roles(utterances, config, model or load_role_model())


def transcript_roles(utterances: Sequence[Utterance], config: AnalysisConfig, model: RoleModel) -> RoleAssignment:
    """Roles from what each speaker says (see the module docstring)."""
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    if not speakers:
        return RoleAssignment({}, METHOD_NONE, 0.0)
    evidence = model.evidence([u.text for u in utterances])
    features = speaker_features(utterances, [e.log_odds for e in evidence], config)
    if not any(features[s].any() for s in speakers):
        if len(speakers) == 1:
            return _flagged(RoleAssignment({}, METHOD_NONE, 0.0), config)
        log.info("no evidence of who sells in %d utterances; the first speaker is taken", len(utterances))
        return _flagged(_with_sellers(speakers, {speakers[0]}, METHOD_FIRST_SPEAKER, round(1 / len(speakers), 3)),
                        config)
    calibration = model.calibration
    scores = {s: calibration.score(features[s]) for s in speakers}
    if len(speakers) == 1:
        p = calibration.side_probability(scores[speakers[0]])
        sellers = set(speakers) if p >= 0.5 else set()
        confidence = p if sellers else 1.0 - p
    else:
        ranked = sorted(speakers, key=lambda s: -scores[s])
        sellers = {ranked[0]} | {
            s for s in ranked[1:-1] if scores[s] > 0 and calibration.side_probability(scores[s]) >= 0.5
        }
        buyers = [s for s in speakers if s not in sellers]
        confidence = sigmoid(min(scores[s] for s in sellers) - max(scores[s] for s in buyers))
    assignment = _with_sellers(speakers, sellers, METHOD_TRANSCRIPT, round(confidence, 3))
    explained = _explain(utterances, evidence, features, scores, assignment)
    return _flagged(RoleAssignment(assignment.roles, assignment.method, assignment.confidence, evidence=explained),
                    config)


def speaker_features(
    utterances: Sequence[Utterance], log_odds: Sequence[float], config: AnalysisConfig
) -> dict[str, np.ndarray]:
    """Each speaker's ``SPEAKER_FEATURES`` from its utterances' log-odds and what it says."""
    companies = tuple(normalize(c) for c in config.company_names if c.strip())
    names = tuple(normalize(n).split()[0] for n in config.seller_names if n.strip())
    vocabulary = companies + tuple(normalize(p) for p in config.product_names if p.strip())
    out: dict[str, np.ndarray] = {}
    for utt, value in zip(utterances, log_odds):
        f = out.setdefault(utt.speaker, np.zeros(len(SPEAKER_FEATURES)))
        f[0] += value
        intro = find_introduction(utt.text)
        own_name = None
        if intro is not None:
            from_company = intro.organisation is not None and _names_company(intro.organisation, companies)
            if from_company:
                f[1] = 1.0
            elif intro.organisation is not None and companies and intro.explicit:
                f[3] = 1.0
            if intro.name in names and (intro.organisation is None or from_company):
                f[2] = 1.0
                own_name = intro.name
        if vocabulary and mentions(utt.text, vocabulary):
            f[4] = min(f[4] + 1.0, MAX_VOCABULARY_MENTIONS)
        if names and mentions(utt.text, tuple(n for n in names if n != own_name)):
            f[5] = 1.0
    return out


def _names_company(organisation: str, companies: tuple[str, ...]) -> bool:
    padded = f" {organisation} "
    return any(c and (f" {c} " in padded) for c in companies)


def _with_sellers(speakers: list[str], sellers: set[str], method: str, confidence: float) -> RoleAssignment:
    roles = {s: (SELLER if s in sellers else BUYER) for s in speakers}
    for s in sellers:
        roles.setdefault(s, SELLER)
    return RoleAssignment(roles, method, confidence)


def _flagged(assignment: RoleAssignment, config: AnalysisConfig) -> RoleAssignment:
    return RoleAssignment(assignment.roles, assignment.method, assignment.confidence,
                          uncertain=assignment.confidence < config.role_confidence_threshold,
                          evidence=assignment.evidence)


def _explain(
    utterances: Sequence[Utterance],
    evidence: Sequence[UtteranceEvidence],
    features: Mapping[str, np.ndarray],
    scores: Mapping[str, float],
    assignment: RoleAssignment,
) -> tuple[str, ...]:
    """One line per speaker: its score, introductions, and the cue phrases on its side."""
    lines = []
    for speaker, role in assignment.roles.items():
        facts = [f"{name.replace('_', ' ')}" for name, v in zip(SPEAKER_FEATURES[1:], features[speaker][1:]) if v]
        cues = [
            c.phrase
            for u, e in zip(utterances, evidence)
            if u.speaker == speaker
            for c in e.cues
            if side_of(c.family) == role
        ]
        parts = [f"{speaker}: {role}, score {scores[speaker]:+.1f}"] + facts
        if cues:
            parts.append("cues " + ", ".join(f"'{c}'" for c in list(dict.fromkeys(cues))[:EVIDENCE_CUES]))
        lines.append("; ".join(parts))
    return tuple(lines)
