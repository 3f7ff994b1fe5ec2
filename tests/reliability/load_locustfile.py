"""The simulated residents and staff of ``make reliability`` (started by tests/reliability/load_faults.py).

- ``Resident``: on random centers, residents' pages (home, notices and a notice, activity reports, the
  service guide, the booking page, surveys, search) and, one task in four, a form: a repair request, a
  complaint or suggestion (both give a tracking number) or the center's public survey. Every form is sent
  from an address of its own (``X-Forwarded-For``, the server trusts it as behind a proxy), as residents
  each on their own phone: the per-address rate limits stay on and are never reached.
- ``Staff``: a fixed number of front-desk clerks (``zhangmin``), each signed in to one center's admin
  (CSRF, the real login page, the right password) viewing the dashboard and lists and recording first
  inquiries. A redirect to the login page counts as *logged out* (and the clerk signs in again).

Each user does ``RELIABILITY_USER_RATE`` tasks a second at most (locust's ``constant_throughput``), so
the offered load grows with the number of users until the server saturates.

Files (paths from the environment): ``RELIABILITY_RECORDS`` gets one JSON line per request (start, end,
name, status, ms, error), ``RELIABILITY_EVENTS`` one per form sent (center, form, marker, status, tracking
number or error) and per logged-out clerk. The marker in the text of each request lets the harness find
the row afterwards in the center's schema.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from locust import HttpUser, constant_throughput, events, task

CENTERS = json.loads(Path(os.environ["RELIABILITY_CENTERS_FILE"]).read_text())
PASSWORD = os.environ["RELIABILITY_PASSWORD"]
RUN = os.environ.get("RELIABILITY_RUN", "LT")
RATE = float(os.environ.get("RELIABILITY_USER_RATE", "0.5"))
STAFF_USERS = int(os.environ.get("RELIABILITY_STAFF_USERS", "10"))
#: Second octet of the residents' addresses: each phase of a run has its own range (10.N.x.y).
ADDRESS_OCTET = int(os.environ.get("RELIABILITY_ADDRESS_OCTET", "1")) % 256
TIMEOUT = float(os.environ.get("RELIABILITY_TIMEOUT", "60"))
#: Session cookies of the clerks the harness signed in once (by clerk number), when it did.
SESSIONS_FILE = os.environ.get("RELIABILITY_SESSIONS")
SESSIONS = json.loads(Path(SESSIONS_FILE).read_text()) if SESSIONS_FILE else {}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_records = open(os.environ["RELIABILITY_RECORDS"], "a", buffering=1 << 16)  # noqa: SIM115 - open all run long
_events = open(os.environ["RELIABILITY_EVENTS"], "a", buffering=1)  # noqa: SIM115
_addresses = itertools.count(1)
_staff_numbers = itertools.count(0)


def unavailable_page(response) -> str:
    """Which 503 this is: ``zh``/``en`` for our page (with Retry-After and no-store), else ``other``."""
    text = response.text or ""
    ours = response.headers.get("Retry-After") and response.headers.get("Cache-Control") == "no-store"
    if ours and "服务暂时不可用" in text:
        return "zh"
    if ours and "Service temporarily unavailable" in text:
        return "en"
    return "other"


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    started = kwargs.get("start_time") or time.time() - response_time / 1000
    if not status:
        detail = type(exception).__name__ if exception else "no response"
    else:
        detail = unavailable_page(response) if status == 503 else ""
    _records.write(
        json.dumps([round(started, 3), round(time.time(), 3), name, status, round(response_time, 1), detail])
        + "\n"
    )


@events.quitting.add_listener
def _flush(environment, **kwargs):
    _records.flush()
    _events.flush()


def event(**fields) -> None:
    _events.write(json.dumps({"at": round(time.time(), 3), **fields}, ensure_ascii=False) + "\n")


def csrf_token(html: str) -> str | None:
    found = CSRF.search(html or "")
    return found.group(1) if found else None


def receipt_code(location: str) -> str | None:
    """The tracking number in the thanks page's signed receipt (``?r=<base64 JSON>:<time>:<signature>``)."""
    token = parse_qs(urlsplit(location).query).get("r", [""])[0]
    payload = token.split(":")[0]
    try:
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("code")
    except ValueError:
        return None


def staff_address(number: int) -> str:
    return f"172.16.{number // 250}.{number % 250 + 1}"


def new_address() -> str:
    n = next(_addresses)
    return f"10.{ADDRESS_OCTET}.{(n >> 8) & 255}.{n & 255 or 1}"


class Resident(HttpUser):
    weight = 1
    wait_time = constant_throughput(RATE)

    def _get(self, center: dict, path: str, name: str, **kwargs):
        headers = {"Host": center["host"], "X-Forwarded-For": kwargs.pop("address", None) or new_address()}
        return self.client.get(path, headers=headers, name=name, timeout=TIMEOUT, **kwargs)

    # --- Pages ---------------------------------------------------------------------------------------

    @task(6)
    def page(self):
        center = random.choice(CENTERS)  # noqa: S311 - load pattern
        path, name = random.choice(  # noqa: S311
            [
                ("/", "page /"),
                ("/", "page /"),
                ("/notices/", "page /notices/"),
                ("/reports/", "page /reports/"),
                ("/guide/", "page /guide/"),
                ("/booking/", "page /booking/"),
                ("/surveys/", "page /surveys/"),
                ("/search/?q=%E5%81%9C%E6%B0%B4", "page /search/"),
            ]
        )
        self._get(center, path, name)

    @task(3)
    def notice(self):
        center = random.choice(CENTERS)  # noqa: S311
        if center["notices"]:
            self._get(center, random.choice(center["notices"]), "page notice")  # noqa: S311

    # --- Forms -------------------------------------------------------------------------------------

    def _send(self, center: dict, *, form: str, path: str, data: dict, marker: str | None):
        """GET the form, POST it from a new address, record the outcome; True when it was accepted."""
        self.client.cookies.clear()
        address = new_address()
        headers = {"Host": center["host"], "X-Forwarded-For": address}
        shown = self.client.get(path, headers=headers, name=f"form GET {form}", timeout=TIMEOUT)
        token = csrf_token(shown.text) if shown.status_code == 200 else None
        if token is None:
            return None  # nothing was sent
        record = {"kind": "submission", "center": center["code"], "form": form, "marker": marker}
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": token, "website": "", **data},
            headers=headers,
            name=f"form POST {form}",
            timeout=TIMEOUT,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.status_code else ""
            record["status"] = response.status_code
            accepted = response.status_code == 302 and ("/done/?r=" in location or "/thanks/" in location)
            record["code"] = receipt_code(location) if "/done/?r=" in location else None
            if accepted:
                response.success()
            else:
                error = getattr(response, "error", None)
                record["error"] = type(error).__name__ if error else f"HTTP {response.status_code}"
                response.failure(record["error"])
        event(**record)
        if accepted:
            self._get(center, location, f"form done {form}", address=address)
        return accepted

    @task(1)
    def repair(self):
        center = random.choice(CENTERS)  # noqa: S311
        marker = f"{RUN}-{uuid.uuid4().hex[:12]}"
        data = {
            "name": "压测住户",
            "phone": "13800138000",
            "unit_text": "",
            "description": f"厨房水管漏水 {marker}",
        }
        self._send(center, form="repair", path="/repair/", data=data, marker=marker)

    @task(1)
    def feedback(self):
        center = random.choice(CENTERS)  # noqa: S311
        marker = f"{RUN}-{uuid.uuid4().hex[:12]}"
        kind = random.choice(["complaint", "suggestion"])  # noqa: S311
        data = {"kind": kind, "content": f"夜间施工噪音 {marker}", "name": "压测住户", "phone": "13800138000"}
        self._send(center, form="feedback", path="/feedback/", data=data, marker=marker)

    @task(1)
    def survey(self):
        center = random.choice(CENTERS)  # noqa: S311
        survey = center["survey"]
        answers = {}
        for question in survey["questions"]:
            key = f"q{question['id']}"
            if question["kind"] == "rating":
                answers[key] = str(random.randint(3, 5))  # noqa: S311
            elif question["kind"] in ("single", "multiple") and question["choices"]:
                answers[key] = random.choice(question["choices"])  # noqa: S311
            elif question["kind"] == "text":
                answers[key] = "服务很好"
        self._send(center, form="survey", path=f"/surveys/{survey['id']}/", data=answers, marker=None)


class Staff(HttpUser):
    """A front-desk clerk signed in to one center's admin for the whole run."""

    fixed_count = STAFF_USERS
    wait_time = constant_throughput(RATE)

    def on_start(self):
        number = next(_staff_numbers)
        self.center = CENTERS[number % len(CENTERS)]
        self.username = self.center["staff"][0]
        # Axes counts failures per account and address: each clerk has an address of its own.
        self.headers = {"Host": self.center["host"], "X-Forwarded-For": staff_address(number)}
        # Clerks stay signed in across the runs of the experiment: the harness signed them in once.
        session = SESSIONS.get(str(number))
        if session:
            self.client.cookies.set("sessionid", session)
            self.signed_in = True
        else:
            self.signed_in = False
            self.sign_in()

    def sign_in(self) -> None:
        page = self.client.get("/admin/login/", headers=self.headers, name="staff GET login", timeout=TIMEOUT)
        token = csrf_token(page.text) if page.status_code == 200 else None
        if token is None:
            return
        with self.client.post(
            "/admin/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": self.username,
                "password": PASSWORD,
                "next": "/admin/",
            },
            headers=self.headers,
            name="staff POST login",
            timeout=TIMEOUT,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self.signed_in = response.status_code == 302 and "/login/" not in response.headers.get(
                "Location", ""
            )
            if not self.signed_in:
                response.failure(f"sign-in answered {response.status_code}")

    def _admin(self, method: str, path: str, name: str, **kwargs):
        with self.client.request(
            method,
            path,
            headers=self.headers,
            name=name,
            timeout=TIMEOUT,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            location = response.headers.get("Location", "") if response.status_code else ""
            if response.status_code == 302 and "/login/" in location:
                response.failure("logged out")
                event(kind="logged_out", center=self.center["code"], user=self.username, path=path)
                self.signed_in = False
            elif response.status_code not in (200, 302):
                response.failure(f"HTTP {response.status_code}")
            return response

    @task(4)
    def lists(self):
        if not self.signed_in:
            return self.sign_in()
        path, name = random.choice(  # noqa: S311
            [
                ("/admin/", "staff dashboard"),
                ("/admin/operations/work-orders/", "staff list work orders"),
                ("/admin/operations/inquiries/", "staff list inquiries"),
                ("/admin/operations/complaints/", "staff list complaints"),
            ]
        )
        self._admin("GET", path, name)

    @task(1)
    def record_inquiry(self):
        if not self.signed_in:
            return self.sign_in()
        form = self._admin("GET", "/admin/operations/inquiries/new/", "staff GET inquiry form")
        token = csrf_token(form.text) if form.status_code == 200 else None
        if token is None:
            return None
        data = {
            "csrfmiddlewaretoken": token,
            "visitor_name": "压测访客",
            "channel": "walk_in",
            "matter": "咨询停车证办理",
            "outcome": "answered",
            "resolution": "已当场答复",
        }
        return self._admin("POST", "/admin/operations/inquiries/new/", "staff POST inquiry", data=data)
