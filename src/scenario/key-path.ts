// Where a value sits in a scenario file: the key path the schema reports, and the line and column the
// YAML source gives it. Kept apart from the error formatting so the schema's own checks can name paths.

export type KeyPath = readonly PropertyKey[];
export interface SourcePosition {
  line: number;
  col: number;
}
/** Finds where a key path sits in the source: at the key itself, or at its value (the parent if missing). */
export type Locate = (path: KeyPath, target: 'key' | 'value') => SourcePosition;
