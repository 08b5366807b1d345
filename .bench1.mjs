import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
function time(name, f, reps=2){ f().dispose?.(); const t=performance.now(); for(let i=0;i<reps;i++){ const r=f(); r.dataSync(); r.dispose(); } console.log(name, ((performance.now()-t)/reps).toFixed(1),'ms'); }
// im2col: x padded NHWC, fh,fw, stride s -> [fh*fw*C, outC]
function im2colGrad(x, dy, fh, fw, s, pad) {
  return tf.tidy(()=>{
  const [N,oh,ow,oc]=dy.shape; const C=x.shape[3];
  const xp = tf.pad(x, [[0,0],[pad[0],pad[1]],[pad[2],pad[3]],[0,0]]);
  const cols=[];
  for(let kh=0;kh<fh;kh++) for(let kw=0;kw<fw;kw++) cols.push(tf.stridedSlice(xp,[0,kh,kw,0],[N,kh+(oh-1)*s+1,kw+(ow-1)*s+1,C],[1,s,s,1]));
  const p = cols.length===1?cols[0]:tf.concat(cols,3);
  return tf.matMul(p.reshape([-1, fh*fw*C]), dy.reshape([-1,oc]), true, false).reshape([fh,fw,C,oc]);
  });
}
function convTrick(x, dy, fh, fw, s, pad) {
  return tf.tidy(()=>{
  const xp = tf.pad(x, [[0,0],[pad[0],pad[1]],[pad[2],pad[3]],[0,0]]);
  const xT = xp.transpose([3,1,2,0]); const dyT = dy.transpose([1,2,0,3]);
  const r = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', s); // [C, H', W', oc]
  return r.slice([0,0,0,0],[-1,fh,fw,-1]).transpose([1,2,0,3]);
  });
}
const cases = [
  ['1x1 56x56 24->144', [8,56,56,24], [8,56,56,144], 1,1,1,[0,0,0,0]],
  ['1x1 14x14 384->64', [8,14,14,384], [8,14,14,64], 1,1,1,[0,0,0,0]],
  ['3x3s2 stem 224 3->32', [8,224,224,3], [8,112,112,32], 3,3,2,[0,1,0,1]],
  ['3x3s1 56 64->64', [8,56,56,64], [8,56,56,64], 3,3,1,[1,1,1,1]],
];
for (const [name, xs, ds, fh, fw, s, pad] of cases) {
  const x=tf.randomNormal(xs), dy=tf.randomNormal(ds);
  const a=im2colGrad(x,dy,fh,fw,s,pad), b=convTrick(x,dy,fh,fw,s,pad);
  console.log(name, 'maxdiff', tf.max(tf.abs(tf.sub(a,b))).dataSync()[0], 'scale', tf.max(tf.abs(a)).dataSync()[0]);
  time(' im2col', ()=>im2colGrad(x,dy,fh,fw,s,pad));
  time(' convTrick', ()=>convTrick(x,dy,fh,fw,s,pad));
  const w = tf.randomNormal([fh,fw,xs[3],ds[3]]);
  time(' fwd conv', ()=>tf.conv2d(x,w,s, fh===1?'valid':'same'));
  time(' bpInput(wasm naive)', ()=>tf.conv2dTranspose(dy,w,xs,s,fh===1?'valid':'same'));
}
