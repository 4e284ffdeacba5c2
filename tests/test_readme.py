"""The README stays true: its commands exist and its example configuration loads."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import typer

from flows.cli import app
from flows.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_documented_command_exists():
    registered = {name for name in typer.main.get_command(app).commands}
    documented = set(re.findall(r"^callytics (\w+)", README, flags=re.M))
    assert documented and documented <= registered, documented - registered


def test_example_configuration_is_valid():
    [block] = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
    settings = Settings.from_dict(tomllib.loads(block)["callytics"])
    assert settings.diarization == "auto" and settings.workers == 2


def test_makefile_targets_match_the_two_commands():
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    for target in re.findall(r"^make (\w+)", README, flags=re.M):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
