"""Where the shipped data lives (tier catalog, goal templates, examples)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TIERS_CSV = DATA_DIR / "tiers.csv"
GOALS_TOML = DATA_DIR / "goals.toml"
EXAMPLES_DIR = DATA_DIR / "examples"
