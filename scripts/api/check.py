"""Check 3 of the assurance campaign: schemathesis against the live server's own OpenAPI
description, once anonymously and once signed in as each demo role.

    python check.py BASE_URL EXAMPLES REPORT_DIR

Prints one line per caller and, last, a summary line. Exits non-zero if any run found a
server error, a response that breaks the description, or anything else schemathesis checks.
"""

import base64
import hashlib
import hmac
import os
import re
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import urlparse

import requests

PASSPHRASE = "demo respect at work"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the demo accounts' fixed second step
CALLERS = [
    ("anyone", None),
    ("staff", "staff@demo.nhs.uk"),
    ("guardian", "guardian@demo.nhs.uk"),
    ("employee relations", "er@demo.nhs.uk"),
    ("union partner", "union@demo.nhs.uk"),
    ("executive", "exec@demo.nhs.uk"),
    ("organisation admin", "admin@demo.nhs.uk"),
    ("national analyst", "analyst@demo.nhs.uk"),
    ("platform admin", "platform@demo.nhs.uk"),
]


def totp(at: float) -> str:
    key = base64.b32decode(TOTP_SECRET)
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def form_token(session: requests.Session, page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if not match:
        raise SystemExit("the sign-in page has no form token")
    return match.group(1)


def sign_in(base: str, email: str) -> str:
    """Signs in as a browser would and returns the session cookie's value."""
    session = requests.Session()
    page = session.get(f"{base}/sign-in").text
    answer = session.post(
        f"{base}/sign-in",
        data={"csrf_token": form_token(session, page), "email": email, "passphrase": PASSPHRASE, "next": ""},
    )
    if urlparse(answer.url).path == "/sign-in/two-factor":
        answer = session.post(
            answer.url,
            data={"csrf_token": form_token(session, answer.text), "code": totp(time.time())},
        )
    cookie = session.cookies.get("dignity_session")
    if not cookie or session.get(f"{base}/api/v1/me").status_code != 200:
        raise SystemExit(f"could not sign in as {email} (last page: {answer.url})")
    return cookie


def failures(junit: Path) -> int:
    root = ElementTree.parse(junit).getroot()
    return sum(len(case.findall("failure")) + len(case.findall("error")) for case in root.iter("testcase"))


def main() -> int:
    base, examples, reports = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    reports.mkdir(parents=True, exist_ok=True)
    total_cases = 0
    total_failures = 0
    for name, email in CALLERS:
        environment = dict(os.environ)
        config = []
        if email:
            environment["DIGNITY_SESSION"] = sign_in(base, email)
            config = ["--config-file", str(Path(__file__).with_name("schemathesis.toml"))]
        junit = reports / f"{name.replace(' ', '-')}.xml"
        run = subprocess.run(
            ["schemathesis", *config, "run", f"{base}/api/v1/openapi.json", "--checks", "all",
             "--max-examples", examples, "--seed", "20261126", "--workers", "1",
             "--report", "junit", "--report-junit-path", str(junit)],
            # Schemathesis keeps a cache where it runs: under target/, not in the repository.
            capture_output=True, text=True, env=environment, cwd=reports,
        )
        cases = re.search(r"(\d+) generated", run.stdout)
        count = int(cases.group(1)) if cases else 0
        found = failures(junit) if junit.exists() else 1
        if run.returncode != 0 and found == 0:
            found = 1
        # A run that sent nothing proves nothing: count it as a failure.
        if count == 0:
            found = max(found, 1)
        # Schemathesis warns when, say, every example of an operation was refused for
        # its input or an operation could not be reached: such a run tests less than it
        # says, so a warning fails the check as well.
        # "Authentication failed" means every example of an operation was refused 401 or
        # 403: the point for the anonymous caller, and right for a role refused that
        # operation (schemathesis cannot know roles; the route matrix checks them). Any
        # other warning fails the check.
        warned = [
            line.strip() for line in run.stdout.splitlines()
            if "\u26a0" in line and "Authentication failed" not in line
        ]
        if warned:
            found = max(found, 1)
            print("\n".join(warned))
        total_cases += count
        total_failures += found
        print(f"{name}: {count} generated requests, {found} failures", flush=True)
        if found:
            print(run.stdout[-6000:], run.stderr[-2000:], sep="\n")
    print(f"{len(CALLERS)} callers, {total_cases} generated requests, {total_failures} failures")
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
