#!/usr/bin/python3
"""test/vm/mirror/serve.py DIR OUTAGE_SECONDS — the VM test's loopback mirror.

Contract: serves DIR over HTTP on 127.0.0.1 (a free port, printed as "port N" on
the first line of stdout), the only address the guest reaches (through QEMU's
guestfwd). The injected failure: for OUTAGE_SECONDS after the guest's first
request every request is answered 503 Service Unavailable, as a mirror that is down
for a while; after that files are served as they are. Logs one line per request
to stdout: seconds since the first request, status, path.
"""
import http.server
import sys
import threading
import time

root, outage = sys.argv[1], float(sys.argv[2])
first = None
lock = threading.Lock()


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def send_head(self):
        global first
        with lock:
            if first is None:
                first = time.monotonic()
            down = time.monotonic() - first < outage
        if down:
            self.send_error(503, "mirror down (injected by the picc VM test)")
            return None
        return super().send_head()

    def log_request(self, code="-", size="-"):
        since = 0.0 if first is None else time.monotonic() - first
        print(f"{since:8.1f} {code} {self.path}", flush=True)

    def log_error(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"port {server.server_address[1]}", flush=True)
server.serve_forever()
