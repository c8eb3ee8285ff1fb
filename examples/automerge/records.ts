// What the Automerge example's client and server share: the one document every device edits
// ({ records: { [id]: { entity, deleted, fields } } }, each field an Automerge map key), its fixed
// URL, and its first change, made byte for byte alike everywhere so that every copy shares one root.
import * as Automerge from '@automerge/automerge';
import { stringifyAutomergeUrl, type AutomergeUrl, type BinaryDocumentId } from '@automerge/automerge-repo';
import type { Entity, Fields, ServerRecord, VisibleRecord } from '../../src/adapter.ts';

export interface Kept {
  entity: Entity;
  deleted: boolean;
  fields: Fields;
}

export interface Notebook {
  records: Record<string, Kept>;
}

/** The document's id, fixed so that every device and the server name the same one without telling each other. */
export const NOTEBOOK_URL: AutomergeUrl = stringifyAutomergeUrl({ documentId: new Uint8Array(16).fill(7) as BinaryDocumentId });

/**
 * The document's first change: one actor, no timestamp, so its bytes (and hash) are the same on every
 * device. Devices that each made their own `records: {}` would hold concurrent maps under one key, and
 * Automerge would keep only one of them, with every record in the other.
 */
export function notebookRoot(): Uint8Array {
  const empty = Automerge.init<Notebook>({ actor: '00000000000000000000000000000000' as Automerge.ActorId });
  return Automerge.save(Automerge.change(empty, { time: undefined }, (doc) => void (doc.records = {})));
}

export function visibleRecords(doc: Notebook): VisibleRecord[] {
  return Object.entries(doc.records ?? {}).flatMap(([id, { entity, deleted, fields }]) => (deleted ? [] : [{ entity, id, fields: { ...fields } }]));
}

export function serverRecords(doc: Notebook, versions: ReadonlyMap<string, number>): ServerRecord[] {
  return Object.entries(doc.records ?? {}).map(([id, kept]) => toServerRecord(id, kept, versions.get(id) ?? 1));
}

export function toServerRecord(id: string, { entity, deleted, fields }: Kept, version: number): ServerRecord {
  return { entity, id, fields: { ...fields }, deleted, version };
}
