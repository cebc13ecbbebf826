"""kinlink.matching: find the sought person across Persian, Arabic and Latin spellings.

Pure Python (no Django).  See docs/matching.md.
"""
