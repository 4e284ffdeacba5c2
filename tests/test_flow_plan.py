"""``plan_call``: one decision per call about backend, seller channel, vocabulary and enrolment."""
from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import Settings
from flows.plan import plan_call
from transcription.diarization import SpeakerCountHints, backends_to_load
from transcription.errors import DiarizationError


def test_stereo_with_a_manifest_channel_is_split_by_channel():
    plan = plan_call(Settings(), channels=2, seller_channel=1)
    assert (plan.diarization, plan.seller_channel) == ("channels", 1)


def test_the_configured_channel_fills_in_for_stereo_only():
    settings = Settings(seller_channel="left")
    assert plan_call(settings, channels=2).seller_channel == 0
    mono = plan_call(settings, channels=1, seller_channel=1)
    assert (mono.diarization, mono.seller_channel) == ("embedded", None)


def test_a_manifest_channel_beats_the_configured_one():
    assert plan_call(Settings(seller_channel="left"), channels=2, seller_channel=1).seller_channel == 1


def test_pyannote_when_configured_and_no_channel():
    settings = Settings(pyannote_pipeline="/models/community-1")
    assert plan_call(settings, channels=2).diarization == "pyannote"
    assert plan_call(settings, channels=2, seller_channel=0).diarization == "channels"


def test_channels_on_mono_is_refused():
    with pytest.raises(DiarizationError, match="mono"):
        plan_call(Settings(diarization="channels"), channels=1)


def test_seller_name_joins_the_vocabulary_and_hints_pass_through():
    plan = plan_call(Settings(seller_names=("Marcus",)), channels=1, seller_name="Dana Reyes",
                     speakers=SpeakerCountHints(num_speakers=2))
    assert plan.analysis.seller_names == ("Marcus", "Dana")
    assert plan.speakers.num_speakers == 2


def test_enrolled_voice_only_where_no_channel_names_the_seller():
    settings = Settings(voices_dir=Path("/voices"))
    assert plan_call(settings, channels=1, seller_id="S01").enrolled_seller == "S01"
    assert plan_call(settings, channels=2, seller_channel=0, seller_id="S01").enrolled_seller is None
    assert plan_call(Settings(), channels=1, seller_id="S01").enrolled_seller is None


def test_a_run_loads_only_the_backends_it_can_choose():
    assert backends_to_load("auto", pyannote_configured=False) == ("channels", "embedded")
    assert backends_to_load("auto", pyannote_configured=True) == ("channels", "embedded", "pyannote")
    assert backends_to_load("embedded", pyannote_configured=True) == ("embedded",)
