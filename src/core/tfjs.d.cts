// Types of tfjs.cjs: the @tensorflow/tfjs namespace (values and types).
import tf = require('@tensorflow/tfjs');
export = tf;
