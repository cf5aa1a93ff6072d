"""A live app server for the offline tests: stopped and started again on the same port
and database, because a service worker belongs to one origin and Playwright's offline
mode does not stop the worker's own requests (FIELD-NOTES.md)."""

from __future__ import annotations

import socket
import threading

from werkzeug.serving import make_server


class RestartableServer:
    """A live server on a fixed port that can be stopped (connections cut) and restarted."""

    def __init__(self, app):
        self.app = app
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.thread = None
        self.connections: list[socket.socket] = []

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        accept = self.server.get_request

        def get_request():
            connection, address = accept()
            self.connections.append(connection)
            return connection, address

        self.server.get_request = get_request
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        for connection in self.connections:  # keep-alive connections too: really gone
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.connections.clear()
        self.server.server_close()
        self.thread.join(5)
        self.server = None
