"""Layouts and styles shared by the widgets that never change theirs.

Every ipywidget brings its own Layout and Style models unless it is given one: in the
6-month report form 378 of its 921 models were layouts. Each model is kept in the page's
kernel (about 5 KB for a label's layout and style) and sent to and built in the browser
on every page load. ipywidgets lets many widgets share one layout or style; a widget
whose look changes later (shown, hidden, resized) keeps its own.
"""
from __future__ import annotations

from functools import cache
from typing import Any

import ipywidgets as w

__all__ = ["fixed_layout", "shared_style", "static_html", "hidden_html", "picker"]


@cache
def fixed_layout(**css: str) -> w.Layout:
    """The one Layout with these CSS values. Never set its traits: every widget using it would change."""
    return w.Layout(**css)


@cache
def shared_style(kind: str) -> Any:
    """The one default style of a widget kind ("html" or "text"), never changed."""
    from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

    return {"html": HTMLStyle, "text": TextStyle}[kind]()


def static_html(value: str = "", **css: str) -> w.HTML:
    """An HTML widget whose text may change but whose layout and style never do (labels, titles, units)."""
    return w.HTML(value, layout=fixed_layout(**css), style=shared_style("html"))


def hidden_html() -> w.HTML:
    """An HTML widget shown later (a message, a number's reading): a layout of its own, the shared style."""
    return w.HTML(layout=w.Layout(display="none"), style=shared_style("html"))


def picker(description: str, *, hidden: bool = False, **options: Any) -> w.Dropdown:
    """A labelled choice at the top of a page or panel (period, unit, model, form): 36em wide but never
    wider than the screen (a phone's 390 px cut it off), its label 8em. Its own layout: `hidden`
    pickers are shown later."""
    layout = w.Layout(width="36em", max_width="100%", **({"display": "none"} if hidden else {}))
    return w.Dropdown(description=description, style={"description_width": "8em"}, layout=layout, **options)
