// Runtime-API client of the local cloud for nodejs* functions: it loads the
// handler named by _HANDLER (module.function) from LAMBDA_TASK_ROOT, then
// asks the Lambda Runtime API for invocations and answers each with the
// handler's result or error, as Lambda's Node.js runtime does.
"use strict";

const http = require("http");
const path = require("path");
const fs = require("fs");
const { pathToFileURL } = require("url");

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const base = "/2018-06-01/runtime";
// One kept-alive connection; Nagle off, so that a request's headers and
// body are not held apart.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

// request sends one Runtime API request and resolves to
// {status, headers, body}.
function request(method, route, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request({ host, port, method, path: base + route, agent, headers: data ? { "Content-Type": "application/json", "Content-Length": data.length } : {} }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("socket", (socket) => socket.setNoDelay(true));
    req.on("error", reject);
    req.end(data);
  });
}

const post = (route, body) => request("POST", route, body);

// errorDocument is the {errorType, errorMessage, trace} Lambda reports for
// a thrown value.
function errorDocument(err) {
  if (err instanceof Error) {
    return { errorType: err.name || "Error", errorMessage: err.message, trace: String(err.stack || "").split("\n") };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

// loadHandler imports the module and returns the exported function.
async function loadHandler(root, handler) {
  const dot = handler.lastIndexOf(".");
  if (dot < 1) {
    throw Object.assign(new Error(`Bad handler ${handler}: give module.function, e.g. index.handler`), { name: "Runtime.MalformedHandlerName" });
  }
  const modName = handler.slice(0, dot), fnName = handler.slice(dot + 1);
  let file;
  for (const ext of [".js", ".mjs", ".cjs"]) {
    const candidate = path.resolve(root, modName + ext);
    if (fs.existsSync(candidate)) {
      file = candidate;
      break;
    }
  }
  if (!file) {
    throw Object.assign(new Error(`Error: Cannot find module '${modName}' in ${root}`), { name: "Runtime.ImportModuleError" });
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    throw Object.assign(new Error(`${e && e.name}: ${e && e.message}`), { name: "Runtime.ImportModuleError" });
  }
  let fn = mod[fnName];
  if (typeof fn !== "function" && mod.default && typeof mod.default[fnName] === "function") {
    fn = mod.default[fnName];
  }
  if (typeof fn !== "function") {
    throw Object.assign(new Error(`${handler} is undefined or not exported`), { name: "Runtime.HandlerNotFound" });
  }
  return fn;
}

// call runs the handler, async or with a callback.
function call(fn, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    try {
      const out = fn(event, context, callback);
      if (out && typeof out.then === "function") {
        out.then(resolve, reject);
      } else if (fn.length < 3) {
        resolve(out);
      }
    } catch (e) {
      reject(e);
    }
  });
}

async function main() {
  const root = process.env.LAMBDA_TASK_ROOT;
  let fn;
  try {
    fn = await loadHandler(root, process.env._HANDLER || "");
  } catch (e) {
    console.error(e.message);
    await post("/init/error", errorDocument(e));
    process.exit(1);
  }
  for (;;) {
    const res = await request("GET", "/invocation/next");
    const event = JSON.parse(res.body || "null");
    const id = res.headers["lambda-runtime-aws-request-id"];
    const deadline = Number(res.headers["lambda-runtime-deadline-ms"]);
    const context = {
      awsRequestId: id,
      invokedFunctionArn: res.headers["lambda-runtime-invoked-function-arn"],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const result = await call(fn, event, context);
      await post(`/invocation/${id}/response`, result === undefined ? null : result);
    } catch (e) {
      const doc = errorDocument(e);
      console.error(`${new Date().toISOString()}\t${id}\tERROR\t${doc.errorType}: ${doc.errorMessage}`);
      await post(`/invocation/${id}/error`, doc);
    }
  }
}

main();
