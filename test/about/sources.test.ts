import { catalogSources, shareAlikeSources, SOURCE_ATTRIBUTIONS } from '../../src/attribution/sources';
import { ADAPTERS } from '../../src/ingest/adapters';

/**
 * The credit owed to each dataset (src/attribution/sources.ts): no source reaches the catalog
 * without it, and each entry gives what its licence asks for.
 */
describe('the attribution of the catalog’s sources', () => {
  const entries = Object.entries(SOURCE_ATTRIBUTIONS);

  it('has an entry for every source adapter, so none ships uncredited', () => {
    // Read from ADAPTERS as it is now: a new adapter fails here until its entry is written.
    const missing = ADAPTERS.map((adapter) => adapter.name).filter((name) => !(name in SOURCE_ATTRIBUTIONS));
    expect(missing).toEqual([]);
  });

  it('has entries for the datasets whose adapters are being written', () => {
    expect(Object.keys(SOURCE_ATTRIBUTIONS)).toEqual(
      expect.arrayContaining(['podcastindex', 'kawaiioverflow-arm', 'anime-relations']),
    );
  });

  it.each(entries)('links %s’s licences and names them in its credit', (_name, entry) => {
    expect(entry.homepage).toMatch(/^https:\/\//);
    for (const licence of entry.licences) {
      expect(licence.url).toMatch(/^https:\/\//);
      expect(entry.credit).toContain(licence.name);
    }
    expect(entry.creator).not.toBe('');
    expect(entry.changes).not.toBe('');
  });

  it.each(entries)('states share-alike for %s exactly when a CC BY-SA licence covers it', (_name, entry) => {
    const shareAlike = entry.licences.some((licence) => licence.name.startsWith('CC BY-SA'));
    expect(entry.shareAlike !== null).toBe(shareAlike);
  });

  it.each(entries)('says where the copyright notice of %s travels, when it is under MIT', (_name, entry) => {
    if (entry.licences.some((licence) => licence.name === 'MIT')) expect(entry.notice).toMatch(/seeds\/data\/raw\//);
  });

  it('lists every adapter’s source in ingest order, with the adapter’s key and homepage', () => {
    const sources = catalogSources();
    expect(sources.slice(0, ADAPTERS.length).map((source) => [source.name, source.keyName, source.homepage])).toEqual(
      ADAPTERS.map((adapter) => [adapter.name, adapter.keyName, adapter.homepage]),
    );
  });

  it('lists after them only what the seed catalog took from a dataset without an adapter', () => {
    const others = catalogSources().slice(ADAPTERS.length);
    for (const source of others) {
      expect(ADAPTERS.some((adapter) => adapter.name === source.name)).toBe(false);
      expect(source.inSeedCatalog).not.toBeNull();
      expect(source.keyName).toBeNull();
    }
    // The seed catalog's anime sequel links are anime-relations' data, adapter or not.
    expect(catalogSources().map((source) => source.name)).toContain('anime-relations');
  });

  it('names the share-alike sources in words', () => {
    const sources = catalogSources();
    const shareAlike = sources.filter((source) => source.shareAlike !== null).map((source) => source.title);
    expect(shareAlike).toEqual(expect.arrayContaining(['goodbooks-10k', 'libretro-database']));
    const words = shareAlikeSources(sources)!;
    for (const title of shareAlike) expect(words).toContain(title);
    expect(words).toMatch(/ and [^,]+$/);
    expect(shareAlikeSources(sources.filter((source) => source.shareAlike === null))).toBeNull();
  });
});
