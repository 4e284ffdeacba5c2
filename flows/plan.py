"""How one call is processed, decided once from its manifest row, the settings and its audio.

The seller channel, the diarization backend, speaker-count hints, the analysis vocabulary and
the seller whose enrolled voice to compare are resolved here and passed down as one typed
``CallPlan``; nothing below ``flows/`` re-derives them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from analysis import AnalysisConfig
from flows.config import Settings, parse_channel
from transcription.diarization.base import SpeakerCountHints
from transcription.diarization.factory import choose_backend
from transcription.errors import DiarizationError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallPlan:
    """``seller_channel`` is set only for stereo recordings (0 = left); ``enrolled_seller`` is the
    seller id whose enrolled voice is compared when no seller channel says who the seller is."""

    diarization: str
    seller_channel: int | None
    speakers: SpeakerCountHints
    analysis: AnalysisConfig
    enrolled_seller: str | None


def analysis_config(settings: Settings) -> AnalysisConfig:
    """The company vocabulary and role threshold every call of a run shares."""
    return AnalysisConfig(
        company_names=settings.company_names,
        product_names=settings.product_names,
        feature_words=settings.feature_words,
        seller_names=settings.seller_names,
        role_confidence_threshold=settings.role_confidence_threshold,
    )


def plan_call(
    settings: Settings,
    *,
    channels: int,
    seller_channel: int | None = None,
    speakers: SpeakerCountHints = SpeakerCountHints(),
    seller_id: str | None = None,
    seller_name: str | None = None,
) -> CallPlan:
    """Plan a call with ``channels`` audio channels. ``seller_channel`` and the rest come from its
    manifest row (or the command line); the settings' ``seller_channel`` fills in for stereo."""
    if channels < 2:
        if seller_channel is not None:
            logger.info("mono recording: seller channel %s ignored", seller_channel)
        seller_channel = None
    elif seller_channel is None:
        seller_channel = parse_channel(settings.seller_channel)
    backend = choose_backend(settings.diarization, channels=channels, seller_channel=seller_channel,
                             pyannote_configured=bool(settings.pyannote_pipeline))
    if backend == "channels" and channels < 2:
        raise DiarizationError(
            "channels diarization needs a stereo recording with one party per channel; this one is mono"
        )
    knows_seller_side = backend == "channels" and seller_channel is not None
    config = analysis_config(settings)
    if seller_name and seller_name.split():
        # The manifest's seller name is the best evidence of who introduces themselves.
        first_name = seller_name.split()[0]
        config = replace(config, seller_names=tuple(dict.fromkeys((*config.seller_names, first_name))))
    return CallPlan(
        diarization=backend,
        seller_channel=seller_channel,
        speakers=speakers,
        analysis=config,
        enrolled_seller=seller_id if settings.voices_dir and seller_id and not knows_seller_side else None,
    )
