"""/api/v1/ routes of the households part."""

routes: list = []
