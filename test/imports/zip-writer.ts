/**
 * A ZIP writer small enough to trust, for tests: local headers, data, central directory and end
 * record, nothing else (no ZIP64, no data descriptors). It writes exactly what it is told, lies
 * included (`declaredSize`), so tests can build the archives a reader must refuse.
 */
import zlib from 'node:zlib';

export interface ZipEntry {
  /** Written as given (UTF-8, flag bit 11 set): `../x`, `C:\x` and `dir/` included. */
  name: string;
  data: Buffer | string;
  /** 'deflate' by default. */
  method?: 'store' | 'deflate';
  /** The uncompressed size the headers claim, when it should differ from the data's. */
  declaredSize?: number;
  /** Sets the "encrypted" flag bit; the data itself is left as it is. */
  encrypted?: boolean;
  /** A compression method number to claim instead of the one used (e.g. 12, bzip2). */
  claimedMethod?: number;
}

const UTF8_NAMES = 0x0800;
const ENCRYPTED = 0x0001;
// 2024-01-01 00:00 in MS-DOS form; the reader under test ignores it.
const DOS_TIME = 0;
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

/** The bytes of a ZIP archive holding `entries`, in order. */
export function makeZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const stored = entry.method === 'store';
    const body = stored ? data : zlib.deflateRawSync(data);
    const method = entry.claimedMethod ?? (stored ? 0 : 8);
    const flags = UTF8_NAMES | (entry.encrypted ? ENCRYPTED : 0);
    const crc = zlib.crc32(data);
    const size = entry.declaredSize ?? data.length;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    // Extra field, comment, disk number, internal and external attributes stay 0.
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
