"""Checks the local Bedrock runtime the way boto3 users meet it.

Usage: python boto3_runtime.py ENDPOINT_URL
The runtime must serve the sim backend with an on-demand quota of 5
requests per minute per model. Prints one line per failed check and exits 1
if any failed. Shapes: botocore's bedrock-runtime 2023-09-30 model;
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
"""
import json
import sys

import boto3
import botocore.config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
client = boto3.client(
    "bedrock-runtime", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="AKIDLOCAL", aws_secret_access_key="secret",
    config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
)
failures = []


def check(what, ok, detail=""):
    if not ok:
        failures.append(f"{what}: {detail}")


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"], e.response["Error"]["Message"]
    except Exception as e:  # a client crash is a failure too
        return None, f"{type(e).__name__}: {e}", ""
    return 200, None, ""


# 1. invoke_model: the body is a stream of the family's response; the
# token counts come as headers.
claude = "anthropic.claude-3-haiku-20240307-v1:0"
request = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
           "messages": [{"role": "user", "content": "Summarise: the parcel came late."}]}
resp = client.invoke_model(modelId=claude, body=json.dumps(request), contentType="application/json", accept="application/json")
body = json.loads(resp["body"].read())
headers = resp["ResponseMetadata"]["HTTPHeaders"]
check("invoke_model contentType", resp["contentType"] == "application/json", resp["contentType"])
check("Messages response", body.get("type") == "message" and body["content"][0]["type"] == "text", body)
check("input token header", headers.get("x-amzn-bedrock-input-token-count") == str(body["usage"]["input_tokens"]), headers)
check("output token header", headers.get("x-amzn-bedrock-output-token-count") == str(body["usage"]["output_tokens"]), headers)

# 2. converse: output.message, stopReason, usage, metrics.
resp = client.converse(modelId="us.amazon.nova-lite-v1:0",
                       messages=[{"role": "user", "content": [{"text": "Summarise: the parcel came late."}]}],
                       inferenceConfig={"maxTokens": 100})
msg = resp["output"]["message"]
usage = resp["usage"]
check("converse message", msg["role"] == "assistant" and msg["content"][0]["text"].startswith("Simulated answer"), msg)
check("converse stopReason", resp["stopReason"] == "end_turn", resp["stopReason"])
check("converse usage", usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"] > 0, usage)
check("converse metrics", isinstance(resp["metrics"]["latencyMs"], int), resp["metrics"])

# 3. Errors with their codes and statuses.
got = error_of(lambda: client.invoke_model(modelId=claude, body=json.dumps({"anthropic_version": "bedrock-2023-05-31"})))
check("bad body", got[:2] == (400, "ValidationException"), got)
got = error_of(lambda: client.invoke_model(modelId="acme.nothing-v1", body="{}"))
check("unknown model", got == (400, "ValidationException", "The provided model identifier is invalid."), got)

# 4. The quota: 5 requests a minute for a model that has had none yet.
llama = "meta.llama3-8b-instruct-v1:0"
llama_body = json.dumps({"prompt": "Hello", "max_gen_len": 20})
results = [error_of(lambda: client.invoke_model(modelId=llama, body=llama_body)) for _ in range(6)]
check("5 calls within the quota", all(r[:2] == (200, None) for r in results[:5]), results)
check("6th call throttled", results[5] == (429, "ThrottlingException", "Too many requests, please wait before trying again."), results[5])

for f in failures:
    print(f)
sys.exit(1 if failures else 0)
