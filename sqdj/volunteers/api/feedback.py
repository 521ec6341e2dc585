"""/api/v1/ routes of the feedback part: `routes` = [(prefix, viewset, basename)]."""

routes: list = []
