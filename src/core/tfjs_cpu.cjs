'use strict';
// The cpu backend package, loaded with `require` for the reason given in tfjs.cjs.
const cpu = require('@tensorflow/tfjs-backend-cpu');
module.exports = cpu;
