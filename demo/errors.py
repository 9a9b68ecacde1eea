"""The one exception the demo raises for problems the user can fix: printed plainly, no traceback."""


class DemoError(RuntimeError):
    """Something the user can act on (install Redis, free a port, read a service's log)."""
