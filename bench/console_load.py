#!/usr/bin/env python3
"""Times the console's pages as a signed-in person: sign in (replacing the
temporary password), then GET each page N times in a row and print the
median and p95 latency of each, in milliseconds.

Usage: console_load.py BASE_URL LOGIN TEMPORARY_PASSWORD N PATH...
Standard library only (urllib, no redirects followed)."""
import re
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Person:
    def __init__(self, base):
        self.base = base
        self.jar = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def _send(self, req):
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.jar.items()))
        try:
            r = self.opener.open(req)
        except urllib.error.HTTPError as e:
            r = e
        for h in r.headers.get_all("Set-Cookie") or []:
            name, _, value = h.split(";")[0].partition("=")
            if value and "Max-Age=0" not in h:
                self.jar[name] = value
            else:
                self.jar.pop(name, None)
        return r.status, r.headers, r.read().decode()

    def get(self, path):
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path, form):
        data = urllib.parse.urlencode(form).encode()
        req = urllib.request.Request(self.base + path, data=data, method="POST")
        req.add_header("Origin", self.base)
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        return self._send(req)


def csrf(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def main():
    base, login, temporary, n, *paths = sys.argv[1:]
    p = Person(base)
    _, _, page = p.get("/console/sign-in")
    status, headers, _ = p.post("/console/sign-in", {"csrf": csrf(page), "login": login, "password": temporary})
    assert status == 303, status
    if headers["Location"].endswith("/password"):
        _, _, page = p.get("/console/account/password")
        new = "correct horse battery staple"
        status, _, _ = p.post("/console/account/password", {"csrf": csrf(page), "current": temporary, "new": new, "repeat": new})
        assert status == 303, status
    for path in paths:
        times = []
        for _ in range(int(n)):
            started = time.perf_counter()
            status, _, body = p.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert status == 200, (path, status, body[:300])
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{path} p50 {statistics.median(times):.1f} ms p95 {p95:.1f} ms ({len(times)} requests, {len(body)} bytes)")


if __name__ == "__main__":
    main()
