"""Dashboard charts: Vega-Lite specs built with Altair, drawn in the page by vega-embed.

The Vega, Vega-Lite and vega-embed browser builds are vendored in ``warehouse/vendor/`` (versions
and licences in its README) and inlined into each page, so a page draws its charts offline
without a single network request. Vega compiles chart expressions with
``new Function`` unless it is given an AST interpreter: vega-embed's ``ast`` option uses the one
it bundles, so the pages need no ``unsafe-eval`` in their Content-Security-Policy.

Colours are the Okabe-Ito palette, which stays distinguishable with the common colour-vision
deficiencies, and each colour means one thing on every page (``COLOURS``). Sellers are never
told apart by colour: they are labelled, or get their own row.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd

from warehouse.safe_text import html_text as escape
from warehouse.safe_text import show_bidi_controls

COLOURS = {
    "won": "#009E73",
    "lost": "#D55E00",
    "open": "#999999",
    "seller talk ratio": "#0072B2",
    "discovery share": "#E69F00",
    "usage share": "#56B4E9",
    "price before discovery": "#CC79A7",
    "data point": "#000000",  # a seller or a difference: labelled, never told apart by colour
    "target band": "#F0E442",
    "not enough calls": "#BBBBBB",
}
OUTCOME_COLOURS = ("won", "lost", "open")
METRIC_COLOURS = ("seller talk ratio", "discovery share", "usage share", "price before discovery")
HEIGHT = 260
VENDOR = Path(__file__).parent / "vendor"
VENDORED_SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
VEGA_LITE_VERSION = "6.4.1"  # of vendor/vega-lite.min.js: Altair's specs must be of the same schema


@dataclass(frozen=True)
class Chart:
    """A chart's Vega-Lite spec, what it shows in words, and the table of the data it draws."""

    name: str
    label: str
    spec: dict
    table_html: str

    def html(self) -> str:
        return (f'<div class="vis" id="chart-{escape(self.name)}" role="img" aria-label="{escape(self.label)}">'
                f"</div>\n<details><summary>Data table</summary>\n{self.table_html}\n</details>")


def scale(names: tuple[str, ...]) -> alt.Scale:
    """A colour scale giving each meaning its one colour."""
    return alt.Scale(domain=list(names), range=[COLOURS[n] for n in names])


def safe_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with bidi controls shown, as the HTML shows them: a chart draws text as given."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(lambda v: show_bidi_controls(v) if isinstance(v, str) else v)
    return frame


def spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's spec, filling its container's width and redrawing when that changes."""
    return chart.properties(width="container").configure(
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding", resize=True),
        font="system-ui, sans-serif",
    ).configure_view(stroke=None).to_dict()


def embed_script(charts: list[Chart]) -> str:
    """Draw ``charts`` into their placeholders; the page's <html> element then carries
    ``data-charts-rendered`` (how many drew), which a headless browser can read."""
    specs = json.dumps({f"chart-{c.name}": c.spec for c in charts}, separators=(",", ":"))
    # Inside <script>, "</script>" or "<!--" in a seller name would end or change the element.
    specs = specs.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"""(function () {{
  var specs = {specs};
  var drawn = Object.keys(specs).map(function (id) {{
    return vegaEmbed('#' + CSS.escape(id), specs[id], {{actions: false, ast: true, renderer: 'svg'}});
  }});
  Promise.all(drawn).then(function () {{
    document.documentElement.dataset.chartsRendered = String(drawn.length);
  }}).catch(function (error) {{ console.error('chart failed: ' + error); }});
}})();
"""


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed, in load order, as one script."""
    return "\n;\n".join((VENDOR / name).read_text(encoding="utf-8") for name in VENDORED_SCRIPTS)
