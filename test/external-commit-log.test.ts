// An external server's commit log is rebuilt from what its answers show. A version that first
// reaches a device inside a conflict answer must be in that log before the device acts on it, or a
// logged conflict would look like a write turned down against no concurrent change.
import { describe, expect, it } from 'vitest';
import type { ServerRecord } from '../src/adapter.ts';
import { observingCommits } from '../src/transport/http/http-transport.ts';
import type { PushResponse } from '../src/protocol/v1.ts';

const winner: ServerRecord = { entity: 'folder', id: 'f1', fields: { name: 't:d2:w2' }, version: 2, deleted: false };

function answering(body: PushResponse): typeof fetch {
  return async () => new Response(JSON.stringify(body), { status: 200 });
}

async function seenThrough(body: PushResponse) {
  const seen: unknown[] = [];
  const send = observingCommits('d1', answering(body), (each) => seen.push(each));
  await send('http://127.0.0.1:1/v1/push', { method: 'POST', body: '{}' });
  return seen;
}

describe('the commit log of an external server', () => {
  it('takes the winning version from a conflict answer, without crediting it to the change that lost', async () => {
    const seen = await seenThrough({ results: [{ changeId: 'c7', status: 'conflict', reason: 'server wins', record: winner }] });
    expect(seen).toEqual([{ record: winner }]);
  });

  it('credits an applied version to the device and change that wrote it', async () => {
    const seen = await seenThrough({ results: [{ changeId: 'c2', status: 'applied', version: 2, record: winner }] });
    expect(seen).toEqual([{ record: winner, push: { deviceId: 'd1', changeId: 'c2' } }]);
  });

  it('takes a duplicate answer\'s record as what the server holds now, not as the replayed change\'s own write', async () => {
    const seen = await seenThrough({ results: [{ changeId: 'c1', status: 'duplicate', version: 1, record: winner }] });
    expect(seen).toEqual([{ record: winner }]);
  });
});
