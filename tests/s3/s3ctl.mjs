// tests/s3/s3ctl.mjs - the test scripts' remote control for server.mjs.
//   node s3ctl.mjs fault CONTROL_URL JSON      queue faults (see server.mjs)
//   node s3ctl.mjs log CONTROL_URL             print the request log as JSON
//   node s3ctl.mjs reset CONTROL_URL           clear faults, log and aborts
//   node s3ctl.mjs list BACKEND BUCKET PREFIX  print the keys under PREFIX, one a line
//   node s3ctl.mjs download BACKEND BUCKET PREFIX DIR
//                                              copy every object under PREFIX/ to DIR/<rest of key>
//   node s3ctl.mjs put BACKEND BUCKET KEY TEXT store a small object
// BACKEND is s3rver itself (server.mjs prints it), which takes unsigned
// requests: these reads do not go through the code under test.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [cmd, ...rest] = process.argv.slice(2);

async function check(res, what) {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

function encodeKey(key) {
  return key.split('/').map(encodeURIComponent).join('/');
}

async function listKeys(backend, bucket, prefix) {
  const keys = [];
  let token = '';
  for (;;) {
    const q = new URLSearchParams({ 'list-type': '2', prefix, 'max-keys': '1000' });
    if (token) q.set('continuation-token', token);
    const res = await check(await fetch(`${backend}/${bucket}?${q}`), 'list');
    const xml = await res.text();
    for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1].replace(/&amp;/g, '&'));
    const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml);
    if (!/<IsTruncated>true<\/IsTruncated>/.test(xml) || !next) return keys;
    token = next[1];
  }
}

const commands = {
  async fault(control, json) {
    await check(await fetch(`${control}/faults`, { method: 'POST', body: json }), 'fault');
  },
  async log(control) {
    const res = await check(await fetch(`${control}/log`), 'log');
    process.stdout.write(`${await res.text()}\n`);
  },
  async reset(control) {
    await check(await fetch(`${control}/reset`, { method: 'POST' }), 'reset');
  },
  async list(backend, bucket, prefix) {
    for (const key of await listKeys(backend, bucket, prefix)) console.log(key);
  },
  async download(backend, bucket, prefix, dir) {
    const base = prefix ? `${prefix.replace(/\/+$/, '')}/` : '';
    for (const key of await listKeys(backend, bucket, base)) {
      const res = await check(await fetch(`${backend}/${bucket}/${encodeKey(key)}`), `get ${key}`);
      const file = path.join(dir, key.slice(base.length));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    }
  },
  async put(backend, bucket, key, text) {
    await check(await fetch(`${backend}/${bucket}/${encodeKey(key)}`, { method: 'PUT', body: text }), 'put');
  },
};

if (!commands[cmd]) {
  console.error(`s3ctl.mjs: unknown command '${cmd}'`);
  process.exit(2);
}
commands[cmd](...rest).catch((e) => {
  console.error(`s3ctl.mjs ${cmd}: ${e.message}`);
  process.exit(1);
});
