"""Student-facing messages of the tp4 grading tests (merged into messages.CATALOG)."""

CATALOG: dict[str, dict[str, str]] = {}
