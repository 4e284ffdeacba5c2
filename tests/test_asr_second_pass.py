"""The ASR's second pass: speech the batched pass left without words is decoded again, several
regions to a window, and its words land back at their times in the call."""
from __future__ import annotations

import numpy as np
import pytest

from transcription.asr import PACK_GAP_S, PackedRegions
from transcription.audio import SAMPLE_RATE
from transcription.types import Segment, Word


def _ramp(seconds: float) -> np.ndarray:
    """Each sample's value is its own time in seconds, so a packed sample says where it came from."""
    return (np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE).astype(np.float32)


def test_regions_share_a_window_until_it_is_full():
    packed = PackedRegions(_ramp(100), [(10.0, 12.0), (30.0, 31.5), (50.0, 90.0), (95.0, 96.0)])
    # 10-12 and 30-31.5 fit one 30 s window; the 40 s region is a clip of its own, then 95-96.
    assert packed.clips == [0.0, 4.0, 4.5, 44.5, 45.0, 46.0]
    assert packed.samples[int(2.5 * SAMPLE_RATE)] == pytest.approx(30.0)
    assert packed.samples[int(45.0 * SAMPLE_RATE)] == pytest.approx(95.0)
    gap = packed.samples[int(2.0 * SAMPLE_RATE) + 1 : int((2.0 + PACK_GAP_S) * SAMPLE_RATE) - 1]
    assert gap.size and not gap.any()
    assert len(packed.samples) == pytest.approx((2 + 1.5 + 40 + 1 + 4 * PACK_GAP_S) * SAMPLE_RATE, abs=4)


def test_words_return_to_their_times_in_the_call():
    packed = PackedRegions(_ramp(100), [(10.0, 12.0), (30.0, 31.5), (50.0, 90.0)])
    segment = Segment(0.5, 44.0, "a b c d", (
        Word(0.5, 0.9, " a", 0.9),  # first region
        Word(1.8, 2.2, " b", 0.8),  # runs into the gap: clamped to its region's end
        Word(2.6, 3.0, " c", 0.7),  # second region
        Word(40.0, 40.5, " d", 0.6),  # third region
    ))
    restored = packed.restore(segment)
    assert [(w.start, w.end) for w in restored.words] == [(10.5, 10.9), (11.8, 12.0), (30.1, 30.5), (85.5, 86.0)]
    assert [w.text for w in restored.words] == [" a", " b", " c", " d"]
    assert (restored.start, restored.end) == (10.5, 86.0)


@pytest.mark.slow
def test_the_second_pass_recovers_the_price_turn():
    """brightlane's "$60 a seat per month" is speech the batched pass leaves without words."""
    from transcription.asr import AsrOptions, SpeechRecognizer, unheard_speech
    from transcription.audio import load_audio

    samples = load_audio("examples/archive/2026-W47/2026-11-16_brightlane.ogg").mono()
    transcript = SpeechRecognizer(AsrOptions()).transcribe(samples)
    assert any("60" in w.text for w in transcript.words), [w.text for w in transcript.words]
    assert unheard_speech(samples, list(transcript.segments), 500) == []
