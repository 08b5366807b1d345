// SPDX-License-Identifier: MIT
// The engine's quiet start, on import: libtensorflow's C++ start-up logs off, and TF.js in
// production mode, so its cpu backend does not print the "Hi, looks like you are running
// TensorFlow.js in Node.js" banner on first use (`doctor` reports the backends instead) and its
// debug checks stay off. Every JavaScript realm has its own TF.js: the entries' useProductionTf()
// never reaches a worker thread (the training worker on the cpu backend printed the banner) nor a
// test that builds models without an entry. So the modules that are the engine's ways into TF.js
// (the backend ladder, the zoo's builders and custom layers) import this first.
import * as tf from '@tensorflow/tfjs';
import { quietNativeLogs } from './native';

quietNativeLogs();
tf.env().set('PROD', true);
