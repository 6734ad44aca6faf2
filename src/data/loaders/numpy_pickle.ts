import { NameRegistry, Parser } from 'pickleparser';

/**
 * Materialises numpy arrays inside Python pickles on top of pickleparser:
 * pickleparser handles the pickle VM (protocols 0–5); numpy arrays arrive as
 * calls to `numpy.core.multiarray._reconstruct` plus a BUILD state
 * `(version, shape, dtype, is_fortran, raw)`, where `raw` is a byte string
 * (Python 2 pickles, decoded by pickleparser as latin1), a `_codecs.encode`
 * call (Python 3, protocol 2) or bytes (protocol 3+). We register those names
 * and decode the raw bytes by dtype.
 */
export interface NdArray {
  shape: number[];
  /** numpy dtype string, e.g. '<f8'. */
  dtype: string;
  data: Float64Array | Float32Array | Int32Array | Int16Array | Uint8Array | BigInt64Array;
}

class Dtype {
  byteorder = '=';
  constructor(readonly code: string) {}
  __setstate__(state: unknown[]): void {
    if (Array.isArray(state) && typeof state[1] === 'string') this.byteorder = state[1];
  }
}

/**
 * An array whose bytes are decoded on first access to `data`: a DEAP subject
 * file is ~100 MB of samples next to a 1 kB label matrix, and reading the
 * labels of every subject at start-up should not decode all the samples.
 * Shape, dtype and byte length are checked immediately.
 */
class LazyNdArray implements NdArray {
  readonly shape: number[];
  readonly dtype: string;
  private decoded: NdArray['data'] | undefined;
  constructor(
    shape: number[],
    private readonly dt: Dtype,
    private raw: unknown,
    private readonly fortran: boolean,
  ) {
    this.shape = [...shape];
    const { code, big, width } = dtypeInfo(dt);
    this.dtype = `${big ? '>' : '<'}${code}`;
    const n = shape.reduce((a, b) => a * b, 1);
    const len = typeof raw === 'string' || raw instanceof Uint8Array ? raw.length : -1;
    if (len !== n * width) throw new Error(`numpy array of shape [${shape.join(', ')}] and dtype ${code} needs ${n * width} bytes, found ${len}`);
    if (fortran && shape.length > 1) throw new Error('numpy array stored in Fortran order is not supported');
  }
  get data(): NdArray['data'] {
    if (!this.decoded) {
      this.decoded = decodeArray(this.shape, this.dt, this.raw, this.fortran).data;
      this.raw = undefined;
    }
    return this.decoded;
  }
}

class Reconstructed {
  array: NdArray | undefined;
  __setstate__(state: unknown[]): void {
    const [, shape, dtype, fortran, raw] = state as [number, number[], Dtype, boolean, unknown];
    this.array = new LazyNdArray(shape, dtype, raw, fortran);
  }
}

const SIZES: Record<string, number> = { f8: 8, f4: 4, i4: 4, i2: 2, u1: 1, i8: 8 };

function dtypeInfo(dt: Dtype): { code: string; big: boolean; width: number } {
  const code = dt.code.replace(/^[<>=|]/, '');
  const width = SIZES[code];
  if (width === undefined) throw new Error(`numpy dtype ${dt.code} is not supported (expected one of f8, f4, i8, i4, i2, u1)`);
  return { code, big: dt.byteorder === '>' || dt.code.startsWith('>'), width };
}

function toBytes(raw: unknown): Uint8Array {
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw === 'string') {
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i) & 0xff;
    return out;
  }
  throw new Error(`numpy array data: expected bytes, got ${typeof raw}`);
}

function decodeArray(shape: number[], dt: Dtype, raw: unknown, fortran: boolean): NdArray {
  if (fortran && shape.length > 1) throw new Error('numpy array stored in Fortran order is not supported');
  const bytes = toBytes(raw);
  const n = shape.reduce((a, b) => a * b, 1);
  const { code, big, width: w } = dtypeInfo(dt);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length !== n * w) throw new Error(`numpy array of shape [${shape.join(', ')}] and dtype ${code} needs ${n * w} bytes, found ${bytes.length}`);
  let data: NdArray['data'];
  if (code === 'f8') {
    data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = dv.getFloat64(i * 8, !big);
  } else if (code === 'f4') {
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = dv.getFloat32(i * 4, !big);
  } else if (code === 'i4') {
    data = new Int32Array(n);
    for (let i = 0; i < n; i++) data[i] = dv.getInt32(i * 4, !big);
  } else if (code === 'i2') {
    data = new Int16Array(n);
    for (let i = 0; i < n; i++) data[i] = dv.getInt16(i * 2, !big);
  } else if (code === 'i8') {
    data = new BigInt64Array(n);
    for (let i = 0; i < n; i++) data[i] = dv.getBigInt64(i * 8, !big);
  } else data = new Uint8Array(bytes);
  return { shape: [...shape], dtype: `${big ? '>' : '<'}${code}`, data };
}

function registry(): NameRegistry {
  const r = new NameRegistry();
  const reconstruct = () => new Reconstructed();
  const frombuffer = (buf: unknown, dt: Dtype, shape: number[], order: string) => ({ array: decodeArray(shape, dt, buf, order === 'F') });
  for (const mod of ['numpy.core.multiarray', 'numpy._core.multiarray']) r.register(mod, '_reconstruct', reconstruct);
  for (const mod of ['numpy.core.numeric', 'numpy._core.numeric']) r.register(mod, '_frombuffer', frombuffer);
  r.register('numpy', 'dtype', (code: string) => new Dtype(code));
  r.register('numpy', 'ndarray', function ndarray() {});
  r.register('_codecs', 'encode', (s: string) => toBytes(s));
  return r;
}

/** Parses a pickle; numpy arrays become `NdArray`, dicts plain objects, tuples/lists arrays. */
export function unpickle(bytes: Uint8Array): unknown {
  const parser = new Parser({ nameResolver: registry(), unpicklingTypeOfDictionary: 'object' });
  return unwrap(parser.parse(bytes));
}

function unwrap(v: unknown): unknown {
  if (v instanceof Reconstructed) return v.array;
  if (v instanceof LazyNdArray) return v;
  if (v && typeof v === 'object' && 'array' in v && Object.keys(v).length === 1) return (v as { array: NdArray }).array;
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === 'object' && v.constructor === Object) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  return v;
}

export function isNdArray(v: unknown): v is NdArray {
  return !!v && typeof v === 'object' && 'shape' in v && 'data' in v && 'dtype' in v;
}
