"""The default pipeline never imports torch: the CLI, ASR, the embedded diarizer, seller enrolment
and the analysis stage run on CTranslate2 and ONNX Runtime, within the process's thread budget.
Only pyannote brings torch in."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

TORCH_FAMILY = ("torch", "torchaudio", "pyannote", "resemblyzer", "sentence_transformers", "transformers")

SCRIPT = """
import json, sys
from pathlib import Path

def torch_modules():
    return sorted(m for m in sys.modules if m.split('.')[0] in %(family)r)

stages = {}
import flows.cli
stages['import flows.cli'] = torch_modules()

from flows.archive import CallSource
from flows.config import Settings
from flows.process import CallProcessor
processor = CallProcessor(Settings(voices_dir=Path(sys.argv[1]), cpu_threads=1))
stages['load models (ASR, embedded diarizer, enrolment)'] = torch_modules()

call = Path(sys.argv[2])
outcome = processor.process(CallSource(call_id='c', archive=str(call.parent), relative_path=call.name, seller_id='S01'), 'sha', 'run')
assert outcome.ok, outcome.record.error
assert outcome.record.diarization_backend == 'embedded' and outcome.record.role_method
stages['process a mono call (enrolled seller)'] = torch_modules()
print(json.dumps(stages))
"""


@pytest.mark.slow
def test_default_pipeline_runs_without_importing_torch(tmp_path):
    from tests.diarization_helpers import write_wav
    from transcription.audio import load_audio

    truth = json.loads((ROOT / "examples" / "truth" / "2026-11-16_brightlane.truth.json").read_text())
    samples = load_audio(ROOT / "examples" / "truth" / truth["audio"]).mono()
    (tmp_path / "voices" / "S01").mkdir(parents=True)
    seller = [t for t in truth["turns"] if t["speaker"] == "seller"][:6]
    for i, turn in enumerate(seller):
        write_wav(tmp_path / "voices" / "S01" / f"ref{i}.wav", samples[int(turn["start"] * 16000):int(turn["end"] * 16000)])

    done = subprocess.run(
        [sys.executable, "-c", SCRIPT % {"family": TORCH_FAMILY}, str(tmp_path / "voices"),
         str(ROOT / "examples" / "archive" / "2026-W47" / "2026-11-20_kestrel.wav")],
        env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    stages = json.loads(done.stdout.strip().splitlines()[-1])
    assert stages == {stage: [] for stage in stages} and len(stages) == 3



def test_the_process_thread_budget_reaches_onnx_sessions():
    from transcription.diarization.encoder import MODEL_PATH
    from transcription.runtime import cpu_threads, onnx_session, set_cpu_threads

    before = cpu_threads()
    try:
        set_cpu_threads(1)
        assert onnx_session(MODEL_PATH).get_session_options().intra_op_num_threads == 1
        set_cpu_threads(0)
        assert onnx_session(MODEL_PATH).get_session_options().intra_op_num_threads == 0
    finally:
        set_cpu_threads(before)
