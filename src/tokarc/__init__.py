"""tokarc: collect, archive and monitor TikTok data through the EnsembleData API."""

from ._version import __version__
from .errors import APIError, TokarcError

__all__ = ["APIError", "TokarcError", "__version__"]
