// One wire format for errors that cross a process or transport boundary.
//
// An error travels as UTF-8 JSON {name, message, details?, hint?} with every
// field cut to a named bound, so it always fits in a gRPC trailer (grpc-js and
// HTTP/2 refuse large header blocks) and cannot carry a multi-megabyte stack.
// Lone surrogates are replaced before encoding, so encoding cannot fail.

import { FlexChainError } from '../errors';

/** Longest error name on the wire, in characters. */
export const WIRE_ERROR_NAME_CHARS_MAX = 64;
/** Longest error message on the wire, in characters. */
export const WIRE_ERROR_MESSAGE_CHARS_MAX = 1024;
/** Longest error details (a stack, a list of facts) on the wire, in characters. */
export const WIRE_ERROR_DETAILS_CHARS_MAX = 4096;
/** Longest hint on the wire, in characters. */
export const WIRE_ERROR_HINT_CHARS_MAX = 512;

export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly details?: string;
  readonly hint?: string;
}

/** The bounded wire form of any thrown value. */
export function errorToWire(err: unknown): WireError {
  if (err instanceof FlexChainError) {
    return {
      name: bounded(err.name, WIRE_ERROR_NAME_CHARS_MAX),
      message: bounded(err.shortMessage, WIRE_ERROR_MESSAGE_CHARS_MAX),
      ...(err.details ? { details: bounded(err.details, WIRE_ERROR_DETAILS_CHARS_MAX) } : {}),
      ...(err.hint ? { hint: bounded(err.hint, WIRE_ERROR_HINT_CHARS_MAX) } : {}),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { name: 'Error', message: bounded(message, WIRE_ERROR_MESSAGE_CHARS_MAX) };
}

/** Rebuilds a FlexChainError with the sender's name, details and hint. */
export function errorFromWire(wire: WireError): FlexChainError {
  const error = new FlexChainError(wire.message, { ...(wire.details ? { details: wire.details } : {}), ...(wire.hint ? { hint: wire.hint } : {}) });
  error.name = wire.name;
  return error;
}

export function encodeWireError(wire: WireError): Buffer {
  return Buffer.from(JSON.stringify(wire), 'utf8');
}

/** Undefined when the bytes are not a wire error (a foreign or damaged trailer). */
export function decodeWireError(bytes: Uint8Array): WireError | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o.name !== 'string' || typeof o.message !== 'string') return undefined;
  const optional = (field: string, max: number) => (typeof o[field] === 'string' && o[field] !== '' ? { [field]: bounded(o[field] as string, max) } : {});
  return {
    name: bounded(o.name, WIRE_ERROR_NAME_CHARS_MAX),
    message: bounded(o.message, WIRE_ERROR_MESSAGE_CHARS_MAX),
    ...optional('details', WIRE_ERROR_DETAILS_CHARS_MAX),
    ...optional('hint', WIRE_ERROR_HINT_CHARS_MAX),
  };
}

/** Printable ASCII only (others as \uXXXX), for places such as the gRPC status line that take nothing else. */
export function asciiSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` well-formed and at most `max` characters, marking what was cut. */
export function bounded(text: string, max: number): string {
  const whole = text.replace(LONE_SURROGATE, '\uFFFD');
  if (whole.length <= max) return whole;
  const marker = ` …[${whole.length - max} more characters]`;
  let cut = whole.slice(0, Math.max(0, max - marker.length));
  // Do not split a surrogate pair at the cut.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + marker;
}
