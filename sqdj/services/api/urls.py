"""/api/v1/ routes of the services app, gathered from its parts (api/<part>.py: `routes`)."""

from . import requests, stations, workorders

PARTS = (requests, workorders, stations)

routes = [route for part in PARTS for route in part.routes]
