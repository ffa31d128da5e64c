"""An S3-compatible object store of our own, on loopback, for tests that need one bucket shared by
separate processes (tests/faults/test_two_hosts.py: gunicorn and a Celery worker as two hosts).

Why not moto's server: it also serves a dashboard page that loads Bootstrap and jQuery from a CDN,
and nothing the tests run may fetch from a CDN. Why not MinIO or SeaweedFS: neither PyPI nor Debian
ships them. So this is a small server (http.server, one thread per connection, objects in memory)
that implements exactly what boto3, s3transfer and django-storages' S3Storage call, and refuses
everything else with 501 NotImplemented rather than pretending:

- CreateBucket, HeadBucket, DeleteBucket, ListBuckets;
- PutObject, GetObject (a single Range; If-Match and friends, which s3transfer's ranged downloads
  send), HeadObject, DeleteObject, ListObjects (v1: S3Storage.listdir) and ListObjectsV2 (prefix,
  delimiter, max-keys, continuation, encoding-type=url, which botocore always asks for);
- multipart uploads (create, upload part, complete, abort: s3transfer uses them above 8 MB),
  with S3's rules: parts of at least 5 MiB but the last, in ascending order, ETags that match,
  and the multipart ETag (MD5 of the parts' MD5s, "-<parts>").

Every request must be signed with AWS Signature Version 4 (the Authorization header, or a
presigned URL's query) by the one key pair the server was given, and the signature is checked
like S3 checks it, so a misconfigured client fails here as it would against the real bucket:
an unknown key is 403 InvalidAccessKeyId, a wrong secret 403 SignatureDoesNotMatch. Payload
hashes (x-amz-content-sha256), Content-MD5 and the checksums botocore sends by default
(x-amz-checksum-crc32; sha1 and sha256 too) are verified. Addressing is path-style
(http://127.0.0.1:<port>/<bucket>/<key>), which botocore uses for an endpoint given as an IP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote
from xml.etree import ElementTree as ET

XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PARTS = 10_000
MAX_BODY = 5 * 1024**3  # S3's largest single PUT
# What PutObject and CreateMultipartUpload keep and GetObject/HeadObject return (besides x-amz-meta-*).
STORED_HEADERS = (
    "content-type",
    "content-encoding",
    "content-disposition",
    "content-language",
    "cache-control",
    "expires",
)
CANNED_ACLS = {"private", "public-read", "public-read-write", "authenticated-read", "bucket-owner-read"}
CANNED_ACLS |= {"bucket-owner-full-control", "aws-exec-read"}
# Parameters botocore adds to any request (x-id names the operation) or a presigned URL carries.
ALWAYS_ALLOWED = {"x-id"}
PRESIGN_PARAMS = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders"}
PRESIGN_PARAMS |= {"X-Amz-Signature", "X-Amz-Security-Token"}
GET_OVERRIDES = {f"response-{h}": h for h in STORED_HEADERS}
LIST_PARAMS = {"prefix", "delimiter", "max-keys", "encoding-type"}


class S3Error(Exception):
    """An S3 error response: status, code (what botocore's ClientError reports) and message."""

    def __init__(self, status: int, code: str, message: str, **details: str):
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


def _not_implemented(what: str) -> S3Error:
    return S3Error(501, "NotImplemented", f"{what} is not implemented by this test double (tests/faults/s3_server.py)")


@dataclass
class StoredObject:
    data: bytes
    etag: str  # unquoted
    headers: dict[str, str]
    checksum: tuple[str, str] | None = None  # (algorithm, base64 value) of the whole object, as sent
    last_modified: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))


@dataclass
class MultipartUpload:
    bucket: str
    key: str
    headers: dict[str, str]
    parts: dict[int, tuple[bytes, str, tuple[str, str] | None]] = field(default_factory=dict)  # data, etag, checksum


@dataclass
class Request:
    method: str
    bucket: str
    key: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _checksum(algorithm: str, data: bytes) -> str:
    if algorithm == "crc32":
        return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    if algorithm in ("sha1", "sha256"):
        return base64.b64encode(hashlib.new(algorithm, data, usedforsecurity=False).digest()).decode()
    # crc32c and crc64nvme need a library we do not have (awscrt): refuse rather than skip the check.
    raise _not_implemented(f"the {algorithm} checksum")


def _sent_checksum(headers: dict[str, str], data: bytes) -> tuple[str, str] | None:
    """The x-amz-checksum-<algorithm> header, verified against the body (S3: 400 BadDigest)."""
    for name, value in headers.items():
        algorithm = name.removeprefix("x-amz-checksum-")
        if name.startswith("x-amz-checksum-") and algorithm not in ("mode", "type", "algorithm"):
            if _checksum(algorithm, data) != value:
                raise S3Error(
                    400, "BadDigest", f"The {algorithm.upper()} you specified did not match the calculated checksum."
                )
            return algorithm, value
    return None


def _http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def _iso_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _xml(root: str, *children: ET.Element, xmlns: str | None = XMLNS, **fields: object) -> bytes:
    element = ET.Element(root, xmlns=xmlns) if xmlns else ET.Element(root)
    for name, value in fields.items():
        ET.SubElement(element, name).text = str(value)
    element.extend(children)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def _element(name: str, **fields: object) -> ET.Element:
    element = ET.Element(name)
    for child, value in fields.items():
        ET.SubElement(element, child).text = str(value)
    return element


class SigV4:
    """Checks a request's AWS Signature Version 4 the way S3 does (header or presigned query)."""

    def __init__(self, access_key: str, secret_key: str, region: str):
        self.access_key, self.secret_key, self.region = access_key, secret_key, region

    def verify(self, method: str, raw_path: str, raw_query: str, headers: dict[str, str], body: bytes) -> None:
        pairs = [pair.partition("=")[::2] for pair in raw_query.split("&") if pair]
        query = {unquote(k): unquote(v) for k, v in pairs}
        if "authorization" in headers:
            fields = self._authorization_header(headers["authorization"])
            credential, signed_headers, signature = fields["Credential"], fields["SignedHeaders"], fields["Signature"]
            amz_date = headers.get("x-amz-date", "")
            payload_hash = headers.get("x-amz-content-sha256")
            if payload_hash is None:
                raise S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
            self._check_payload(payload_hash, body)
        elif "X-Amz-Credential" in query:
            if query.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
                raise S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm must be AWS4-HMAC-SHA256.")
            credential, signed_headers = query["X-Amz-Credential"], query.get("X-Amz-SignedHeaders", "")
            signature, amz_date = query.get("X-Amz-Signature", ""), query.get("X-Amz-Date", "")
            payload_hash = "UNSIGNED-PAYLOAD"
            try:
                expires = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                expires += timedelta(seconds=int(query.get("X-Amz-Expires", "")))
            except ValueError:
                raise S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is malformed.")
            if datetime.now(UTC) > expires:
                raise S3Error(403, "AccessDenied", "Request has expired")
            pairs = [(k, v) for k, v in pairs if unquote(k) != "X-Amz-Signature"]
        elif "AWSAccessKeyId" in query:
            # boto3 presigns with SigV2 unless told otherwise (Config(signature_version="s3v4")).
            raise S3Error(400, "InvalidArgument", "Only AWS Signature Version 4 (X-Amz-Credential) is supported.")
        else:
            raise S3Error(403, "AccessDenied", "Anonymous access is refused: sign requests with SigV4.")

        key_id, _, scope = credential.partition("/")
        if key_id != self.access_key:
            raise S3Error(
                403,
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
                AWSAccessKeyId=key_id,
            )
        date, _, rest = scope.partition("/")
        if rest != f"{self.region}/s3/aws4_request" or not amz_date.startswith(date):
            raise S3Error(
                400, "AuthorizationHeaderMalformed", f"The credential scope {scope!r} is not {self.region}/s3."
            )
        names = signed_headers.split(";")
        if "host" not in names:
            raise S3Error(400, "InvalidRequest", "The host header must be signed.")
        canonical = "\n".join(
            [
                method,
                quote(unquote(raw_path), safe="/~"),
                "&".join(
                    f"{k}={v}"
                    for k, v in sorted(
                        (quote(unquote(k), safe="-_.~"), quote(unquote(v), safe="-_.~")) for k, v in pairs
                    )
                ),
                "".join(f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in names),
                signed_headers,
                payload_hash,
            ]
        )
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = f"AWS4{self.secret_key}".encode()
        for part in (date, self.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise S3Error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )

    @staticmethod
    def _authorization_header(value: str) -> dict[str, str]:
        algorithm, _, rest = value.partition(" ")
        if algorithm != "AWS4-HMAC-SHA256":
            raise S3Error(400, "InvalidArgument", "Only AWS Signature Version 4 (AWS4-HMAC-SHA256) is supported.")
        fields = dict(part.strip().partition("=")[::2] for part in rest.split(","))
        if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
            raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed.")
        return fields

    @staticmethod
    def _check_payload(payload_hash: str, body: bytes) -> None:
        if payload_hash == "UNSIGNED-PAYLOAD":
            return
        if payload_hash.startswith("STREAMING-"):
            # aws-chunked bodies: botocore sends them only over HTTPS, never to this plain-HTTP server.
            raise _not_implemented(f"the {payload_hash} (aws-chunked) payload")
        if payload_hash != hashlib.sha256(body).hexdigest():
            raise S3Error(
                400,
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            )


class ObjectStore:
    """The buckets, their objects and the multipart uploads under way, in memory, behind one lock
    (s3transfer uploads and downloads parts from several threads at once)."""

    def __init__(self, region: str):
        self.region = region
        self.buckets: dict[str, dict[str, StoredObject]] = {}
        self.created: dict[str, datetime] = {}
        self.uploads: dict[str, MultipartUpload] = {}
        self.lock = threading.Lock()

    def handle(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            if not request.bucket:
                self._allow(request, set())
                if request.method != "GET":
                    raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
                return self.list_buckets()
            if not request.key:
                return self._bucket_operation(request)
            if request.bucket not in self.buckets:
                raise S3Error(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=request.bucket)
            return self._object_operation(request)

    @staticmethod
    def _allow(request: Request, names: set[str]) -> None:
        unknown = sorted(set(request.query) - names - ALWAYS_ALLOWED)
        if unknown:
            raise _not_implemented(f"{request.method} with ?{'&'.join(unknown)}")

    # --- buckets -----------------------------------------------------------------------------
    def _bucket_operation(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        name, method = request.bucket, request.method
        if method == "PUT":
            self._allow(request, set())
            if name in self.buckets:
                raise S3Error(
                    409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded."
                )
            self.buckets[name], self.created[name] = {}, datetime.now(UTC).replace(microsecond=0)
            return 200, {"Location": f"/{name}"}, b""
        if name not in self.buckets:
            raise S3Error(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=name)
        if method == "HEAD":
            self._allow(request, set())
            return 200, {"x-amz-bucket-region": self.region}, b""
        if method == "DELETE":
            self._allow(request, set())
            if self.buckets[name]:
                raise S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", BucketName=name)
            del self.buckets[name], self.created[name]
            return 204, {}, b""
        if method == "GET" and "location" in request.query:
            self._allow(request, {"location"})
            location = "" if self.region == "us-east-1" else self.region
            return 200, {}, _xml("LocationConstraint") if not location else _xml_text("LocationConstraint", location)
        if method == "GET" and request.query.get("list-type") == "2":
            self._allow(request, LIST_PARAMS | {"list-type", "continuation-token", "start-after", "fetch-owner"})
            return self.list_objects_v2(name, request.query)
        if method == "GET":
            self._allow(request, LIST_PARAMS | {"marker"})
            return self.list_objects_v1(name, request.query)
        raise _not_implemented(f"{method} on a bucket")

    def list_buckets(self) -> tuple[int, dict[str, str], bytes]:
        buckets = ET.Element("Buckets")
        for name in sorted(self.buckets):
            buckets.append(_element("Bucket", Name=name, CreationDate=_iso_date(self.created[name])))
        owner = _element("Owner", ID="greenlist-tests", DisplayName="greenlist-tests")
        return 200, {}, _xml("ListAllMyBucketsResult", owner, buckets)

    def _listing(
        self, bucket: str, query: dict[str, str], after: str
    ) -> tuple[list[ET.Element], bool, str, int, dict[str, object]]:
        """One page of keys and common prefixes after `after`, in S3's (UTF-8 byte, i.e. code point) order.
        A common prefix counts once toward max-keys, and a page that ends on one resumes past all its keys."""
        prefix, delimiter = query.get("prefix", ""), query.get("delimiter", "")
        try:
            max_keys = min(int(query.get("max-keys", "1000")), 1000)
        except ValueError:
            raise S3Error(400, "InvalidArgument", "max-keys must be an integer.")
        if max_keys < 0:
            raise S3Error(400, "InvalidArgument", "max-keys must not be negative.")
        url_encoded = query.get("encoding-type") == "url"
        if query.get("encoding-type", "url") != "url":
            raise S3Error(400, "InvalidArgument", "Invalid Encoding Method specified in Request")

        def shown(text: str) -> str:
            return quote(text, safe="/") if url_encoded else text

        after_is_prefix = bool(delimiter) and after.startswith(prefix) and after.endswith(delimiter)
        after_is_prefix = after_is_prefix and after.find(delimiter, len(prefix)) == len(after) - len(delimiter)
        items: list[ET.Element] = []
        common: set[str] = set()
        last, truncated = "", False
        for key in sorted(self.buckets[bucket]):
            if not key.startswith(prefix) or key <= after or (after_is_prefix and key.startswith(after)):
                continue
            end = key.find(delimiter, len(prefix)) if delimiter else -1
            entry = key[: end + len(delimiter)] if end >= 0 else key
            if entry in common:
                continue
            if len(items) == max_keys:
                truncated = True
                break
            if end >= 0:
                common.add(entry)
                items.append(_element("CommonPrefixes", Prefix=shown(entry)))
            else:
                stored = self.buckets[bucket][key]
                items.append(
                    _element(
                        "Contents",
                        Key=shown(key),
                        LastModified=_iso_date(stored.last_modified),
                        ETag=f'"{stored.etag}"',
                        Size=len(stored.data),
                        StorageClass="STANDARD",
                    )
                )
            last = entry
        fields: dict[str, object] = {"Name": bucket, "Prefix": shown(prefix)}
        if delimiter:
            fields["Delimiter"] = shown(delimiter)
        fields["MaxKeys"] = max_keys
        if url_encoded:
            fields["EncodingType"] = "url"
        # Contents before CommonPrefixes, as S3 writes them (botocore does not mind, readers might).
        items.sort(key=lambda element: element.tag != "Contents")
        return items, truncated, last, len(items), fields

    def list_objects_v1(self, bucket: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        marker = query.get("marker", "")
        items, truncated, last, _, fields = self._listing(bucket, query, marker)
        fields = {"Name": fields.pop("Name"), "Prefix": fields.pop("Prefix"), "Marker": marker, **fields}
        fields["IsTruncated"] = "true" if truncated else "false"
        if truncated and "Delimiter" in fields:
            fields["NextMarker"] = last  # S3 gives it only with a delimiter; otherwise the last key is the marker
        return 200, {}, _xml("ListBucketResult", *items, **fields)

    def list_objects_v2(self, bucket: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        after = query.get("start-after", "")
        if "continuation-token" in query:
            try:
                after = max(after, base64.urlsafe_b64decode(query["continuation-token"].encode()).decode())
            except (ValueError, UnicodeDecodeError):
                raise S3Error(400, "InvalidArgument", "The continuation token provided is incorrect")
        items, truncated, last, count, fields = self._listing(bucket, query, after)
        fields["KeyCount"] = count
        fields["IsTruncated"] = "true" if truncated else "false"
        if "continuation-token" in query:
            fields["ContinuationToken"] = query["continuation-token"]
        if truncated:
            fields["NextContinuationToken"] = base64.urlsafe_b64encode(last.encode()).decode()
        if "start-after" in query:
            fields["StartAfter"] = query["start-after"]
        return 200, {}, _xml("ListBucketResult", *items, **fields)

    # --- objects -----------------------------------------------------------------------------
    def _object_operation(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        method, query = request.method, request.query
        if method == "PUT" and "uploadId" in query:
            self._allow(request, {"uploadId", "partNumber"})
            return self.upload_part(request)
        if method == "POST" and "uploads" in query:
            self._allow(request, {"uploads"})
            return self.create_multipart_upload(request)
        if method == "POST" and "uploadId" in query:
            self._allow(request, {"uploadId"})
            return self.complete_multipart_upload(request)
        if method == "DELETE" and "uploadId" in query:
            self._allow(request, {"uploadId"})
            self._upload(request)
            del self.uploads[query["uploadId"]]
            return 204, {}, b""
        if method == "PUT":
            self._allow(request, set())
            if "x-amz-copy-source" in request.headers:
                raise _not_implemented("CopyObject")  # nothing of ours copies objects (django-storages does not)
            return self.put_object(request)
        if method in ("GET", "HEAD"):
            self._allow(request, set(GET_OVERRIDES))
            return self.get_object(request)
        if method == "DELETE":
            self._allow(request, set())
            self.buckets[request.bucket].pop(request.key, None)  # S3 answers 204 whether or not the key existed
            return 204, {}, b""
        raise _not_implemented(f"{method} on an object")

    @staticmethod
    def _stored_headers(request: Request) -> dict[str, str]:
        acl = request.headers.get("x-amz-acl", "private")
        if acl not in CANNED_ACLS:
            raise S3Error(400, "InvalidArgument", f"{acl!r} is not a canned ACL")
        kept = {n: v for n, v in request.headers.items() if n in STORED_HEADERS or n.startswith("x-amz-meta-")}
        kept.setdefault("content-type", "binary/octet-stream")
        return kept

    def put_object(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        body = request.body
        if "content-md5" in request.headers:
            try:
                sent_md5 = base64.b64decode(request.headers["content-md5"], validate=True).hex()
            except ValueError:
                raise S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
            if sent_md5 != _md5(body):
                raise S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        checksum = _sent_checksum(request.headers, body)
        stored = StoredObject(body, _md5(body), self._stored_headers(request), checksum)
        self.buckets[request.bucket][request.key] = stored
        headers = {"ETag": f'"{stored.etag}"'}
        if checksum:
            headers[f"x-amz-checksum-{checksum[0]}"] = checksum[1]
        return 200, headers, b""

    def get_object(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        stored = self.buckets[request.bucket].get(request.key)
        if stored is None:
            # HEAD has no body: botocore then reports the bare status ("404"), as it does against S3.
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.", Key=request.key)
        etag = f'"{stored.etag}"'
        self._check_conditions(request.headers, etag, stored.last_modified)
        headers = {"ETag": etag, "Last-Modified": _http_date(stored.last_modified), "Accept-Ranges": "bytes"}
        headers |= {name.title() if not name.startswith("x-amz-") else name: v for name, v in stored.headers.items()}
        for parameter, header in GET_OVERRIDES.items():
            if parameter in request.query:
                headers[header.title()] = request.query[parameter]
        data, status = stored.data, 200
        span = _byte_range(request.headers.get("range", ""), len(data))
        if span is not None:
            first, last = span
            data, status = data[first : last + 1], 206
            headers["Content-Range"] = f"bytes {first}-{last}/{len(stored.data)}"
        elif stored.checksum and request.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED":
            headers[f"x-amz-checksum-{stored.checksum[0]}"] = stored.checksum[1]
            headers["x-amz-checksum-type"] = "FULL_OBJECT"
        return status, headers, data

    @staticmethod
    def _check_conditions(headers: dict[str, str], etag: str, modified: datetime) -> None:
        """RFC 7232's order, as S3 applies it: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since."""

        def matches(value: str) -> bool:
            return any(tag.strip() in ("*", etag, etag.strip('"')) for tag in value.split(","))

        def date(value: str) -> datetime | None:
            try:
                return parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None  # S3 ignores a malformed date condition

        failed = S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
        if "if-match" in headers:
            if not matches(headers["if-match"]):
                raise failed
        elif (since := date(headers.get("if-unmodified-since", ""))) and modified > since:
            raise failed
        if "if-none-match" in headers:
            if matches(headers["if-none-match"]):
                raise S3Error(304, "NotModified", "Not Modified")
        elif (since := date(headers.get("if-modified-since", ""))) and modified <= since:
            raise S3Error(304, "NotModified", "Not Modified")

    # --- multipart uploads -------------------------------------------------------------------
    def _upload(self, request: Request) -> MultipartUpload:
        upload = self.uploads.get(request.query["uploadId"])
        if upload is None or (upload.bucket, upload.key) != (request.bucket, request.key):
            raise S3Error(
                404,
                "NoSuchUpload",
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been"
                " aborted or completed.",
                UploadId=request.query["uploadId"],
            )
        return upload

    def create_multipart_upload(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        upload_id = secrets.token_urlsafe(24)
        self.uploads[upload_id] = MultipartUpload(request.bucket, request.key, self._stored_headers(request))
        result = _xml("InitiateMultipartUploadResult", Bucket=request.bucket, Key=request.key, UploadId=upload_id)
        headers = {}
        if "x-amz-checksum-algorithm" in request.headers:
            headers["x-amz-checksum-algorithm"] = request.headers["x-amz-checksum-algorithm"]
        return 200, headers, result

    def upload_part(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        upload = self._upload(request)
        try:
            number = int(request.query.get("partNumber", ""))
        except ValueError:
            number = 0
        if not 1 <= number <= MAX_PARTS:
            raise S3Error(
                400, "InvalidArgument", f"Part number must be an integer between 1 and {MAX_PARTS}, inclusive"
            )
        if "x-amz-copy-source" in request.headers:
            raise _not_implemented("UploadPartCopy")
        checksum = _sent_checksum(request.headers, request.body)
        etag = _md5(request.body)
        upload.parts[number] = (request.body, etag, checksum)
        headers = {"ETag": f'"{etag}"'}
        if checksum:
            headers[f"x-amz-checksum-{checksum[0]}"] = checksum[1]
        return 200, headers, b""

    def complete_multipart_upload(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        upload = self._upload(request)
        try:
            # Only loopback test clients reach this server; the body is boto3's own XML.
            root = ET.fromstring(request.body)  # noqa: S314
        except ET.ParseError:
            raise S3Error(400, "MalformedXML", "The XML you provided was not well-formed")
        listed = []
        for part in root.iter():
            if part.tag.rsplit("}", 1)[-1] != "Part":
                continue
            children = {child.tag.rsplit("}", 1)[-1]: (child.text or "").strip() for child in part}
            listed.append(children)
        if not listed:
            raise S3Error(400, "MalformedXML", "The XML you provided was not well-formed")
        numbers = [int(part.get("PartNumber", "0") or 0) for part in listed]
        if numbers != sorted(set(numbers)):
            raise S3Error(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
        chunks, digests = [], b""
        for position, (number, part) in enumerate(zip(numbers, listed, strict=True)):
            held = upload.parts.get(number)
            if held is None or part.get("ETag", "").strip('"') != held[1]:
                raise S3Error(400, "InvalidPart", "One or more of the specified parts could not be found.")
            for algorithm_name, value in part.items():
                if algorithm_name.startswith("Checksum") and (held[2] is None or held[2][1] != value):
                    raise S3Error(400, "InvalidPart", f"Part {number}'s {algorithm_name} does not match.")
            if position < len(numbers) - 1 and len(held[0]) < MIN_PART_SIZE:
                raise S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
            chunks.append(held[0])
            digests += bytes.fromhex(held[1])
        data = b"".join(chunks)
        # A whole-object checksum, when the client sends one (ChecksumType FULL_OBJECT), is verified.
        checksum = _sent_checksum(request.headers, data)
        etag = f"{_md5(digests)}-{len(chunks)}"
        self.buckets[request.bucket][request.key] = StoredObject(data, etag, upload.headers, checksum)
        del self.uploads[request.query["uploadId"]]
        location = f"/{request.bucket}/{quote(request.key)}"
        result = _xml(
            "CompleteMultipartUploadResult", Location=location, Bucket=request.bucket, Key=request.key, ETag=f'"{etag}"'
        )
        return 200, {}, result


def _xml_text(root: str, text: str) -> bytes:
    element = ET.Element(root, xmlns=XMLNS)
    element.text = text
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte of a `Range: bytes=…` header, or None for the whole object (S3 ignores a
    malformed or multi-range header); a range that starts past the end is 416 InvalidRange."""
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    start, dash, end = spec.strip().partition("-")
    if not dash or not (start.isdigit() or end.isdigit()) or (start and not start.isdigit()):
        return None
    if end and not end.isdigit():
        return None
    if not start:  # the last `end` bytes
        if int(end) == 0:
            raise S3Error(416, "InvalidRange", "The requested range is not satisfiable", RangeRequested=header)
        return max(size - int(end), 0), size - 1
    first, last = int(start), min(int(end), size - 1) if end else size - 1
    if end and int(end) < first:
        return None
    if first >= size:
        raise S3Error(416, "InvalidRange", "The requested range is not satisfiable", RangeRequested=header)
    return first, last


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._answer()

    do_HEAD = do_PUT = do_POST = do_DELETE = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        """Quiet: the tests report failures through boto3's errors, not this server's log."""

    def _answer(self) -> None:
        request_id = secrets.token_hex(8).upper()
        raw_path, _, raw_query = self.path.partition("?")
        bucket, _, key = unquote(raw_path).lstrip("/").partition("/")
        try:
            body = self._body()
            headers = {name.lower(): value for name, value in self.headers.items()}
            self.server.signer.verify(self.command, raw_path, raw_query, headers, body)
            pairs = [pair.partition("=")[::2] for pair in raw_query.split("&") if pair]
            query = {unquote(k): unquote(v) for k, v in pairs if unquote(k) not in PRESIGN_PARAMS}
            status, response_headers, payload = self.server.store.handle(
                Request(self.command, bucket, key, query, headers, body)
            )
        except Exception as exc:  # a bug here must reach the test as an answer, not a dropped connection
            error = exc if isinstance(exc, S3Error) else S3Error(500, "InternalError", f"{type(exc).__name__}: {exc}")
            status, response_headers = error.status, {"Content-Type": "application/xml"}
            details = {"Key": key} if key else {"BucketName": bucket} if bucket else {}
            payload = _xml_error(error, raw_path, request_id, {**details, **error.details})
        self.send_response(status)
        self.send_header("x-amz-request-id", request_id)
        if payload:  # objects carry their own Content-Type; every other answer is an XML document
            response_headers.setdefault("Content-Type", "application/xml")
        for name, value in response_headers.items():
            self.send_header(name, value)
        if status in (204, 304):
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise _not_implemented("a chunked request body")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise S3Error(400, "InvalidArgument", "Content-Length is not a number.")
        if length > MAX_BODY:
            self.close_connection = True  # the body is left unread
            raise S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        return self.rfile.read(length) if length else b""


def _xml_error(error: S3Error, resource: str, request_id: str, details: dict[str, str]) -> bytes:
    # S3's error documents, unlike its results, have no namespace (botocore looks for a bare <Code>).
    return _xml(
        "Error", xmlns=None, Code=error.code, Message=error.message, **details, Resource=resource, RequestId=request_id
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    signer: SigV4
    store: ObjectStore


class S3TestServer:
    """The server, on 127.0.0.1 and a port the system picks, serving from a thread until stop().

    with S3TestServer(access_key="k", secret_key="s") as server:
        boto3.client("s3", endpoint_url=server.endpoint, ...)
    """

    def __init__(self, *, access_key: str, secret_key: str, region: str = "us-east-1"):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.signer = SigV4(access_key, secret_key, region)
        self._server.store = ObjectStore(region)
        # A short poll: stop() waits for it, once per test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="s3-test-server", daemon=True
        )

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def store(self) -> ObjectStore:
        return self._server.store

    def start(self) -> S3TestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> S3TestServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
