"""A local S3-compatible server for the object-storage tests: moto's server mode (``moto[server]``) in a thread.

moto answers every request as if it were authorised. Real S3 refuses a GET of a private object that carries
neither an ``Authorization`` header nor a valid query-string signature, and a signed URL past its
``X-Amz-Expires``; ``SignedUrlCheck`` puts those two rules in front of moto, so the tests can prove that a
browser gets a file only through a URL our view signed, and only for its lifetime. Requests of boto3 itself
(signed in the ``Authorization`` header) pass as they are.
"""

import datetime as dt
import hashlib
import hmac
from urllib.parse import parse_qsl, quote

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

ACCESS_KEY = "bianmin-test-key"
SECRET_KEY = "bianmin-test-secret"  # noqa: S105 - a local test server's
REGION = "us-east-1"
BUCKET = "bianmin-media"
UNRESERVED = "-_.~"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


class SignedUrlCheck:
    """WSGI middleware: a request without ``Authorization`` needs a valid, unexpired SigV4 query signature."""

    def __init__(self, app, *, secret_key: str):
        self.app = app
        self.secret_key = secret_key
        self.clock_offset = dt.timedelta()  # tests move the server's clock forward instead of sleeping

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.clock_offset

    def __call__(self, environ, start_response):
        if environ.get("HTTP_AUTHORIZATION") or environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self.app(environ, start_response)
        refusal = self.refusal(environ)
        if refusal:
            body = f"<Error><Code>AccessDenied</Code><Message>{refusal}</Message></Error>".encode()
            start_response("403 Forbidden", [("Content-Type", "application/xml")])
            return [body]
        return self.app(environ, start_response)

    def refusal(self, environ) -> str | None:
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        params = dict(query)
        if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" or "X-Amz-Signature" not in params:
            return "Anonymous access is denied"
        signed_at = dt.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        if self.now() > signed_at + dt.timedelta(seconds=int(params["X-Amz-Expires"])):
            return "Request has expired"
        if not hmac.compare_digest(self.signature(environ, query, params), params["X-Amz-Signature"]):
            return "The request signature we calculated does not match the signature you provided"
        return None

    def signature(self, environ, query: list[tuple[str, str]], params: dict[str, str]) -> str:
        scope = params["X-Amz-Credential"].split("/", 1)[1]  # date/region/service/aws4_request
        canonical_query = "&".join(
            f"{quote(name, safe=UNRESERVED)}={quote(value, safe=UNRESERVED)}"
            for name, value in sorted(query)
            if name != "X-Amz-Signature"
        )
        signed_headers = params["X-Amz-SignedHeaders"]
        header_values = {"host": environ.get("HTTP_HOST", "")}
        for name in signed_headers.split(";"):
            if name != "host":
                header_values[name] = environ.get("HTTP_" + name.upper().replace("-", "_"), "")
        canonical_headers = "".join(
            f"{name}:{header_values[name].strip()}\n" for name in signed_headers.split(";")
        )
        path = environ.get("RAW_URI", environ.get("PATH_INFO", "/")).split("?", 1)[0]
        canonical_request = "\n".join(
            [
                environ["REQUEST_METHOD"],
                path,
                canonical_query,
                canonical_headers,
                signed_headers,
                "UNSIGNED-PAYLOAD",
            ]
        )
        string_to_sign = "\n".join(
            [
                "AWS4-HMAC-SHA256",
                params["X-Amz-Date"],
                scope,
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )
        key = ("AWS4" + self.secret_key).encode()
        for part in scope.split("/"):
            key = _hmac(key, part)
        return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


class CheckedMotoServer(ThreadedMotoServer):
    """moto's threaded server on 127.0.0.1 (a free port), behind ``SignedUrlCheck``."""

    def __init__(self):
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.check = SignedUrlCheck(DomainDispatcherApplication(create_backend_app), secret_key=SECRET_KEY)

    def _server_entry(self) -> None:
        self._server = make_server(
            self._ip_address, self._port, self.check, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def endpoint_url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def storage_options(self, **extra) -> dict:
        """``OPTIONS`` of ``portal.storage.TenantS3Storage`` for this server's bucket."""
        return {
            "bucket_name": BUCKET,
            "endpoint_url": self.endpoint_url,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "region_name": REGION,
            "addressing_style": "path",
            "signature_version": "s3v4",
            **extra,
        }

    def object_keys(self) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def empty(self) -> None:
        for key in self.object_keys():
            self.client().delete_object(Bucket=BUCKET, Key=key)
        self.check.clock_offset = dt.timedelta()
