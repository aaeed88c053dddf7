"""What leaves the store: exports (JSONL, CSV, Parquet, 4CAT), data packages, pseudonymised
copies, the data dictionary, and dehydrated id lists with their hydration.

``tokarc.dataset.export`` writes and streams the exports (see ``docs/store.md``); the data
package (``_package``, which loads frictionless' schemas) is imported when a command asks for
one.
"""

from __future__ import annotations

from ._dictionary import RESOURCES
from ._exports import EXPORTS, Source
from ._exports import get as get_export
from ._hydrate import dehydrated, read_ids, record_gone
from ._outputs import text_out
from ._pseudonym import ENV_KEY, Pseudonymizer, load_key
from ._responses import to_responses, with_provenance

__all__ = [
    "ENV_KEY",
    "EXPORTS",
    "RESOURCES",
    "Pseudonymizer",
    "Source",
    "dehydrated",
    "get_export",
    "load_key",
    "read_ids",
    "record_gone",
    "text_out",
    "to_responses",
    "with_provenance",
]
