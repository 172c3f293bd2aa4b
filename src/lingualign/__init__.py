"""lingualign: adapt an open LLM to German with a data-versioned, reproducible pipeline."""

__version__ = "0.1.0"
