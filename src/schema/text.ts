/**
 * Cleaning text from the CRM before it becomes a participant attribute. Attributes are shown to
 * agents, copied into scripts and logs, and read by Architect flows: characters that are invisible
 * or steer how text is displayed have no place there.
 *   - line breaks and tabs (TAB, LF, VT, FF, CR, U+2028, U+2029): a run becomes one space;
 *   - other C0 and C1 control characters (NUL, ESC, DEL, ...): removed;
 *   - bidirectional overrides, embeddings, isolates and marks (U+202A-U+202E, U+2066-U+2069,
 *     U+200E, U+200F, U+061C): removed (they can make a value read differently from what it is);
 *   - lone UTF-16 surrogates (not valid Unicode; JSON can carry them as `\uD800`): removed.
 */

const BREAKS = /[\t\n\v\f\r\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// eslint-disable-next-line no-control-regex -- a cheap test before any replacing
const SUSPECT = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/;

/** The text with the characters above removed (breaks as one space); the same string when it has none. */
export function cleanText(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text.replace(BREAKS, ' ').replace(INVISIBLE, '').replace(LONE_SURROGATE, '');
}
