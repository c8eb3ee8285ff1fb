// The `ws` package as ESM importers see it once routed-websocket.ts has loaded: the CommonJS exports, whose
// client class routes a device's sockets over its link in a simulated run with virtual globals.
import { createRequire } from 'node:module';

const ws = createRequire(import.meta.url)('ws');

export default ws;
export const { WebSocket, WebSocketServer, Server, Receiver, Sender, createWebSocketStream, extension, PerMessageDeflate, subprotocol } = ws;
