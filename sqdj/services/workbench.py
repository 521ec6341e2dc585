"""The services app's to-dos on the home page, gathered from its parts (each part's `*_workbench.py`: `todos`)."""

from . import (
    household_workbench,
    request_workbench,
    station_workbench,
    visit_workbench,
    wish_workbench,
    workorder_workbench,
)

PARTS = (
    request_workbench,
    workorder_workbench,
    wish_workbench,
    household_workbench,
    visit_workbench,
    station_workbench,
)

todos = [source for part in PARTS for source in part.todos]
