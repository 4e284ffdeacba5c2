"""The ONNX speaker encoder and its numpy mel features give what resemblyzer's torch model gives.

References: the torch feature code the encoder used before (torch.stft + torchaudio's Slaney mel
bank) and resemblyzer's own ``VoiceEncoder``; real speech: pyannote's phone call (sample.wav).
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import PYANNOTE_SAMPLE_DIR, embed_whole_mel
from transcription.audio import load_audio
from transcription.diarization.encoder import MEL_HOP, MODEL_PATH, SpeakerEncoder, mel_filterbank

pytestmark = pytest.mark.slow


def torch_mel(samples: np.ndarray) -> np.ndarray:
    """The previous torch implementation of ``SpeakerEncoder.mel`` (one block)."""
    import torch
    import torchaudio

    bank = torchaudio.functional.melscale_fbanks(201, 0.0, 8000.0, 40, 16000, norm="slaney", mel_scale="slaney")
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    block = np.pad(samples * (10 ** (-30 / 20) / max(rms, 1e-6)), (200, 200 + (-len(samples)) % MEL_HOP))
    block = block[: (len(samples) // MEL_HOP) * MEL_HOP + 400].astype(np.float32)
    spec = torch.stft(torch.from_numpy(block), n_fft=400, hop_length=MEL_HOP, window=torch.hann_window(400),
                      center=False, return_complex=True).abs() ** 2
    return (spec.T @ bank).numpy()


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return np.asarray(load_audio(PYANNOTE_SAMPLE_DIR / "sample.wav").mono())


@pytest.fixture(scope="module")
def encoder() -> SpeakerEncoder:
    return SpeakerEncoder()


@pytest.fixture(scope="module")
def voice_encoder():
    from resemblyzer import VoiceEncoder

    return VoiceEncoder("cpu", verbose=False)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_filterbank_is_torchaudios_slaney_bank():
    import torchaudio

    reference = torchaudio.functional.melscale_fbanks(201, 0.0, 8000.0, 40, 16000, norm="slaney", mel_scale="slaney")
    assert np.allclose(mel_filterbank(), reference.numpy(), rtol=1e-5, atol=1e-8)


def test_mel_matches_the_torch_features_on_real_speech(encoder, speech):
    ours, reference = encoder.mel(speech), torch_mel(speech)
    assert ours.shape == reference.shape == (len(speech) // MEL_HOP + 1, 40)
    assert np.abs(ours - reference).max() <= 1e-5 * np.abs(reference).max()


def test_blocks_join_without_a_seam(encoder, speech, monkeypatch):
    import transcription.diarization.encoder as module

    whole = encoder.mel(speech)
    monkeypatch.setattr(module, "_BLOCK_FRAMES", 777)
    assert np.allclose(encoder.mel(speech), whole, rtol=1e-5, atol=1e-9)


def test_window_embeddings_match_resemblyzer_on_real_speech(encoder, voice_encoder, speech):
    import torch

    mel = encoder.mel(speech)
    windows = [(s, s + length) for length in (120, 160) for s in range(0, len(mel) - length, 45)]
    ours = embed_whole_mel(encoder, mel, windows)
    with torch.inference_mode():
        reference = np.concatenate([
            voice_encoder(torch.from_numpy(np.stack([mel[a:b] for a, b in windows if b - a == length]))).numpy()
            for length in (120, 160)
        ])
    assert len(windows) > 100
    assert _cosines(ours, reference).min() >= 0.999


def test_voice_embedding_matches_resemblyzers_utterance_embedding(encoder, voice_encoder, speech):
    import torch

    mel = torch_mel(speech)  # the whole torch path: torch features, torch model, same averaging
    starts = range(0, len(mel) - 160 + 1, 80)
    with torch.inference_mode():
        partials = voice_encoder(torch.from_numpy(np.stack([mel[s : s + 160] for s in starts]))).numpy()
    reference = partials.mean(0) / np.linalg.norm(partials.mean(0))
    assert float(encoder.embed_voice(speech) @ reference) >= 0.999


def test_committed_graph_is_the_export_of_the_installed_weights(tmp_path):
    from transcription.diarization.encoder_export import export

    fresh = SpeakerEncoder(export(tmp_path / "speaker_encoder.onnx"))
    committed = SpeakerEncoder(MODEL_PATH)
    mel = np.random.default_rng(0).random((5, 140, 40), dtype=np.float32)
    windows = [(i * 140, (i + 1) * 140) for i in range(5)]
    flat = mel.reshape(-1, 40)
    assert np.allclose(embed_whole_mel(fresh, flat, windows), embed_whole_mel(committed, flat, windows), atol=1e-6)
