"""A user's Python function as a plain handler file."""

import os

invocations = 0


class QuotaError(Exception):
    pass


def handler(event, context):
    global invocations
    invocations += 1
    print("handling", event)
    if event.get("action") == "fail":
        raise QuotaError("out of quota")
    return {
        "greeting": os.environ.get("GREETING"),
        "name": context.function_name,
        "memory": context.memory_limit_in_mb,
        "requestId": context.aws_request_id,
        "region": os.environ.get("AWS_REGION"),
        "secondsLeft": round(context.get_remaining_time_in_millis() / 1000),
        "invocations": invocations,
        "pid": os.getpid(),
    }
