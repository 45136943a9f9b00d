"""The web app's Jinja2 templates and page assets (qa/web/templates/), loaded on first use.

Autoescape is on for every template: values are escaped where they are written, so Python code
passes plain strings and data, never HTML. Text with marked ranges travels as segments
(``mark_segments``) that the ``marked`` macro writes; the one HTML fragment made elsewhere (the
evaluation stage's trade-off table) is wrapped in ``markupsafe.Markup`` by its caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

TEMPLATES = "templates"


@lru_cache(maxsize=1)
def environment() -> Any:
    """The one Jinja2 environment of the web app: package templates, autoescape, strict."""
    try:
        import jinja2
    except ImportError as e:  # gradio depends on it, so this only happens in a broken install
        raise ImportError("the web app needs jinja2: pip install jinja2") from e
    return jinja2.Environment(
        loader=jinja2.PackageLoader("qa.web", TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: Any) -> str:
    """A template of qa/web/templates rendered with ``context``, as a plain string."""
    return str(environment().get_template(name).render(**context))


def macro(template: str, name: str) -> Any:
    """A macro of a template, callable from Python (it returns escaped Markup)."""
    return getattr(environment().get_template(template).module, name)


@lru_cache(maxsize=8)
def asset(name: str) -> str:
    """A static file of qa/web/templates (stylesheet, scripts) as text.

    Example: asset("planqa.css").startswith(".planqa-panel") -> True
    """
    return resources.files("qa.web").joinpath(TEMPLATES, name).read_text(encoding="utf-8")


def mark_segments(
    text: str, offset: int, ranges: Iterable[tuple[int, int]]
) -> list[tuple[str, bool]]:
    """``text`` (starting at document offset ``offset``) cut into (piece, marked) segments, the
    given document ranges marked. Overlapping ranges merge; ranges outside are clipped.

    Example: mark_segments("abcdef", 10, [(11, 13)]) -> [('a', False), ('bc', True), ('def', False)]
    """
    local = sorted(
        (max(0, a - offset), min(len(text), b - offset))
        for a, b in ranges
        if min(len(text), b - offset) > max(0, a - offset)
    )
    out: list[tuple[str, bool]] = []
    pos = 0
    for a, b in local:
        a = max(a, pos)
        if a >= b:
            continue
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], True))
        pos = b
    if pos < len(text) or not out:
        out.append((text[pos:], False))
    return out
