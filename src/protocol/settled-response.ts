// Fetch's Response with a body that is settled text from the start, as every answer of a simulated
// run is: a real Response (a subclass) whose text(), json() and arrayBuffer() read the string, so
// no webstream is built per answer; `body` makes a real stream only when something asks for it.

/** What undici sets for a string body when the headers name no content type. */
export const TEXT_CONTENT_TYPE = 'text/plain;charset=UTF-8';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The text a real body reads back from a string: UTF-8 there and back, so a leading BOM goes and a lone surrogate turns U+FFFD. */
export function readBack(text: string): string {
  if (text.charCodeAt(0) !== 0xfeff && !LONE_SURROGATE.test(text)) return text;
  return new TextDecoder().decode(new TextEncoder().encode(text));
}

/**
 * A Response whose body is settled text (`null`: no body), read once like any body. Until `body`
 * is asked for it is only its text; after that a real Response holds it and answers every read,
 * so the stream and the reads agree.
 */
export class SettledResponse extends Response {
  readonly #text: string | null;
  #consumed = false;
  #streamed: Response | undefined;

  constructor(text: string | null, init: ResponseInit = {}) {
    const headers = new Headers(init.headers);
    if (text !== null && !headers.has('content-type')) headers.set('content-type', TEXT_CONTENT_TYPE);
    super(null, { ...init, headers });
    this.#text = text === null ? null : readBack(text);
  }

  /** As `Response.json`, settled. */
  static override json(data: unknown, init: ResponseInit = {}): SettledResponse {
    const headers = new Headers(init.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new SettledResponse(JSON.stringify(data), { ...init, headers });
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this.#text === null) return null;
    this.#streamed ??= new Response(this.#text, { headers: this.headers });
    return this.#streamed.body;
  }

  override get bodyUsed(): boolean {
    return this.#streamed ? this.#streamed.bodyUsed : this.#consumed;
  }

  /** The text, consumed; a read after the first fails as a real body's does. */
  override async text(): Promise<string> {
    if (this.#streamed) return this.#streamed.text();
    if (this.#text === null) return '';
    if (this.#consumed) throw new TypeError('Body is unusable: Body has already been read');
    this.#consumed = true;
    return this.#text;
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new TextEncoder().encode(await this.text());
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(await this.bytes()).buffer;
  }

  override async blob(): Promise<Blob> {
    return new Blob([await this.text()], { type: this.headers.get('content-type') ?? '' });
  }

  override async formData(): Promise<FormData> {
    return new Response(await this.text(), { headers: this.headers }).formData();
  }

  /** A copy with the same body, unless the body was read or locked to a reader, as a real clone refuses. */
  override clone(): SettledResponse {
    if (this.bodyUsed || this.#streamed?.body?.locked) throw new TypeError('Response.clone: Body has already been consumed.');
    return new SettledResponse(this.#text, { status: this.status, statusText: this.statusText, headers: this.headers });
  }
}
