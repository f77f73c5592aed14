// Splitting a command line into words: blanks separate, "double" and
// 'single' quotes keep blanks (and a backslash escapes the next character
// inside double quotes and outside quotes), `|` stands alone, `;` ends a
// command. A last word `?` asks for help instead of running the line.
import { refused } from './errors.js';

export interface Line {
  words: string[];
  // The words after a `|` (e.g. ["compare"]), or undefined.
  pipe: string[] | undefined;
  help: boolean;
}

export interface Split {
  words: string[];
  // Whether the last word was still being typed (no blank after it): completion.
  open: boolean;
}

// Plain splitting, also of an unfinished line (completion): an unclosed
// quote ends the word being typed.
export function splitWords(text: string): Split {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (c === '|' || c === ';') {
      if (inWord) words.push(cur);
      words.push(c === '|' ? '\u0000|' : '\u0000;');
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw refused(`unclosed ${quote} quote`);
  if (inWord) words.push(cur);
  return { words, open: inWord };
}

// Several commands on one line ("a; b"): each one parsed.
export function parseLines(text: string): Line[] {
  const out: Line[] = [];
  let words: string[] = [];
  const flush = (): void => {
    if (words.length > 0) out.push(toLine(words));
    words = [];
  };
  for (const w of splitWords(text).words) {
    if (w === '\u0000;') flush();
    else words.push(w);
  }
  flush();
  return out;
}

function toLine(all: string[]): Line {
  let words = all;
  let help = false;
  const last = words[words.length - 1];
  if (last === '?') {
    help = true;
    words = words.slice(0, -1);
  }
  const bar = words.indexOf('\u0000|');
  if (bar < 0) return { words, pipe: undefined, help };
  const pipe = words.slice(bar + 1);
  if (pipe.includes('\u0000|')) throw refused('only one | per command');
  return { words: words.slice(0, bar), pipe, help };
}

// A word for display: quoted when it holds blanks or quotes.
export function quoteWord(w: string): string {
  return /^[^\s"'\\|;]+$/.test(w) ? w : `"${w.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
