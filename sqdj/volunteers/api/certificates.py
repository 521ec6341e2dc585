"""/api/v1/ routes of the certificate part: `routes` = [(prefix, viewset, basename)]."""

routes: list = []
