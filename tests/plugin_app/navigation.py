from sqdj.core.plugins import MenuGroup, MenuItem

menu = [MenuGroup("plugin-notes", "随手记", (MenuItem("plugin_app:note_list", "随手记列表", "sticky"),), order=70)]
