"""Write ``speaker_encoder.onnx`` from resemblyzer's pretrained weights (needs torch).

    python -m transcription.diarization.encoder_export [--out PATH]

The graph is small (1.4 M parameters, 5.7 MB), so it is committed and shipped with the package;
rerun this only when resemblyzer's weights change. ``tests/test_speaker_encoder_onnx.py``
checks the committed file against resemblyzer's torch model on real speech.
"""
from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from transcription.diarization.encoder import MODEL_PATH, N_MELS


def export(out: Path = MODEL_PATH) -> Path:
    import torch
    from resemblyzer import VoiceEncoder

    encoder = VoiceEncoder("cpu", verbose=False).eval()
    example = torch.rand(2, 160, N_MELS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            encoder, (example,), str(out),
            input_names=["mels"], output_names=["embeddings"],
            dynamic_axes={"mels": {0: "windows", 1: "frames"}, "embeddings": {0: "windows"}},
            opset_version=17, dynamo=False,
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    print(export(parser.parse_args().out))


if __name__ == "__main__":
    main()
