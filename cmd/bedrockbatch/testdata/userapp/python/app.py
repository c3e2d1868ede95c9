"""A user's Python function: a plain handler file."""

import os


def handler(event, context):
    print("python function called from", event.get("from"))
    return {
        "from": event.get("from"),
        "greeting": os.environ["GREETING"],
        "bucket": os.environ["BUCKET"],
        "function": context.function_name,
    }
