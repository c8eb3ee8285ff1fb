// How the Yjs example keeps folders and notes in one shared Y.Doc, for its client and its server:
// a Y.Map `records` from id to a Y.Map per record ({ entity, deleted, "f.<field>": value }), so
// each field is a Yjs map key (a last-writer-wins register) and a delete is a tombstone flag.
import * as Y from 'yjs';
import type { Entity, Fields, ServerRecord, VisibleRecord } from '../../src/adapter.ts';

/** The one room (Yjs document) every device edits. */
export const ROOM = 'chaos';
const FIELD = 'f.';

export function recordsOf(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap('records');
}

/** A new record's map, to be set under its id inside a transaction. */
export function newRecord(entity: Entity, fields: Fields): Y.Map<unknown> {
  return new Y.Map<unknown>([['entity', entity], ['deleted', false], ...Object.entries(fields).map(([name, value]): [string, unknown] => [FIELD + name, value])]);
}

/** Sets each field as its own key: concurrent sets of one field keep one value (Yjs orders them by client id). */
export function setFields(record: Y.Map<unknown>, fields: Fields): void {
  for (const [name, value] of Object.entries(fields)) record.set(FIELD + name, value);
}

export interface Kept {
  entity: Entity;
  id: string;
  fields: Fields;
  deleted: boolean;
}

/** Every record the document holds, tombstones included. */
export function keptRecords(doc: Y.Doc): Kept[] {
  return [...recordsOf(doc)].map(([id, record]) => keptRecord(id, record));
}

export function keptRecord(id: string, record: Y.Map<unknown>): Kept {
  const fields: Fields = {};
  for (const [key, value] of record) if (key.startsWith(FIELD)) fields[key.slice(FIELD.length)] = value as string | null;
  return { entity: record.get('entity') as Entity, id, fields, deleted: record.get('deleted') === true };
}

export function visibleRecords(doc: Y.Doc): VisibleRecord[] {
  return keptRecords(doc).flatMap(({ entity, id, fields, deleted }) => (deleted ? [] : [{ entity, id, fields }]));
}

export function toServerRecord(kept: Kept, version: number): ServerRecord {
  return { ...kept, version };
}
