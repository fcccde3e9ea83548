/**
 * The part of the WebSocket API the sync client uses, so that the browser's WebSocket and Node's
 * `ws` both fit. Handler parameters are `never` because the two declare different event classes;
 * the client reads only `data` from message events.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: never) => void) | null;
  onmessage: ((ev: never) => void) | null;
  onclose: ((ev: never) => void) | null;
  onerror: ((ev: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drop at once, without waiting for a closing handshake a dead peer never answers. */
  terminate?(): void;
  /** `ws` only: lets Node clients see the HTTP status of a refused upgrade (browsers cannot). */
  on?(
    event: 'unexpected-response',
    listener: (req: unknown, res: { statusCode?: number }) => void,
  ): unknown;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `WebSocket.OPEN` (the same in every implementation; not read off the class, which may lack it). */
export const WS_OPEN = 1;
