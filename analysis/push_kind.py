"""Push kind of a product pitch: ``usage`` or ``feature``.

``usage``: what this buyer would do, stop doing or achieve with the offering, in their own
situation ("so on Monday your analysts would just approve the exceptions"). ``feature``: what the
offering is, has or does, costs or has won, without the buyer's use ("we support SSO, SAML and
SCIM out of the box"). An utterance that ties a capability to what the buyer would do with it is
``usage``.

Features are the same all-MiniLM-L6-v2 embedding the turn classifier computes (the encoder
remembers each text, so a pitch is encoded once) plus the push cue families below. A logistic
head, trained offline by ``analysis.train_push_kind`` on ``analysis/data/push_kind_utterances.jsonl``,
is stored in ``analysis/data/push_head.npz``. Deterministic and offline.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.cues import CueFamily, CueMatch, cue_family
from analysis.embedding import SentenceEncoder, load_encoder
from analysis.errors import AnalysisError
from analysis.heads import load_head, names
from analysis.text import normalize
from analysis.types import PUSH_KINDS

HEAD_PATH = Path(__file__).resolve().parent / "data" / "push_head.npz"
LEXICAL_WEIGHT = 0.5

_PEOPLE = r"(?:you|your (?:\w+ ){0,2}\w+|they|he|she|[a-z]+'s (?:team|people|crew|desk))"
PUSH_CUE_FAMILIES: tuple[CueFamily, ...] = (
    cue_family("buyer_would", "usage",
               r"(?:you|your \w+(?: \w+)?|they) (?:would|could|'d|will|'ll|can now|can finally|get to) "
               r"(?:just |simply |only |basically |actually |finally )?\w+|you'd|you would|you could|"
               r"you'll (?:be able|know|see|stop|never|get|have|spend|close|hit|find|ship|pay|file)"),
    cue_family("stop_doing", "usage",
               r"instead of|rather than|no more|no longer|never (?:has|have|had) to|won't have to|"
               r"don't have to|doesn't have to|stops? (?:\w+ing|the)|without (?:anyone|anybody|having|waiting|"
               r"calling|chasing|typing|keying|retyping|rekeying|ringing|phoning|touching|asking|opening|"
               r"building|copying|walking|driving)|goes away|go away|by itself|themselves|itself"),
    cue_family("scenario", "usage",
               r"so when|when (?:a|an|the|your|someone|somebody|one of your) \w+|"
               r"on (?:a )?(?:busy )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|at (?:month|year|quarter) end|"
               r"(?:imagine|picture) (?:your|you|the day|a)|what if (?:your|you)|that means|which means|"
               r"the upshot|for your \w+|(?:so|then) your|before (?:they|he|she|the customer|anyone)|"
               r"let me show you (?:what|how) your|the same (?:day|afternoon|morning)|in (?:a|one|two|ten) "
               r"(?:minute|minutes|day|days|afternoon|tap|click|clicks|go)"),
    cue_family("offering_fact", "feature",
               r"we (?:support|offer|have|integrate|provide|include|are|were|won|cover|deliver|produce|stock|"
               r"supply|publish|manage|can give|can hold)|we're|we've|our (?:\w+ ){0,2}(?:is|are|has|have|"
               r"uses|includes|supports|covers|runs|works|was|were)|it (?:has|is|supports|includes|comes|"
               r"integrates|runs|works|weighs|uses|handles|connects|lasts|reads|measures)|it's|"
               r"the (?:\w+ ){0,2}(?:has|is|are|includes|supports|comes|covers|handles|connects|runs|works|"
               r"measures|lasts|shows|sends|uses|reads|prints|takes)|there's|there is|comes with|"
               r"out of the box|built[- ]in|as standard|natively"),
    cue_family("credentials", "feature",
               r"certified|certification|compliant|accredited|authorised|authorized|approved|registered|"
               r"iso \d+|soc ?2|pci|award|winner|won|named|voted|rated|shortlisted|leader|top[- ]rated|"
               r"trusted by|(?:over|more than) (?:\w+ ){1,3}(?:customers|clients|teams|companies|firms|"
               r"hospitals|schools|stores|plants|sites|branches|users|fleets|agencies|practices|employers)|"
               r"member of|partner"),
    cue_family("spec_or_price", "feature",
               r"integrat\w+|api|sso|saml|connectors?|warranty|uptime|sla|accura\w+|per (?:user|seat|month|"
               r"year|employee|endpoint|device|sensor|machine|trip|transaction|unit|kilo|hour|client|branch|"
               r"student|fee earner)|a (?:month|year|seat|user)|dollars?|pounds?|euros?|pence|cents|percent "
               r"(?:of|plus)|price|pricing|discount|free (?:trial|month)|fee|contract|"
               r"let me (?:show|share|demo|pull up|bring up|walk you through) (?:you )?(?:the|our|a)"),
    cue_family("buyer_ref", "usage", _PEOPLE),
    cue_family("vendor_ref", "feature", r"we|we're|we've|our|us"),
)
PUSH_FEATURE_NAMES = tuple(f.name for f in PUSH_CUE_FAMILIES)
PRONOUN_FAMILIES = frozenset({"buyer_ref", "vendor_ref"})  # features only: too thin to show as evidence


@dataclass(frozen=True)
class PushKind:
    """The push kind of one pitch, its confidence, and the cue phrases behind it."""

    kind: str
    confidence: float
    cues: tuple[str, ...]


def find_push_cues(text: str) -> list[CueMatch]:
    """Every push cue family that fires on ``text``, with the first phrase it matched."""
    norm = normalize(text)
    return [CueMatch(f.name, f.label, m.group(0)) for f in PUSH_CUE_FAMILIES if (m := f.pattern.search(norm))]


def push_features(encoder: SentenceEncoder, texts: Sequence[str]) -> tuple[np.ndarray, list[list[CueMatch]]]:
    """The embedding of each normalised text (as the turn classifier encodes it) plus cue indicators."""
    cues = [find_push_cues(t) for t in texts]
    lexical = np.array(
        [[1.0 if any(c.family == name for c in found) else 0.0 for name in PUSH_FEATURE_NAMES] for found in cues],
        dtype=np.float32,
    ).reshape(len(texts), len(PUSH_FEATURE_NAMES))
    embedded = encoder.encode([normalize(t) for t in texts]) if texts else np.zeros((0, encoder.dim), np.float32)
    return np.hstack([embedded, LEXICAL_WEIGHT * lexical]), cues


class PushKindHead:
    """Load once per process (``load_push_head``), then ``classify`` batches of pitches."""

    def __init__(self, head_path: Path = HEAD_PATH, encoder: SentenceEncoder | None = None) -> None:
        head = load_head(head_path, PUSH_FEATURE_NAMES, "push-kind head", "analysis.train_push_kind")
        self.kinds = names(head["kinds"])
        if sorted(self.kinds) != sorted(PUSH_KINDS):
            raise AnalysisError(f"{head_path}: kinds {self.kinds} are not {PUSH_KINDS}")
        self.weights = head["weights"].astype(np.float32).reshape(-1)
        self.bias = float(head["bias"].reshape(-1)[0])
        self.encoder = encoder or load_encoder()

    def probability(self, matrix: np.ndarray) -> np.ndarray:
        """P(``self.kinds[1]``) per row of a ``push_features`` matrix."""
        return 1.0 / (1.0 + np.exp(-(matrix @ self.weights + self.bias)))

    def classify(self, texts: Sequence[str]) -> list[PushKind]:
        texts = [str(t) for t in texts]
        if not texts:
            return []
        matrix, cues = push_features(self.encoder, texts)
        out = []
        for p, found in zip(self.probability(matrix), cues):
            k = int(p >= 0.5)
            kind = self.kinds[k]
            evidence = tuple(dict.fromkeys(
                c.phrase for c in found if c.label == kind and c.family not in PRONOUN_FAMILIES
            ))
            out.append(PushKind(kind, float(p if k else 1.0 - p), evidence))
        return out


@lru_cache(maxsize=1)
def load_push_head() -> PushKindHead:
    """The process-wide push-kind head (sharing the turn classifier's encoder)."""
    return PushKindHead()
