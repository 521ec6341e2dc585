"""The organization checks of the rulebook (rules.md §§1–2; interfaces.md §4)."""
