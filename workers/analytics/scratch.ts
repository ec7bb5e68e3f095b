/**
 * Scratch doubles for the hot kernels (inputs and results that must not cross a call boundary as numbers: V8
 * boxes every double argument and result of a call it does not inline as a new heap number, and every double
 * stored in a module-level `let`, too; typed-array slots hold raw doubles).
 *
 * Always on an explicit ArrayBuffer: V8 keeps typed arrays of 64 bytes or less inside its heap, where the garbage
 * collector may move them, so optimised code fetches their address on every use; an ArrayBuffer's store lives
 * outside the heap and its address is compiled into the code (about 2 ns per option in the Black-Scholes kernel,
 * paired bench runs).
 */
export function scratchDoubles(n: number): Float64Array {
  return new Float64Array(new ArrayBuffer(n * 8));
}
