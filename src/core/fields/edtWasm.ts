/**
 * The strided passes (distanceTransform.ts `edtPassStrided` and its block envelope
 * `envelopeBlock`) with the envelope in WebAssembly, hand-assembled here (no toolchain, no
 * dependency): the same f64 operations in the same order on the same inputs, so the same bits
 * (IEEE-754 add / sub / mul / div / compare and the f64 -> f32 rounding of the stored value are
 * exact in both; JS evaluates `2 * (xq - x) * z` left to right, as below). A plane of lines is
 * copied into the module's memory (typed-array `set`: a memcpy), its blocks of 16 lines are
 * transformed there, and the plane is copied back.
 *
 * Memory layout (bytes): TOP (16 x i32, each line's last vertex, -1: none) at 0, COLL (16 x u8,
 * the line had a collapsed zero run) at 64, FLAGS (n x u8 per block: bit 0 the row is all zero,
 * bit 1 the row is skipped) at 128, then V (16 lines x len4 f64: the vertices, four numbers each:
 * position, value, height, left boundary) and the plane (n rows of `width` f32).
 *
 * `run(n, w, q0, h, len4, flagsAt, blkAt, vAt, rowStride)`: build + sweep of the w lines of n
 * samples whose first row starts at byte blkAt, rows rowStride bytes apart (line b at 4 b).
 */

// Opcodes used.
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
const LGET = 0x20, LSET = 0x21, LTEE = 0x22;
const I32_LOAD = 0x28, F32_LOAD = 0x2a, F64_LOAD = 0x2b, I32_LOAD8_U = 0x2d, I32_STORE = 0x36, F32_STORE = 0x38, F64_STORE = 0x39, I32_STORE8 = 0x3a;
const I32_CONST = 0x41, F64_CONST = 0x44;
const I32_EQZ = 0x45, I32_LT_S = 0x48, I32_GT_S = 0x4a, I32_GE_S = 0x4e;
const F32_EQ = 0x5b, F64_EQ = 0x61, F64_LT = 0x63, F64_LE = 0x65, F64_GE = 0x66;
const I32_ADD = 0x6a, I32_SUB = 0x6b, I32_MUL = 0x6c, I32_AND = 0x71, I32_SHL = 0x74, I32_SHR_S = 0x75;
const F64_ADD = 0xa0, F64_SUB = 0xa1, F64_MUL = 0xa2, F64_DIV = 0xa3;
const F32_DEMOTE = 0xb6, F64_CONVERT_I32_S = 0xb7, F64_PROMOTE = 0xbb;
const T_I32 = 0x7f, T_F64 = 0x7c;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function f64Bytes(x: number): number[] {
  return [...new Uint8Array(new Float64Array([x]).buffer)];
}

// Locals: parameters first.
const N = 0, W = 1, Q0 = 2, H = 3, LEN4 = 4, FLAGS = 5, BLK = 6, V = 7, RS = 8;
// Declared locals: the i32 group (9-17), then the f64 group (18-26).
const Q = 9, B = 10, LAST = 11, T = 12, K = 13, O = 14, P = 15, J = 16, COLL = 17;
const FQ = 18, XQ = 19, CQ = 20, ZQ = 21, ZNEXT = 22, X = 23, DX = 24, X0 = 25, F0 = 26;
const I32_LOCALS = [Q, B, LAST, T, K, O, P, J, COLL];
const F64_LOCALS = [FQ, XQ, CQ, ZQ, ZNEXT, X, DX, X0, F0];

const get = (l: number) => [LGET, l];
const set = (l: number) => [LSET, l];
const tee = (l: number) => [LTEE, l];
const i32 = (c: number) => [I32_CONST, ...sleb(c)];
const f64 = (c: number) => [F64_CONST, ...f64Bytes(c)];
const ld = (op: number, align: number, offset = 0) => [op, align, ...uleb(offset)];
/** Memory arguments: alignment as log2. */
const f64At = (offset = 0) => ld(F64_LOAD, 3, offset);
const f64Store = (offset = 0) => ld(F64_STORE, 3, offset);
/** (q0 + q) h as f64. */
const posOf = () => [...get(Q0), ...get(Q), I32_ADD, F64_CONVERT_I32_S, ...get(H), F64_MUL];
/** The line's vertex base byte address: v + b len4 8. */
const lineBase = () => [...get(V), ...get(B), ...get(LEN4), I32_MUL, ...i32(3), I32_SHL, I32_ADD];

/** The function's code: the same steps as envelopeBlock (distanceTransform.ts), in the same order. */
function body(): number[] {
  const c: number[] = [];
  const e = (...ops: (number | number[])[]): void => {
    for (const op of ops) if (typeof op === 'number') c.push(op); else c.push(...op);
  };
  const f32Zero = [0x43, 0, 0, 0, 0];
  // last = n - 1
  e(get(N), i32(1), I32_SUB, set(LAST));
  // ---- build: for each row q (not skipped), each line b ----
  e(i32(0), set(Q));
  e(BLOCK, VOID, LOOP, VOID); // $rows
  e(get(Q), get(N), I32_GE_S, BR_IF, 1);
  e(BLOCK, VOID); // $rowDone
  e(get(FLAGS), get(Q), I32_ADD, ld(I32_LOAD8_U, 0), i32(2), I32_AND, BR_IF, 0);
  e(posOf(), set(XQ));
  e(i32(0), set(B));
  e(BLOCK, VOID, LOOP, VOID); // $lines
  e(get(B), get(W), I32_GE_S, BR_IF, 1);
  e(BLOCK, VOID); // $next: the line's step is done
  // t = blk + q rs + 4 b; fq = the sample at t; fq >= FAR: not a feature
  e(get(BLK), get(Q), get(RS), I32_MUL, I32_ADD, get(B), i32(2), I32_SHL, I32_ADD, set(T));
  e(get(T), ld(F32_LOAD, 2), F64_PROMOTE, tee(FQ), f64(1e30), F64_GE, BR_IF, 0);
  // Interior zero of a run (fq == 0, 0 < q < last, the samples above and below 0): COLL[b] = 1, next.
  e(get(FQ), f64(0), F64_EQ, IF, VOID);
  e(get(Q), i32(0), I32_GT_S, IF, VOID);
  e(get(Q), get(LAST), I32_LT_S, IF, VOID);
  e(get(T), get(RS), I32_SUB, ld(F32_LOAD, 2), f32Zero, F32_EQ, IF, VOID);
  e(get(T), get(RS), I32_ADD, ld(F32_LOAD, 2), f32Zero, F32_EQ, IF, VOID);
  e(i32(64), get(B), I32_ADD, i32(1), ld(I32_STORE8, 0), BR, 5); // to $next (five ifs, then $next)
  e(END, END, END, END, END);
  // cq = fq + xq xq; o = line base; k = TOP[b]
  e(get(FQ), get(XQ), get(XQ), F64_MUL, F64_ADD, set(CQ));
  e(lineBase(), set(O));
  e(get(B), i32(2), I32_SHL, ld(I32_LOAD, 2), tee(K), i32(0), I32_LT_S, IF, VOID);
  // first vertex
  e(get(B), i32(2), I32_SHL, i32(0), ld(I32_STORE, 2));
  e(get(O), get(XQ), f64Store(0), get(O), get(FQ), f64Store(8), get(O), get(CQ), f64Store(16));
  e(BR, 1); // to $next (if, then $next)
  e(END);
  // p = o + 32 k; pop while cq - c[p] <= 2 (xq - x[p]) z[p]
  e(get(O), get(K), i32(5), I32_SHL, I32_ADD, set(P));
  e(LOOP, VOID);
  e(get(CQ), get(P), f64At(16), F64_SUB, f64(2), get(XQ), get(P), f64At(0), F64_SUB, F64_MUL, get(P), f64At(24), F64_MUL, F64_LE, IF, VOID);
  e(get(P), i32(32), I32_SUB, set(P), BR, 1);
  e(END);
  e(END);
  // zq = (cq - c[p]) / (2 (xq - x[p])); push at p + 32
  e(get(CQ), get(P), f64At(16), F64_SUB, f64(2), get(XQ), get(P), f64At(0), F64_SUB, F64_MUL, F64_DIV, set(ZQ));
  e(get(P), i32(32), I32_ADD, set(P));
  e(get(P), get(XQ), f64Store(0), get(P), get(FQ), f64Store(8), get(P), get(CQ), f64Store(16), get(P), get(ZQ), f64Store(24));
  e(get(B), i32(2), I32_SHL, get(P), get(O), I32_SUB, i32(5), I32_SHR_S, ld(I32_STORE, 2));
  e(END); // $next
  e(get(B), i32(1), I32_ADD, set(B), BR, 0);
  e(END, END); // $lines
  e(END); // $rowDone
  e(get(Q), i32(1), I32_ADD, set(Q), BR, 0);
  e(END, END); // $rows
  // ---- sweep: each line b ----
  e(i32(0), set(B));
  e(BLOCK, VOID, LOOP, VOID); // $sweepLines
  e(get(B), get(W), I32_GE_S, BR_IF, 1);
  e(BLOCK, VOID); // $lineDone
  e(get(B), i32(2), I32_SHL, ld(I32_LOAD, 2), tee(K), i32(0), I32_LT_S, BR_IF, 0);
  e(lineBase(), set(O));
  e(get(BLK), get(B), i32(2), I32_SHL, I32_ADD, set(T));
  e(get(K), I32_EQZ, IF, VOID);
  {
    // One parabola.
    e(get(O), f64At(0), set(X0), get(O), f64At(8), set(F0));
    e(i32(0), set(Q));
    e(BLOCK, VOID, LOOP, VOID);
    e(get(Q), get(N), I32_GE_S, BR_IF, 1);
    e(posOf(), get(X0), F64_SUB, set(DX));
    e(get(T), get(DX), get(DX), F64_MUL, get(F0), F64_ADD, F32_DEMOTE, ld(F32_STORE, 2));
    e(get(T), get(RS), I32_ADD, set(T), get(Q), i32(1), I32_ADD, set(Q), BR, 0);
    e(END, END);
    e(BR, 1); // to $lineDone (if, then $lineDone)
  }
  e(END);
  // z[o + 32 (k + 1) + 24] = Infinity; j = o; zNext = z of vertex 1
  e(get(O), get(K), i32(1), I32_ADD, i32(5), I32_SHL, I32_ADD, f64(Infinity), f64Store(24));
  e(get(O), set(J), get(O), f64At(32 + 24), set(ZNEXT));
  e(i32(64), get(B), I32_ADD, ld(I32_LOAD8_U, 0), set(COLL));
  e(i32(0), set(Q));
  e(BLOCK, VOID, LOOP, VOID); // $samples
  e(get(Q), get(N), I32_GE_S, BR_IF, 1);
  e(BLOCK, VOID); // $sampleDone
  // collapsed line: a zero row's sample or a zero sample stays as it is
  e(get(COLL), IF, VOID);
  e(get(FLAGS), get(Q), I32_ADD, ld(I32_LOAD8_U, 0), i32(1), I32_AND, BR_IF, 1);
  e(get(T), ld(F32_LOAD, 2), f32Zero, F32_EQ, BR_IF, 1);
  e(END);
  e(posOf(), set(X));
  e(LOOP, VOID);
  e(get(ZNEXT), get(X), F64_LT, IF, VOID);
  e(get(J), i32(32), I32_ADD, tee(J), f64At(32 + 24), set(ZNEXT), BR, 1);
  e(END);
  e(END);
  e(get(X), get(J), f64At(0), F64_SUB, set(DX));
  e(get(T), get(DX), get(DX), F64_MUL, get(J), f64At(8), F64_ADD, F32_DEMOTE, ld(F32_STORE, 2));
  e(END); // $sampleDone
  e(get(T), get(RS), I32_ADD, set(T), get(Q), i32(1), I32_ADD, set(Q), BR, 0);
  e(END, END); // $samples
  e(END); // $lineDone
  e(get(B), i32(1), I32_ADD, set(B), BR, 0);
  e(END, END); // $sweepLines
  e(END); // function
  return c;
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** The module's bytes: one function `run` and a memory `mem`, both exported. */
export function edtWasmBytes(): Uint8Array {
  const type = [1, 0x60, 9, T_I32, T_I32, T_I32, T_F64, T_I32, T_I32, T_I32, T_I32, T_I32, 0];
  const func = [1, 0];
  const memory = [1, 0, 1]; // min 1 page, no max
  const name = (s: string) => [s.length, ...[...s].map((ch) => ch.charCodeAt(0))];
  const exports = [2, ...name('run'), 0, 0, ...name('mem'), 2, 0];
  const code = body();
  const locals = [2, I32_LOCALS.length, T_I32, F64_LOCALS.length, T_F64];
  const fn = [...locals, ...code];
  const codeSec = [1, ...uleb(fn.length), ...fn];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, type), ...section(3, func), ...section(5, memory), ...section(7, exports), ...section(10, codeSec),
  ]);
}

/** The part of the WebAssembly API used here (the core's tsconfig has no DOM or WebAssembly types). */
type WasmMemory = { readonly buffer: ArrayBuffer; grow(pages: number): number };
type WasmApi = {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

/** One thread's instance of the module and its memory's views. */
type EdtWasm = {
  run: (n: number, w: number, q0: number, h: number, len4: number, flagsAt: number, blkAt: number, vAt: number, rowStride: number) => void;
  memory: WasmMemory;
  u8: Uint8Array; i32: Int32Array; f32: Float32Array; f64: Float64Array;
};

/** undefined: not tried yet; null: WebAssembly is not available here (the JS envelope runs). */
let instance: EdtWasm | null | undefined;
let enabled = true;
/** Planes transformed through the module in this thread (diagnostics: the EDT helper worker shows it). */
let planesDone = 0;

/** This thread's module: 'ready' (made), 'unavailable' (WebAssembly absent or refused), 'untried'; and the planes it transformed. */
export function edtWasmStats(): { state: 'ready' | 'unavailable' | 'untried'; planes: number } {
  return { state: instance ? 'ready' : instance === null ? 'unavailable' : 'untried', planes: planesDone };
}

/**
 * Whether the strided passes use the WebAssembly block envelope (default: when WebAssembly is
 * available). Returns the previous setting. For tests and measurements: the output is the same.
 */
export function setEdtWasmEnabled(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

function views(memory: WasmMemory): Pick<EdtWasm, 'u8' | 'i32' | 'f32' | 'f64'> {
  const buf = memory.buffer;
  return { u8: new Uint8Array(buf), i32: new Int32Array(buf), f32: new Float32Array(buf), f64: new Float64Array(buf) };
}

/** This thread's instance, made on first use (synchronously: the module is under 1 kB); null when WebAssembly is refused or absent. */
export function edtWasm(): EdtWasm | null {
  if (!enabled) return null;
  if (instance !== undefined) return instance;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return (instance = null);
  try {
    const module = new api.Module(edtWasmBytes());
    const exports = new api.Instance(module, {}).exports as { run: EdtWasm['run']; mem: WasmMemory };
    instance = { run: exports.run, memory: exports.mem, ...views(exports.mem) };
  } catch {
    instance = null;
  }
  return instance;
}

const TOP_AT = 0, COLL_AT = 64, FLAGS_AT = 128;

/**
 * distanceTransform.ts `edtPassStrided` through the module: for each of the `outerCount` planes
 * (lines `origin + i`, i < width, samples `stride` apart, n samples), the plane's n rows of `width`
 * floats are copied into the module's memory (one copy when the rows are contiguous), its blocks
 * of 16 lines trimmed of their all-zero end rows as edtPassStrided trims them, each block's rows
 * flagged (all zero; skipped: all zero between two all-zero rows, as envelopeBlock skips them),
 * transformed there by `run` (build + sweep), and the plane copied back (the rows the transform
 * did not change hold their own values). False (nothing done) when the memory cannot grow.
 */
export function edtPassStridedWasm(m: EdtWasm, sq: Float32Array, start: number, outerStep: number, outerCount: number, width: number, n: number, stride: number, h: number): boolean {
  const len4 = 4 * (n + 1);
  const vAt = FLAGS_AT + ((n + 63) & ~63);
  const planeAt = vAt + 16 * len4 * 8;
  const bytes = planeAt + 4 * n * width;
  if (bytes > m.memory.buffer.byteLength) {
    try {
      m.memory.grow(Math.ceil((bytes - m.memory.buffer.byteLength) / 65536));
    } catch {
      // No memory for the plane: the caller runs the pass in JavaScript.
      return false;
    }
    Object.assign(m, views(m.memory));
  }
  const { u8, i32, f32, f64 } = m;
  const plane = planeAt >> 2, vF = vAt >> 3;
  const contiguous = stride === width;
  for (let o = 0; o < outerCount; o++) {
    const origin = start + outerStep * o;
    if (contiguous) f32.set(sq.subarray(origin, origin + n * width), plane);
    else for (let q = 0; q < n; q++) f32.set(sq.subarray(origin + stride * q, origin + stride * q + width), plane + width * q);
    for (let i0 = 0; i0 < width; i0 += 16) {
      const w = Math.min(16, width - i0);
      const base = plane + i0;
      let first = 0;
      while (first < n && rowIsZero(f32, base + width * first, w)) first++;
      if (first === n) continue;
      let last = n - 1;
      while (last > first && rowIsZero(f32, base + width * last, w)) last--;
      const q0 = first > 0 ? first - 1 : 0;
      const q1 = last < n - 1 ? last + 1 : n - 1;
      const rows = q1 - q0 + 1;
      for (let q = 0, t = base + width * q0; q < rows; q++, t += width) u8[FLAGS_AT + q] = rowIsZero(f32, t, w) ? 1 : 0;
      let skipped = 0;
      for (let q = 1; q < rows - 1; q++) {
        if (u8[FLAGS_AT + q - 1]! & u8[FLAGS_AT + q]! & u8[FLAGS_AT + q + 1]! & 1) {
          u8[FLAGS_AT + q] = 3;
          skipped = 1;
        }
      }
      for (let b = 0; b < w; b++) {
        i32[(TOP_AT >> 2) + b] = -1;
        u8[COLL_AT + b] = skipped;
        f64[vF + b * len4 + 3] = -Infinity;
      }
      m.run(rows, w, q0, h, len4, FLAGS_AT, 4 * (base + width * q0), vAt, 4 * width);
    }
    planesDone++;
    if (contiguous) sq.set(f32.subarray(plane, plane + n * width), origin);
    else for (let q = 0; q < n; q++) sq.set(f32.subarray(plane + width * q, plane + width * q + width), origin + stride * q);
  }  return true;
}

function rowIsZero(a: Float32Array, row: number, w: number): boolean {
  for (let b = 0; b < w; b++) if (a[row + b] !== 0) return false;
  return true;
}
