// The Automerge example's adapter with automerge-repo's WebSocket network adapter as shipped, without
// the guard client.ts puts on it: the replay of the crash the README reports (`--client` this file).
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { automergeClient } from './client.ts';

export default automergeClient(WebSocketClientAdapter);
