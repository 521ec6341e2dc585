"""/api/v1/ routes of the activity part: `routes` = [(prefix, viewset, basename)]."""

routes: list = []
