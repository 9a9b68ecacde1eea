"""The store API's HTTP layer: JSON routes, exports, server-rendered pages, errors and security headers."""
