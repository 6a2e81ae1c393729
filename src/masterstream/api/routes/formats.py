"""``GET /api/formats``: the output formats, their bitrates and MIME types."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ...audio.formats import describe_formats
from ...service.streams import RANGE_SEEKABLE, STREAM_FORMATS
from ..report_schemas import FormatList

router = APIRouter(tags=["chunks"])


@router.get(
    "/api/formats",
    response_model=FormatList,
    summary="Output formats, bitrates, MIME types, seekability",
)
async def list_formats() -> dict[str, Any]:
    """Every format a chunk can be served in (``format=``, ``bitrate=`` in kbit/s), whether
    a whole-track ``/stream`` is offered in it, whether that stream is seekable by
    ``Range`` (its chunks' sizes are known before they are encoded), and whether its chunks
    can be files that decode alone (``standalone_chunks``: ask with ``standalone=true``)."""
    return {"formats": describe_formats(STREAM_FORMATS, RANGE_SEEKABLE)}
