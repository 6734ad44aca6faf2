// Types of tfjs_cpu.cjs.
import cpu = require('@tensorflow/tfjs-backend-cpu');
export = cpu;
