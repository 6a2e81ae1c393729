"""The ``subsonic-response`` envelope, rendered as XML (the default) or JSON (``f=json``).

A payload is in Subsonic's JSON shape: scalars are XML attributes, dicts are child
elements, lists are repeated children (a list of scalars: repeated elements holding the
value as text), ``"value"`` is an element's text, ``None`` is left out and booleans are
``true``/``false``. JSONP (``f=jsonp``) is refused: a page on any site could otherwise read
a server that admits loopback clients without credentials.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from starlette.responses import Response

from .. import __version__
from .errors import GENERIC, SubsonicError

NAMESPACE = "http://subsonic.org/restapi"
API_VERSION = "1.16.1"
SERVER_TYPE = "masterstream"
FORMATS = ("xml", "json")
XML_MEDIA_TYPE = "text/xml; charset=utf-8"
JSON_MEDIA_TYPE = "application/json"


def response_format(requested: str | None) -> str:
    """``xml`` or ``json`` from the ``f`` parameter; anything else answers in XML."""
    return requested if requested in FORMATS else "xml"


def envelope(payload: dict[str, Any] | None = None, *, ok: bool = True) -> dict[str, Any]:
    """The ``subsonic-response`` object around ``payload``."""
    head: dict[str, Any] = {
        "status": "ok" if ok else "failed",
        "version": API_VERSION,
        "type": SERVER_TYPE,
        "serverVersion": __version__,
        "openSubsonic": True,
    }
    return {**head, **(payload or {})}


def error_payload(error: SubsonicError) -> dict[str, Any]:
    return {"error": {"code": error.code, "message": error.message}}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, body: dict[str, Any]) -> None:
    for key, value in body.items():
        if value is None:
            continue
        if key == "value" and not isinstance(value, dict | list):
            element.text = _text(value)
        elif isinstance(value, dict):
            _fill(ET.SubElement(element, key), value)
        elif isinstance(value, list):
            for item in value:
                child = ET.SubElement(element, key)
                if isinstance(item, dict):
                    _fill(child, item)
                elif item is not None:
                    child.text = _text(item)
        else:
            element.set(key, _text(value))


def render_xml(body: dict[str, Any]) -> bytes:
    root = ET.Element("subsonic-response", {"xmlns": NAMESPACE})
    _fill(root, body)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_pruned(v) for v in value if v is not None]
    return value


def render_json(body: dict[str, Any]) -> bytes:
    document = {"subsonic-response": _pruned(body)}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def render(payload: dict[str, Any] | None, fmt: str, *, ok: bool = True) -> Response:
    """The HTTP answer (always 200, as Subsonic answers errors too)."""
    body = envelope(payload, ok=ok)
    if fmt == "json":
        return Response(render_json(body), media_type=JSON_MEDIA_TYPE)
    return Response(render_xml(body), media_type=XML_MEDIA_TYPE)


def render_error(error: SubsonicError, fmt: str) -> Response:
    return render(error_payload(error), fmt, ok=False)


def generic_error(message: str) -> SubsonicError:
    return SubsonicError(GENERIC, message)
