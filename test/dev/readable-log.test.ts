import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { formatLine, readableLines } from '../../dev/readable-log.js';

describe('the readable log lines of the local stack', function () {
  it('writes a JSON log event as time, severity, message and its fields', function () {
    const line = JSON.stringify({ severity: 'INFO', time: '2025-01-15T12:34:56.789Z', message: 'reconcile done', runs: 1, healRun: null, note: 'two words', dates: ['2018-04-14'] });
    assert.equal(formatLine(line), '12:34:56.789 INFO    reconcile done  runs=1 healRun=null note="two words" dates=["2018-04-14"]');
  });

  it('colours the severity only when asked, and passes a line that is not a JSON object through', function () {
    const line = JSON.stringify({ severity: 'ERROR', time: '2025-01-15T12:34:56.789Z', message: 'boom' });
    assert.equal(formatLine(line, true), '12:34:56.789 \x1b[31mERROR  \x1b[0m boom');
    assert.equal(formatLine('Server started, listening on 8085'), 'Server started, listening on 8085');
    assert.equal(formatLine('[1,2]'), '[1,2]');
  });

  it('rewrites lines split across writes, each once', async function () {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => { text += d.toString(); });
    const stream = readableLines(out);
    const a = JSON.stringify({ severity: 'INFO', time: '2025-01-15T00:00:00.000Z', message: 'a' });
    const b = JSON.stringify({ severity: 'WARNING', time: '2025-01-15T00:00:01.000Z', message: 'b' });
    stream.write(`${a}\n${b.slice(0, 10)}`);
    stream.write(`${b.slice(10)}\n`);
    await new Promise<void>((resolve) => stream.end(resolve));
    assert.equal(text, '00:00:00.000 INFO    a\n00:00:01.000 WARNING b\n');
  });
});
