"""/api/v1/ routes of the visits part."""

routes: list = []
