#!/usr/bin/env bash
# GPU check, on a machine with an NVIDIA GPU after `pip install -e '.[gpu]'` (a few minutes):
#
#   bench/gpu_check.sh [asr] [pyannote] [demo]      (default: all three)
#
# asr       faster-whisper transcribes pyannote's sample.wav (a 30 s phone call) on CUDA (float16),
#           then on the CPU (int8) for comparison; model: $GPU_CHECK_ASR_MODEL (a name or a model
#           folder), default the bundled tiny.en.
# pyannote  the pyannote backend on CUDA, then on the CPU, with a locally built pipeline folder of
#           random-weight models in the layout of speaker-diarization-community-1 (speed only).
# demo      `callytics run` of the example archive with --device cuda into a fresh database.
#
# Prints real-time factors (processing seconds per audio second; below 1 is faster than real
# time). A section that falls back to the CPU, fails or cannot run counts as failed: the exit
# status is the number of failed sections. GPU_CHECK_SAMPLE: another 16 kHz mono PCM wav;
# GPU_CHECK_REPEAT=N: the sample N times over, for timings less dominated by fixed costs.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
SECTIONS=${*:-asr pyannote demo}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi: no GPU listed"

"$PYTHON" - "$SECTIONS" "$WORK" <<'EOF'
import importlib.util, logging, os, sys, time, wave
from pathlib import Path

import numpy as np

sections, work = sys.argv[1].split(), Path(sys.argv[2])
fallbacks = []
class Recorder(logging.Handler):
    def emit(self, record):
        fallbacks.append(record.getMessage())
logging.getLogger("transcription.cuda").addHandler(Recorder())

import ctranslate2
from transcription.cuda import load_cublas
print(f"CTranslate2 {ctranslate2.__version__}: {ctranslate2.get_cuda_device_count()} CUDA device(s); "
      f"cuBLAS 12 from {load_cublas() or 'nowhere'}")

sample = os.environ.get("GPU_CHECK_SAMPLE") or Path(importlib.util.find_spec("pyannote.audio").origin).parent / "sample" / "sample.wav"
with wave.open(str(sample)) as handle:  # 16 kHz mono PCM
    samples = np.frombuffer(handle.readframes(handle.getnframes()), "<i2").astype(np.float32) / 32768
samples = np.tile(samples, int(os.environ.get("GPU_CHECK_REPEAT", "1")))
seconds = len(samples) / 16000


def report(name, elapsed, device):
    print(f"{name}: {elapsed:.2f} s for {seconds:.0f} s of audio on {device}, "
          f"real-time factor {elapsed / seconds:.4f} ({seconds / elapsed:.0f}x real time)")

def timed(run):
    """Seconds ``run`` takes on the whole sample, after a warm-up on its first 10 s."""
    run(samples[:16000 * 10])
    start = time.perf_counter()
    result = run(samples)
    return result, time.perf_counter() - start

def require_gpu(device):
    if device != "cuda":
        raise RuntimeError(f"fell back to the CPU: {fallbacks[-1] if fallbacks else 'no warning'}")

def check_asr():
    from transcription.asr import AsrOptions, SpeechRecognizer
    model = os.environ.get("GPU_CHECK_ASR_MODEL", "bundled:tiny.en")
    devices = []
    for device, compute_type in (("cuda", "float16"), ("cpu", "int8")):
        recognizer = SpeechRecognizer(AsrOptions(model=model, device=device, compute_type=compute_type, language="en"))
        transcript, elapsed = timed(recognizer.transcribe)
        report(f"asr ({recognizer.name}, {recognizer.compute_type})", elapsed, recognizer.device)
        print(f"  {len(transcript.words)} words; first:", "".join(w.text for w in transcript.words[:12]).strip())
        devices.append(recognizer.device)
    require_gpu(devices[0])

def check_pyannote():
    from tests.diarization_helpers import build_random_pipeline
    from transcription.diarization.pyannote_backend import PyannoteDiarizer
    folder = build_random_pipeline(work / "pipeline")
    for device in ("cuda", "cpu"):
        diarizer = PyannoteDiarizer(str(folder), device=device)
        report("pyannote (random weights)", timed(diarizer.diarize_samples)[1], diarizer.device)
        if device == "cuda":
            require_gpu(diarizer.device)
            import torch
            print(f"  peak GPU memory held by torch: {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB")

def check_demo():
    import subprocess
    from transcription.audio import AUDIO_EXTENSIONS, load_audio
    archive = Path("examples/archive")
    audio_s = sum(load_audio(p).duration for p in archive.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flows", "run", str(archive), "--db", str(work / "demo.duckdb"),
                           "--device", "cuda"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or "cannot use the GPU" in done.stderr:
        raise RuntimeError(done.stderr.strip() or f"exit status {done.returncode}")
    print(f"demo (callytics run --device cuda, process start to exit): {elapsed:.1f} s for {audio_s:.0f} s "
          f"of audio, real-time factor {elapsed / audio_s:.4f}")
    print("\n".join(done.stdout.strip().splitlines()[-3:]))

failed = 0
print(f"sample: {sample}, {seconds:.0f} s")
for name, check in (("asr", check_asr), ("pyannote", check_pyannote), ("demo", check_demo)):
    if name in sections:
        try:
            check()
        except Exception as exc:
            failed += 1
            print(f"{name} FAILED: {' '.join(str(exc).split())}")
        if fallbacks:
            print(f"  {name}: {len(fallbacks)} CPU-fallback warning(s)")
            fallbacks.clear()
print(f"gpu_check: {failed} section(s) failed")
sys.exit(failed)
EOF
