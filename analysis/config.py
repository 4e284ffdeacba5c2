"""Settings for roles and labels; the flow fills them from the config file."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnalysisConfig:
    """Company vocabulary and thresholds.

    ``company_names``: the seller's company as people say it ("Northwind").
    ``product_names`` / ``feature_words``: the offering's vocabulary; said by a seller they count as
    product talk, and they are evidence of who the seller is.
    ``seller_names``: first names of the company's sellers ("Dana"), matched in introductions.
    ``voice_match_threshold``: minimum similarity to an enrolled seller voice to trust it.
    ``role_confidence_threshold``: roles found from the transcript with a lower calibrated
    confidence are flagged uncertain (``calls.roles_uncertain``).
    ``monologue_break_s``: an utterance of the other side at least this long ends a monologue.
    """

    company_names: tuple[str, ...] = ()
    product_names: tuple[str, ...] = ()
    feature_words: tuple[str, ...] = ()
    seller_names: tuple[str, ...] = ()
    voice_match_threshold: float = 0.75
    role_confidence_threshold: float = 0.8
    monologue_break_s: float = 1.0

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """Terms that mark talk about the offering."""
        return tuple(t for t in (*self.company_names, *self.product_names, *self.feature_words) if t.strip())
