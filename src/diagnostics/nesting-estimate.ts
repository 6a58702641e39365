// A single pass over YAML text that over-estimates how deep it nests, in linear time and
// without the parser: yaml's parser takes seconds on 100,000 nested [ (and longer the
// deeper it goes), so input that is far too deep is refused before it is parsed. The
// parsed token tree is measured exactly afterwards (yaml-input.ts); this estimate only
// has to be cheap and never below the truth for the shapes that are slow to parse:
// flow brackets and block indicators ("- - - x") written on one line.

/** Offset of the first place where the estimated depth exceeds `limit`, if any. */
export function firstPlaceDeeperThan(text: string, limit: number): number | undefined {
  let flow = 0;
  /** Indentation of the enclosing block lines (block depth), only outside flow context. */
  const indents: number[] = [];
  let lineDepth = 0; // block indicators on the current line
  let atLineStart = true;
  let valueStart = true; // a flow collection, a quote or an indicator may start here
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      atLineStart = true;
      valueStart = true;
      lineDepth = 0;
      continue;
    }
    if (atLineStart && flow === 0) {
      let j = i;
      while (text[j] === ' ') j++;
      if (text[j] === '\n' || text[j] === '#' || j >= text.length) {
        i = j - 1;
        atLineStart = false;
        valueStart = false;
        continue;
      }
      while (indents.length > 0 && indents.at(-1)! >= j - i) indents.pop();
      indents.push(j - i);
      i = j - 1;
      atLineStart = false;
      continue;
    }
    atLineStart = false;
    if (c === ' ' || c === '\t') continue;
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end - 1;
      continue;
    }
    if ((c === '"' || c === "'") && (valueStart || flow > 0)) {
      i = closingQuote(text, i);
      valueStart = false;
      continue;
    }
    if ((c === '[' || c === '{') && (valueStart || flow > 0)) {
      flow++;
      if (flow + indents.length + lineDepth > limit) return i;
      valueStart = true;
      continue;
    }
    if ((c === ']' || c === '}') && flow > 0) {
      flow--;
      continue;
    }
    if (flow > 0) {
      valueStart = c === ',' || c === ':';
      continue;
    }
    // Block context: "- ", "? " and "key: " open a level on this line.
    const next = text[i + 1];
    const separated = next === undefined || next === ' ' || next === '\t' || next === '\n';
    if ((c === '-' || c === '?') && valueStart && separated) {
      lineDepth++;
      if (indents.length + lineDepth > limit) return i;
      continue;
    }
    if (c === ':' && separated) {
      lineDepth++;
      if (indents.length + lineDepth > limit) return i;
      valueStart = true;
      continue;
    }
    valueStart = false;
  }
  return undefined;
}

/** Offset of the quote that closes the one at `start` (the end of the text if none). */
function closingQuote(text: string, start: number): number {
  const q = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    if (q === '"' && text[i] === '\\') i++;
    else if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return text.length;
}
