import zlib from 'node:zlib';
import { DEFAULT_UPLOAD_LIMITS, safeMemberName, unpackUpload, type UploadLimits } from '../../src/imports/files';
import { ImportFileError } from '../../src/imports/records';
import { makeZip } from './zip-writer';

const WATCHED = 'Date,Name,Year,Letterboxd URI\n2024-01-02,Paprika,2006,https://boxd.it/1ABC\n';
const SMALL: UploadLimits = { maxUploadBytes: 2 * 1024 * 1024, maxMembers: 5, maxUnpackedBytes: 1024 * 1024 };

const utf16 = (text: string, order: 'le' | 'be') => {
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  return order === 'le' ? le : Buffer.from(le).swap16();
};

async function refusal(bytes: Buffer, fileName: string, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS) {
  const error: unknown = await unpackUpload(bytes, fileName, limits).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ImportFileError);
  return (error as ImportFileError).message;
}

describe('unpackUpload', () => {
  it('has the documented default limits', () => {
    expect(DEFAULT_UPLOAD_LIMITS).toEqual({
      maxUploadBytes: 50 * 1024 * 1024,
      maxMembers: 500,
      maxUnpackedBytes: 200 * 1024 * 1024,
    });
  });

  describe('a plain file', () => {
    it('is one member under its own name, the UTF-8 byte-order mark taken off', async () => {
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(WATCHED)]);
      expect(await unpackUpload(bytes, 'watched.csv', DEFAULT_UPLOAD_LIMITS)).toEqual([
        { name: 'watched.csv', text: WATCHED, replacedBytes: 0 },
      ]);
    });

    it('keeps only the last part of a name sent as a whole path', async () => {
      const [member] = await unpackUpload(Buffer.from(WATCHED), 'C:\\Users\\me\\watched.csv', DEFAULT_UPLOAD_LIMITS);
      expect(member!.name).toBe('watched.csv');
    });

    it.each([['le' as const], ['be' as const]])(
      'is read as UTF-16 (%s) when it starts with its mark',
      async (order) => {
        const text = 'Title,Year\r\nÅmélie — 東京,2001\r\n';
        const [member] = await unpackUpload(utf16(text, order), 'list.csv', DEFAULT_UPLOAD_LIMITS);
        expect(member).toEqual({ name: 'list.csv', text, replacedBytes: 0 });
      },
    );

    it('replaces bytes that are not UTF-8 and counts them, but not a U+FFFD the file holds itself', async () => {
      const bytes = Buffer.concat([
        Buffer.from('Title,Notes\nCaf'),
        Buffer.from([0xe9]), // é in Latin-1
        Buffer.from(',kept \uFFFD as written\nNaïve'),
        Buffer.from([0xc3]), // a sequence cut short
        Buffer.from(',x\n'),
      ]);
      const [member] = await unpackUpload(bytes, 'list.csv', DEFAULT_UPLOAD_LIMITS);
      expect(member).toEqual({
        name: 'list.csv',
        text: 'Title,Notes\nCaf\uFFFD,kept \uFFFD as written\nNaïve\uFFFD,x\n',
        replacedBytes: 2,
      });
    });

    it('refuses a file that is mostly not UTF-8', async () => {
      const bytes = Buffer.concat([Buffer.from('Title\n'), Buffer.from('\x93\x94\xe9\xe8\xff'.repeat(20), 'latin1')]);
      expect(await refusal(bytes, 'list.csv')).toMatch(/list\.csv is mostly not UTF-8 text/);
    });

    it('refuses a binary file', async () => {
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
      expect(await refusal(png, 'poster.png')).toMatch(/poster\.png is not a text file/);
    });

    it('refuses an empty file', async () => {
      expect(await refusal(Buffer.alloc(0), 'watched.csv')).toMatch(/watched\.csv is empty/);
    });

    it('refuses a file over the upload limit, saying the limit', async () => {
      const limits = { ...SMALL, maxUploadBytes: 1024 * 1024 };
      const message = await refusal(Buffer.alloc(1024 * 1024 + 1, 'a'), 'huge.csv', limits);
      expect(message).toMatch(/^The file is larger than 1 MB/);
    });
  });

  describe('a gzip file', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<myanimelist><anime/></myanimelist>\n';

    it('is its unpacked content, named without .gz', async () => {
      const [member, ...rest] = await unpackUpload(zlib.gzipSync(xml), 'animelist_1.xml.gz', DEFAULT_UPLOAD_LIMITS);
      expect(rest).toEqual([]);
      expect(member).toEqual({ name: 'animelist_1.xml', text: xml, replacedBytes: 0 });
    });

    it('is refused when it unpacks past the limit', async () => {
      const bomb = zlib.gzipSync(Buffer.alloc(5 * 1024 * 1024));
      expect(bomb.length).toBeLessThan(SMALL.maxUploadBytes);
      expect(await refusal(bomb, 'animelist.xml.gz', SMALL)).toMatch(/unpacks to more than 1 MB/);
    });

    it('is refused when cut short', async () => {
      const whole = zlib.gzipSync(xml.repeat(50));
      expect(await refusal(whole.subarray(0, Math.floor(whole.length / 2)), 'animelist.xml.gz')).toMatch(
        /animelist\.xml\.gz is a damaged or incomplete gzip file/,
      );
    });
  });

  describe('a ZIP file', () => {
    it('is its members, with their folders in their names, stored or deflated', async () => {
      const list = 'Letterboxd list export v7\nDate,Name,Tags,URL,Description\n';
      const zip = makeZip([
        { name: 'watched.csv', data: WATCHED, method: 'store' },
        { name: 'lists/', data: '' },
        { name: 'lists/favourites.csv', data: list, method: 'deflate' },
        { name: 'deleted/watched.csv', data: WATCHED },
      ]);
      expect(await unpackUpload(zip, 'letterboxd-me.zip', DEFAULT_UPLOAD_LIMITS)).toEqual([
        { name: 'watched.csv', text: WATCHED, replacedBytes: 0 },
        { name: 'lists/favourites.csv', text: list, replacedBytes: 0 },
        { name: 'deleted/watched.csv', text: WATCHED, replacedBytes: 0 },
      ]);
    });

    it('skips folders, __MACOSX, dot-files and ZIPs inside it', async () => {
      const inner = makeZip([{ name: 'hidden.csv', data: WATCHED }]);
      const zip = makeZip([
        { name: '__MACOSX/', data: '' },
        { name: '__MACOSX/._watched.csv', data: Buffer.from([0, 5, 22, 7, 0, 2]) },
        { name: '.DS_Store', data: Buffer.from([0, 0, 0, 1, 66, 117]) },
        { name: 'inner.zip', data: inner },
        { name: 'renamed.dat', data: inner, method: 'store' },
        { name: 'watched.csv', data: WATCHED },
      ]);
      const members = await unpackUpload(zip, 'export.zip', DEFAULT_UPLOAD_LIMITS);
      expect(members.map(({ name }) => name)).toEqual(['watched.csv']);
    });

    it('makes path tricks in names into plain names, never refusing the archive for them', async () => {
      const zip = makeZip([
        { name: '../../etc/passwd', data: 'a,b\n' },
        { name: '/abs/x.csv', data: 'a,b\n' },
        { name: 'C:\\x.csv', data: 'a,b\n' },
        { name: './lists/../mine.csv', data: 'a,b\n' },
      ]);
      const members = await unpackUpload(zip, 'export.zip', DEFAULT_UPLOAD_LIMITS);
      expect(members.map(({ name }) => name)).toEqual(['etc/passwd', 'abs/x.csv', 'x.csv', 'lists/mine.csv']);
    });

    it('decodes each member, refusing one that is not text', async () => {
      const zip = makeZip([
        { name: 'watched.csv', data: WATCHED },
        { name: 'avatar.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]) },
      ]);
      expect(await refusal(zip, 'export.zip')).toMatch(/avatar\.png is not a text file/);
    });

    it('is refused when it holds more entries than the limit', async () => {
      const zip = makeZip(['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name: `${name}.csv`, data: 'x\n' })));
      expect(await refusal(zip, 'export.zip', SMALL)).toMatch(/export\.zip holds 6 files, more than the 5/);
    });

    it('is refused, before anything is inflated, when its declared sizes pass the limit', async () => {
      const zip = makeZip([
        { name: 'a.csv', data: 'x\n', declaredSize: 600 * 1024 },
        { name: 'b.csv', data: 'x\n', declaredSize: 600 * 1024 },
      ]);
      expect(await refusal(zip, 'export.zip', SMALL)).toMatch(/unpacks to more than 1 MB/);
    });

    it('is refused when a member unpacks to more than its header declares', async () => {
      const zip = makeZip([{ name: 'a.csv', data: 'x,y\n'.repeat(300_000), declaredSize: 100 }]);
      expect(await refusal(zip, 'export.zip', SMALL)).toMatch(/export\.zip is a damaged or incomplete ZIP/);
    });

    it('is refused when the members together unpack past the limit', async () => {
      const half = 'x,y\n'.repeat(150_000);
      const zip = makeZip([
        { name: 'a.csv', data: half },
        { name: 'b.csv', data: half },
      ]);
      expect(await refusal(zip, 'export.zip', SMALL)).toMatch(/unpacks to more than 1 MB/);
    });

    it('is refused when a member is protected by a password', async () => {
      const zip = makeZip([{ name: 'watched.csv', data: WATCHED, encrypted: true }]);
      expect(await refusal(zip, 'export.zip')).toMatch(/protected by a password/);
    });

    it('is refused when a member is compressed with a method we do not read', async () => {
      const zip = makeZip([{ name: 'watched.csv', data: WATCHED, claimedMethod: 12 }]);
      expect(await refusal(zip, 'export.zip')).toMatch(
        /watched\.csv in export\.zip is compressed in a way we cannot read/,
      );
    });

    // Bytes 41 on are watched.csv's data (30-byte header + 11-byte name).
    const garble = (zip: Buffer) => Buffer.concat([zip.subarray(0, 45), Buffer.alloc(20, 0xaa), zip.subarray(65)]);
    const deflated = () => makeZip([{ name: 'watched.csv', data: WATCHED.repeat(20) }]);
    const stored = () => makeZip([{ name: 'watched.csv', data: WATCHED.repeat(20), method: 'store' }]);
    it.each([
      ['cut short', () => deflated().subarray(0, deflated().length - 30)],
      ['garbled in a deflated member', () => garble(deflated())],
      // Sizes still agree here: only the member's checksum tells.
      ['garbled in a stored member', () => garble(stored())],
      ['nothing but a signature', () => Buffer.from('PK\u0003\u0004 this is not really a zip')],
    ])('is refused when %s', async (_how, spoiled) => {
      expect(await refusal(spoiled(), 'export.zip')).toMatch(/export\.zip is a damaged or incomplete ZIP file/);
    });

    it('is refused when it holds nothing to read', async () => {
      expect(await refusal(makeZip([]), 'export.zip')).toMatch(/export\.zip holds no files we can read/);
      expect(await refusal(makeZip([{ name: 'lists/', data: '' }]), 'export.zip')).toMatch(/holds no files/);
    });
  });
});

describe('safeMemberName', () => {
  it.each([
    ['lists/favourites.csv', 'lists/favourites.csv'],
    ['../../etc/passwd', 'etc/passwd'],
    ['/abs/x.csv', 'abs/x.csv'],
    ['C:\\Windows\\x.csv', 'Windows/x.csv'],
    ['c:x.csv', 'x.csv'],
    ['./a/./b/../c.csv', 'a/b/c.csv'],
    ['a\u0000b.csv', 'ab.csv'],
    ['../', ''],
  ])('turns %j into %j', (raw, safe) => {
    expect(safeMemberName(raw)).toBe(safe);
  });
});
