/**
 * The Datadog-compatible vulnerability hash: a 32-bit polynomial string hash (factor 31,
 * as Java's String.hashCode) of `TYPE:path:line`. Computed the way Datadog's JavaScript
 * tracer does, including its final step not being truncated to 32 bits, so that a
 * Sluice finding and a Datadog tracer finding at the same place get the same hash.
 */
export function vulnerabilityHash(source: string): number {
  let hash = 0;
  for (let i = 0; i < source.length; i++) {
    // `<< 5` truncates to int32 each round; the subtraction and addition do not.
    hash = (hash << 5) - hash + source.charCodeAt(i);
  }
  return hash;
}

/** The hash input: `TYPE:path:line` with a location, the type alone without one. */
export function hashSource(type: string, location: { path: string; line: number } | undefined): string {
  return location ? `${type}:${location.path}:${location.line}` : type;
}
