"""One module per stream: the stream name and the message model side by side.

Publishers and subscribers both import from here; no service re-declares a message shape.
"""
