import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { DataError } from '../../src/core/errors.js';
import { FACE_API_EXPRESSIONS, FaceApiExtractor, decodeImageFile } from '../../src/perception/features/face_api.js';

const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
let fx: FaceApiExtractor;

beforeAll(async () => {
  await initBackend('wasm');
  fx = await FaceApiExtractor.load({ maxSide: 640 });
});

function flipHorizontal(data: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = data[(y * w + (w - 1 - x)) * 3 + c];
  return out;
}

describe('FaceApiExtractor (bundled face-api models, no network)', () => {
  it('finds faces with 7 expression probabilities and a 128-d embedding in every sample photo', async () => {
    for (let i = 1; i <= 6; i++) {
      const img = await decodeImageFile(join(demo, `sample${i}.jpg`));
      const faces = await fx.analyzeAll(img.data, img.width, img.height, 3);
      expect(faces.length, `sample${i}.jpg`).toBeGreaterThanOrEqual(1);
      for (const f of faces) {
        expect(f.present).toBe(true);
        expect(f.expressions.length).toBe(FACE_API_EXPRESSIONS.length);
        expect(f.expressions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
        expect(f.embedding!.length).toBe(128);
        const [x, y, w, h] = f.box!;
        expect(x >= -1 && y >= -1 && x + w <= img.width + 1 && y + h <= img.height + 1).toBe(true);
      }
      if (i === 1) {
        // Looked at by eye: three women, the one on the right laughing with an open mouth.
        expect(faces.length).toBe(3);
        const rightmost = faces.reduce((a, b) => (b.box![0] > a.box![0] ? b : a));
        expect(FACE_API_EXPRESSIONS[rightmost.expressions.indexOf(Math.max(...rightmost.expressions))]).toBe('happy');
      }
    }
  });

  it('a mirrored photo gives the mirrored box and a matching embedding; a blank frame has no face', async () => {
    const img = await decodeImageFile(join(demo, 'sample1.jpg'));
    const a = await fx.analyze(img.data, img.width, img.height, 3);
    const b = await fx.analyze(flipHorizontal(img.data, img.width, img.height), img.width, img.height, 3);
    expect(b.present).toBe(true);
    const centreA = a.box![0] + a.box![2] / 2;
    const centreB = b.box![0] + b.box![2] / 2;
    expect(Math.abs(img.width - centreA - centreB)).toBeLessThan(0.05 * img.width);
    let d = 0;
    for (let k = 0; k < 128; k++) d += (a.embedding![k] - b.embedding![k]) ** 2;
    // face-api's documented same-person threshold is a Euclidean distance of 0.6.
    expect(Math.sqrt(d)).toBeLessThan(0.6);
    const before = tf.memory().numTensors;
    const blank = await fx.analyze(new Uint8Array(64 * 64).fill(128), 64, 64, 1);
    expect(blank.present).toBe(false);
    expect(blank.embedding).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    await expect(fx.analyze(new Uint8Array(10), 4, 4, 1)).rejects.toThrow(DataError);
  });
});
