"""The demo programme `manage.py seed_demo` builds: its data, its plan and the command."""
