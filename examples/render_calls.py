"""Render scripted two-voice sales calls with espeak-ng and sox, with exact ground truth.

Every turn is synthesised alone, its leading/trailing silence trimmed to the sample, and
placed on the timeline after its scripted pause, so turn start/end times in the truth file
are exact to one sample of the rendered audio.

    python -m examples.render_calls --all                      # re-render examples/archive
    python -m examples.render_calls SCRIPT.json --out DIR [--fmt wav --stereo --rttm]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os.path
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = [
    "ARCHIVE_DIR",
    "CHANNEL_INDEX",
    "SCRIPTS_DIR",
    "TRUTH_DIR",
    "MANIFEST_COLUMNS",
    "CallTruth",
    "RenderError",
    "TruthTurn",
    "load_script",
    "load_truth",
    "render_archive",
    "render_call",
    "tools_missing",
    "write_rttm",
]

logger = logging.getLogger(__name__)

EXAMPLES_DIR = Path(__file__).resolve().parent
SCRIPTS_DIR = EXAMPLES_DIR / "scripts"
ARCHIVE_DIR = EXAMPLES_DIR / "archive"
TRUTH_DIR = EXAMPLES_DIR / "truth"

MANIFEST_COLUMNS = (
    "path", "call_id", "recorded_at", "seller_id", "seller_name", "account",
    "opportunity_id", "outcome", "seller_channel", "num_speakers", "team",
)
SPEAKERS = ("seller", "buyer")
LABELS = ("discovery", "product_push", "other")
PUSH_KINDS = ("usage", "feature")
CHANNEL_INDEX = {"left": 0, "right": 1}

# Samples quieter than this (int16) at a turn's edges count as silence and are trimmed.
TRIM_THRESHOLD = 200
PEAK_DBFS = -3.0
DEFAULT_TAIL_S = 0.8
DEFAULT_BLEED_DB = -25.0

ENCODERS = {
    "wav": ["-c:a", "pcm_s16le"],
    "flac": ["-c:a", "flac", "-compression_level", "8"],
    "ogg": ["-c:a", "libopus", "-application", "voip"],
    "opus": ["-c:a", "libopus", "-application", "voip"],
    "mp3": ["-c:a", "libmp3lame"],
    "m4a": ["-c:a", "aac"],
}
LOSSY = {"ogg", "opus", "mp3", "m4a"}
DEFAULT_BITRATE = "32k"


class RenderError(RuntimeError):
    """A call script is invalid or a rendering tool failed."""


@dataclass(frozen=True)
class TruthTurn:
    speaker: str
    start: float
    end: float
    text: str
    label: str | None
    price_mention: bool
    push_kind: str | None = None


@dataclass(frozen=True)
class CallTruth:
    call_id: str
    audio: str
    """Audio path relative to the truth file's folder."""
    duration_s: float
    sample_rate: int
    channels: int
    seller_channel: str | None
    """`left`/`right` for stereo renders (seller's own channel), None for mono."""
    turns: tuple[TruthTurn, ...]
    first_price_s: float | None
    first_price_by: str | None
    first_price_text: str | None
    truth_path: Path | None = None

    @property
    def audio_path(self) -> Path:
        if self.truth_path is None:
            raise RenderError(f"{self.call_id}: truth was not loaded from a file")
        return self.truth_path.parent / self.audio

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("truth_path")
        return data


def tools_missing() -> list[str]:
    """Names of the external programs rendering needs that are not on PATH."""
    return [tool for tool in ("espeak-ng", "sox", "ffmpeg") if shutil.which(tool) is None]


def load_script(path: Path) -> dict:
    script = json.loads(Path(path).read_text())
    _validate_script(script, str(path))
    return script


def load_truth(path: Path) -> CallTruth:
    path = Path(path)
    data = json.loads(path.read_text())
    turns = tuple(TruthTurn(**turn) for turn in data.pop("turns"))
    return CallTruth(turns=turns, truth_path=path.resolve(), **data)


def write_rttm(truth: CallTruth, path: Path) -> Path:
    """Write the truth's speaker turns as RTTM, speakers named `seller` and `buyer`."""
    lines = [
        f"SPEAKER {truth.call_id} 1 {turn.start:.3f} {turn.end - turn.start:.3f} "
        f"<NA> <NA> {turn.speaker} <NA> <NA>\n"
        for turn in truth.turns
    ]
    path = Path(path)
    path.write_text("".join(lines))
    return path


def render_call(
    script: dict,
    out_dir: Path,
    *,
    fmt: str = "flac",
    stereo: bool = False,
    sample_rate: int = 16000,
    seller_channel: str = "left",
    bitrate: str | None = None,
    name: str | None = None,
    truth_dir: Path | None = None,
) -> Path:
    """Render `script` to `out_dir/<name>.<fmt>` and return the path of its truth JSON.

    The truth goes to `truth_dir` (default `out_dir`) as `<name>.truth.json`; `name`
    defaults to the script's `call_id`. Stereo puts the seller on `seller_channel` and
    the buyer on the other, each with a faint bleed of the other party.
    """
    _validate_script(script, script.get("call_id", "<script>"))
    if fmt not in ENCODERS:
        raise RenderError(f"unknown format {fmt!r}; choose from {', '.join(ENCODERS)}")
    if stereo and seller_channel not in CHANNEL_INDEX:
        raise RenderError(f"seller_channel must be left or right, not {seller_channel!r}")
    missing = tools_missing()
    if missing:
        raise RenderError(f"missing programs: {', '.join(missing)}")

    out_dir = Path(out_dir)
    truth_dir = Path(truth_dir) if truth_dir is not None else out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    name = name or script["call_id"]
    audio_path = out_dir / f"{name}.{fmt}"

    with tempfile.TemporaryDirectory(prefix="callytics-render-") as tmp:
        tmp_dir = Path(tmp)
        clips = [
            _synthesise(turn["text"], script["voices"][turn["speaker"]], sample_rate, tmp_dir / f"turn-{i}")
            for i, turn in enumerate(script["turns"])
        ]
        placed, total = _place(script, clips, sample_rate)
        channels = _mix(placed, total, stereo, seller_channel, script)
        mix_path = tmp_dir / "mix.wav"
        _write_wav(mix_path, channels, sample_rate)
        _encode(mix_path, audio_path, fmt, bitrate)

    turns = tuple(
        TruthTurn(
            speaker=turn["speaker"],
            start=round(start / sample_rate, 4),
            end=round(end / sample_rate, 4),
            text=turn["text"],
            label=turn.get("label"),
            price_mention=bool(turn.get("price_mention", False)),
            push_kind=turn.get("push_kind"),
        )
        for turn, (start, end, _) in zip(script["turns"], placed)
    )
    first_price = next((turn for turn in turns if turn.price_mention), None)
    truth = CallTruth(
        call_id=script["call_id"],
        audio=Path(_relpath(audio_path, truth_dir)).as_posix(),
        duration_s=round(total / sample_rate, 4),
        sample_rate=sample_rate,
        channels=2 if stereo else 1,
        seller_channel=seller_channel if stereo else None,
        turns=turns,
        first_price_s=first_price.start if first_price else None,
        first_price_by=first_price.speaker if first_price else None,
        first_price_text=first_price.text if first_price else None,
    )
    truth_path = truth_dir / f"{name}.truth.json"
    truth_path.write_text(json.dumps(truth.to_json(), indent=2) + "\n")
    logger.info("rendered %s (%.1f s) to %s", truth.call_id, truth.duration_s, audio_path)
    return truth_path


def render_archive(
    scripts_dir: Path = SCRIPTS_DIR,
    archive_dir: Path = ARCHIVE_DIR,
    truth_dir: Path = TRUTH_DIR,
) -> list[Path]:
    """Render every script's `archive` entry, write truth + RTTM and `manifest.csv`."""
    scripts = [load_script(path) for path in sorted(Path(scripts_dir).glob("*.json"))]
    if not scripts:
        raise RenderError(f"no call scripts in {scripts_dir}")
    archive_dir = Path(archive_dir)
    truth_paths, rows = [], []
    for script in scripts:
        entry = script["archive"]
        relative = Path(entry["path"])
        stereo = bool(entry.get("stereo", False))
        truth_path = render_call(
            script,
            archive_dir / relative.parent,
            fmt=relative.suffix.lstrip("."),
            stereo=stereo,
            sample_rate=int(entry.get("sample_rate", 16000)),
            seller_channel=entry.get("seller_channel", "left"),
            bitrate=entry.get("bitrate"),
            name=relative.stem,
            truth_dir=truth_dir,
        )
        write_rttm(load_truth(truth_path), truth_path.with_name(f"{relative.stem}.rttm"))
        truth_paths.append(truth_path)
        call = script["call"]
        rows.append({
            "path": relative.as_posix(),
            "call_id": script["call_id"],
            **{key: call[key] for key in MANIFEST_COLUMNS[2:8]},
            "seller_channel": entry.get("seller_channel", "left") if stereo else "",
            "num_speakers": 2,
            "team": call.get("team", ""),
        })
    with (archive_dir / "manifest.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda row: row["recorded_at"]))
    return truth_paths


def _validate_script(script: dict, where: str) -> None:
    for key in ("call_id", "voices", "turns"):
        if key not in script:
            raise RenderError(f"{where}: missing {key!r}")
    for speaker in SPEAKERS:
        if "voice" not in script["voices"].get(speaker, {}):
            raise RenderError(f"{where}: voices.{speaker}.voice is required")
    if not script["turns"]:
        raise RenderError(f"{where}: no turns")
    for index, turn in enumerate(script["turns"]):
        if turn.get("speaker") not in SPEAKERS:
            raise RenderError(f"{where}: turn {index}: speaker must be seller or buyer")
        if not turn.get("text", "").strip():
            raise RenderError(f"{where}: turn {index}: empty text")
        label = turn.get("label")
        if turn["speaker"] == "seller" and label not in LABELS:
            raise RenderError(f"{where}: turn {index}: seller label must be one of {LABELS}")
        if turn["speaker"] == "buyer" and label is not None:
            raise RenderError(f"{where}: turn {index}: buyer turns have label null")
        push_kind = turn.get("push_kind")
        if push_kind is not None and (label != "product_push" or push_kind not in PUSH_KINDS):
            raise RenderError(f"{where}: turn {index}: push_kind must be one of {PUSH_KINDS}, on product_push turns only")
        if float(turn.get("pause_before_s", 0)) < 0:
            raise RenderError(f"{where}: turn {index}: pause_before_s must be >= 0")


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RenderError(f"{command[0]} failed: {detail}")


def _synthesise(text: str, voice: dict, sample_rate: int, stem: Path) -> array:
    """One turn as trimmed int16 samples at `sample_rate`, peak-normalised."""
    text_path, wav_path, raw_path = (stem.with_suffix(suffix) for suffix in (".txt", ".wav", ".raw"))
    text_path.write_text(text)
    _run([
        "espeak-ng", "-v", voice["voice"], "-p", str(voice.get("pitch", 50)),
        "-s", str(voice.get("speed", 160)), "-w", str(wav_path), "-f", str(text_path),
    ])
    gain_db = PEAK_DBFS + float(voice.get("gain_db", 0.0))
    _run([
        "sox", "-D", str(wav_path), "-t", "raw", "-e", "signed-integer", "-b", "16",
        "-c", "1", "-L", str(raw_path), "gain", "-n", str(gain_db), "rate", "-v", str(sample_rate),
    ])
    samples = array("h")
    samples.frombytes(raw_path.read_bytes())
    if sys.byteorder == "big":
        samples.byteswap()
    first = next((i for i, x in enumerate(samples) if abs(x) > TRIM_THRESHOLD), None)
    if first is None:
        raise RenderError(f"espeak-ng produced silence for {text!r}")
    last = len(samples) - 1
    while abs(samples[last]) <= TRIM_THRESHOLD:
        last -= 1
    return samples[first:last + 1]


def _place(script: dict, clips: list[array], sample_rate: int) -> tuple[list, int]:
    """(start, end, clip) in samples for every turn, and the total length."""
    placed, cursor = [], 0
    for turn, clip in zip(script["turns"], clips):
        cursor += round(float(turn.get("pause_before_s", 0.0)) * sample_rate)
        placed.append((cursor, cursor + len(clip), clip))
        cursor += len(clip)
    tail = round(float(script.get("tail_s", DEFAULT_TAIL_S)) * sample_rate)
    return placed, cursor + tail


def _mix(placed: list, total: int, stereo: bool, seller_channel: str, script: dict) -> list[array]:
    speakers = [turn["speaker"] for turn in script["turns"]]
    if not stereo:
        mono = array("h", bytes(2 * total))
        for start, end, clip in placed:
            mono[start:end] = clip
        return [_add_noise(mono, script)]
    bleed = 10 ** (float(script.get("bleed_db", DEFAULT_BLEED_DB)) / 20)
    own = {"seller": CHANNEL_INDEX[seller_channel], "buyer": 1 - CHANNEL_INDEX[seller_channel]}
    channels = [array("h", bytes(2 * total)) for _ in range(2)]
    for speaker, (start, end, clip) in zip(speakers, placed):
        channels[own[speaker]][start:end] = clip
        channels[1 - own[speaker]][start:end] = array("h", (round(x * bleed) for x in clip))
    return [_add_noise(channel, script, seed_offset=i) for i, channel in enumerate(channels)]


def _add_noise(samples: array, script: dict, seed_offset: int = 0) -> array:
    """Add a deterministic Gaussian noise floor at `noise_dbfs`, when the script asks."""
    if script.get("noise_dbfs") is None:
        return samples
    sigma = 32767 * 10 ** (float(script["noise_dbfs"]) / 20)
    rng = random.Random(f"{script['call_id']}:{seed_offset}")
    return array("h", (max(-32768, min(32767, x + round(rng.gauss(0.0, sigma)))) for x in samples))


def _write_wav(path: Path, channels: list[array], sample_rate: int) -> None:
    if len(channels) == 1:
        frames = channels[0]
    else:
        frames = array("h", bytes(4 * len(channels[0])))
        frames[0::2] = channels[0]
        frames[1::2] = channels[1]
    if sys.byteorder == "big":
        frames.byteswap()
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(len(channels))
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes(frames.tobytes())


def _encode(mix_path: Path, audio_path: Path, fmt: str, bitrate: str | None) -> None:
    codec = list(ENCODERS[fmt])
    if fmt in LOSSY:
        codec += ["-b:a", bitrate or DEFAULT_BITRATE]
    _run([
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(mix_path),
        *codec, "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
        str(audio_path),
    ])


def _relpath(path: Path, start: Path) -> str:
    return os.path.relpath(Path(path).resolve(), Path(start).resolve())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.render_calls", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scripts", nargs="*", type=Path, help="call script JSON files")
    parser.add_argument("--all", action="store_true", help="re-render examples/archive + truth")
    parser.add_argument("--out", type=Path, default=Path("rendered"), help="output folder")
    parser.add_argument("--fmt", default="flac", choices=sorted(ENCODERS))
    parser.add_argument("--stereo", action="store_true")
    parser.add_argument("--seller-channel", default="left", choices=sorted(CHANNEL_INDEX))
    parser.add_argument("--sample-rate", type=int, default=16000)
    parser.add_argument("--rttm", action="store_true", help="also write <name>.rttm")
    args = parser.parse_args(argv)
    if not args.all and not args.scripts:
        parser.error("give call scripts or --all")
    try:
        if args.all:
            for truth_path in render_archive():
                truth = load_truth(truth_path)
                print(f"{truth.call_id}: {truth.duration_s:.1f} s -> {truth.audio_path.resolve()}")
        for script_path in args.scripts:
            truth_path = render_call(
                load_script(script_path), args.out, fmt=args.fmt, stereo=args.stereo,
                sample_rate=args.sample_rate, seller_channel=args.seller_channel,
                name=script_path.stem,
            )
            if args.rttm:
                write_rttm(load_truth(truth_path), truth_path.with_name(f"{script_path.stem}.rttm"))
            print(truth_path)
    except (RenderError, OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
