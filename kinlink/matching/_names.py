"""The only place :mod:`kinlink.matching` imports :mod:`kinlink.names` from.

Everything the engine knows about names (normalisation, romanisation, cross-script
skeletons, keys, nicknames) comes from ``kinlink.names``; this module only gathers the
imports so that the rest of the package has one seam to patch in tests.
"""

from __future__ import annotations

from kinlink.names import (
    Script,
    detect_script,
    loose_skeletons,
    name_keys,
    name_tail,
    name_tokens,
    nickname_variants,
    normalize,
    romanize,
    skeleton,
    strict_codes,
)

__all__ = [
    "Script",
    "detect_script",
    "loose_skeletons",
    "name_keys",
    "name_tail",
    "name_tokens",
    "nickname_variants",
    "normalize",
    "romanize",
    "skeleton",
    "strict_codes",
]
