import { launchBrowser } from './support/browser';

describe('the browser suite without Chromium', () => {
  it('fails with a message that says how to install it, rather than skipping', async () => {
    await expect(launchBrowser('/nonexistent/chromium')).rejects.toThrow(
      'Chromium is not installed at /nonexistent/chromium: install it with "apt-get install -y chromium"',
    );
  });
});
