// A failing case's headline, the same words in every human report: how many violations, on how many
// records, and how many each checker found, in root-cause order (check/causes.ts).
import type { CaseCauses } from '../check/causes.ts';
import { counted } from './counted.ts';

/** `89 violations on 36 records: 30 resurrection · 35 divergence · 10 integrity · 14 liveness`. */
export function violationHeadline(causes: CaseCauses): string {
  const total = causes.byChecker.reduce((sum, { violations }) => sum + violations, 0);
  return `${counted(total, 'violation')} on ${counted(causes.recordsAffected, 'record')}: ${checkerCounts(causes)}`;
}

/** `30 resurrection · 35 divergence`. */
export function checkerCounts(causes: Pick<CaseCauses, 'byChecker'>): string {
  return causes.byChecker.map(({ checker, violations }) => `${violations} ${checker}`).join(' · ');
}
