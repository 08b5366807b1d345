import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
function time(name, f, reps=2){ f().dispose?.(); const t=performance.now(); for(let i=0;i<reps;i++){ const r=f(); r.dataSync(); r.dispose(); } console.log(name, ((performance.now()-t)/reps).toFixed(1),'ms'); }
function perTap(x, dy, fh, fw, s, pad, M) {
  return tf.tidy(()=>{
  const [N,oh,ow,CM]=dy.shape; const C=x.shape[3];
  const xp = tf.pad(x, [[0,0],[pad[0],pad[1]],[pad[2],pad[3]],[0,0]]);
  const dyr = dy.reshape([N,oh,ow,C,M]);
  const taps=[];
  for(let kh=0;kh<fh;kh++) for(let kw=0;kw<fw;kw++) {
    const p = tf.stridedSlice(xp,[0,kh,kw,0],[N,kh+(oh-1)*s+1,kw+(ow-1)*s+1,C],[1,s,s,1]);
    taps.push(tf.sum(tf.mul(p.reshape([N,oh,ow,C,1]), dyr), [0,1,2]));
  }
  return tf.stack(taps).reshape([fh,fw,C,M]);
  });
}
function dwTrick(x, dy, fh, fw, s, pad, M) {
  return tf.tidy(()=>{
  const [N,oh,ow,CM]=dy.shape; const C=x.shape[3];
  const xp = tf.pad(x, [[0,0],[pad[0],pad[1]],[pad[2],pad[3]],[0,0]]);
  const Hp=(oh-1)*s+fh, Wp=(ow-1)*s+fw;
  const xs = xp.slice([0,0,0,0],[N,Hp,Wp,C]).transpose([1,2,0,3]).reshape([1,Hp,Wp,N*C]);
  const f = dy.transpose([1,2,0,3]).reshape([oh,ow,N*C,M]);
  const r = tf.depthwiseConv2d(xs, f, 1, 'valid', 'NHWC', s); // [1,fh,fw,N*C*M]
  return r.reshape([fh,fw,N,C,M]).sum(2);
  });
}
function bpInput(dy, w, xshape, s, pad) { // M general
  return tf.tidy(()=>{
  const [N,oh,ow,CM]=dy.shape; const [fh,fw,C,M]=w.shape; const [_,H,W]=xshape;
  let d = dy;
  if (s>1) { d = dy.reshape([N,oh,1,ow,1,CM]).pad([[0,0],[0,0],[0,s-1],[0,0],[0,s-1],[0,0]]).reshape([N,oh*s,ow*s,CM]); }
  // full conv: pad top fh-1-pt
  const dh = (oh-1)*s+1, dw_=(ow-1)*s+1;
  const top=fh-1-pad[0], left=fw-1-pad[2];
  const bottom = H + fh - 1 - top - dh, right = W + fw - 1 - left - dw_;
  d = d.slice([0,0,0,0],[N,dh,dw_,CM]).pad([[0,0],[top,bottom],[left,right],[0,0]]);
  const wf = tf.reverse(w,[0,1]).reshape([fh,fw,C*M,1]);
  let r = tf.depthwiseConv2d(d, wf, 1, 'valid');
  if (M>1) r = r.reshape([N,H,W,C,M]).sum(4);
  return r;
  });
}
const cases = [
  ['dw3x3s1 112 32', [8,112,112,32], 3,3,1,[1,1,1,1],1],
  ['dw3x3s2 112 96', [8,112,112,96], 3,3,2,[0,1,0,1],1],
  ['dw3x3s1 14 384', [8,14,14,384], 3,3,1,[1,1,1,1],1],
  ['dw3x3s1 14 64 M2', [8,14,14,64], 3,3,1,[1,1,1,1],2],
];
for (const [name, xs, fh, fw, s, pad, M] of cases) {
  const oh = Math.ceil(xs[1]/s);
  const ds=[xs[0],oh,oh,xs[3]*M];
  const x=tf.randomNormal(xs), dy=tf.randomNormal(ds);
  const w = tf.randomNormal([fh,fw,xs[3],M]);
  const a=perTap(x,dy,fh,fw,s,pad,M), b=dwTrick(x,dy,fh,fw,s,pad,M);
  console.log(name, 'maxdiff', tf.max(tf.abs(tf.sub(a,b))).dataSync()[0], 'scale', tf.max(tf.abs(a)).dataSync()[0]);
  time(' perTap', ()=>perTap(x,dy,fh,fw,s,pad,M));
  time(' dwTrick', ()=>dwTrick(x,dy,fh,fw,s,pad,M));
  time(' fwd dw', ()=>tf.depthwiseConv2d(x,w,s,'same'));
  const bi = bpInput(dy,w,xs,s,pad);
  await tf.setBackend('cpu');
  const t=performance.now();
  const ref = tf.tidy(()=>tf.grads((xx,ww)=>tf.sum(tf.mul(tf.depthwiseConv2d(xx,ww,s,'same'), tf.tensor(dy.dataSync(), dy.shape))))([tf.tensor(x.dataSync(),x.shape), tf.tensor(w.dataSync(), w.shape)]));
  const refI = ref[0].dataSync(), refW = ref[1].dataSync();
  console.log(' cpu grads', (performance.now()-t).toFixed(0),'ms');
  await tf.setBackend('wasm');
  const e1 = Math.max(...tf.abs(tf.sub(bi, tf.tensor(refI, xs))).max().dataSync()), e2 = tf.abs(tf.sub(a, tf.tensor(refW,w.shape))).max().dataSync()[0];
  console.log(' err vs cpu: input', e1, 'filter', e2);
  time(' bpInput', ()=>bpInput(dy,w,xs,s,pad));
}
