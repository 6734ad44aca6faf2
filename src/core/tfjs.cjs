'use strict';
/*
 * TensorFlow.js and its wasm backend, loaded with `require`. The tfjs packages
 * are CommonJS bundles: an ES `import` of one makes Node scan it and every
 * bundle it re-exports (tfjs-core, -layers, -converter, -data: several MB)
 * with cjs-module-lexer to list named exports, ~0.6 s CPU in every process
 * (each `local` launcher child, every `affectlab` command). `require` skips
 * the scan and returns the same instance an `import` would, so all of
 * affectlab shares one tfjs. Typed by tfjs.d.cts; copied to dist/ by
 * scripts/copy_cjs.mjs (tsc emits no .cjs sources).
 */
const tf = require('@tensorflow/tfjs');
// The wasm backend registers itself with tfjs-core on load.
require('@tensorflow/tfjs-backend-wasm');
// Not `module.exports = require(...)`: Node would follow that re-export and scan tfjs after all.
module.exports = tf;
