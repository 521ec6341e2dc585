"""/api/v1/ routes of the volunteers app, gathered from its parts (api/<part>.py: `routes`)."""

from . import activities, certificates, feedback, hours, posts, unit_registrations

PARTS = (unit_registrations, posts, activities, hours, feedback, certificates)

routes = [route for part in PARTS for route in part.routes]
