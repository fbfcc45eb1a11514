/**
 * The presenter token compared in constant time: the loop runs over the expected
 * token's bytes whatever is given, and folds every difference (length included) into
 * one word, so how long a wrong guess takes says nothing about how much of it was
 * right.
 *
 * @module
 */
const encoder = new TextEncoder();

export function tokensEqual(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (i < a.length ? a[i] : 0) ^ b[i];
  return diff === 0;
}
