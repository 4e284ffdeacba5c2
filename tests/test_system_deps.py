"""``make test`` installs missing Debian packages itself when it can, else names them in one line.

Runs scripts/system-deps.sh with stand-in ``dpkg-query``, ``id``, ``sudo`` and ``apt-get``.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the install script in a shell

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "system-deps.sh"


def stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def run(tmp_path: Path, *, uid: int, sudo_ok: bool, installed: set[str]) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    stub(bin_dir, "dpkg-query", 'case " ' + " ".join(installed) + ' " in *" $3 "*) printf "install ok installed";; '
         '*) exit 1;; esac')
    stub(bin_dir, "id", f"echo {uid}")
    stub(bin_dir, "sudo", "[ \"$1\" = -n ] && exit " + ("0" if sudo_ok else "1") + f'\necho "sudo $*" >> {log}\n"$@"')
    stub(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}')
    env = dict(os.environ, PATH=f"{bin_dir}:/usr/bin:/bin")
    return subprocess.run(["sh", str(SCRIPT), "espeak-ng", "sox", "chromium"], env=env,
                          capture_output=True, text=True, timeout=30)


def apt_log(tmp_path: Path) -> str:
    log = tmp_path / "apt.log"
    return log.read_text() if log.exists() else ""


def test_nothing_missing_does_nothing(tmp_path):
    done = run(tmp_path, uid=1000, sudo_ok=False, installed={"espeak-ng", "sox", "chromium"})
    assert done.returncode == 0 and done.stderr == "" and apt_log(tmp_path) == ""


def test_without_root_or_sudo_one_line_names_the_missing_packages(tmp_path):
    done = run(tmp_path, uid=1000, sudo_ok=False, installed={"sox"})
    assert done.returncode == 1 and apt_log(tmp_path) == ""
    assert done.stderr.strip().splitlines() == [
        "missing Debian packages: espeak-ng chromium (install them with: sudo apt-get install espeak-ng chromium)"]


@pytest.mark.parametrize("uid, sudo_ok, prefix", [(0, False, ""), (1000, True, "sudo ")])
def test_as_root_or_with_sudo_it_installs_them(tmp_path, uid, sudo_ok, prefix):
    done = run(tmp_path, uid=uid, sudo_ok=sudo_ok, installed={"sox"})
    assert done.returncode == 0, done.stderr
    installs = [line for line in apt_log(tmp_path).splitlines() if line.startswith("apt-get") and "install" in line]
    assert len(installs) == 1 and re.search(r"install -y .*espeak-ng chromium$", installs[0])
    assert ("sudo apt-get install" in apt_log(tmp_path)) is bool(prefix)


def test_make_test_runs_it_before_the_tests():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: system-deps\b", makefile, flags=re.M)
    assert re.search(r"^system-deps:\n\t@sh scripts/system-deps.sh \$\(DEBIAN_PACKAGES\)", makefile, flags=re.M)
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")
