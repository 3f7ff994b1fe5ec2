"""A web process of its own for tests/portal/test_db_unavailable.py: Django's WSGI handler as gunicorn calls
it (request signals included, so persistent connections are checked and closed as in production).

Reads one command per line on stdin and answers each with one line:

- ``get HOST PATH``: the status of a GET; a 503 is described as ``503 zh Retry-After no-store`` when it is
  our Chinese page with both headers (anything else is shown as it is).
- ``port N``: the database moves to 127.0.0.1:N (a closed port) and the open connection is dropped, as a
  server that went away; ``port back`` puts it back.
- ``backend``: the server process id of the open connection (``none`` without one).
- ``terminate``: the server ends that connection (``pg_terminate_backend`` from another connection), as a
  restart of the server does.
"""

import io
import sys
from wsgiref.util import setup_testing_defaults

import django

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402

import psycopg  # noqa: E402

application = get_wsgi_application()
ORIGINAL = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}


def get(host: str, path: str) -> str:
    environ = {"PATH_INFO": path, "HTTP_HOST": host, "wsgi.input": io.BytesIO(b"")}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    result = application(environ, start_response)
    try:
        body = b"".join(result).decode()
    finally:
        result.close()
    status = answer["status"].split()[0]
    if status != "503":
        return status
    headers = answer["headers"]
    parts = [status]
    parts += ["zh"] if "服务暂时不可用" in body else []
    parts += ["Retry-After"] if headers.get("Retry-After") else []
    parts += ["no-store"] if headers.get("Cache-Control") == "no-store" else []
    return " ".join(parts)


def terminate() -> str:
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    return "ok"


for line in sys.stdin:
    command, *arguments = line.split()
    if command == "get":
        print(get(*arguments), flush=True)
    elif command == "port":
        if arguments == ["back"]:
            connection.settings_dict.update(ORIGINAL)
        else:
            connection.settings_dict.update(HOST="127.0.0.1", PORT=arguments[0])
            connection.close()
        print("ok", flush=True)
    elif command == "backend":
        print(connection.connection.info.backend_pid if connection.connection else "none", flush=True)
    elif command == "terminate":
        print(terminate(), flush=True)
    else:
        print(f"unknown command {command}", flush=True)
