"""Runtime-API client of the local cloud for python3.* functions.

It imports the handler named by _HANDLER (module.function) from
LAMBDA_TASK_ROOT, then asks the Lambda Runtime API for invocations and
answers each with the handler's result or error, as Lambda's Python runtime
does.
"""

import http.client
import importlib
import json
import os
import sys
import time
import traceback

HOST = os.environ["AWS_LAMBDA_RUNTIME_API"]
BASE = "/2018-06-01/runtime"
conn = http.client.HTTPConnection(HOST)


def request(method, route, body=None):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if data is not None else {}
    conn.request(method, BASE + route, body=data, headers=headers)
    res = conn.getresponse()
    return res, res.read()


def error_document(exc, error_type=None):
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


class Context:
    """The context object Lambda passes to a Python handler."""

    def __init__(self, request_id, arn, deadline_ms):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def load_handler():
    handler = os.environ.get("_HANDLER", "")
    module_name, _, function_name = handler.rpartition(".")
    if not module_name:
        raise LookupError("Runtime.MalformedHandlerName", f"Bad handler '{handler}': give module.function, e.g. app.handler")
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as exc:  # the import's own error, reported as Lambda does
        raise LookupError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
    fn = getattr(module, function_name, None)
    if not callable(fn):
        raise LookupError("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return fn


def main():
    try:
        fn = load_handler()
    except LookupError as exc:
        error_type, message = exc.args
        print(f"[ERROR] {error_type}: {message}", file=sys.stderr)
        request("POST", "/init/error", {"errorMessage": message, "errorType": error_type, "stackTrace": []})
        sys.exit(1)
    while True:
        res, body = request("GET", "/invocation/next")
        request_id = res.getheader("Lambda-Runtime-Aws-Request-Id")
        context = Context(request_id, res.getheader("Lambda-Runtime-Invoked-Function-Arn"),
                          int(res.getheader("Lambda-Runtime-Deadline-Ms") or 0))
        try:
            result = fn(json.loads(body or b"null"), context)
            request("POST", f"/invocation/{request_id}/response", result)
        except Exception as exc:
            doc = error_document(exc)
            print(f"[ERROR] {doc['errorType']}: {doc['errorMessage']}", file=sys.stderr)
            request("POST", f"/invocation/{request_id}/error", doc)


if __name__ == "__main__":
    main()
