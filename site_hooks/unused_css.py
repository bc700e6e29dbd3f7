"""A stylesheet without the rules no element of a page can match (used by labs.py).

mkdocs-jupyter puts JupyterLab's whole stylesheet, 574 KB, into every lab's page, and the
browser must read it before it draws anything: a lab's page was 140-180 KB compressed, and
Lighthouse (mobile) drew its first text 2.5 s after the request, a chapter's 1.4 s. A lab keeps
about 100 of its 3,200 rules (35 KB).

A rule is kept when one of its selectors could match the page: every class, id and element
name that the selector requires is in the page's HTML. What a selector says beyond those
(attributes, pseudo-classes such as `:hover`, what `:not()` or `:is()` hold, the order of its
parts) is not checked, so a kept rule may still match nothing, but a rule that could match is
never dropped. At-rules are kept, with their own rules filtered the same way.
"""

from __future__ import annotations

import functools
import re

import tinycss2

ATTRIBUTE = re.compile(r"\[[^\]]*\]")
PSEUDO = re.compile(r"::?[a-zA-Z-]+(?:\((?:[^()]|\([^()]*\))*\))?")
COMPOUND = re.compile(r"[^\s>+~]+")
NAME = re.compile(r"^[a-zA-Z][\w-]*")
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
ID = re.compile(r"#(-?[_a-zA-Z][\w-]*)")


NEVER = (frozenset(), frozenset(), frozenset({"<no element>"}))


def required(selector: str) -> tuple[frozenset, frozenset, frozenset]:
    """The classes, ids and element names (lower case) that any element matching `selector`,
    or one of its ancestors or siblings named in it, must carry. The root element (`:root`,
    `html`) or `body` after another part of a selector never matches: JupyterLab's stylesheet
    scopes all its rules under `.jupyter-wrapper`, its 80 KB of `:root` variables included."""
    compounds = COMPOUND.findall(ATTRIBUTE.sub("", selector))
    if any(re.match(r"(html|body)\b", part, re.IGNORECASE) or ":root" in part for part in compounds[1:]):
        return NEVER
    bare = PSEUDO.sub(" ", ATTRIBUTE.sub("", selector))
    names = {m.group(0).lower() for part in COMPOUND.findall(bare) if (m := NAME.match(part))}
    return frozenset(CLASS.findall(bare)), frozenset(ID.findall(bare)), frozenset(names)


@functools.lru_cache(maxsize=1)  # a page's stylesheets are cut one after another against it
def page_parts(html: str) -> tuple[frozenset, frozenset, frozenset]:
    """The classes, ids and element names (lower case) present in `html`."""
    classes = frozenset(name for value in re.findall(r'\sclass="([^"]*)"', html) for name in value.split())
    ids = frozenset(re.findall(r'\sid="([^"]*)"', html))
    names = frozenset(name.lower() for name in re.findall(r"<([a-zA-Z][\w-]*)", html))
    return classes, ids, names


def _selectors(prelude) -> list[str]:
    """A rule's selector list, split at its top-level commas."""
    selectors, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(tinycss2.serialize(current).strip())
            current = []
        else:
            current.append(token)
    selectors.append(tinycss2.serialize(current).strip())
    return selectors


@functools.lru_cache(maxsize=4)
def _parsed(css: str) -> tuple:
    """The stylesheet as (selectors with what each requires, body) for each rule, at-rules
    with their own rules parsed alike: parsed once per stylesheet, not once per page."""
    parsed = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            selectors = tuple((s, required(s)) for s in _selectors(rule.prelude))
            parsed.append(("rule", selectors, tinycss2.serialize(rule.content)))
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content is not None:
            head = f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}"
            parsed.append(("group", head, _parsed(tinycss2.serialize(rule.content))))
        elif rule.type != "error":
            parsed.append(("other", rule.serialize(), None))
    return tuple(parsed)


def without_unused_rules(css: str, html: str) -> str:
    """`css` with only the rules that could match an element of `html`."""
    return _kept(_parsed(css), page_parts(html))


def _kept(parsed: tuple, parts: tuple[frozenset, frozenset, frozenset]) -> str:
    classes, ids, names = parts
    out = []
    for kind, head, body in parsed:
        if kind == "rule":
            kept = [s for s, (c, i, n) in head if c <= classes and i <= ids and n <= names]
            if kept:
                out.append(f"{','.join(kept)}{{{body}}}")
        elif kind == "group":
            inner = _kept(body, parts)
            if inner:
                out.append(f"{head}{{{inner}}}")
        else:
            out.append(head)
    return "".join(out)
