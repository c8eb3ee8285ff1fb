import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-helpers.ts';
import { runEngineExample } from './engine-example-helpers.ts';

describe('the Automerge example, a CRDT repo with its own WebSockets', () => {
  it("syncs every device's automerge-repo with a sync server through each device's proxy, through partitions, a lost-response cut, loss, kills and a server restart", async () => {
    const messages = await runEngineExample(join(REPO_ROOT, 'examples/automerge'));
    // d1's drop partition refuses a reconnect, or drops what its open socket sends (which one depends on how the load paces the 0.5 s reconnect)
    expect(messages.some((event) => event.link === 'd1' && (event.fate === 'dropped' || (event.fate === 'refused' && event.label === 'connect tcp')))).toBe(true);
  }, 60_000);
});
