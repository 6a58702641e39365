// Sorting that never depends on the host: String#localeCompare follows LANG/LC_ALL,
// so every ordering that reaches output or diagnostics compares UTF-16 code units.

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator ordering items by a string key, in code-unit order. */
export function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => compareCodeUnits(key(a), key(b));
}
