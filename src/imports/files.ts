/**
 * The upload as files of text: a plain file, a gzip (MyAnimeList's `.xml.gz`) or a ZIP
 * (Letterboxd's and Trakt's exports), each member decoded from UTF-8 or UTF-16. Everything happens
 * in memory under limits on size and member count, so a bomb or a lying header costs us at most
 * those limits; member names are only labels and nothing is ever written to disk.
 */
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { ImportFileError, type ImportMember } from './records';

export interface UploadLimits {
  /** The upload as sent. */
  maxUploadBytes: number;
  /** Entries in a ZIP's directory, counting the ones skipped. */
  maxMembers: number;
  /** All members unpacked, together. */
  maxUnpackedBytes: number;
}

const MB = 1024 * 1024;

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxUploadBytes: 50 * MB,
  maxMembers: 500,
  maxUnpackedBytes: 200 * MB,
};

export interface UnpackedMember extends ImportMember {
  /** Invalid UTF-8 sequences (or UTF-16 code units) that became U+FFFD. */
  replacedBytes: number;
}

/** Above this share of invalid sequences per byte, the file is in another encoding, not damaged. */
const MOSTLY_INVALID = 0.1;
const BINARY_SNIFF_BYTES = 8 * 1024;

/** The upload's members as decoded text; throws ImportFileError, said to the person, when it cannot be. */
export async function unpackUpload(bytes: Buffer, fileName: string, limits: UploadLimits): Promise<UnpackedMember[]> {
  const name = uploadName(fileName);
  if (bytes.length > limits.maxUploadBytes) {
    throw new ImportFileError(
      `The file is larger than ${formatSize(limits.maxUploadBytes)}, the most one upload may be. ` +
        'Upload the file your tracker exported as it gave it, or only the file from its ZIP that you want to import.',
    );
  }
  if (bytes.length === 0) {
    throw new ImportFileError(`${name} is empty. Export your list again and upload the new file.`);
  }
  if (isGzip(bytes)) {
    const innerName = name.replace(/\.gz$/i, '') || name;
    const data = gunzip(bytes, name, limits);
    if (data.length === 0) {
      throw new ImportFileError(`${name} holds an empty file. Export your list again and upload the new file.`);
    }
    return [decodeMember(data, innerName)];
  }
  if (isZip(bytes)) {
    const files = await readZip(bytes, name, limits);
    return files.map(({ name: memberName, data }) => decodeMember(data, memberName));
  }
  return [decodeMember(bytes, name)];
}

const isGzip = (bytes: Buffer) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

const isZip = (bytes: Buffer) =>
  bytes.length >= 4 &&
  bytes[0] === 0x50 &&
  bytes[1] === 0x4b &&
  ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06));

function formatSize(bytes: number) {
  if (bytes >= MB) return `${Number((bytes / MB).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}

const tooMuchUnpacked = (name: string, limits: UploadLimits) =>
  new ImportFileError(
    `${name} unpacks to more than ${formatSize(limits.maxUnpackedBytes)}, more than one upload may hold. ` +
      'Upload the files inside it one at a time.',
  );

// The browser sends a name of its choosing (old ones send a whole Windows path): keep its last part.
function uploadName(fileName: string) {
  const last = fileName.replace(/\\/g, '/').split('/').pop() ?? '';
  return last.replace(/\p{Cc}/gu, '').trim() || 'The upload';
}

function gunzip(bytes: Buffer, name: string, limits: UploadLimits): Buffer {
  try {
    return zlib.gunzipSync(bytes, { maxOutputLength: limits.maxUnpackedBytes });
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooMuchUnpacked(name, limits);
    }
    throw new ImportFileError(
      `${name} is a damaged or incomplete gzip file and cannot be unpacked. ` +
        'Download the export again and upload the new file as it is.',
    );
  }
}

/**
 * A ZIP member's name as a label: backslashes as slashes, and no root, drive letter, `.` or `..`
 * segment, so that no later use of it could reach outside the archive.
 */
export function safeMemberName(raw: string): string {
  const segments = raw
    .replace(/\\/g, '/')
    .replace(/\p{Cc}/gu, '')
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
  const first = segments[0];
  if (first !== undefined && /^[a-z]:/i.test(first)) {
    const rest = first.slice(2);
    if (rest === '') segments.shift();
    else segments[0] = rest;
  }
  return segments.join('/');
}

// Finder's resource forks and dot-files (.DS_Store) ride along in ZIPs people make themselves.
const isClutter = (name: string) =>
  name.split('/').some((segment) => segment === '__MACOSX' || segment.startsWith('.'));

const damagedZip = (name: string) =>
  new ImportFileError(
    `${name} is a damaged or incomplete ZIP file and cannot be opened. ` +
      'Download the export again and upload the .zip as your tracker gave it, or one of the files inside it.',
  );

const encryptedZip = (name: string) =>
  new ImportFileError(
    `${name} is protected by a password, so it cannot be read. ` +
      'Upload the .zip as your tracker gave it, or the files inside it, without a password.',
  );

async function readZip(bytes: Buffer, name: string, limits: UploadLimits): Promise<{ name: string; data: Buffer }[]> {
  let zip: yauzl.ZipFile;
  try {
    // decodeStrings off: with it on, yauzl refuses the whole archive for one `../` name, where we
    // only want that name made safe (safeMemberName). We decode the names ourselves below.
    zip = await yauzl.fromBufferPromise(bytes, {
      lazyEntries: true,
      validateEntrySizes: true,
      strictFileNames: false,
      decodeStrings: false,
    });
  } catch {
    throw damagedZip(name);
  }
  try {
    if (zip.entryCount > limits.maxMembers) {
      throw new ImportFileError(
        `${name} holds ${zip.entryCount} files, more than the ${limits.maxMembers} we read from one upload. ` +
          'Upload the .zip as your tracker gave it, or only the files from it that you want to import.',
      );
    }
    const wanted = await listWantedEntries(zip, name, limits);
    if (wanted.length === 0) {
      throw new ImportFileError(
        `${name} holds no files we can read. Upload the .zip as your tracker gave it, or one of the files inside it.`,
      );
    }
    let left = limits.maxUnpackedBytes;
    const files: { name: string; data: Buffer }[] = [];
    for (const { entry, memberName } of wanted) {
      const data = await readEntryData(zip, entry, name, left, () => tooMuchUnpacked(name, limits));
      left -= data.length;
      // A ZIP inside the ZIP is not opened: its files would escape the limits counted here.
      if (isZip(data)) continue;
      files.push({ name: memberName, data });
    }
    return files;
  } finally {
    zip.close();
  }
}

async function listWantedEntries(zip: yauzl.ZipFile, name: string, limits: UploadLimits) {
  const wanted: { entry: yauzl.Entry; memberName: string }[] = [];
  let declared = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const rawName = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileNameRaw,
        entry.extraFields,
        false,
      );
      const memberName = safeMemberName(rawName);
      if (rawName.endsWith('/') || memberName === '' || isClutter(memberName) || /\.zip$/i.test(memberName)) continue;
      if (entry.isEncrypted()) throw encryptedZip(name);
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw new ImportFileError(
          `${memberName} in ${name} is compressed in a way we cannot read. ` +
            'Upload the .zip as your tracker gave it, or that file by itself.',
        );
      }
      // The declared sizes are checked before anything is inflated; the actual bytes are counted
      // again while reading, since a header may lie.
      declared += entry.uncompressedSize;
      if (declared > limits.maxUnpackedBytes) throw tooMuchUnpacked(name, limits);
      wanted.push({ entry, memberName });
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    if (error instanceof Error && /encryption/i.test(error.message)) throw encryptedZip(name);
    throw damagedZip(name);
  }
  return wanted;
}

async function readEntryData(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  name: string,
  budget: number,
  overBudget: () => ImportFileError,
) {
  const chunks: Buffer[] = [];
  let read = 0;
  try {
    const stream = await zip.openReadStreamPromise(entry);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      read += chunk.length;
      if (read > budget) throw overBudget();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw damagedZip(name);
  }
  const data = Buffer.concat(chunks);
  // yauzl checks sizes but not checksums: a member damaged in transit would otherwise be read.
  if (zlib.crc32(data) !== entry.crc32) throw damagedZip(name);
  return data;
}

function decodeMember(data: Buffer, name: string): UnpackedMember {
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) return decodeUtf16(data, name, 'le');
  if (data.length >= 2 && data[0] === 0xfe && data[1] === 0xff) return decodeUtf16(data, name, 'be');
  if (data.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    throw new ImportFileError(
      `${name} is not a text file. Upload the CSV, JSON or XML file your tracker exported, or the .zip it gave you.`,
    );
  }
  // The decoder takes off the byte-order mark and puts U+FFFD for each invalid sequence. A file
  // may hold U+FFFD of its own (EF BF BD, always decoded as itself), so those are not counted.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  const replaced = countOf(text, '\uFFFD') - countBytes(data, REPLACEMENT_UTF8);
  if (replaced > data.length * MOSTLY_INVALID) throw mostlyNotText(name);
  return { name, text, replacedBytes: replaced };
}

const REPLACEMENT_UTF8 = Buffer.from([0xef, 0xbf, 0xbd]);

const mostlyNotText = (name: string) =>
  new ImportFileError(
    `${name} is mostly not UTF-8 text, so it cannot be read. Export it again from your tracker and upload ` +
      'that file; if you edited it in a spreadsheet, save it as "CSV UTF-8".',
  );

function decodeUtf16(data: Buffer, name: string, order: 'le' | 'be'): UnpackedMember {
  const text = new TextDecoder(order === 'le' ? 'utf-16le' : 'utf-16be', { fatal: false }).decode(data);
  // U+FFFD written in the file is not a replacement; lone surrogates and an odd last byte are.
  let own = 0;
  for (let index = 2; index + 1 < data.length; index += 2) {
    const unit = order === 'le' ? data.readUInt16LE(index) : data.readUInt16BE(index);
    if (unit === 0xfffd) own += 1;
  }
  const replaced = countOf(text, '\uFFFD') - own;
  if (replaced > (data.length / 2) * MOSTLY_INVALID) throw mostlyNotText(name);
  return { name, text, replacedBytes: replaced };
}

function countOf(text: string, needle: string) {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count += 1;
  return count;
}

function countBytes(data: Buffer, needle: Buffer) {
  let count = 0;
  for (let at = data.indexOf(needle); at !== -1; at = data.indexOf(needle, at + needle.length)) count += 1;
  return count;
}
