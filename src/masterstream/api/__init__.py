"""The HTTP and WebSocket server: ``create_app(settings)`` builds the FastAPI app."""

from .app import create_app
from .options import ServerOptions

__all__ = ["ServerOptions", "create_app"]
