"""Pydantic models and product rules. Pure: no I/O and no imports from the rest of reelsmith."""
