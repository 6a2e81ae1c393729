"""``GET /metrics``: the Prometheus text exposition of the app's own registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..state import ServerState, get_state

router = APIRouter(tags=["metrics"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
    summary="Prometheus metrics",
)
async def prometheus_metrics(state: Annotated[ServerState, Depends(get_state)]) -> Response:
    if state.http_metrics is not None:  # requests are counted in batches (HttpMetrics)
        state.http_metrics.settle()
    return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)
