"""Our S3 test server (tests/faults/s3_server.py), driven by boto3 and django-storages as the platform
drives the production bucket: what it answers must be what S3 answers, or test_two_hosts proves nothing."""

import base64
import hashlib
import io
import os
import zlib
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from storages.backends.s3 import S3Storage

from .s3_server import MIN_PART_SIZE, S3TestServer

KEY_ID, SECRET = "unit-tests", "unit-tests-secret"
BUCKET = "greenlist-unit"
MB = 1024 * 1024


@pytest.fixture
def server():
    with S3TestServer(access_key=KEY_ID, secret_key=SECRET) as running:
        yield running


def client(server, **options):
    credentials = {"aws_access_key_id": KEY_ID, "aws_secret_access_key": SECRET, "region_name": "us-east-1"}
    return boto3.client("s3", endpoint_url=server.endpoint, **(credentials | options))


@pytest.fixture
def s3(server):
    s3 = client(server)
    s3.create_bucket(Bucket=BUCKET)
    return s3


def refused(call, *args, **kwargs) -> tuple[str, int]:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_an_object_comes_back_with_its_bytes_and_headers(s3):
    body = b"patrol report\n" * 100
    s3.put_object(Bucket=BUCKET, Key="evidence/report.txt", Body=body, ContentType="text/plain", Metadata={"site": "7"})

    got = s3.get_object(Bucket=BUCKET, Key="evidence/report.txt", ChecksumMode="ENABLED")

    assert got["Body"].read() == body
    assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'  # noqa: S324 - S3's ETag is the MD5
    assert got["ContentLength"] == len(body) and got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"site": "7"}
    assert abs(got["LastModified"] - datetime.now(UTC)) < timedelta(seconds=5)
    # botocore sent a CRC32 and checks the one it gets back
    assert got["ChecksumCRC32"] == base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    head = s3.head_object(Bucket=BUCKET, Key="evidence/report.txt")
    assert head["ContentLength"] == len(body) and head["ETag"] == got["ETag"]


@pytest.mark.parametrize(
    ("asked", "part", "content_range"),
    [
        ("bytes=2-5", b"2345", "bytes 2-5/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=-3", b"789", "bytes 7-9/10"),
        ("bytes=8-100", b"89", "bytes 8-9/10"),
    ],
)
def test_a_range_returns_those_bytes(s3, asked, part, content_range):
    s3.put_object(Bucket=BUCKET, Key="digits", Body=b"0123456789")

    got = s3.get_object(Bucket=BUCKET, Key="digits", Range=asked)

    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == part and got["ContentRange"] == content_range and got["ContentLength"] == len(part)


def test_a_range_past_the_end_is_refused(s3):
    s3.put_object(Bucket=BUCKET, Key="digits", Body=b"0123456789")

    assert refused(s3.get_object, Bucket=BUCKET, Key="digits", Range="bytes=10-") == ("InvalidRange", 416)


def test_conditions_on_the_etag_hold_as_on_s3(s3):
    etag = s3.put_object(Bucket=BUCKET, Key="digits", Body=b"0123456789")["ETag"]

    assert s3.get_object(Bucket=BUCKET, Key="digits", IfMatch=etag)["Body"].read() == b"0123456789"
    assert refused(s3.get_object, Bucket=BUCKET, Key="digits", IfMatch='"other"') == ("PreconditionFailed", 412)
    assert refused(s3.get_object, Bucket=BUCKET, Key="digits", IfNoneMatch=etag) == ("304", 304)


def test_missing_keys_and_buckets_are_s3s_errors(s3):
    assert refused(s3.get_object, Bucket=BUCKET, Key="nowhere") == ("NoSuchKey", 404)
    assert refused(s3.head_object, Bucket=BUCKET, Key="nowhere") == ("404", 404)  # HEAD: no body, as on S3
    assert refused(s3.get_object, Bucket="no-bucket", Key="k") == ("NoSuchBucket", 404)
    assert refused(s3.put_object, Bucket="no-bucket", Key="k", Body=b"x") == ("NoSuchBucket", 404)


def test_a_deleted_object_is_gone_and_deleting_it_again_is_no_error(s3):
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")

    s3.delete_object(Bucket=BUCKET, Key="k")

    assert refused(s3.head_object, Bucket=BUCKET, Key="k") == ("404", 404)
    assert s3.delete_object(Bucket=BUCKET, Key="k")["ResponseMetadata"]["HTTPStatusCode"] == 204


KEYS = ["a/", "a/1", "a/2", "b/x/1", "b/y", "c", "d e+f/ü.txt"]


@pytest.mark.parametrize("operation", ["list_objects_v2", "list_objects"])  # list_objects: S3Storage.listdir
@pytest.mark.parametrize(
    ("prefix", "delimiter", "keys", "prefixes"),
    [
        ("", "", KEYS, []),
        ("", "/", ["c"], ["a/", "b/", "d e+f/"]),
        ("a/", "/", ["a/", "a/1", "a/2"], []),
        ("b/", "/", ["b/y"], ["b/x/"]),
        ("d e+f/", "", ["d e+f/ü.txt"], []),
    ],
)
def test_listing_pages_through_every_key_and_common_prefix_once(s3, operation, prefix, delimiter, keys, prefixes):
    for key in reversed(KEYS):
        s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode())
    options = {"Bucket": BUCKET, "Prefix": prefix} | ({"Delimiter": delimiter} if delimiter else {})

    pages = list(s3.get_paginator(operation).paginate(**options, PaginationConfig={"PageSize": 1}))

    assert [o["Key"] for page in pages for o in page.get("Contents", [])] == keys
    assert [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])] == prefixes
    assert len(pages) == max(len(keys) + len(prefixes), 1)
    whole = getattr(s3, operation)(**options)
    assert not whole["IsTruncated"] and all(o["Size"] == len(o["Key"].encode()) for o in whole.get("Contents", []))


def test_a_large_upload_goes_in_parts_and_downloads_in_ranges(s3, server):
    body = os.urandom(9 * MB)  # above s3transfer's 8 MB multipart threshold

    s3.upload_fileobj(io.BytesIO(body), BUCKET, "big.bin")

    parts = [body[: 8 * MB], body[8 * MB :]]
    md5s = b"".join(hashlib.md5(p).digest() for p in parts)  # noqa: S324 - S3's multipart ETag
    assert s3.head_object(Bucket=BUCKET, Key="big.bin")["ETag"] == f'"{hashlib.md5(md5s).hexdigest()}-2"'  # noqa: S324
    assert not server.store.uploads
    downloaded = io.BytesIO()
    s3.download_fileobj(BUCKET, "big.bin", downloaded, Config=TransferConfig(multipart_chunksize=MB))
    assert downloaded.getvalue() == body


def test_completing_a_multipart_upload_keeps_s3s_rules(s3):
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="parts")["UploadId"]
    small = s3.upload_part(Bucket=BUCKET, Key="parts", UploadId=upload, PartNumber=1, Body=b"too small")
    last = s3.upload_part(Bucket=BUCKET, Key="parts", UploadId=upload, PartNumber=2, Body=b"end")
    one, two = ({"PartNumber": n, "ETag": p["ETag"]} for n, p in ((1, small), (2, last)))

    def complete(*parts):
        return s3.complete_multipart_upload(
            Bucket=BUCKET, Key="parts", UploadId=upload, MultipartUpload={"Parts": list(parts)}
        )

    assert refused(complete, one, two) == ("EntityTooSmall", 400)
    assert refused(complete, two, one) == ("InvalidPartOrder", 400)
    assert refused(complete, one | {"ETag": '"0"'}) == ("InvalidPart", 400)
    full = s3.upload_part(Bucket=BUCKET, Key="parts", UploadId=upload, PartNumber=1, Body=b"x" * MIN_PART_SIZE)
    complete(one | {"ETag": full["ETag"]}, two)
    assert s3.get_object(Bucket=BUCKET, Key="parts")["Body"].read() == b"x" * MIN_PART_SIZE + b"end"


def test_an_aborted_upload_takes_no_more_parts(s3):
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="parts")["UploadId"]

    s3.abort_multipart_upload(Bucket=BUCKET, Key="parts", UploadId=upload)

    part = {"Bucket": BUCKET, "Key": "parts", "UploadId": upload, "PartNumber": 1, "Body": b"x"}
    assert refused(s3.upload_part, **part) == ("NoSuchUpload", 404)
    assert refused(s3.head_object, Bucket=BUCKET, Key="parts") == ("404", 404)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"aws_access_key_id": "someone-else"}, ("InvalidAccessKeyId", 403)),
        ({"aws_secret_access_key": "wrong-secret"}, ("SignatureDoesNotMatch", 403)),
        ({"config": Config(signature_version=UNSIGNED)}, ("AccessDenied", 403)),
        ({"region_name": "eu-west-1"}, ("AuthorizationHeaderMalformed", 400)),
    ],
)
def test_a_misconfigured_client_is_refused(s3, server, options, error):
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")

    assert refused(client(server, **options).get_object, Bucket=BUCKET, Key="k") == error
    assert refused(client(server, **options).put_object, Bucket=BUCKET, Key="k", Body=b"y") == error
    assert s3.get_object(Bucket=BUCKET, Key="k")["Body"].read() == b"x"


def test_a_body_that_does_not_match_its_checksum_is_refused(s3):
    assert refused(s3.put_object, Bucket=BUCKET, Key="k", Body=b"x", ChecksumCRC32="AAAAAA==") == ("BadDigest", 400)
    wrong_md5 = base64.b64encode(hashlib.md5(b"y").digest()).decode()  # noqa: S324 - Content-MD5
    assert refused(s3.put_object, Bucket=BUCKET, Key="k", Body=b"x", ContentMD5=wrong_md5) == ("BadDigest", 400)
    assert refused(s3.head_object, Bucket=BUCKET, Key="k") == ("404", 404)


def test_a_presigned_url_reads_only_what_it_was_signed_for(s3, server):
    s3.put_object(Bucket=BUCKET, Key="signed file.txt", Body=b"signed")
    s3.put_object(Bucket=BUCKET, Key="other.txt", Body=b"other")
    sigv4 = client(server, config=Config(signature_version="s3v4"))
    url = sigv4.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "signed file.txt"})

    assert requests.get(url, timeout=10).content == b"signed"
    tampered = requests.get(url.replace("signed%20file.txt", "other.txt"), timeout=10)
    assert tampered.status_code == 403 and b"SignatureDoesNotMatch" in tampered.content


def test_what_the_double_does_not_implement_it_says_so(s3):
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")

    assert refused(s3.copy_object, Bucket=BUCKET, Key="copy", CopySource={"Bucket": BUCKET, "Key": "k"}) == (
        "NotImplemented",
        501,
    )
    assert refused(s3.get_object_tagging, Bucket=BUCKET, Key="k") == ("NotImplemented", 501)


def test_django_storages_saves_reads_lists_and_deletes_through_it(s3, server):
    # as greenlist/settings.py configures the default storage for STORAGE_BACKEND=s3
    storage = S3Storage(
        bucket_name=BUCKET,
        endpoint_url=server.endpoint,
        access_key=KEY_ID,
        secret_key=SECRET,
        region_name="us-east-1",
        default_acl="private",
        querystring_auth=True,
    )
    big = os.urandom(9 * MB)

    small_name = storage.save("evidence/7/photo.jpg", ContentFile(b"jpeg bytes"))
    big_name = storage.save("evidence/7/archive.zip", ContentFile(big))

    assert storage.exists(small_name) and storage.size(big_name) == len(big)
    with storage.open(big_name, "rb") as handle:
        assert handle.read() == big
    assert s3.head_object(Bucket=BUCKET, Key=small_name)["ContentType"] == "image/jpeg"
    assert storage.listdir("evidence") == (["7"], [])
    assert sorted(storage.listdir("evidence/7")[1]) == ["archive.zip", "photo.jpg"]
    storage.delete(small_name)
    assert not storage.exists(small_name) and storage.exists(big_name)
