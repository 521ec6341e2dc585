"""The volunteers app's to-dos on the home page, gathered from its parts (each part's `*_workbench.py`: `todos`)."""

from . import activity_workbench, certificate_workbench, feedback_workbench, hours_workbench, post_workbench

PARTS = (post_workbench, activity_workbench, hours_workbench, feedback_workbench, certificate_workbench)

todos = [source for part in PARTS for source in part.todos]
