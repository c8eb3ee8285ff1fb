// The errors cli, run, transport and report share. The two ways a run can end without a verdict
// are kept apart because they mean different things to the user: bad input is theirs to fix
// (exit 2); a system under test that throws is a finding about their client or server (exit 3).

export class BadInputError extends Error {
  override name = 'BadInputError';
}

export class SystemUnderTestError extends Error {
  override name = 'SystemUnderTestError';

  constructor(message: string, cause?: unknown) {
    super(cause instanceof Error ? `${message}: ${cause.message}` : message, { cause });
  }
}

/** What a request to a server that is down (restarting) meets: a refused connection. */
export class ServerUnavailableError extends Error {
  override readonly name = 'ServerUnavailableError';
}
