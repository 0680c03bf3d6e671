/**
 * The color of an event from its name, as the kernel's static picture
 * computes it (`workbench/widgets/op_colors.py`; a test checks both give the
 * same index for the same names).
 */

export const PALETTE: readonly string[] = [
  '#8fb8de',
  '#f2b880',
  '#9fd39f',
  '#e59a9a',
  '#c3a8dd',
  '#c9a99a',
  '#efb4da',
  '#b9b9b9',
  '#d6d67f',
  '#86d0d8',
  '#a7c4f2',
  '#f7cf9b',
  '#b7e3a8',
  '#f0b3b3',
  '#d7c4ea',
  '#dfc3b6'
];

/** Merged blocks of many events are drawn a little lighter. */
export const BLOCK_ALPHA = 0.75;

/** FNV-1a (32-bit) of the name's UTF-16 code units, modulo the palette's size. */
export function colorIndex(name: string): number {
  let value = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    value ^= name.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value % PALETTE.length;
}
