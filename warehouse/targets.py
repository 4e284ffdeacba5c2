"""Target bands of the seller scorecard: where each metric should be, as [low, high].

Light on imports, so the settings (``flows.config``) can take their defaults from here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Defaults: talk about 40-60% of the time; at least half of the seller's labelled turns
# discovery and half of the pitches about the buyer's use; pitch or raise price before
# discovering in at most a quarter of calls; 11 to 14 questions a call; monologues under 2.5 min.
DEFAULT_TARGETS: dict[str, tuple[float, float]] = {
    "talk_ratio": (0.40, 0.60),
    "discovery_share": (0.50, 1.00),
    "usage_share": (0.50, 1.00),
    "pitch_first_rate": (0.00, 0.25),
    "seller_price_first_rate": (0.00, 0.25),
    "questions_per_call": (11.0, 14.0),
    "longest_monologue_s": (0.0, 150.0),
}


@dataclass(frozen=True)
class TargetBands:
    """Each scorecard metric's target band."""

    bands: Mapping[str, tuple[float, float]]

    @classmethod
    def from_mapping(cls, targets: Mapping[str, tuple[float, float]] | None) -> "TargetBands":
        """``targets`` over the defaults; an unknown metric is an error."""
        unknown = set(targets or {}) - set(DEFAULT_TARGETS)
        if unknown:
            raise ValueError(f"no scorecard metric {', '.join(sorted(unknown))}")
        return cls({**DEFAULT_TARGETS, **(targets or {})})

    def band(self, metric: str) -> tuple[float, float]:
        return self.bands[metric]

    def position(self, metric: str, value: float | None) -> int | None:
        """-1 below the band, 0 inside it, 1 above it; None without a band or a value."""
        if metric not in self.bands or value is None or value != value:
            return None
        low, high = self.bands[metric]
        return -1 if value < low else 1 if value > high else 0
