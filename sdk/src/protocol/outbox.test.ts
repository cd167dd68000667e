import { Outbox } from './outbox';

describe('Outbox', () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('sends what one turn pushed as one batch, in order', async () => {
    const sent: number[][] = [];
    const outbox = new Outbox<number>((batch) => sent.push(batch));
    for (let i = 0; i < 5; i++) outbox.push(i);
    expect(sent).toEqual([]);
    await turn();
    outbox.push(5);
    await turn();
    expect(sent).toEqual([[0, 1, 2, 3, 4], [5]]);
  });

  it('sends early when a batch reaches itemsMax or would pass bytesMax', async () => {
    const sent: string[][] = [];
    const outbox = new Outbox<string>((batch) => sent.push(batch), { itemsMax: 3, bytesMax: 10 });
    for (const m of ['a', 'b', 'c', 'd']) outbox.push(m, 1);
    outbox.push('big', 9);
    outbox.push('e', 1);
    await turn();
    expect(sent).toEqual([['a', 'b', 'c'], ['d', 'big'], ['e']]);
  });
});
