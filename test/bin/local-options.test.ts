/** `npm start`'s options refused before anything starts: an unknown latency profile names the ones there are. */
import { startProcess } from '../support/npm-start';

describe('npm start --latency', () => {
  it('refuses an unknown profile, naming the known ones, and exits', async () => {
    await expect(startProcess(['--port', '0', '--latency', 'mars'])).rejects.toThrow(
      /exited with 1 before ready:[\s\S]*Unknown latency profile "mars": use one of none, aws\./,
    );
  }, 90_000);
});
