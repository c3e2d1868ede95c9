"""Checks the local S3 the way boto3 users meet it.

Usage: python boto3_fidelity.py ENDPOINT_URL
Prints one line per failed check and exits 1 if any failed.
"""
import datetime
import email.header
import http.client
import sys
import urllib.parse

import boto3
import botocore.config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
s3 = boto3.client(
    "s3", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="AKIDLOCAL", aws_secret_access_key="secret",
    config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
)
failures = []


def check(what, ok, detail=""):
    if not ok:
        failures.append(f"{what}: {detail}")


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]
    except Exception as e:  # a client crash is a failure too
        return None, f"{type(e).__name__}: {e}"
    return 200, None


s3.create_bucket(Bucket="boto")
check("CreateBucket again in us-east-1", error_of(lambda: s3.create_bucket(Bucket="boto")) == (200, None))
for name in ["192.168.5.123", "foo.-bar", "foo-.bar"]:
    got = error_of(lambda: s3.create_bucket(Bucket=name))
    check(f"CreateBucket {name}", got == (400, "InvalidBucketName"), got)

# 1. User metadata names come back as sent, in lower case.
s3.put_object(Bucket="boto", Key="meta", Body=b"x", Metadata={"meta1": "v1"})
got = s3.head_object(Bucket="boto", Key="meta")["Metadata"]
check("metadata names", got == {"meta1": "v1"}, got)

# 2. Conditional GET and HEAD.
s3.put_object(Bucket="boto", Key="cond", Body=b"hello")
etag = s3.head_object(Bucket="boto", Key="cond")["ETag"]
past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
for op in (s3.get_object, s3.head_object):
    for kwargs, want in [
        ({"IfMatch": '"0123"'}, (412, "PreconditionFailed")),
        ({"IfNoneMatch": etag}, (304, "304")),
        ({"IfModifiedSince": future}, (304, "304")),
        ({"IfUnmodifiedSince": past}, (412, "PreconditionFailed")),
        ({"IfMatch": etag, "IfUnmodifiedSince": past}, (200, None)),
    ]:
        got = error_of(lambda: op(Bucket="boto", Key="cond", ChecksumMode="ENABLED", **kwargs))
        if op.__name__ == "head_object" and want[0] == 412:
            want = (412, "412")  # HEAD answers carry no body, so botocore names the status
        check(f"{op.__name__} {kwargs}", got == want, f"got {got}, want {want}")
body = s3.get_object(Bucket="boto", Key="cond", IfNoneMatch='"0123"')["Body"].read()
check("GetObject with a non-matching If-None-Match", body == b"hello", body)

# 3. Conditional writes.
got = error_of(lambda: s3.put_object(Bucket="boto", Key="cond", Body=b"over", IfNoneMatch="*"))
check("PutObject If-None-Match * on an existing key", got == (412, "PreconditionFailed"), got)
got = error_of(lambda: s3.put_object(Bucket="boto", Key="cond", Body=b"over", IfMatch='"0123"'))
check("PutObject If-Match with another ETag", got == (412, "PreconditionFailed"), got)
got = error_of(lambda: s3.put_object(Bucket="boto", Key="missing", Body=b"x", IfMatch='"0123"'))
check("PutObject If-Match on a missing key", got == (404, "NoSuchKey"), got)
check("refused writes left the object", s3.get_object(Bucket="boto", Key="cond")["Body"].read() == b"hello")
for kwargs in [{"CopySourceIfMatch": '"0123"'}, {"CopySourceIfNoneMatch": etag},
               {"CopySourceIfModifiedSince": future}, {"CopySourceIfUnmodifiedSince": past}]:
    got = error_of(lambda: s3.copy_object(Bucket="boto", Key="copy", CopySource="boto/cond", **kwargs))
    check(f"copy_object {kwargs}", got == (412, "PreconditionFailed"), got)

# 6. Listing: boto3 asks for url encoding itself and decodes what S3
# encodes; what comes back must be what was sent.
for k in ["foo/bar", "foo+1/x", "quux ab/thud", "asdf+b"]:
    s3.put_object(Bucket="boto", Key=k, Body=b"x")
v1 = s3.list_objects(Bucket="boto", Prefix="foo/", Delimiter="/")
check("list_objects Prefix", v1.get("Prefix") == "foo/", v1.get("Prefix"))
check("list_objects Delimiter", v1.get("Delimiter") == "/", v1.get("Delimiter"))
v1 = s3.list_objects(Bucket="boto", Delimiter="/", EncodingType="url")
check("list_objects url Delimiter", v1.get("Delimiter") == "/", v1.get("Delimiter"))
prefixes = [p["Prefix"] for p in v1.get("CommonPrefixes", [])]
check("list_objects url prefixes", prefixes == ["foo%2B1/", "foo/", "quux%20ab/"], prefixes)
v1 = s3.list_objects(Bucket="boto", Delimiter="/")
keys = [o["Key"] for o in v1.get("Contents", [])]
check("list_objects keys decoded", "asdf+b" in keys and "meta" in keys, keys)
v2 = s3.list_objects_v2(Bucket="boto", ContinuationToken="")
check("list_objects_v2 empty ContinuationToken echoed", v2.get("ContinuationToken") == "", v2.get("ContinuationToken"))
got = error_of(lambda: s3.list_objects_v2(Bucket="boto", ContinuationToken="not-a-token"))
check("list_objects_v2 invalid token", got == (400, "InvalidArgument"), got)

# 5. A key and keys under it.
s3.put_object(Bucket="boto", Key="a", Body=b"a")
s3.put_object(Bucket="boto", Key="a/b", Body=b"ab")
v2 = s3.list_objects_v2(Bucket="boto", Prefix="a", Delimiter="/")
check("a beside a/b", "a" in [o["Key"] for o in v2.get("Contents", [])] and
      [p["Prefix"] for p in v2.get("CommonPrefixes", [])] == ["a/"], v2)

# 4. A long segment.
long_key = "in/" + "漢" * 84 + "/" + "字" * 200
s3.put_object(Bucket="boto", Key=long_key, Body=b"long")
check("long key", s3.get_object(Bucket="boto", Key=long_key)["Body"].read() == b"long")

# 8. Ranges.
got = error_of(lambda: s3.get_object(Bucket="boto", Key="cond", Range="bytes=100-"))
check("unsatisfiable range", got == (416, "InvalidRange"), got)
body = s3.get_object(Bucket="boto", Key="cond", Range="bytes=zz")["Body"].read()
check("invalid range ignored", body == b"hello", body)

# 7. A retried CompleteMultipartUpload.
up = s3.create_multipart_upload(Bucket="boto", Key="mpu")
part = s3.upload_part(Bucket="boto", Key="mpu", UploadId=up["UploadId"], PartNumber=1, Body=b"part")
parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
first = s3.complete_multipart_upload(Bucket="boto", Key="mpu", UploadId=up["UploadId"], MultipartUpload=parts)
again = s3.complete_multipart_upload(Bucket="boto", Key="mpu", UploadId=up["UploadId"], MultipartUpload=parts)
check("retried complete", first["ETag"] == again["ETag"], (first["ETag"], again["ETag"]))

# 9. Non-ASCII metadata. S3 reads a value's bytes as ISO-8859-1 and returns
# text outside US-ASCII as an RFC 2047 encoded-word, which boto3 passes on
# as it is (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html).
# boto3 itself sends only ASCII values, so text outside it goes as an
# encoded-word; the raw UTF-8 that curl sends is the documented example.
word = email.header.Header("\u6f22\u5b57", "utf-8").encode()
s3.put_object(Bucket="boto", Key="cjk", Body=b"x", Metadata={"name": word})
got = s3.get_object(Bucket="boto", Key="cjk")["Metadata"]["name"]
decoded = str(email.header.make_header(email.header.decode_header(got)))
check("encoded-word metadata", decoded == "\u6f22\u5b57", (word, got, decoded))
conn = http.client.HTTPConnection(urllib.parse.urlsplit(endpoint).netloc)
conn.putrequest("PUT", "/boto/raw")
conn.putheader("x-amz-meta-nonascii", "\u00c4M\u00c4Z\u00d5\u00d1 S3".encode("utf-8"))
conn.putheader("x-amz-meta-ascii", "AMAZONS3")
conn.putheader("Content-Length", "1")
conn.endheaders(b"x")
status = conn.getresponse().status
got = s3.head_object(Bucket="boto", Key="raw")["Metadata"]
check("raw UTF-8 metadata", status == 200 and got == {"nonascii": "=?UTF-8?B?w4PChE3Dg8KEWsODwpXDg8KRIFMz?=", "ascii": "AMAZONS3"}, (status, got))

# 10. Stored headers come back as they were sent.
sent = {
    "ContentEncoding": "deflate, gzip", "ContentType": "text/plain; charset=utf-8",
    "ContentDisposition": 'attachment; filename="a, b.txt"', "ContentLanguage": "en-US, fr-CA",
    "CacheControl": "public, max-age=3600",
}
s3.put_object(Bucket="boto", Key="headers", Body=b"x", **sent)
head = s3.head_object(Bucket="boto", Key="headers")
got = {k: head.get(k) for k in sent}
check("stored headers", got == sent, got)

# 11. CORS configuration (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html).
rules = [{"ID": "site", "AllowedHeaders": ["*"], "AllowedMethods": ["GET", "PUT"],
          "AllowedOrigins": ["https://*.example.com"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]
got = error_of(lambda: s3.get_bucket_cors(Bucket="boto"))
check("no CORS configuration", got == (404, "NoSuchCORSConfiguration"), got)
s3.put_bucket_cors(Bucket="boto", CORSConfiguration={"CORSRules": rules})
got = s3.get_bucket_cors(Bucket="boto")["CORSRules"]
check("CORS rules round trip", got == rules, got)
s3.delete_bucket_cors(Bucket="boto")
got = error_of(lambda: s3.get_bucket_cors(Bucket="boto"))
check("CORS configuration deleted", got == (404, "NoSuchCORSConfiguration"), got)

for f in failures:
    print(f)
print(f"boto3 {boto3.__version__}: {len(failures)} failed")
sys.exit(1 if failures else 0)
