"""Trunk post-build hook: fills in the page's Content-Security-Policy.

index.html carries the policy with two placeholders. This script, run by
trunk on the staged build (TRUNK_STAGING_DIR), replaces
  __INLINE_SCRIPT_HASHES__  with the sha256 of each inline <script> trunk
                            wrote (its module loader), so that script runs
                            while any other inline script stays forbidden;
  __CONNECT_SRC__           with the servers the page may call: by default
                            any https server (a hosted page must reach
                            whichever OpenAI-compatible provider its user
                            picks) and servers on this machine over http
                            (localhost, 127.0.0.1 to 127.0.0.8: the names
                            lanes to a local server use);
                            plus FANOUT_CONNECT_SRC (space-separated origins)
                            if set at build time. FANOUT_CONNECT_STRICT=1
                            drops the defaults: only 'self' and the origins
                            FANOUT_CONNECT_SRC names, for deployments that
                            want the page tied to known servers.
In a debug build (`trunk serve`, i.e. `make serve`) the server rewrites its
live-reload script on every request, so no hash can match it: there inline
scripts are allowed instead ('unsafe-inline'), and only there. Release
builds (`make dist`) forbid every inline script but the loader.
Standard library only.
"""

import base64
import hashlib
import os
import pathlib
import re
import sys

DEFAULT_CONNECT = [
    "https:",
    "http://localhost:*",
    # This machine under its other loopback names: lanes to a local server
    # (the page's "Find lanes" tries 127.0.0.1 to 127.0.0.8). Chromium
    # refuses an IPv6 host in a source ("http://[::1]:*" is reported as an
    # invalid source and ignored), so [::1] cannot be admitted here.
    *[f"http://127.0.0.{i}:*" for i in range(1, 9)],
]


def main() -> int:
    staging = os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        print("csp.py: TRUNK_STAGING_DIR is not set (run by trunk)", file=sys.stderr)
        return 1
    page = pathlib.Path(staging) / "index.html"
    html = page.read_text(encoding="utf-8")
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
    if os.environ.get("TRUNK_PROFILE") == "debug":
        hashes = "'unsafe-inline'"
    else:
        hashes = " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
            for s in scripts
        )
    extra = os.environ.get("FANOUT_CONNECT_SRC", "").split()
    for origin in extra:
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:*]+", origin):
            print(f"csp.py: FANOUT_CONNECT_SRC entry is not an origin: {origin!r}", file=sys.stderr)
            return 1
    if "__INLINE_SCRIPT_HASHES__" not in html or "__CONNECT_SRC__" not in html:
        print("csp.py: index.html has no policy placeholders", file=sys.stderr)
        return 1
    html = html.replace("__INLINE_SCRIPT_HASHES__", hashes)
    strict = os.environ.get("FANOUT_CONNECT_STRICT") == "1"
    if strict and not extra:
        print("csp.py: FANOUT_CONNECT_STRICT=1 needs FANOUT_CONNECT_SRC to name the servers", file=sys.stderr)
        return 1
    html = html.replace("__CONNECT_SRC__", " ".join(([] if strict else DEFAULT_CONNECT) + extra))
    page.write_text(html, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
