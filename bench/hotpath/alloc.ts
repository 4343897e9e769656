// Counts typed-array allocations for bench/hotpath --alloc: `new Uint8Array(…)`
// (through a Proxy on the global constructor, so instances stay plain
// Uint8Arrays), `slice` (a copy) and `subarray` (a view object, no bytes).
// Allocations made natively (socket buffers) are not seen.

export interface AllocCounts {
  arrays: number;
  arrayBytes: number;
  slices: number;
  sliceBytes: number;
  subarrays: number;
  reset(): void;
}

export function countAllocations(): AllocCounts {
  const c: AllocCounts = {
    arrays: 0,
    arrayBytes: 0,
    slices: 0,
    sliceBytes: 0,
    subarrays: 0,
    reset() {
      c.arrays = c.arrayBytes = c.slices = c.sliceBytes = c.subarrays = 0;
    },
  };
  const Real = Uint8Array;
  const proto = Real.prototype;
  const slice = proto.slice;
  const subarray = proto.subarray;
  proto.slice = function (this: Uint8Array, start?: number, end?: number) {
    const out = slice.call(this, start, end);
    c.slices++;
    c.sliceBytes += out.byteLength;
    return out;
  };
  proto.subarray = function (this: Uint8Array, start?: number, end?: number) {
    c.subarrays++;
    return subarray.call(this, start, end);
  };
  (globalThis as { Uint8Array: unknown }).Uint8Array = new Proxy(Real, {
    construct(target, args, newTarget) {
      const out = Reflect.construct(target, args, newTarget === (globalThis as { Uint8Array: unknown }).Uint8Array ? target : newTarget) as Uint8Array;
      // A view over an existing buffer allocates no bytes.
      if (!(args[0] instanceof ArrayBuffer)) {
        c.arrays++;
        c.arrayBytes += out.byteLength;
      }
      return out;
    },
  });
  return c;
}
