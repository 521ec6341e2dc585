"""/api/v1/ routes of the services app, gathered from its parts (api/<part>.py: `routes`)."""

from . import households, requests, stations, visits, wishes, workorders

PARTS = (requests, workorders, wishes, households, visits, stations)

routes = [route for part in PARTS for route in part.routes]
