// The exit codes the commands share, as the README lists them: 0 clean, 1 violations (exitCodeOf
// in report/case.ts), 2 bad input, 3 a crash of the system under test or the tool, 130 interrupted.
export const EXIT_BAD_INPUT = 2;
export const EXIT_CRASH = 3;
/** SIGINT stopped the run (128 + SIGINT, as shells report it), whatever the verdict of the cases that finished. */
export const EXIT_INTERRUPTED = 130;
