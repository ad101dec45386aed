/** Genesys entity listings: `pageSize` (default 25, max 100 here), `pageNumber` from 1. */
export function page(items: readonly unknown[], query: URLSearchParams, selfPath: string): Record<string, unknown> {
  const pageSize = clamp(Number(query.get('pageSize') ?? 25), 1, 100);
  const pageNumber = Math.max(1, Number(query.get('pageNumber') ?? 1) || 1);
  const start = (pageNumber - 1) * pageSize;
  const pageCount = Math.max(1, Math.ceil(items.length / pageSize));
  return {
    entities: items.slice(start, start + pageSize),
    pageSize,
    pageNumber,
    total: items.length,
    pageCount,
    firstUri: `${selfPath}?pageSize=${pageSize}&pageNumber=1`,
    selfUri: `${selfPath}?pageSize=${pageSize}&pageNumber=${pageNumber}`,
    lastUri: `${selfPath}?pageSize=${pageSize}&pageNumber=${pageCount}`,
    ...(pageNumber < pageCount && { nextUri: `${selfPath}?pageSize=${pageSize}&pageNumber=${pageNumber + 1}` }),
  };
}

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.trunc(n))) : lo;
}
