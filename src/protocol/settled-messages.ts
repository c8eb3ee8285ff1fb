// Fetch's Request and Response with a body that is settled text from the start, as every body of
// a simulated run is: real instances (subclasses) whose text(), json() and arrayBuffer() read the
// string, so no webstream is built per message; `body` makes a real stream only when asked for.

/** What undici sets for a string body when the headers name no content type. */
const TEXT_CONTENT_TYPE = 'text/plain;charset=UTF-8';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The text a real body reads back from a string: UTF-8 there and back, so a leading BOM goes and a lone surrogate turns U+FFFD. */
function readBack(text: string): string {
  if (text.charCodeAt(0) !== 0xfeff && !LONE_SURROGATE.test(text)) return text;
  return new TextDecoder().decode(new TextEncoder().encode(text));
}

/** Headers as a message with a string body (or none) carries them: a string body types itself text unless told. */
function headersFor(text: string | null, init: HeadersInit | undefined): Headers {
  const headers = new Headers(init);
  if (text !== null && !headers.has('content-type')) headers.set('content-type', TEXT_CONTENT_TYPE);
  return headers;
}

/**
 * A settled body, read once like any body. Until `body` is asked for it is only its text; after
 * that a real Response holds it and answers every read, so the stream and the reads agree.
 */
class SettledBody {
  readonly text: string | null;
  private consumed = false;
  private streamed: Response | undefined;

  constructor(
    text: string | null,
    private readonly headers: Headers,
  ) {
    this.text = text === null ? null : readBack(text);
  }

  get stream(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this.text === null) return null;
    this.streamed ??= new Response(this.text, { headers: this.headers });
    return this.streamed.body;
  }

  get used(): boolean {
    return this.streamed ? this.streamed.bodyUsed : this.consumed;
  }

  /** Whether a clone may be taken: the body was neither read nor locked to a reader. */
  get clonable(): boolean {
    return !this.used && !this.streamed?.body?.locked;
  }

  /** The text, consumed; a read after the first fails as a real body's does. */
  async read(): Promise<string> {
    if (this.streamed) return this.streamed.text();
    if (this.text === null) return '';
    if (this.consumed) throw new TypeError('Body is unusable: Body has already been read');
    this.consumed = true;
    return this.text;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new TextEncoder().encode(await this.read());
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.read()], { type: this.headers.get('content-type') ?? '' });
  }

  async formData(): Promise<FormData> {
    return new Response(await this.read(), { headers: this.headers }).formData();
  }
}

/** What Request and Response share: the body and its readers. */
interface BodyHolder {
  readonly body: ReadableStream<Uint8Array<ArrayBuffer>> | null;
  readonly bodyUsed: boolean;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array<ArrayBuffer>>;
  blob(): Promise<Blob>;
  formData(): Promise<FormData>;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's base must take any arguments (TS2545)
type MessageClass = abstract new (...args: any[]) => BodyHolder;

/** Each settled message's body, kept off the instance so that it shows nothing a real one lacks. */
const bodies = new WeakMap<object, SettledBody>();

function settledBodyOf(message: object): SettledBody {
  return bodies.get(message) as SettledBody;
}

/** The body half of Request and Response, read from the settled body the subclass's constructor sets. */
function withSettledBody<Base extends MessageClass>(base: Base) {
  abstract class Settled extends base {
    override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
      return settledBodyOf(this).stream;
    }

    override get bodyUsed(): boolean {
      return settledBodyOf(this).used;
    }

    override text(): Promise<string> {
      return settledBodyOf(this).read();
    }

    override async json(): Promise<unknown> {
      return JSON.parse(await settledBodyOf(this).read());
    }

    override async arrayBuffer(): Promise<ArrayBuffer> {
      return new Uint8Array(await settledBodyOf(this).bytes()).buffer;
    }

    override bytes(): Promise<Uint8Array<ArrayBuffer>> {
      return settledBodyOf(this).bytes();
    }

    override blob(): Promise<Blob> {
      return settledBodyOf(this).blob();
    }

    override formData(): Promise<FormData> {
      return settledBodyOf(this).formData();
    }
  }
  return Settled;
}

/** A Response whose body is settled text (`null`: no body). */
export class SettledResponse extends withSettledBody(Response) {
  constructor(text: string | null, init: ResponseInit = {}) {
    const headers = headersFor(text, init.headers);
    super(null, { ...init, headers });
    bodies.set(this, new SettledBody(text, headers));
  }

  /** As `Response.json`, settled. */
  static override json(data: unknown, init: ResponseInit = {}): SettledResponse {
    const headers = new Headers(init.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new SettledResponse(JSON.stringify(data), { ...init, headers });
  }

  override clone(): SettledResponse {
    if (!settledBodyOf(this).clonable) throw new TypeError('Response.clone: Body has already been consumed.');
    return new SettledResponse(settledBodyOf(this).text, { status: this.status, statusText: this.statusText, headers: this.headers });
  }
}

/** What a settled request is made of: the method, the headers and the body text (`null`: none, as a GET has). */
export interface SettledRequestInit {
  method: string;
  headers?: HeadersInit;
  body: string | null;
}

/** A Request whose body is settled text. */
export class SettledRequest extends withSettledBody(Request) {
  constructor(url: string, init: SettledRequestInit) {
    const headers = headersFor(init.body, init.headers);
    super(url, { method: init.method, headers });
    bodies.set(this, new SettledBody(init.body, headers));
  }

  override clone(): SettledRequest {
    if (!settledBodyOf(this).clonable) throw new TypeError('Request.clone: Body has already been consumed.');
    return new SettledRequest(this.url, { method: this.method, headers: this.headers, body: settledBodyOf(this).text });
  }
}
