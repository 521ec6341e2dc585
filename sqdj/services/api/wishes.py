"""/api/v1/ routes of the wishes part."""

routes: list = []
