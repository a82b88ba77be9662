/** IPv4 CIDR arithmetic for carving subnets out of the VPC block (pure). */

/** A parsed IPv4 CIDR block. */
export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; the schema pattern has already checked the syntax. */
export function parseCidr(text: string): Cidr {
  const [address = '', prefixText = ''] = text.split('/');
  const octets = address.split('.').map(Number);
  const value = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  return { base: value - (value % size), prefix };
}

/** Formats a block as `a.b.c.d/n`. */
export function formatCidr(cidr: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${cidr.prefix}`;
}

/**
 * Allocates consecutive blocks of the given prefix lengths inside `parent`, each aligned to its own size,
 * in request order. Returns undefined when they do not fit.
 */
export function allocate(parent: Cidr, prefixes: readonly number[]): Cidr[] | undefined {
  const end = parent.base + 2 ** (32 - parent.prefix);
  let next = parent.base;
  const blocks: Cidr[] = [];
  for (const prefix of prefixes) {
    if (prefix < parent.prefix) return undefined;
    const size = 2 ** (32 - prefix);
    const start = Math.ceil(next / size) * size;
    if (start + size > end) return undefined;
    blocks.push({ base: start, prefix });
    next = start + size;
  }
  return blocks;
}
