"""Where the official API descriptions are: ../shared/specs beside the clone, or $SOCIALCARE_SPECS_DIR.
They are read from there, never copied into the project; tests skip with a reason when absent."""

from __future__ import annotations

import os
from pathlib import Path


def _repo_root() -> Path | None:
    for folder in Path(__file__).resolve().parents:
        if (folder / "template.yaml").exists() or (folder / "pyproject.toml").exists():
            return folder
    return None


def specs_dir() -> Path | None:
    """$SOCIALCARE_SPECS_DIR, else <repo root>/../shared/specs."""
    if os.environ.get("SOCIALCARE_SPECS_DIR"):
        return Path(os.environ["SOCIALCARE_SPECS_DIR"])
    root = _repo_root()
    return root.parent / "shared" / "specs" if root else None
