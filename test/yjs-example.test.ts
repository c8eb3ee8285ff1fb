import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-helpers.ts';
import { runEngineExample } from './engine-example-helpers.ts';

describe('the Yjs example, a CRDT engine with its own WebSockets', () => {
  it("syncs every device's Y.Doc with y-websocket's server through each device's proxy, through partitions, a lost-response cut, loss, kills and a server restart", async () => {
    const messages = await runEngineExample(join(REPO_ROOT, 'examples/yjs'));
    // d1's drop partition refuses the provider's reconnect
    expect(messages.some((event) => event.fate === 'refused' && event.label === 'connect tcp' && event.link === 'd1')).toBe(true);
  }, 60_000);
});
