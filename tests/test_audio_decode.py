"""Decoding: every supported container, any rate, mono and stereo; bad files raise one typed error."""
from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import make_tone
from transcription.audio import SAMPLE_RATE, load_audio
from transcription.errors import AudioDecodeError

pytestmark = pytest.mark.slow  # renders test audio with ffmpeg processes

FORMATS = [
    ("wav", 44100, 1, ()),
    ("wav", 8000, 2, ()),
    ("flac", 48000, 2, ()),
    ("mp3", 22050, 1, ("-c:a", "libmp3lame", "-b:a", "64k")),
    ("m4a", 44100, 2, ("-c:a", "aac", "-b:a", "96k")),
    ("aac", 16000, 1, ("-c:a", "aac")),
    ("ogg", 48000, 1, ("-c:a", "libopus", "-b:a", "32k")),
    ("opus", 48000, 2, ("-c:a", "libopus")),  # Opus always decodes at 48 kHz
    ("webm", 48000, 1, ("-c:a", "libopus")),
]


@pytest.mark.parametrize("ext,rate,channels,codec", FORMATS, ids=[f"{f[0]}-{f[1]}-{f[2]}ch" for f in FORMATS])
def test_decodes_to_16k_float32_per_channel(tmp_path, ext, rate, channels, codec):
    path = make_tone(tmp_path / f"tone.{ext}", seconds=2.0, rate=rate, channels=channels,
                     codec_args=codec)
    audio = load_audio(path)
    assert audio.channels == channels
    assert audio.samples.dtype == np.float32
    assert audio.original_sample_rate == rate
    assert audio.duration == pytest.approx(2.0, abs=0.15)  # raw AAC keeps its encoder delay
    assert 0.05 < np.abs(audio.samples).max() <= 1.0  # ffmpeg tones peak at 1/8
    assert len(audio.mono()) == audio.samples.shape[1]


def test_stereo_keeps_channels_apart(tmp_path):
    audio = load_audio(make_tone(tmp_path / "st.wav", rate=8000, channels=2))
    spectrum = [np.abs(np.fft.rfft(audio.channel(i))) for i in range(2)]
    freqs = np.fft.rfftfreq(audio.samples.shape[1], 1 / SAMPLE_RATE)
    assert freqs[spectrum[0].argmax()] == pytest.approx(440, abs=5)
    assert freqs[spectrum[1].argmax()] == pytest.approx(660, abs=5)


def test_missing_file(tmp_path):
    with pytest.raises(AudioDecodeError, match="no such file"):
        load_audio(tmp_path / "nope.wav")


def test_empty_file(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioDecodeError, match="empty"):
        load_audio(tmp_path / "empty.wav")


def test_not_audio(tmp_path):
    path = tmp_path / "notes.mp3"
    path.write_text("these are meeting notes, not a recording\n" * 50)
    with pytest.raises(AudioDecodeError, match="not a readable audio file|no audio"):
        load_audio(path)


def test_directory_is_not_a_recording(tmp_path):
    with pytest.raises(AudioDecodeError, match="not a regular file"):
        load_audio(tmp_path)


def test_truncated_file(tmp_path):
    full = make_tone(tmp_path / "full.flac", rate=16000)
    cut = tmp_path / "cut.flac"
    cut.write_bytes(full.read_bytes()[:40])
    with pytest.raises(AudioDecodeError, match=str(cut.name)):
        load_audio(cut)


def test_zero_length_audio(tmp_path):
    path = tmp_path / "zero.wav"
    # A valid RIFF/WAVE header with a data chunk of 0 bytes.
    header = (b"RIFF" + (36).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
              + (1).to_bytes(2, "little") + (1).to_bytes(2, "little")
              + (16000).to_bytes(4, "little") + (32000).to_bytes(4, "little")
              + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
              + b"data" + (0).to_bytes(4, "little"))
    path.write_bytes(header)
    with pytest.raises(AudioDecodeError, match="zero length|no audio|not a readable"):
        load_audio(path)


def test_error_names_file_and_reason(tmp_path):
    path = tmp_path / "bad.ogg"
    path.write_bytes(b"OggS" + bytes(200))
    with pytest.raises(AudioDecodeError) as info:
        load_audio(path)
    assert info.value.path == str(path)
    assert str(path) in str(info.value) and info.value.reason
