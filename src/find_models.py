"""Drop-in for the original ``find_models.py``: copy this file anywhere, change nothing else.

    from find_models import get_recommended_default_model
    get_recommended_default_model("bert")  # -> "google-bert/bert-base-uncased"

    python find_models.py --model-type bert          # the original's command line

This file is a thin alias: the code is ``hf_model_registry._legacy``, which must
be installed (``pip install hf-model-registry``, Python 3.11 or newer). However
it is loaded (``import find_models``, a copy loaded by path with
``importlib.util.spec_from_file_location``, ``python find_models.py``, the
``find-models`` command), it is the same module, so patching
``find_models.query_huggingface_api`` reaches ``get_recommended_default_model``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if sys.version_info < (3, 11):  # noqa: UP036 - this file may be copied next to an older Python
    raise ImportError(
        "find_models.py needs the hf-model-registry package, which needs Python 3.11 or "
        f"newer; this is Python {sys.version.split()[0]}"
    )

try:
    from hf_model_registry import _legacy
except ImportError as exc:  # the file was copied, the package not installed
    raise ImportError(
        "find_models.py is the drop-in module of hf-model-registry: "
        "pip install hf-model-registry (Python 3.11 or newer)"
    ) from exc

if TYPE_CHECKING:
    # Type checkers do not run the sys.modules swap below: without this, every name of
    # this module would be the ``object`` that ``__getattr__`` returns. The star follows
    # _legacy's __all__, so the two cannot drift apart.
    from hf_model_registry._legacy import *  # noqa: F403

if __name__ == "__main__":
    raise SystemExit(_legacy.main())

# One module under every name it is loaded as: the import system hands out what
# sys.modules holds once this file has run, and a copy loaded by path under another
# name still answers "find_models" for mock.patch targets.
sys.modules[__name__] = _legacy
sys.modules.setdefault("find_models", _legacy)


def __getattr__(name: str) -> object:
    # A copy loaded by path keeps this module object: every name comes from the package.
    return getattr(_legacy, name)


def __dir__() -> list[str]:
    return dir(_legacy)
