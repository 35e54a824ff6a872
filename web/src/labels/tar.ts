// A POSIX ustar archive (PS: IEEE 1003.1-1988), enough for the two small files of a mask: regular files, short names.

const block = 512;

function writeString(target: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length > length) throw new Error(`"${value}" does not fit a ${length}-byte tar field`);
  target.set(bytes, offset);
}

function writeOctal(target: Uint8Array, offset: number, length: number, value: number): void {
  writeString(target, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

export interface TarFile {
  name: string;
  data: Uint8Array;
}

/** The files as one tar: a 512-byte header per file, its data padded to 512 bytes, two empty blocks at the end. */
export function tar(files: TarFile[], modifiedAt = new Date(0)): Uint8Array {
  const size = files.reduce((total, file) => total + block + Math.ceil(file.data.length / block) * block, 2 * block);
  const archive = new Uint8Array(size);
  let offset = 0;
  for (const file of files) {
    const header = archive.subarray(offset, offset + block);
    writeString(header, 0, 100, file.name);
    writeOctal(header, 100, 8, 0o644);
    writeOctal(header, 108, 8, 0);
    writeOctal(header, 116, 8, 0);
    writeOctal(header, 124, 12, file.data.length);
    writeOctal(header, 136, 12, Math.floor(modifiedAt.getTime() / 1000));
    header.fill(0x20, 148, 156);
    header[156] = 0x30; // '0': a regular file
    writeString(header, 257, 6, 'ustar\0');
    writeString(header, 263, 2, '00');
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    writeString(header, 148, 8, checksum.toString(8).padStart(6, '0') + '\0 ');
    archive.set(file.data, offset + block);
    offset += block + Math.ceil(file.data.length / block) * block;
  }
  return archive;
}

/** The regular files of a tar, by name (for reading a stored mask back). */
export function untar(archive: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const decoder = new TextDecoder();
  let offset = 0;
  while (offset + block <= archive.length) {
    const header = archive.subarray(offset, offset + block);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) => decoder.decode(header.subarray(start, start + length)).replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 0x30);
    if (type === '0') {
      files.set(name.replace(/^\.\//, ''), archive.slice(offset + block, offset + block + size));
    }
    offset += block + Math.ceil(size / block) * block;
  }
  return files;
}
