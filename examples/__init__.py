"""Scripted synthetic sales calls with exact ground truth.

`examples.render_calls` turns a call script (examples/scripts/*.json) into audio with
espeak-ng and sox, placing every turn itself so the truth (speaker turns, labels, price
mentions) is exact. `python -m examples.render_calls --all` re-renders examples/archive/
and examples/truth/.
"""
