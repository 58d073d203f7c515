"""The state machines of the project, one module each with `NAME`, `VERSION` and `build()`.

`MACHINES` lists them in the order `metapipe build` writes them; each is written to
`asl/<kebab-case name>.asl.json`.
"""

from __future__ import annotations

import re
from types import ModuleType

from workflow.machines import execution_failure_recorder, metadata_pipeline

MACHINES: tuple[ModuleType, ...] = (metadata_pipeline, execution_failure_recorder)


def file_name(name: str) -> str:
    """`MetadataPipeline` -> `metadata-pipeline.asl.json`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower() + ".asl.json"
