// What the PouchDB example's client and server share: pouchdb-node (leveldb on disk, CouchDB's
// protocol over HTTP), typed as far as they use it, and how a record is kept as a CouchDB document
// ({ _id, _rev, entity, fields }), whose revision generation is the record's version.
import { createRequire } from 'node:module';
import type { Entity, Fields, ServerRecord } from '../../src/adapter.ts';

/** The one database the devices replicate with, at `<server>/chaos`. */
export const DATABASE = 'chaos';

export interface PouchDoc {
  _id: string;
  _rev?: string;
  _deleted?: boolean;
  _conflicts?: string[];
  entity?: Entity;
  fields?: Fields;
  /** The device that wrote this revision: a losing revision waits in its author's inbox. */
  author?: string;
  /** Only in the client's `_local` document of conflicts it has logged. */
  keys?: string[];
}

export interface WriteResult {
  ok?: boolean;
  id?: string;
  rev?: string;
  error?: string;
  status?: number;
}

interface ChangesFeed {
  on(event: 'change', listener: (change: { doc?: PouchDoc }) => void): ChangesFeed;
  cancel(): void;
}

export interface Database {
  info(): Promise<unknown>;
  get(id: string, options?: { conflicts?: boolean; rev?: string }): Promise<PouchDoc>;
  put(doc: PouchDoc): Promise<WriteResult>;
  bulkDocs(docs: PouchDoc[]): Promise<WriteResult[]>;
  allDocs(options: { include_docs: true; conflicts?: boolean }): Promise<{ rows: { doc?: PouchDoc }[] }>;
  changes(options: { since: 0; include_docs: true }): Promise<{ results: { doc?: PouchDoc }[] }>;
  changes(options: { since: 'now'; live: true; include_docs: true }): ChangesFeed;
  replicate: {
    to(target: Database, options?: { batch_size?: number }): Promise<ReplicationResult>;
    from(source: Database, options?: { batch_size?: number }): Promise<ReplicationResult>;
  };
  close(): Promise<void>;
}

export interface ReplicationResult {
  ok: boolean;
  docs_written: number;
  doc_write_failures: number;
  errors: unknown[];
}

export interface DatabaseOptions {
  fetch?: typeof fetch;
  skip_setup?: boolean;
}

export interface PouchDBConstructor {
  new (name: string, options?: DatabaseOptions): Database;
  defaults(options: { prefix: string }): PouchDBConstructor;
}

export const PouchDB = createRequire(import.meta.url)('pouchdb-node') as PouchDBConstructor;

/** A document's revision generation: `3-abc…` is the third version of its record. */
export function generationOf(rev: string | undefined): number {
  return Number.parseInt(rev ?? '0', 10);
}

/** The record a (winning) document holds; a tombstone the example wrote keeps its last fields. */
export function toServerRecord(doc: PouchDoc): ServerRecord {
  return { entity: doc.entity ?? 'note', id: doc._id, fields: doc.fields ?? {}, version: generationOf(doc._rev), deleted: doc._deleted === true };
}

/** CouchDB's answer to a write on a revision that is no longer the latest: read it again and retry. */
export function isConflict(error: unknown): boolean {
  return (error as { status?: number } | null)?.status === 409;
}
