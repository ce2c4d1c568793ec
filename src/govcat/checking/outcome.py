"""What a validation run hands to the stages after it (the database, the dashboard, the site)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcat.core.document import Document
from govcat.core.findings import Report
from govcat.standard import Standard


@dataclass
class Outcome:
    """A validation run: the report, and what it read, for consumers that need more."""

    report: Report
    docs: list[Document]  # the catalogs: whole with keep_documents, else their summaries
    registry: dict[str, dict[str, Any]] | None  # the registry's departments by code
    std: Standard  # with the workspace's policy applied, as the rules saw it
    registry_dir: Path | None = None  # the folder of the registry the run used
    # Per catalog, in the order of `docs`: the products made of it (engine.Settings.products) that
    # were not taken by a consumer as they arrived.
    products: list[dict[str, Any]] = field(default_factory=list)
