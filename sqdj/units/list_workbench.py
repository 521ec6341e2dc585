todos: list = []
