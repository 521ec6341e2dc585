"""The services app's to-dos on the home page, gathered from its parts (each part's `*_workbench.py`: `todos`)."""

from . import request_workbench, station_workbench, workorder_workbench

PARTS = (request_workbench, workorder_workbench, station_workbench)

todos = [source for part in PARTS for source in part.todos]
