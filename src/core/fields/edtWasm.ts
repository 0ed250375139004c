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

/** Signed LEB128 of a 64-bit constant. */
function sleb64(n: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/**
 * rowZero(at, w) -> i32: 1 when the w floats at byte `at` are all zero (as distanceTransform.ts
 * rowIsZero: -0 is zero). A full block's row (w = 16) in eight 64-bit reads, no branch: OR of
 * the 64 bytes, sign bits masked off (a float is +0 or -0 exactly when its other 31 bits are 0);
 * a partial block's row float by float.
 */
function rowZeroBody(): number[] {
  const AT = 0, WW = 1, BB = 2;
  const I64_LOAD = 0x29, I64_AND = 0x83, I64_OR = 0x84, I64_EQZ = 0x50, I64_CONST = 0x42;
  const words: number[] = [];
  for (let o = 0; o < 64; o += 8) words.push(...get(AT), ...ld(I64_LOAD, 2, o), ...(o > 0 ? [I64_OR] : []));
  return [
    1, 1, T_I32, // one i32 local (b)
    ...get(WW), ...i32(16), 0x46 /* i32.eq */, IF, VOID,
    ...words, I64_CONST, ...sleb64(0x7fffffff7fffffffn), I64_AND, I64_EQZ, 0x0f /* return */,
    END,
    ...i32(0), ...set(BB),
    BLOCK, VOID, LOOP, VOID,
    ...get(BB), ...get(WW), I32_GE_S, BR_IF, 1,
    ...get(AT), ...get(BB), ...i32(2), I32_SHL, I32_ADD, ...ld(F32_LOAD, 2), 0x43, 0, 0, 0, 0, 0x5c /* f32.ne */, IF, VOID, ...i32(0), 0x0f /* return */, END,
    ...get(BB), ...i32(1), I32_ADD, ...set(BB), BR, 0,
    END, END,
    ...i32(1), END,
  ];
}

/**
 * plane(width, n, h, len4, planeAt, vAt, dirtyAt): the blocks of 16 lines of a plane (n rows of
 * `width` floats at byte planeAt), as distanceTransform.ts edtPassStrided and envelopeBlock take
 * them: the block's all-zero end rows trimmed to the innermost one on each side (a block of zero
 * rows only is left), its rows flagged (bit 0 all zero, bit 1 skipped: all zero between two
 * all-zero rows; then every line is collapsed), the lines' envelopes reset, and `run`.
 * Before `run`, every plane row `run` may write is marked 1 in the n bytes at dirtyAt (the
 * caller zeroes them): the block's rows q0..q1, except, when the block has a skipped row (then
 * every line is collapsed and the sweep leaves each all-zero row as it is), its all-zero rows.
 * A row left unmarked holds the values copied in, bit for bit: its copy back can be spared.
 */
function planeBody(): number[] {
  // params
  const WIDTH = 0, NN = 1, HH = 2, L4 = 3, PLANE = 4, VV = 5, DIRTY = 6;
  // i32 locals 7..16
  const I0 = 7, WB = 8, BASE = 9, RSB = 10, FIRST = 11, LASTR = 12, Q0R = 13, ROWS = 14, QQ = 15, SK = 16;
  const ROWZERO = 2, RUN = 0;
  const c: number[] = [1, 10, T_I32];
  const e = (...ops: (number | number[])[]): void => {
    for (const op of ops) if (typeof op === 'number') c.push(op); else c.push(...op);
  };
  const call = (f: number) => [0x10, f];
  const rowAt = (q: number[]) => [...get(BASE), ...q, ...get(RSB), I32_MUL, I32_ADD];
  e(get(WIDTH), i32(2), I32_SHL, set(RSB));
  e(i32(0), set(I0));
  e(BLOCK, VOID, LOOP, VOID); // $blocks
  e(get(I0), get(WIDTH), I32_GE_S, BR_IF, 1);
  e(BLOCK, VOID); // $blockDone
  // w = min(16, width - i0); base = planeAt + 4 i0
  e(get(WIDTH), get(I0), I32_SUB, tee(WB), i32(16), I32_GT_S, IF, VOID, i32(16), set(WB), END);
  e(get(PLANE), get(I0), i32(2), I32_SHL, I32_ADD, set(BASE));
  // first: the first row not all zero
  e(i32(0), set(FIRST));
  e(BLOCK, VOID, LOOP, VOID);
  e(get(FIRST), get(NN), I32_GE_S, BR_IF, 1);
  e(rowAt(get(FIRST)), get(WB), call(ROWZERO), I32_EQZ, BR_IF, 1);
  e(get(FIRST), i32(1), I32_ADD, set(FIRST), BR, 0);
  e(END, END);
  e(get(FIRST), get(NN), 0x46 /* i32.eq */, BR_IF, 0);
  // last: the last row not all zero (> first)
  e(get(NN), i32(1), I32_SUB, set(LASTR));
  e(BLOCK, VOID, LOOP, VOID);
  e(get(LASTR), get(FIRST), 0x4c /* i32.le_s */, BR_IF, 1);
  e(rowAt(get(LASTR)), get(WB), call(ROWZERO), I32_EQZ, BR_IF, 1);
  e(get(LASTR), i32(1), I32_SUB, set(LASTR), BR, 0);
  e(END, END);
  // q0 = first > 0 ? first - 1 : 0; rows = q1 - q0 + 1 with q1 = last < n - 1 ? last + 1 : n - 1
  e(get(FIRST), i32(0), I32_GT_S, IF, VOID, get(FIRST), i32(1), I32_SUB, set(Q0R), 0x05 /* else */, i32(0), set(Q0R), END);
  e(get(LASTR), get(NN), i32(1), I32_SUB, I32_LT_S, IF, VOID, get(LASTR), i32(1), I32_ADD, set(LASTR), END);
  e(get(LASTR), get(Q0R), I32_SUB, i32(1), I32_ADD, set(ROWS));
  // flags[q] = rowZero(row q0 + q)
  e(i32(0), set(QQ));
  e(BLOCK, VOID, LOOP, VOID);
  e(get(QQ), get(ROWS), I32_GE_S, BR_IF, 1);
  e(i32(128), get(QQ), I32_ADD, rowAt([...get(Q0R), ...get(QQ), I32_ADD]), get(WB), call(ROWZERO), ld(I32_STORE8, 0));
  e(get(QQ), i32(1), I32_ADD, set(QQ), BR, 0);
  e(END, END);
  // skipped rows: 0 < q < rows - 1, flags q - 1, q, q + 1 all zero rows
  e(i32(0), set(SK), i32(1), set(QQ));
  e(BLOCK, VOID, LOOP, VOID);
  e(get(QQ), get(ROWS), i32(1), I32_SUB, I32_GE_S, BR_IF, 1);
  e(i32(128), get(QQ), I32_ADD, i32(1), I32_SUB, ld(I32_LOAD8_U, 0), i32(128), get(QQ), I32_ADD, ld(I32_LOAD8_U, 0), I32_AND);
  e(i32(128), get(QQ), I32_ADD, i32(1), I32_ADD, ld(I32_LOAD8_U, 0), I32_AND, i32(1), I32_AND, IF, VOID);
  e(i32(128), get(QQ), I32_ADD, i32(3), ld(I32_STORE8, 0), i32(1), set(SK));
  e(END);
  e(get(QQ), i32(1), I32_ADD, set(QQ), BR, 0);
  e(END, END);
  // lines: top = -1, collapsed = skipped, sentinel boundary -Infinity
  e(i32(0), set(QQ));
  e(BLOCK, VOID, LOOP, VOID);
  e(get(QQ), get(WB), I32_GE_S, BR_IF, 1);
  e(get(QQ), i32(2), I32_SHL, i32(-1), ld(I32_STORE, 2));
  e(i32(64), get(QQ), I32_ADD, get(SK), ld(I32_STORE8, 0));
  e(get(VV), get(QQ), get(L4), I32_MUL, i32(3), I32_SHL, I32_ADD, f64(-Infinity), f64Store(24));
  e(get(QQ), i32(1), I32_ADD, set(QQ), BR, 0);
  e(END, END);
  // rows run may write: dirty[q0 + q] = 1 unless (the block has a skipped row and row q is all zero)
  e(i32(0), set(QQ));
  e(BLOCK, VOID, LOOP, VOID);
  e(get(QQ), get(ROWS), I32_GE_S, BR_IF, 1);
  e(i32(128), get(QQ), I32_ADD, ld(I32_LOAD8_U, 0), get(SK), I32_AND, I32_EQZ, IF, VOID);
  e(get(DIRTY), get(Q0R), I32_ADD, get(QQ), I32_ADD, i32(1), ld(I32_STORE8, 0));
  e(END);
  e(get(QQ), i32(1), I32_ADD, set(QQ), BR, 0);
  e(END, END);
  // run(rows, w, q0, h, len4, flagsAt, first row's byte, vAt, row stride)
  e(get(ROWS), get(WB), get(Q0R), get(HH), get(L4), i32(128), rowAt(get(Q0R)), get(VV), get(RSB), call(RUN));
  e(END); // $blockDone
  e(get(I0), i32(16), I32_ADD, set(I0), BR, 0);
  e(END, END); // $blocks
  e(END);
  return c;
}

/**
 * tube(mi, mj, k, nseg, radius, outAt, segAt, mAt): slice k of a tube's structure field, as
 * structureDistance.ts fillShapeField computes it (the same f64 operations in the same order):
 * the voxel centres of row j start at (m4 j + m8 k + m12, ...) and step by (m0, m1, m2) (the
 * matrix: 16 f64 at mAt, column-major); each segment is 7 f64 at segAt (a, b - a, 1 / |b - a|^2
 * or 0); out (mi x mj f32 at outAt) = max(0, sqrt(min over segments of the squared distance) - radius).
 */
function tubeBody(): number[] {
  // params
  const MI = 0, MJ = 1, KK = 2, NSEG = 3, RAD = 4, OUT = 5, SEG = 6, MAT = 7;
  // i32 locals 8..12
  const JJ = 8, II = 9, TT = 10, OO = 11, ENDO = 12;
  // f64 locals 13..
  const XX = 13, YY = 14, ZZ = 15, BEST = 16, PX = 17, PY = 18, PZ = 19, BX = 20, BY = 21, BZ = 22, UU = 23, EX = 24, EY = 25, EZ = 26, D2 = 27, DD = 28, KF = 29, JF = 30;
  const c: number[] = [2, 5, T_I32, 18, T_F64];
  const e = (...ops: (number | number[])[]): void => {
    for (const op of ops) if (typeof op === 'number') c.push(op); else c.push(...op);
  };
  const mAt = (idx: number) => [...get(MAT), ...f64At(8 * idx)];
  const sAt = (idx: number) => [...get(OO), ...f64At(8 * idx)];
  e(get(KK), F64_CONVERT_I32_S, set(KF));
  e(get(OUT), set(TT));
  e(get(SEG), get(NSEG), i32(56), I32_MUL, I32_ADD, set(ENDO));
  e(i32(0), set(JJ));
  e(BLOCK, VOID, LOOP, VOID); // $rows
  e(get(JJ), get(MJ), I32_GE_S, BR_IF, 1);
  e(get(JJ), F64_CONVERT_I32_S, set(JF));
  // x = m4 j + m8 k + m12 (and y, z with m5, m9, m13 / m6, m10, m14)
  e(mAt(4), get(JF), F64_MUL, mAt(8), get(KF), F64_MUL, F64_ADD, mAt(12), F64_ADD, set(XX));
  e(mAt(5), get(JF), F64_MUL, mAt(9), get(KF), F64_MUL, F64_ADD, mAt(13), F64_ADD, set(YY));
  e(mAt(6), get(JF), F64_MUL, mAt(10), get(KF), F64_MUL, F64_ADD, mAt(14), F64_ADD, set(ZZ));
  e(i32(0), set(II));
  e(BLOCK, VOID, LOOP, VOID); // $voxels
  e(get(II), get(MI), I32_GE_S, BR_IF, 1);
  e(f64(Infinity), set(BEST), get(SEG), set(OO));
  e(BLOCK, VOID, LOOP, VOID); // $segments
  e(get(OO), get(ENDO), I32_GE_S, BR_IF, 1);
  e(get(XX), sAt(0), F64_SUB, set(PX), get(YY), sAt(1), F64_SUB, set(PY), get(ZZ), sAt(2), F64_SUB, set(PZ));
  e(sAt(3), set(BX), sAt(4), set(BY), sAt(5), set(BZ));
  // u = (px bx + py by + pz bz) inv, clamped to [0, 1]
  e(get(PX), get(BX), F64_MUL, get(PY), get(BY), F64_MUL, F64_ADD, get(PZ), get(BZ), F64_MUL, F64_ADD, sAt(6), F64_MUL, set(UU));
  e(get(UU), f64(0), F64_LT, IF, VOID, f64(0), set(UU), 0x05 /* else */, get(UU), f64(1), 0x64 /* f64.gt */, IF, VOID, f64(1), set(UU), END, END);
  e(get(PX), get(UU), get(BX), F64_MUL, F64_SUB, set(EX));
  e(get(PY), get(UU), get(BY), F64_MUL, F64_SUB, set(EY));
  e(get(PZ), get(UU), get(BZ), F64_MUL, F64_SUB, set(EZ));
  e(get(EX), get(EX), F64_MUL, get(EY), get(EY), F64_MUL, F64_ADD, get(EZ), get(EZ), F64_MUL, F64_ADD, tee(D2));
  e(get(BEST), F64_LT, IF, VOID, get(D2), set(BEST), END);
  e(get(OO), i32(56), I32_ADD, set(OO), BR, 0);
  e(END, END); // $segments
  // d = sqrt(best) - radius; out = d > 0 ? d : 0
  e(get(BEST), 0x9f /* f64.sqrt */, get(RAD), F64_SUB, set(DD));
  e(get(TT), get(DD), f64(0), get(DD), f64(0), 0x64 /* f64.gt */, 0x1b /* select */, F32_DEMOTE, ld(F32_STORE, 2));
  e(get(TT), i32(4), I32_ADD, set(TT));
  e(get(XX), mAt(0), F64_ADD, set(XX), get(YY), mAt(1), F64_ADD, set(YY), get(ZZ), mAt(2), F64_ADD, set(ZZ));
  e(get(II), i32(1), I32_ADD, set(II), BR, 0);
  e(END, END); // $voxels
  e(get(JJ), i32(1), I32_ADD, set(JJ), BR, 0);
  e(END, END); // $rows
  e(END);
  return c;
}

/** The module's bytes: functions `run`, `plane` and `tube` and the memory `mem`, exported. */
export function edtWasmBytes(): Uint8Array {
  const type = [
    4,
    0x60, 9, T_I32, T_I32, T_I32, T_F64, T_I32, T_I32, T_I32, T_I32, T_I32, 0, // run
    0x60, 7, T_I32, T_I32, T_F64, T_I32, T_I32, T_I32, T_I32, 0, // plane
    0x60, 2, T_I32, T_I32, 1, T_I32, // rowZero
    0x60, 8, T_I32, T_I32, T_I32, T_I32, T_F64, T_I32, T_I32, T_I32, 0, // tube
  ];
  const func = [4, 0, 1, 2, 3];
  const memory = [1, 0, 1]; // min 1 page, no max
  const name = (s: string) => [s.length, ...[...s].map((ch) => ch.charCodeAt(0))];
  const exports = [4, ...name('run'), 0, 0, ...name('plane'), 0, 1, ...name('tube'), 0, 3, ...name('mem'), 2, 0];
  const runFn = [2, I32_LOCALS.length, T_I32, F64_LOCALS.length, T_F64, ...body()];
  const planeFn = planeBody();
  const rowZeroFn = rowZeroBody();
  const tubeFn = tubeBody();
  const codeSec = [4, ...uleb(runFn.length), ...runFn, ...uleb(planeFn.length), ...planeFn, ...uleb(rowZeroFn.length), ...rowZeroFn, ...uleb(tubeFn.length), ...tubeFn];
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
  plane: (width: number, n: number, h: number, len4: number, planeAt: number, vAt: number, dirtyAt: number) => void;
  tube: (mi: number, mj: number, k: number, nseg: number, radius: number, outAt: number, segAt: number, mAt: number) => void;
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
    const exports = new api.Instance(module, {}).exports as { run: EdtWasm['run']; plane: EdtWasm['plane']; tube: EdtWasm['tube']; mem: WasmMemory };
    instance = { run: exports.run, plane: exports.plane, tube: exports.tube, memory: exports.mem, ...views(exports.mem) };
  } catch {
    instance = null;
  }
  return instance;
}

/** Grows the module's memory to at least `bytes` (and renews the views); false when it cannot grow. */
function ensureBytes(m: EdtWasm, bytes: number): boolean {
  if (bytes <= m.memory.buffer.byteLength) return true;
  try {
    m.memory.grow(Math.ceil((bytes - m.memory.buffer.byteLength) / 65536));
  } catch {
    return false;
  }
  Object.assign(m, views(m.memory));
  return true;
}

/** FLAGS's byte offset (TOP at 0, COLL at 64: see the layout above; written by `plane`). */
const FLAGS_AT = 128;

/**
 * distanceTransform.ts `edtPassStrided` through the module: for each of the `outerCount` planes
 * (lines `origin + i`, i < width, samples `stride` apart, n samples), the plane's n rows of `width`
 * floats are copied into the module's memory (one copy when the rows are contiguous), its blocks
 * of 16 lines trimmed, flagged and transformed there by `plane` (which calls `run`: build + sweep),
 * and the plane copied back (the rows the transform did not change hold their own values). False (nothing done) when the memory cannot grow.
 */
export function edtPassStridedWasm(m: EdtWasm, sq: Float32Array, start: number, outerStep: number, outerCount: number, width: number, n: number, stride: number, h: number): boolean {
  const len4 = 4 * (n + 1);
  const dirtyAt = FLAGS_AT + ((n + 63) & ~63);
  const vAt = dirtyAt + ((n + 63) & ~63);
  const planeAt = vAt + 16 * len4 * 8;
  const bytes = planeAt + 4 * n * width;
  // No memory for the plane: the caller runs the pass in JavaScript.
  if (!ensureBytes(m, bytes)) return false;
  const f32 = m.f32, u8 = m.u8;
  const plane = planeAt >> 2;
  const contiguous = stride === width;
  for (let o = 0; o < outerCount; o++) {
    const origin = start + outerStep * o;
    if (contiguous) f32.set(sq.subarray(origin, origin + n * width), plane);
    else for (let q = 0; q < n; q++) f32.set(sq.subarray(origin + stride * q, origin + stride * q + width), plane + width * q);
    u8.fill(0, dirtyAt, dirtyAt + n);
    m.plane(width, n, h, len4, planeAt, vAt, dirtyAt);
    planesDone++;
    // Only the rows `plane` marked as possibly written go back (the others hold what was copied
    // in): a row of a depth transform's background is neither copied nor, in a fresh grid, paged in.
    if (contiguous) {
      // Consecutive marked rows in one copy.
      for (let q = 0; q < n; q++) {
        if (u8[dirtyAt + q] === 0) continue;
        let q1 = q + 1;
        while (q1 < n && u8[dirtyAt + q1] !== 0) q1++;
        sq.set(f32.subarray(plane + width * q, plane + width * q1), origin + width * q);
        q = q1;
      }
    } else {
      for (let q = 0; q < n; q++) if (u8[dirtyAt + q] !== 0) sq.set(f32.subarray(plane + width * q, plane + width * q + width), origin + stride * q);
    }
  }
  return true;
}

/**
 * structureDistance.ts fillShapeField of a tube through the module (`tube`, slice by slice into
 * the module's memory, each slice copied out): the same bits. `seg`: 7 f64 per segment as
 * fillShapeField lays them out. False (nothing written) when the memory cannot grow.
 */
export function fillTubeFieldWasm(m: EdtWasm, out: Float32Array, dims: readonly [number, number, number], ijkToLps: Float64Array, seg: Float64Array, radiusMm: number): boolean {
  const [mi, mj, mk] = dims;
  const mAt = 0, segAt = 128, outAt = segAt + ((seg.length * 8 + 63) & ~63);
  const bytes = outAt + 4 * mi * mj;
  if (!ensureBytes(m, bytes)) return false;
  m.f64.set(ijkToLps.subarray(0, 16), mAt >> 3);
  m.f64.set(seg, segAt >> 3);
  const slice = mi * mj, o = outAt >> 2;
  for (let k = 0; k < mk; k++) {
    m.tube(mi, mj, k, seg.length / 7, radiusMm, outAt, segAt, mAt);
    out.set(m.f32.subarray(o, o + slice), slice * k);
  }
  return true;
}
