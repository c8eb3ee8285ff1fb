import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Network, type MessageEvent } from '../src/sim/network.ts';
import { createRng } from '../src/sim/rng.ts';
import { openLinkProxy } from '../src/transport/http/link-proxy.ts';
import { PacedScheduler } from '../src/transport/http/paced-scheduler.ts';
import type { DeviceProxy } from '../src/transport/transport.ts';

/** A real `ws` server on loopback that echoes every frame, and a device's link to it through its proxy, on a running paced scheduler. */
async function setUp() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const serverClosed: number[] = [];
  server.on('connection', (socket) => {
    socket.on('message', (data) => socket.send(`echo ${data.toString()}`));
    socket.on('close', (code) => serverClosed.push(code));
  });
  const scheduler = new PacedScheduler((error) => {
    throw error;
  }, 60);
  const messages: MessageEvent[] = [];
  const network = new Network(scheduler, createRng(1, 'network'), { latencyMsMin: 20, latencyMsMax: 200 }, (event) => messages.push(event));
  const target = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const proxy = await openLinkProxy({ scheduler, network, link: 'd1', target: () => target });
  let running = true;
  const loop = scheduler.runUntil(Number.MAX_SAFE_INTEGER, () => !running);
  const tearDown = async () => {
    running = false;
    await loop;
    proxy.cut();
    await new Promise((resolve) => server.close(resolve));
  };
  return { network, proxy, messages, serverClosed, tearDown };
}

/** The library's own client, as an engine opens it: a `ws` WebSocket to the device's proxy URL. */
function openSocket(proxy: DeviceProxy): { socket: WebSocket; closed: Promise<number>; opened: Promise<boolean> } {
  const socket = new WebSocket(proxy.url.replace(/^http/, 'ws'));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', resolve));
  const opened = new Promise<boolean>((resolve) => {
    socket.once('open', () => resolve(true));
    socket.once('close', () => resolve(false));
  });
  return { socket, closed, opened };
}

function nextMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(data.toString())));
}

let tearDown: (() => Promise<void>) | undefined;
afterEach(async () => {
  await tearDown?.();
  tearDown = undefined;
});

describe("a device's loopback TCP proxy over http", () => {
  it("carries a ws WebSocket's upgrade and frames over the device's link, and a partition cuts it at both ends", async () => {
    const world = await setUp();
    tearDown = world.tearDown;
    const { socket, closed, opened } = openSocket(world.proxy);

    expect(await opened).toBe(true);
    const echo = nextMessage(socket);
    socket.send('hello');
    expect(await echo).toBe('echo hello');
    const delivered = world.messages.filter((event) => event.fate === 'delivered' && event.link === 'd1');
    expect(delivered.some((event) => event.direction === 'to-server' && event.label === 'connect tcp')).toBe(true);
    expect(delivered.some((event) => event.direction === 'to-device' && event.label === 'tcp' && event.sizeBytes > 0)).toBe(true);

    world.network.setState('d1', 'partitioned');

    expect(await closed).toBe(1006);
    await expect.poll(() => world.serverClosed.length, { timeout: 10_000 }).toBe(1);
    expect(world.serverClosed[0]).toBe(1006);
  }, 20_000);

  it('refuses a connection while the device is partitioned, and carries one again once the link is up', async () => {
    const world = await setUp();
    tearDown = world.tearDown;
    world.network.setState('d1', 'partitioned');

    const refused = openSocket(world.proxy);

    expect(await refused.opened).toBe(false);
    expect(world.messages.some((event) => event.fate === 'refused' && event.label === 'connect tcp')).toBe(true);
    world.network.setState('d1', 'up');
    const again = openSocket(world.proxy);
    expect(await again.opened).toBe(true);
    again.socket.close();
  }, 20_000);

  it('loses the answer under a lost-response cut: the frame reaches the server, the echo resets the connection', async () => {
    const world = await setUp();
    tearDown = world.tearDown;
    const { socket, closed, opened } = openSocket(world.proxy);
    expect(await opened).toBe(true);
    let heard = false;
    socket.on('message', () => (heard = true));

    world.network.blockDirection('d1', 'to-device', true);
    socket.send('unanswered');

    expect(await closed).toBe(1006);
    expect(heard).toBe(false);
    expect(world.messages.some((event) => event.fate === 'delivered' && event.direction === 'to-server' && event.label === 'tcp')).toBe(true);
    expect(world.messages.some((event) => event.fate === 'dropped' && event.direction === 'to-device')).toBe(true);
  }, 20_000);

  it("is cut by a kill: the dead boot's socket closes at both ends and its reconnects are refused", async () => {
    const world = await setUp();
    tearDown = world.tearDown;
    const { closed, opened } = openSocket(world.proxy);
    expect(await opened).toBe(true);

    world.proxy.cut();

    expect(await closed).toBe(1006);
    await expect.poll(() => world.serverClosed.length, { timeout: 10_000 }).toBe(1);
    const reconnect = openSocket(world.proxy);
    expect(await reconnect.opened).toBe(false);
  }, 20_000);
});
