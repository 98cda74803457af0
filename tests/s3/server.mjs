// tests/s3/server.mjs - a loopback S3 for the tests: the npm `s3rver` in a
// fresh directory with one bucket, behind a proxy that
//   - verifies every request's SigV4 signature with the AWS SDK's signer
//     (@smithy/signature-v4) and the payload's SHA-256, answering 403
//     SignatureDoesNotMatch (or 400 XAmzContentSHA256Mismatch) as S3 does;
//   - emulates AbortMultipartUpload, which s3rver lacks, and remembers it;
//   - honours "If-None-Match: *" on PutObject (which s3rver ignores) as S3
//     does: 412 PreconditionFailed when the key exists; writes to one key
//     are serialised here, so of concurrent conditional PUTs exactly one
//     wins;
//   - injects faults on demand: an HTTP error (500, 503 SlowDown, ...), a
//     dropped connection, a stalled response, a 200 CompleteMultipartUpload
//     whose body is an <Error>, a 200 HTML page (a proxy or captive portal
//     answering instead of S3), a response trickled one byte every `ms`
//     milliseconds, the real answer without its ETag header.
// Usage: node server.mjs --dir DIR --bucket NAME --key KEY --secret SECRET
//        [--region us-east-1] [--lifetime 1800]
// Prints one JSON line {"endpoint", "backend", "control"} when ready and
// stops on SIGTERM/SIGINT or after --lifetime seconds.
//
// Control (on the proxy, paths no bucket can have):
//   POST   /__dsg/faults  JSON fault or list of faults, appended:
//          {"op": "UploadPart" | "PutObject" | "CompleteMultipartUpload" | ... | "*",
//           "kind": "status" | "drop" | "stall" | "complete-error" | "html" |
//                   "trickle" | "no-etag",
//           "status": 503, "code": "SlowDown", "ms": 5000,
//           "count": 1, "skip": 0}
//   DELETE /__dsg/faults  removes pending faults
//   GET    /__dsg/log     {"requests": [{op, method, url, status, fault}],
//                          "aborts": [{key, uploadId}], "connections": N}
//   POST   /__dsg/reset   clears faults, log and aborts
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(new URL('../interop/package.json', import.meta.url));
// s3rver encrypts ListObjectsV2 continuation tokens with single DES, which
// the OpenSSL 3 inside Node no longer offers: every truncated listing
// would fail. Triple DES with three equal keys is the same cipher.
const nodeCrypto = require('node:crypto');
for (const name of ['createCipheriv', 'createDecipheriv']) {
  const original = nodeCrypto[name];
  nodeCrypto[name] = (algorithm, key, ...rest) =>
    algorithm === 'des' ? original('des-ede3-cbc', Buffer.concat([key, key, key]), ...rest) : original(algorithm, key, ...rest);
}
const S3rver = require('s3rver');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string' },
    bucket: { type: 'string' },
    key: { type: 'string' },
    secret: { type: 'string' },
    region: { type: 'string', default: 'us-east-1' },
    lifetime: { type: 'string', default: '1800' },
  },
});
for (const name of ['dir', 'bucket', 'key', 'secret']) {
  if (!args[name]) {
    console.error(`server.mjs: --${name} is required`);
    process.exit(2);
  }
}

const signer = new SignatureV4({
  credentials: { accessKeyId: args.key, secretAccessKey: args.secret },
  region: args.region,
  service: 's3',
  sha256: Sha256,
  uriEscapePath: false, // S3: the canonical path is the path encoded once (done below)
  applyChecksum: false,
});

let faults = [];
let log = [];
let aborts = [];
let connections = 0; // connections that carried S3 requests: fewer than requests when reused
const seenSockets = new WeakSet();

// ---- S3 answers ----

function xmlEscape(s) {
  return String(s).replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendError(res, status, code, message) {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>dsg-test</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return status;
}

// ---- requests ----

function splitUrl(url) {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = {};
  for (const part of (q < 0 ? '' : url.slice(q + 1)).split('&').filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    query[name] = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
  }
  return { rawPath, query };
}

// The S3 operation a request stands for.
function operation(method, rawPath, query) {
  const isObject = rawPath.split('/').filter(Boolean).length > 1;
  if (!isObject) return method === 'GET' ? (query['list-type'] === '2' ? 'ListObjectsV2' : 'ListObjects') : `${method}Bucket`;
  if (method === 'PUT') return 'partNumber' in query ? 'UploadPart' : 'PutObject';
  if (method === 'POST') return 'uploads' in query ? 'CreateMultipartUpload' : 'CompleteMultipartUpload';
  if (method === 'DELETE') return 'uploadId' in query ? 'AbortMultipartUpload' : 'DeleteObject';
  return method === 'GET' ? 'GetObject' : `${method}Object`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// RFC 3986 encoding of one path segment, as S3 canonicalises it.
function escapeSegment(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseAmzDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
}

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

// Returns null when the request is signed right, else [status, code, message].
async function verify(req, rawPath, query, body) {
  const m = AUTH_PATTERN.exec(req.headers.authorization || '');
  if (!m) return [403, 'AccessDenied', 'Missing or malformed Authorization header (expected AWS4-HMAC-SHA256).'];
  const [, accessKey, , region, signedList, signature] = m;
  if (accessKey !== args.key)
    return [403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'];
  if (region !== args.region) return [400, 'AuthorizationHeaderMalformed', `The region '${region}' is wrong.`];
  const signedNames = signedList.split(';');
  for (const needed of ['host', 'x-amz-date', 'x-amz-content-sha256'])
    if (!signedNames.includes(needed)) return [403, 'AccessDenied', `The header ${needed} must be signed.`];
  const bodyHash = createHash('sha256').update(body).digest('hex');
  if (req.headers['x-amz-content-sha256'] !== bodyHash)
    return [400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed."];
  const signingDate = parseAmzDate(req.headers['x-amz-date']);
  if (!signingDate) return [403, 'AccessDenied', 'x-amz-date is missing or malformed.'];
  const headers = {};
  for (const name of signedNames) headers[name] = req.headers[name] ?? '';
  const canonicalPath = rawPath.split('/').map((s) => escapeSegment(decodeURIComponent(s))).join('/');
  const request = {
    method: req.method,
    protocol: 'http:',
    hostname: String(req.headers.host || '').split(':')[0],
    path: canonicalPath,
    query,
    headers,
  };
  const signed = await signer.sign(request, { signingDate, signableHeaders: new Set(signedNames) });
  const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization)[1];
  if (expected === signature) return null;
  return [403, 'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.'];
}

// The first pending fault for this operation, if its turn has come.
function takeFault(op) {
  for (const f of faults) {
    if (f.count <= 0 || (f.op !== '*' && f.op !== op)) continue;
    if (f.kind === 'complete-error' && op !== 'CompleteMultipartUpload') continue;
    if (f.skip > 0) {
      f.skip--;
      return null;
    }
    f.count--;
    return f;
  }
  return null;
}

function forward(req, body, res, backendPort, stripEtag = false) {
  return new Promise((resolve) => {
    const headers = { ...req.headers };
    delete headers.authorization; // s3rver checks no SigV4; anonymous requests pass
    delete headers['if-none-match']; // decided here (conditionalPut)
    headers['content-length'] = String(body.length);
    const up = http.request(
      { host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers },
      (answer) => {
        const headers = { ...answer.headers };
        if (stripEtag) delete headers.etag;
        res.writeHead(answer.statusCode, headers);
        answer.pipe(res);
        answer.on('end', () => resolve(answer.statusCode));
      },
    );
    up.on('error', (e) => resolve(sendError(res, 500, 'InternalError', `backend: ${e.message}`)));
    up.end(body);
  });
}

// Writes to one key run one at a time (a promise chain per key), so that a
// conditional PUT's existence check and its write are atomic.
const keyLocks = new Map();
async function withKeyLock(key, fn) {
  const previous = keyLocks.get(key) || Promise.resolve();
  let release;
  const mine = new Promise((r) => {
    release = r;
  });
  const tail = previous.then(() => mine);
  keyLocks.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (keyLocks.get(key) === tail) keyLocks.delete(key);
  }
}

function objectExists(rawPath, backendPort) {
  return new Promise((resolve, reject) => {
    const up = http.request({ host: '127.0.0.1', port: backendPort, method: 'HEAD', path: rawPath }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode === 200));
    });
    up.on('error', reject);
    up.end();
  });
}

async function conditionalPut(req, body, res, backendPort, rawPath) {
  return withKeyLock(rawPath, async () => {
    if (req.headers['if-none-match'] !== undefined) {
      if (req.headers['if-none-match'].trim() !== '*')
        return sendError(res, 501, 'NotImplemented', 'Only If-None-Match: * is supported on PutObject.');
      if (await objectExists(rawPath, backendPort))
        return sendError(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    }
    return forward(req, body, res, backendPort);
  });
}

async function applyFault(fault, req, res) {
  if (fault.kind === 'drop') {
    req.socket.destroy();
    return 'dropped';
  }
  if (fault.kind === 'status')
    return sendError(res, fault.status ?? 500, fault.code ?? 'InternalError', fault.message ?? 'Injected failure.');
  if (fault.kind === 'complete-error') {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.write('<?xml version="1.0" encoding="UTF-8"?>\n');
    res.end('<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>');
    return 200;
  }
  if (fault.kind === 'html') {
    const page = '<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body>Sign in to continue.</body></html>\n';
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) });
    res.end(page);
    return 200;
  }
  if (fault.kind === 'trickle') {
    // headers at once, then one byte of an endless body every `ms`
    res.writeHead(200, { 'content-type': 'application/xml', etag: '"trickle"' });
    res.write('<');
    await new Promise((resolve) => {
      const timer = setInterval(() => {
        if (res.destroyed || req.socket.destroyed) {
          clearInterval(timer);
          resolve();
        } else res.write(' ');
      }, fault.ms ?? 500);
      res.on('close', () => {
        clearInterval(timer);
        resolve();
      });
    });
    return 'trickled';
  }
  return null;
}

async function handleS3(req, res, backendPort) {
  let clientGone = false;
  res.on('close', () => {
    clientGone = !res.writableFinished;
  });
  if (!seenSockets.has(req.socket)) {
    seenSockets.add(req.socket);
    connections++;
  }
  const body = await readBody(req);
  const { rawPath, query } = splitUrl(req.url);
  const op = operation(req.method, rawPath, query);
  const entry = { op, method: req.method, url: req.url, status: null, fault: null };
  log.push(entry);
  const bad = await verify(req, rawPath, query, body);
  if (bad) {
    entry.status = sendError(res, ...bad);
    return;
  }
  const fault = takeFault(op);
  if (fault) {
    entry.fault = fault.kind;
    if (fault.kind === 'stall') await new Promise((r) => setTimeout(r, fault.ms ?? 60000));
    else if (fault.kind === 'no-etag') {
      entry.status = await forward(req, body, res, backendPort, true);
      return;
    } else {
      entry.status = await applyFault(fault, req, res);
      return;
    }
    if (clientGone || req.socket.destroyed) {
      entry.status = 'client gone';
      return;
    }
  }
  if (op === 'AbortMultipartUpload') {
    aborts.push({ key: decodeURIComponent(rawPath), uploadId: query.uploadId });
    res.writeHead(204);
    res.end();
    entry.status = 204;
    return;
  }
  if (op === 'PutObject' || op === 'DeleteObject') {
    entry.status = await conditionalPut(req, body, res, backendPort, rawPath);
    return;
  }
  entry.status = await forward(req, body, res, backendPort);
}

async function handleControl(req, res) {
  const body = await readBody(req);
  const reply = (obj) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(obj));
  };
  if (req.url === '/__dsg/faults' && req.method === 'POST') {
    const list = [].concat(JSON.parse(body.toString() || '[]'));
    for (const f of list) faults.push({ op: '*', count: 1, skip: 0, ...f });
    return reply({ faults });
  }
  if (req.url === '/__dsg/faults' && req.method === 'DELETE') {
    faults = [];
    return reply({ faults });
  }
  if (req.url === '/__dsg/log') return reply({ requests: log, aborts, connections });
  if (req.url === '/__dsg/reset' && req.method === 'POST') {
    faults = [];
    log = [];
    aborts = [];
    connections = 0;
    return reply({ ok: true });
  }
  res.writeHead(404);
  res.end();
}

async function main() {
  const dataDir = path.join(args.dir, 's3rver-data');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dataDir,
    configureBuckets: [{ name: args.bucket }],
  });
  const backend = await s3rver.run();
  const proxy = http.createServer((req, res) => {
    const work = req.url.startsWith('/__dsg/') ? handleControl(req, res) : handleS3(req, res, backend.port);
    work.catch((e) => {
      if (!res.headersSent) sendError(res, 500, 'InternalError', `test proxy: ${e.message}`);
    });
  });
  proxy.on('clientError', (e, socket) => socket.destroy());
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  const port = proxy.address().port;
  const stop = () => {
    proxy.close();
    proxy.closeAllConnections();
    s3rver.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setTimeout(stop, Number(args.lifetime) * 1000).unref();
  console.log(JSON.stringify({
    endpoint: `http://127.0.0.1:${port}`,
    backend: `http://127.0.0.1:${backend.port}`,
    control: `http://127.0.0.1:${port}/__dsg`,
  }));
}

main().catch((e) => {
  console.error(`server.mjs: ${e.stack || e}`);
  process.exit(1);
});
