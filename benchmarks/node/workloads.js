// The side-by-side workloads, Node.js edition, where the shape is natural in Node:
// a macrotask yield (setImmediate) stands for sleep(0), promise resolvers for Event,
// setTimeout for sleeping tasks. Usage: node workloads.js [--only a,b] [--rounds R] [--scale F]
// Prints "<name> <value> <unit>" per workload (median of R rounds after a warm-up).
'use strict';

const yieldOnce = () => new Promise((r) => setImmediate(r));
const now = () => Number(process.hrtime.bigint());

async function sleep0(n) {
  const t0 = now();
  for (let i = 0; i < n; i++) await yieldOnce();
  return (now() - t0) / n;
}

function event() {
  let resolve, promise, set = false;
  const reset = () => { promise = new Promise((r) => { resolve = r; }); set = false; };
  reset();
  return { set() { if (!set) { set = true; resolve(); } }, wait() { return set ? Promise.resolve() : promise; }, clear() { if (set) reset(); } };
}

async function pingpong(n) {
  const ping = event(), pong = event();
  const t0 = now();
  await Promise.all([
    (async () => { for (let i = 0; i < n; i++) { ping.set(); await pong.wait(); pong.clear(); } })(),
    (async () => { for (let i = 0; i < n; i++) { await ping.wait(); ping.clear(); pong.set(); } })(),
  ]);
  return (now() - t0) / (2 * n);
}

async function spawnGather(n) {
  const body = async (i) => { await null; return i; };   // a task that starts later, as create_task
  const t0 = now();
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(body(i));
  await Promise.all(tasks);
  return (now() - t0) / n;
}

async function timers(n) {
  let seed = 42;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  let overshoot = 0;
  const t0 = now();
  const tasks = [];
  for (let i = 0; i < n; i++) {
    const d = rnd() * 50;
    tasks.push((async () => {
      const s = performance.now();
      await new Promise((r) => setTimeout(r, d));
      overshoot += performance.now() - s - d;
    })());
  }
  await Promise.all(tasks);
  return [(now() - t0) / 1e6, overshoot / n];
}

async function callsoon(n) {
  let count = 0, done;
  const finished = new Promise((r) => { done = r; });
  const cb = () => { if (++count === n) done(); };
  const t0 = now();
  for (let i = 0; i < n; i++) setImmediate(cb);
  await finished;
  return (now() - t0) / n;
}

async function memory(n) {
  const ev = event();
  global.gc && global.gc();
  await yieldOnce();
  const r0 = process.memoryUsage().rss;
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push((async () => { await ev.wait(); })());
  await yieldOnce();
  global.gc && global.gc();
  const r1 = process.memoryUsage().rss;
  ev.set();
  await Promise.all(tasks);
  return (r1 - r0) / n;
}

const WORKLOADS = {
  sleep0: [sleep0, 1000000, 'ns/switch'],
  pingpong: [pingpong, 500000, 'ns/handoff'],
  spawn_gather: [spawnGather, 100000, 'ns/task'],
  timers: [timers, 100000, 'ms wall'],
  callsoon: [callsoon, 1000000, 'ns/callback'],
  memory: [memory, 100000, 'B/task RSS'],
};

async function main() {
  const args = process.argv.slice(2);
  const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
  const only = opt('--only', '').split(',').filter((x) => x);
  const rounds = parseInt(opt('--rounds', '5'), 10);
  const scale = parseFloat(opt('--scale', '1'));
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, [fn, size, unit]] of Object.entries(WORKLOADS)) {
    if (only.length && !only.includes(name)) continue;
    const n = Math.max(1, Math.floor(size * scale));
    if (name !== 'memory') await fn(Math.max(1, Math.floor(n / 4)));
    const values = [];
    for (let r = 0; r < (name === 'memory' ? 1 : rounds); r++) values.push(await fn(n));
    if (name === 'timers') {
      console.log(`${name} ${median(values.map((v) => v[0])).toFixed(1)} ${unit} overshoot_ms=${median(values.map((v) => v[1])).toFixed(2)}`);
    } else {
      console.log(`${name} ${median(values).toFixed(1)} ${unit}`);
    }
  }
}

main();
