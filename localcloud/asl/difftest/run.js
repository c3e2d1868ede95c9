#!/usr/bin/env node
// Runs ASL conformance cases through aws-local-stepfunctions, an interpreter
// written independently of ours, and prints one JSON line per case:
//   {"path": "...", "status": "SUCCEEDED"|"FAILED"|"REJECTED"|"HARNESS_ERROR",
//    "output": ..., "error": "...", "cause": "..."}
// REJECTED means the library refused the definition; HARNESS_ERROR means the
// case could not be run (unreadable file, time limit exceeded).
//
// Usage: node run.js [--validate] CASE.json|DIR ...
// Directories are searched recursively. The library's definition validator
// (ajv) costs about 45 ms per case, almost all of the run time, so it is off
// unless --validate is given: the differential compares execution semantics.
'use strict';

// aws-local-stepfunctions 3.0.0 calls Promise.withResolvers, which Node only
// has from version 22 on.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const fs = require('node:fs');
const path = require('node:path');
const { StateMachine, ExecutionError, ExecutionTimeoutError } = require('aws-local-stepfunctions');

// The per-case limit only guards against a hung case; every wait and retry
// interval is overridden to zero, so real cases finish in milliseconds.
const CASE_TIME_LIMIT_MS = 10000;

// Same defaults as the Go corpus runner.
const DEFAULT_CONTEXT = {
  Execution: {
    Name: 'exec',
    Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:exec',
    StartTime: '2026-01-01T00:00:00Z',
  },
  StateMachine: {
    Name: 'sm',
    Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm',
  },
};

function listCases(args) {
  const files = [];
  const visit = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) {
        visit(path.join(p, name));
      }
    } else if (p.endsWith('.json')) {
      files.push(p);
    }
  };
  for (const arg of args) {
    visit(arg);
  }
  return files;
}

// Two-level merge: a case's "context" replaces single fields of the default
// context object, e.g. only Execution.Name.
function buildContext(overrides) {
  const ctx = JSON.parse(JSON.stringify(DEFAULT_CONTEXT));
  for (const [key, value] of Object.entries(overrides || {})) {
    if (value && typeof value === 'object' && !Array.isArray(value) && ctx[key] && typeof ctx[key] === 'object') {
      ctx[key] = { ...ctx[key], ...value };
    } else {
      ctx[key] = value;
    }
  }
  return ctx;
}

// Every state name in the definition, including those inside Parallel
// branches and Map processors; the library keys its overrides by state name.
function stateNames(definition, out = new Set()) {
  for (const [name, state] of Object.entries((definition && definition.States) || {})) {
    out.add(name);
    for (const branch of state.Branches || []) {
      stateNames(branch, out);
    }
    if (state.ItemProcessor) stateNames(state.ItemProcessor, out);
    if (state.Iterator) stateNames(state.Iterator, out);
  }
  return out;
}

function taskError(spec) {
  const err = new Error(spec.cause === undefined ? '' : spec.cause);
  err.name = spec.error;
  return err;
}

// respond turns one task response of the corpus format into the handler's
// behaviour for one call.
function respond(spec, input, stateName) {
  if (spec === null || typeof spec !== 'object') {
    throw new Error(`task ${stateName}: response must be an object, got ${JSON.stringify(spec)}`);
  }
  if ('error' in spec) throw taskError(spec);
  if (spec.echo === true) return input;
  if ('result' in spec) return spec.result;
  throw new Error(`task ${stateName}: response needs "result", "echo" or "error": ${JSON.stringify(spec)}`);
}

function buildHandlers(tasks) {
  const handlers = {};
  for (const [name, spec] of Object.entries(tasks || {})) {
    if (spec && Array.isArray(spec.sequence)) {
      if (spec.sequence.length === 0) {
        throw new Error(`task ${name}: "sequence" must not be empty`);
      }
      let call = 0;
      handlers[name] = async (input) => {
        const step = spec.sequence[Math.min(call, spec.sequence.length - 1)];
        call++;
        return respond(step, input, name);
      };
    } else {
      handlers[name] = async (input) => respond(spec, input, name);
    }
  }
  return handlers;
}

function withTimeLimit(promise, ms, onTimeout) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`case did not finish within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

async function runCase(file, validate) {
  let c;
  try {
    c = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return { path: file, status: 'HARNESS_ERROR', error: 'ReadCase', cause: String(err.message) };
  }
  let machine;
  try {
    machine = new StateMachine(c.definition, { validationOptions: { noValidate: !validate } });
  } catch (err) {
    return { path: file, status: 'REJECTED', error: 'InvalidDefinition', cause: String(err.message) };
  }
  const names = [...stateNames(c.definition)];
  const zeroForEach = Object.fromEntries(names.map((n) => [n, 0]));
  let handlers;
  try {
    handlers = buildHandlers(c.tasks);
  } catch (err) {
    return { path: file, status: 'HARNESS_ERROR', error: 'BadTasks', cause: String(err.message) };
  }
  const execution = machine.run(c.input === undefined ? {} : c.input, {
    context: buildContext(c.context),
    overrides: {
      taskResourceLocalHandlers: handlers,
      waitTimeOverrides: zeroForEach,
      retryIntervalOverrides: zeroForEach,
    },
  });
  try {
    const output = await withTimeLimit(execution.result, CASE_TIME_LIMIT_MS, execution.abort);
    return { path: file, status: 'SUCCEEDED', output: output === undefined ? null : output };
  } catch (err) {
    if (err instanceof ExecutionError && err.cause) {
      const res = { path: file, status: 'FAILED', error: String(err.cause.name) };
      if (err.cause.message !== undefined && err.cause.message !== '') res.cause = String(err.cause.message);
      return res;
    }
    if (err instanceof ExecutionTimeoutError) {
      return { path: file, status: 'TIMED_OUT', error: 'States.Timeout' };
    }
    return { path: file, status: 'HARNESS_ERROR', error: String(err.name), cause: String(err.message) };
  }
}

async function main() {
  let args = process.argv.slice(2);
  const validate = args.includes('--validate');
  args = args.filter((a) => a !== '--validate');
  if (args.length === 0) {
    process.stderr.write('usage: node run.js [--validate] CASE.json|DIR ...\n');
    process.exit(2);
  }
  for (const file of listCases(args)) {
    const res = await runCase(file, validate);
    process.stdout.write(JSON.stringify(res) + '\n');
  }
}

main().catch((err) => {
  process.stderr.write(`run.js: ${err.stack || err}\n`);
  process.exit(1);
});
