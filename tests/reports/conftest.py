"""Fixtures of the reports tests."""

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    """Report files go to this test's own media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
