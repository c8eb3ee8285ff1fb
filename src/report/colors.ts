// Terminal colours as the conventions say: none under NO_COLOR; FORCE_COLOR forces them on, or off
// when it is "0" or "false" (picocolors alone takes any FORCE_COLOR as on); otherwise only a terminal gets them.
import picocolors from 'picocolors';

export function colorsWanted(env: NodeJS.ProcessEnv, isTerminal: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR);
  return isTerminal && env.TERM !== 'dumb';
}

export const colors = picocolors.createColors(colorsWanted(process.env, process.stdout.isTTY === true));
