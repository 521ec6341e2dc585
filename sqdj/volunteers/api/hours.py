"""/api/v1/ routes of the hours part: `routes` = [(prefix, viewset, basename)]."""

routes: list = []
