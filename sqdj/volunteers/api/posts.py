"""/api/v1/ routes of the post part: `routes` = [(prefix, viewset, basename)]."""

routes: list = []
