"""Rulebook checks of the units app (issue 15): registered on import (core.rules.register)."""
