import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createNodeM2MApp, managementToken, nodeTokenForm, postToken, startNode } from '../support/node-process.ts';
import { tempDir } from '../support/own-services.ts';
import { openDb } from '../../src/store/sql/db.ts';

/**
 * SIGTERM as an orchestrator sends it before a deploy: the node stops accepting connections,
 * finishes the requests in flight, writes its buffered log events, and exits 0 — within a
 * bound, even when a client holds a request open.
 */

/** Sends a token request's headers and the first half of its body, and holds the rest back. */
function halfSentRequest(port: number, host: string, body: string) {
  const socket = connect(port, '127.0.0.1');
  let response = '';
  socket.setEncoding('utf8');
  socket.on('data', (d) => (response += d));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  const half = Math.floor(body.length / 2);
  socket.write(
    `POST /oauth/token HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
  );
  return {
    finish: () => socket.write(body.slice(half)),
    response: async () => {
      await closed;
      return response;
    },
    destroy: () => socket.destroy(),
  };
}

async function countEvents(dataDir: string, type: string): Promise<number> {
  const db = await openDb(`sqlite:${join(dataDir, 'signet.db')}`);
  try {
    return Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM log_events WHERE type = ?`, [type]))!.n);
  } finally {
    await db.close();
  }
}

test('SIGTERM: new connections are refused, the request in flight is answered, buffered log events are written, exit 0', async () => {
  const dir = tempDir('signet-sigterm-');
  // Events wait up to 10 s in memory here, so those of this test are still buffered at SIGTERM.
  const node = await startNode({ SIGNET_DATA_DIR: dir.path, SIGNET_LOG_FLUSH_MS: '10000' });
  try {
    const token = await managementToken(node);
    const app = await createNodeM2MApp(node, token);
    let ok = 0;
    for (let i = 0; i < 5; i++) if ((await postToken(node.base, nodeTokenForm(app, node.base))).status === 200) ok++;
    assert.equal(ok, 5);

    const slow = halfSentRequest(node.port, `127.0.0.1:${node.port}`, new URLSearchParams(nodeTokenForm(app, node.base)).toString());
    await new Promise((r) => setTimeout(r, 200));
    node.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    // Not accepting any more: a new connection is refused while the slow request is still open.
    await assert.rejects(fetch(node.base + '.well-known/openid-configuration'), 'a new connection was accepted after SIGTERM');
    assert.equal(node.proc.exitCode, null, 'the node exited before its request in flight was answered');

    slow.finish();
    const response = await slow.response();
    assert.match(response, /^HTTP\/1\.1 200 /, response.slice(0, 300));
    assert.match(response, /"access_token":"ey/);
    assert.equal(await node.exited, 0, node.output());
    // Seven tokens (five, the one in flight, and the management token) and each has its event, written on the way out.
    assert.equal(await countEvents(dir.path, 'seccft'), 7);
  } finally {
    node.proc.kill('SIGKILL');
    dir.remove();
  }
});

test('SIGTERM: a request held open past SIGNET_SHUTDOWN_TIMEOUT is cut, and the node exits (code 1) instead of waiting for it', async () => {
  const dir = tempDir('signet-sigterm-');
  const node = await startNode({ SIGNET_DATA_DIR: dir.path, SIGNET_SHUTDOWN_TIMEOUT: '1' });
  try {
    const token = await managementToken(node);
    const app = await createNodeM2MApp(node, token);
    const stuck = halfSentRequest(node.port, `127.0.0.1:${node.port}`, new URLSearchParams(nodeTokenForm(app, node.base)).toString());
    await new Promise((r) => setTimeout(r, 200));
    const sent = Date.now();
    node.proc.kill('SIGTERM');
    assert.equal(await node.exited, 1, node.output());
    const took = Date.now() - sent;
    assert.ok(took >= 900 && took < 4000, `exited after ${took} ms`);
    stuck.destroy();
    // The events of what did finish were still written.
    assert.ok((await countEvents(dir.path, 'sapi')) >= 3);
  } finally {
    node.proc.kill('SIGKILL');
    dir.remove();
  }
});
