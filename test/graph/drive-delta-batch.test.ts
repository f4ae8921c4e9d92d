// Councillors' OneDrives are read through delta with each drive's first page in $batch: 25 drives cost
// two batch requests a night, a drive with more than one page follows its links, a change on one drive
// comes back alone, and a 410 (resync required) rebuilds the index from a full read.
import { buildScenario, startSimulator } from '../../simulator';
import { readEnvironment } from '../../config/env';
import { createGraphContext } from '../../graph';
import { syncDriveIndexes, syncDriveIndex, type DriveIndex } from '../../graph/readers/files';

it('reads 25 drives in two $batch requests, pages a large drive, returns only changes, and resyncs on 410', async () => {
  const people = Array.from({ length: 25 }, (_, i) => ({
    userPrincipalName: `cllr.${i}@testparish.gov.uk`,
    drive: { files: Array.from({ length: i === 0 ? 450 : 3 }, (_, j) => ({ path: `/Council/file ${j}.docx` })) },
  }));
  const sim = await startSimulator({ scenarios: [buildScenario({ name: 'delta-batch', people })] });
  try {
    const graph = createGraphContext(readEnvironment(sim.env()));
    const drives = [...sim.tenant().drives.values()].filter((d) => d.ownerUserId).map((d) => ({ driveId: d.id }));
    expect(drives).toHaveLength(25);
    const files = (index: DriveIndex) => Object.values(index.items).filter((i) => !i.folder).length;

    sim.stats.reset();
    const night1 = await syncDriveIndexes(graph, drives);
    const batches = sim.stats.requests;
    expect(batches).toBe(2 + 2); // two $batch requests, then the big drive's two further pages (200 a page)
    expect(drives.map((d) => files(night1.get(d.driveId)!)).sort((a, b) => b - a).slice(0, 2)).toEqual([450, 3]);
    // The same as reading each drive on its own.
    expect(night1.get(drives[5].driveId)!.items).toEqual((await syncDriveIndex(graph, drives[5].driveId, undefined)).items);

    // One file changes on one drive overnight.
    const changed = [...sim.tenant().drives.values()].find((d) => d.id === drives[7].driveId)!;
    const item = [...changed.items.values()].find((i) => i.name === 'file 1.docx')!;
    item.name = 'file 1 (renamed).docx';
    item.seq = sim.tenant().seq++;
    sim.stats.reset();
    const night2 = await syncDriveIndexes(graph, drives.map((d) => ({ ...d, index: night1.get(d.driveId) })));
    expect(sim.stats.requests).toBe(2);
    expect(night2.get(changed.id)!.items[item.id].name).toBe('file 1 (renamed).docx');
    expect(files(night2.get(drives[0].driveId)!)).toBe(450);

    // The service forgets every token: each drive is read again in full, nothing lost.
    sim.tenant().deltaResyncBefore = sim.tenant().seq + 1;
    const night3 = await syncDriveIndexes(graph, drives.map((d) => ({ ...d, index: night2.get(d.driveId) })));
    expect(drives.map((d) => files(night3.get(d.driveId)!))).toEqual(drives.map((d) => files(night2.get(d.driveId)!)));
  } finally {
    await sim.close();
  }
});
