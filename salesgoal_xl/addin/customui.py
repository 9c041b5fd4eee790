"""The ribbon's customUI14 XML: filling in the words of one language, and checking the result.

The template (``addin/ribbon/customUI14.xml``) holds the structure; ``labels.json`` holds the
label, screentip and supertip of every id per language. ``check_custom_ui`` applies the rules
of Office's published customUI 2009/07 schema for the elements this add-in uses (allowed
children and their order, allowed and required attributes, id syntax and uniqueness, text
lengths, mutually exclusive attributes), plus the product's own: every tab, group and button
has a label, every button an icon, a screentip and an action. The build refuses a ribbon with
any problem, since Office shows nothing at all for a customUI part it cannot load.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # serialising only; parsing goes through defusedxml
from collections.abc import Mapping
from typing import Final

from defusedxml import ElementTree as SafeET

NAMESPACE: Final = "http://schemas.microsoft.com/office/2009/07/customui"
TEXT_ATTRIBUTES: Final = ("label", "screentip", "supertip")
MAX_TEXT: Final = 1024  # ST_String, ST_UniqueID and ST_Delegate: 1 to 1024 characters
CALLBACK_ATTRIBUTES: Final = frozenset(
    {"onLoad", "loadImage", "onAction"}
    | {f"get{name}" for name in ("Label", "Screentip", "Supertip", "Keytip", "Visible")}
    | {f"get{name}" for name in ("Enabled", "Size", "ShowLabel", "ShowImage", "Image")}
)

_ID_ATTRIBUTES = ("id", "idQ", "idMso")
_INSERT = ("insertAfterMso", "insertBeforeMso", "insertAfterQ", "insertBeforeQ")
_COMMON = (*_ID_ATTRIBUTES, *_INSERT, "tag", "label", "getLabel", "keytip", "getKeytip")
_VISIBLE = ("visible", "getVisible")
_IMAGE = ("image", "imageMso", "getImage")
_TIPS = ("screentip", "getScreentip", "supertip", "getSupertip")
_ALLOWED_ATTRIBUTES: Final[Mapping[str, frozenset[str]]] = {
    "customUI": frozenset({"onLoad", "loadImage"}),
    "ribbon": frozenset({"startFromScratch"}),
    "tabs": frozenset(),
    "tab": frozenset({*_COMMON, *_VISIBLE}),
    "group": frozenset({*_COMMON, *_VISIBLE, *_IMAGE, *_TIPS, "autoScale", "centerVertically"}),
    "button": frozenset(
        {*_COMMON, *_VISIBLE, *_IMAGE, *_TIPS, "onAction", "enabled", "getEnabled"}
        | {"size", "getSize", "showLabel", "getShowLabel", "showImage", "getShowImage"}
    ),
    "separator": frozenset({*_ID_ATTRIBUTES, *_INSERT, *_VISIBLE, "tag"}),
}
# Children each element may hold; for sequences, in this order and at most once each.
_SEQUENCES: Final[Mapping[str, tuple[str, ...]]] = {
    "customUI": ("commands", "ribbon", "backstage", "contextMenus"),
    "ribbon": ("qat", "tabs", "contextualTabs"),
}
_REPEATED: Final[Mapping[str, frozenset[str]]] = {
    "tabs": frozenset({"tab"}),
    "tab": frozenset({"group"}),
    "group": frozenset({"button", "separator"}),  # the group controls this add-in uses
    "button": frozenset(),
    "separator": frozenset(),
}
_EXCLUSIVE = (
    *((name, "get" + name[0].upper() + name[1:]) for name in TEXT_ATTRIBUTES),
    ("keytip", "getKeytip"),
    ("visible", "getVisible"),
    ("enabled", "getEnabled"),
    ("size", "getSize"),
    ("showLabel", "getShowLabel"),
    ("showImage", "getShowImage"),
    _IMAGE,
)
_BOOLEANS = frozenset(
    {"startFromScratch", "visible", "enabled", "showLabel", "showImage", "autoScale"}
    | {"centerVertically"}
)
_ENUMS: Final[Mapping[str, frozenset[str]]] = {"size": frozenset({"normal", "large"})}
# xsd:ID is an NCName; this is its ASCII part, which is all the add-in needs.
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_NEEDS_LABEL = frozenset({"tab", "group", "button"})


class RibbonError(ValueError):
    """The ribbon sources cannot make a valid customUI part."""


def localised_ribbon(
    template: bytes, labels: Mapping[str, Mapping[str, str]], language: str
) -> bytes:
    """The template with each id's label, screentip and supertip from ``labels`` filled in,
    and ``language`` as the tag of every control with an action (the callback hands it to
    Python: the language of the add-in's dialogs and of a new plan)."""
    root = SafeET.fromstring(template)
    unused = set(labels)
    for element in root.iter():
        if "onAction" in element.attrib:
            element.set("tag", language)
        words = labels.get(element.get("id", ""))
        if words is None:
            continue
        unused.discard(element.get("id", ""))
        for name in TEXT_ATTRIBUTES:
            if name in words:
                element.set(name, words[name])
    if unused:
        raise RibbonError(f"labels name ids the ribbon does not have: {', '.join(sorted(unused))}")
    ET.register_namespace("", NAMESPACE)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def check_custom_ui(document: bytes) -> list[str]:
    """Every way ``document`` breaks the customUI14 rules above; empty when it is valid."""
    try:
        root = SafeET.fromstring(document)
    except ET.ParseError as error:
        return [f"not well-formed XML: {error}"]
    if root.tag != f"{{{NAMESPACE}}}customUI":
        return [f"the root must be customUI in {NAMESPACE} (got {root.tag})"]
    problems: list[str] = []
    seen_ids: set[str] = set()
    for element in root.iter():
        problems += _check_element(element, seen_ids)
    return problems


def callbacks(document: bytes) -> dict[str, str]:
    """Every callback the ribbon names, with the id (or tag) of an element that names it."""
    found: dict[str, str] = {}
    for element in SafeET.fromstring(document).iter():
        for name, value in element.attrib.items():
            if name in CALLBACK_ATTRIBUTES:
                found.setdefault(value, element.get("id", _local(element.tag)))
    return found


def button_ids(document: bytes) -> list[str]:
    """The ids of the ribbon's buttons, in order."""
    return [
        element.get("id", "")
        for element in SafeET.fromstring(document).iter(f"{{{NAMESPACE}}}button")
    ]


def _check_element(element: ET.Element, seen_ids: set[str]) -> list[str]:
    name = _local(element.tag)
    if not element.tag.startswith(f"{{{NAMESPACE}}}"):
        return [f"{element.tag} is not in the customUI namespace"]
    if name not in _ALLOWED_ATTRIBUTES:
        return [f"{name} is not an element this add-in's ribbon may use"]
    where = f"{name} {element.get('id')!r}" if element.get("id") else name
    problems = [f"{where}: {message}" for message in _attribute_problems(name, element, seen_ids)]
    problems += [f"{where}: {message}" for message in _children_problems(name, element)]
    return problems


def _attribute_problems(name: str, element: ET.Element, seen_ids: set[str]) -> list[str]:
    attributes = element.attrib
    problems = [
        f"attribute {key} is not allowed"
        for key in attributes
        if key not in _ALLOWED_ATTRIBUTES[name]
    ]
    identities = [key for key in _ID_ATTRIBUTES if key in attributes]
    if name in _NEEDS_LABEL and len(identities) != 1:
        problems.append(f"needs exactly one of id, idQ, idMso (got {identities or 'none'})")
    identity = attributes.get("id")
    if identity is not None:
        if not _NCNAME.fullmatch(identity) or len(identity) > MAX_TEXT:
            problems.append(
                f"id {identity!r} is not a valid id (a letter or _, then letters, "
                "digits, _, . or -; at most 1024)"
            )
        if identity in seen_ids:
            problems.append(f"id {identity!r} is used twice")
        seen_ids.add(identity)
    for key, value in attributes.items():
        if not 1 <= len(value) <= MAX_TEXT:
            problems.append(f"{key} must be 1 to {MAX_TEXT} characters (got {len(value)})")
        if key in _BOOLEANS and value not in ("true", "false", "1", "0"):
            problems.append(f"{key} must be true or false (got {value!r})")
        if key in _ENUMS and value not in _ENUMS[key]:
            problems.append(
                f"{key} must be one of {', '.join(sorted(_ENUMS[key]))} (got {value!r})"
            )
        if key == "keytip" and not 1 <= len(value) <= 3:
            problems.append(f"keytip must be 1 to 3 characters (got {value!r})")
    for group in _EXCLUSIVE:
        given = [key for key in group if key in attributes]
        if len(given) > 1:
            problems.append(f"{' and '.join(given)} exclude each other")
    if name in _NEEDS_LABEL and not ({"label", "getLabel"} & set(attributes)):
        problems.append("has no label")
    if name == "button":
        if not set(_IMAGE) & set(attributes):
            problems.append("has no icon (imageMso or image)")
        for required in ("onAction", "screentip"):
            if required not in attributes:
                problems.append(f"has no {required}")
    return problems


def _children_problems(name: str, element: ET.Element) -> list[str]:
    children = [_local(child.tag) for child in element]
    if element.text and element.text.strip():
        return [f"holds text {element.text.strip()!r}; customUI elements hold elements only"]
    if name in _SEQUENCES:
        order = _SEQUENCES[name]
        unknown = [child for child in children if child not in order]
        if unknown:
            return [f"may not hold {', '.join(unknown)} (allowed: {', '.join(order)})"]
        positions = [order.index(child) for child in children]
        if positions != sorted(set(positions)) or len(positions) != len(set(positions)):
            return [f"children must come once each in the order {', '.join(order)}"]
        return []
    allowed = _REPEATED[name]
    return [f"may not hold {child}" for child in children if child not in allowed]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
