"""The units app's to-dos on the home page, gathered from its parts (each part's `*_workbench.py`: `todos`)."""

from . import council_workbench, intake_workbench, list_workbench

todos = [source for part in (intake_workbench, council_workbench, list_workbench) for source in part.todos]
