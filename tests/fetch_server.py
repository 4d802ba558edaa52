"""A local stand-in for osf.io in tests of `neurocodec fetch-data` (the network is closed).

Usage: python3 fetch_server.py DIR
Serves the files of DIR on 127.0.0.1 at a free port, which it writes to DIR/port once it
listens. Like osf.io, GET /<id>/download answers with a redirect (302) to /files/<id>, which
sends the bytes of DIR/<id>; /chain/<id>/download redirects twice. Anything else is a 404.
Standard library only; stops on SIGTERM.
"""
import http.server
import os
import signal
import sys

ROOT = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def redirect(self, where):
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        if len(parts) == 3 and parts[0] == "chain" and parts[2] == "download":
            return self.redirect("/%s/download" % parts[1])
        if len(parts) == 2 and parts[1] == "download" and os.path.isfile(os.path.join(ROOT, parts[0])):
            return self.redirect("/files/%s" % parts[0])
        if len(parts) == 2 and parts[0] == "files" and os.path.isfile(os.path.join(ROOT, parts[1])):
            with open(os.path.join(ROOT, parts[1]), "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_error(404)


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    tmp = os.path.join(ROOT, ".port.tmp")
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, os.path.join(ROOT, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
