"""In CI (``CI=true``) a test skipped because a tool is missing fails; elsewhere it is skipped."""
from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = (Path(__file__).parent / "conftest.py").read_text()
TESTS = '''
import pytest
from conftest import require_tool

needs_it = pytest.mark.skipif(True, reason="missing tool: nothing-like-this (make test installs it)")

def test_calls_a_tool_that_is_not_there():
    require_tool("callytics-no-such-tool")

@needs_it
def test_marked_for_a_tool_that_is_not_there():
    pass

@pytest.mark.skipif(True, reason="not for this platform")
def test_skipped_for_another_reason():
    pass
'''


@pytest.mark.parametrize("ci, outcomes", [
    ("true", dict(failed=1, errors=1, skipped=1)),  # a skipif marker fails in setup: an error
    ("", dict(skipped=3)),
])
def test_missing_tools_fail_only_in_ci(pytester, monkeypatch, ci, outcomes):
    monkeypatch.setenv("CI", ci)
    pytester.makeconftest(CONFTEST.replace('pytest_plugins = ["pytester"]', ""))
    pytester.makepyfile(test_tools=TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(**outcomes)
    if ci:
        result.stdout.fnmatch_lines(["*missing tool: callytics-no-such-tool*CI=true*fails*"])
