import type { ServerResponse } from "node:http";
import { Writable } from "node:stream";

/**
 * Lambda response streaming, as the Node.js runtime provides it: the global
 * `awslambda.streamifyResponse` marks a handler as streaming, and
 * `awslambda.HttpResponseStream.from` attaches the HTTP status and headers.
 * Locally the stream writes straight to the client's HTTP response, chunk by
 * chunk as the handler produces them.
 */
const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");

interface Prelude {
  statusCode?: number;
  headers?: Record<string, unknown>;
  multiValueHeaders?: Record<string, unknown[]>;
  cookies?: string[];
}

type StreamingHandler = ((event: unknown, stream: Writable, context: unknown) => Promise<unknown>) & { [STREAMING]?: string };

/**
 * Adds the streaming functions to `globalThis.awslambda` unless a real Lambda
 * runtime has. Must run before handler modules load. (Other libraries create
 * the object too, e.g. the SDK's invoke store; keep what they put there.)
 */
export function installLambdaStreaming(): void {
  const global = globalThis as { awslambda?: Record<string, unknown> };
  if (typeof global.awslambda?.streamifyResponse === "function") return;
  global.awslambda = Object.assign(global.awslambda ?? {}, {
    streamifyResponse(handler: StreamingHandler) {
      handler[STREAMING] = "response";
      return handler;
    },
    HttpResponseStream: {
      from(stream: Writable, prelude: Prelude) {
        if (stream instanceof LocalResponseStream) stream.setPrelude(prelude);
        return stream;
      },
    },
  });
}

/** The handler as a streaming one, or undefined for a plain (buffered) handler. */
export function asStreamingHandler(handler: unknown): StreamingHandler | undefined {
  return typeof handler === "function" && (handler as StreamingHandler)[STREAMING] === "response" ? (handler as StreamingHandler) : undefined;
}

/** The response stream a streaming handler writes into, bound to one HTTP response. */
export class LocalResponseStream extends Writable {
  private prelude: Prelude | undefined;
  /** The client closed the connection before the response ended; the stream was destroyed for it. */
  clientWentAway = false;

  constructor(private readonly response: ServerResponse) {
    super();
    response.socket?.setNoDelay(true);
    // A client gone mid-response tears the stream down, so the handler's pipeline ends and its body is
    // destroyed, as a Lambda response stream would be if it noticed (see DEPLOYMENT.md). Destroyed without
    // an error: before the handler pipes into it, an 'error' nobody listens to would crash the runtime;
    // a pipeline still sees it, as a premature close.
    response.once("close", () => {
      if (response.writableFinished) return;
      this.clientWentAway = true;
      this.destroy();
    });
  }

  get started(): boolean {
    return this.response.headersSent;
  }

  setPrelude(prelude: Prelude): void {
    this.prelude = prelude;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.begin();
    this.response.write(chunk, (error) => callback(error ?? null));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.begin();
    this.response.end(() => callback());
  }

  /** Sends the status line and headers on the first byte, as API Gateway does once the prelude is in. */
  private begin(): void {
    if (this.response.headersSent) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.prelude?.headers ?? {})) if (value !== undefined && value !== null) headers[name] = String(value);
    for (const [name, values] of Object.entries(this.prelude?.multiValueHeaders ?? {})) headers[name] = values.map(String).join(", ");
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) headers["content-type"] = "application/octet-stream";
    this.response.writeHead(this.prelude?.statusCode ?? 200, headers);
    this.response.flushHeaders();
  }
}
