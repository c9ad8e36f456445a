"""HMS desktop client: the PySide6 application hospital staff use, over the server's REST API.

It never imports server code; everything it knows about the server comes over HTTP.
"""

__version__ = "0.1.0"
