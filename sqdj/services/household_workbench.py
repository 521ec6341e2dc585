"""The household part's to-dos on the home page (core.plugins.TodoSource)."""

todos: list = []
