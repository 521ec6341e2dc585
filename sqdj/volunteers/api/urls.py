"""/api/v1/ routes of the volunteers app, gathered from its parts (api/<part>.py: `routes`)."""

from . import unit_registrations

routes = [*unit_registrations.routes]
