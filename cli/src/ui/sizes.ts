// Byte sizes on the command line: 64MiB, 512KiB, 1GiB, 1.5MB, or plain bytes.

import { FlexChainError } from '@flexchain/sdk';

export class SizeInvalidError extends FlexChainError {
  override name = 'SizeInvalidError';
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new SizeInvalidError(`${flag} ${JSON.stringify(text)} is not a size.`, { hint: 'Write e.g. 64MiB, 512KiB or 1048576.' });
  return Math.round(Number(m[1]) * unit);
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
