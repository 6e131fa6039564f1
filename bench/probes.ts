/**
 * Latency of GET /metrics (and its size), /healthz and /readyz on the embedded database, sequential
 * over one HTTPS keep-alive connection, after 50 token requests: `node --import tsx bench/probes.ts`.
 */
import { startSignet } from '../test/support/harness.ts';
import { createM2MApp, signedForm } from '../test/support/fixtures.ts';
const h = await startSignet();
const t = await h.createTenant();
const app = await createM2MApp(t);
for (let i = 0; i < 50; i++) await h.token(t, signedForm(t, app));
const url = new URL('metrics', h.defaultTenant.issuer);
let size = 0;
const times: number[] = [];
for (let i = 0; i < 200; i++) {
  const s = performance.now();
  const r = await h.fetch(url);
  size = (await r.text()).length;
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
const health = new URL('healthz', h.defaultTenant.issuer);
const ht: number[] = [];
for (let i = 0; i < 500; i++) { const s = performance.now(); await (await h.fetch(health)).text(); ht.push(performance.now() - s); }
ht.sort((a, b) => a - b);
const ready = new URL('readyz', h.defaultTenant.issuer);
const rt: number[] = [];
for (let i = 0; i < 500; i++) { const s = performance.now(); await (await h.fetch(ready)).text(); rt.push(performance.now() - s); }
rt.sort((a, b) => a - b);
console.log(`/metrics: ${size} bytes, median ${times[100]!.toFixed(2)} ms, p99 ${times[197]!.toFixed(2)} ms (200 scrapes)`);
console.log(`/healthz: median ${ht[250]!.toFixed(2)} ms, p99 ${ht[495]!.toFixed(2)} ms; /readyz (SQLite): median ${rt[250]!.toFixed(2)} ms, p99 ${rt[495]!.toFixed(2)} ms (500 each, sequential, HTTPS keep-alive)`);
await h.close();
