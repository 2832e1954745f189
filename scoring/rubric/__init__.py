"""The rubric (考核细则): read with positions, shaped by pydantic models, checked across keys, and
described as a JSON Schema for editors. ``Rubric`` and its loaders are the room's face."""

from scoring.rubric.load import MAX_RUBRIC_BYTES, Rubric, load_rubric, parse_rubric, rubric_from_bytes

__all__ = ["MAX_RUBRIC_BYTES", "Rubric", "load_rubric", "parse_rubric", "rubric_from_bytes"]
