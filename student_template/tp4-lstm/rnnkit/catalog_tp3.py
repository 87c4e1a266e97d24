"""Student-facing messages of the tp3 grading tests (merged into messages.CATALOG)."""

CATALOG: dict[str, dict[str, str]] = {}
