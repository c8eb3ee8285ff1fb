import { loadScenarioFile } from './src/scenario/index.ts';
import { loadClientFactory } from './src/run/client-loader.ts';
import { runScenario } from './src/run/run.ts';
import { FaultyServer } from './src/faults/faulty-server.ts';
const [file, seedText, id] = process.argv.slice(2) as [string, string, string];
const l: any = loadScenarioFile(file);
const sc = l.scenario;
const orig = FaultyServer.prototype.handle;
let now = () => 0;
FaultyServer.prototype.handle = async function (req: Request) {
  const body = req.method === 'POST' ? await req.clone().text() : '';
  const res = await orig.call(this, req);
  if (body.includes(id)) {
    const txt = await res.clone().text();
    const ch = JSON.parse(body).changes.filter((c: any) => c.id === id);
    const i = txt.indexOf(ch[0]?.changeId);
    console.log(now(), 'PUSH', JSON.parse(body).deviceId, ch.map((c: any) => c.changeType + ' base' + c.baseVersion).join(','), res.status, i >= 0 ? txt.slice(i + 40, i + 120) : txt.slice(0, 100));
  }
  return res;
};
const r = await runScenario(sc, { seed: Number(seedText), factory: await loadClientFactory(sc.system, '.') });
for (const e of r.history.events) {
  const s = JSON.stringify(e);
  if (s.includes(id) || (e.type === 'fault' && (e as any).spec.targets?.includes?.('d3'))) console.log(s.slice(0, 260));
}
