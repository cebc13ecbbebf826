"""Fixtures of the security tests: a hostile world (see secworld.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import secworld


@pytest.fixture
def world(db) -> secworld.World:
    return secworld.build_world()
