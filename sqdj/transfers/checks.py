"""The rulebook checks of transfers and mobile members (filled in by the mobile-members work)."""
