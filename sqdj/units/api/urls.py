"""/api/v1/ routes of the units app, gathered from its parts (api/<part>.py: `routes`)."""

from . import councils, intake, lists, registry

routes = [route for part in (registry, intake, councils, lists) for route in part.routes]
