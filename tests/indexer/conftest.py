"""Make the indexer Lambda's modules importable, as Lambda has them on its path.

The OpenSearch stand-in these tests use is the `opensearch` fixture in `tests/conftest.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

INDEXER_DIR = Path(__file__).resolve().parents[2] / "infra" / "functions" / "indexer"
if str(INDEXER_DIR) not in sys.path:
    sys.path.insert(0, str(INDEXER_DIR))
