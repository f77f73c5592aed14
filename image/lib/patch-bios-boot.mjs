// Makes a GPT disk image BIOS-bootable without a loop device, as
// grub-bios-setup would: GRUB's boot.img goes into the MBR's code area (the
// protective MBR's partition table stays), core.img into the BIOS boot
// partition at lba; boot.img learns core.img's first sector and core.img's
// first sector (diskboot) the one block list of its remaining sectors.
//
//   node patch-bios-boot.mjs DISK.img boot.img core.img LBA
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

const [disk, bootPath, corePath, lbaText] = process.argv.slice(2);
if (!disk || !bootPath || !corePath || !lbaText) {
  process.stderr.write('usage: patch-bios-boot.mjs DISK.img boot.img core.img LBA\n');
  process.exit(2);
}
const SECTOR = 512;
const lba = BigInt(lbaText);
const boot = readFileSync(bootPath);
if (boot.length !== SECTOR) throw new Error(`${bootPath}: ${boot.length} bytes, expected 512`);
const core = readFileSync(corePath);
const sectors = Math.ceil(core.length / SECTOR);
const padded = Buffer.alloc(sectors * SECTOR);
core.copy(padded);

// boot.img: where core.img starts (GRUB_BOOT_MACHINE_KERNEL_SECTOR, 0x5c), and
// the boot drive check NOPed as grub-setup does for hard disks (0x66).
boot.writeBigUInt64LE(lba, 0x5c);
boot[0x66] = 0x90;
boot[0x67] = 0x90;

// diskboot: struct { u64 start; u16 len; u16 segment } at the sector's end,
// one entry (the rest of core.img is contiguous), then a zero terminator.
const entry = SECTOR - 12;
padded.fill(0, entry - 12, entry);
padded.writeBigUInt64LE(lba + 1n, entry);
padded.writeUInt16LE(sectors - 1, entry + 8);
padded.writeUInt16LE(0x820, entry + 10);

const fd = openSync(disk, 'r+');
try {
  writeSync(fd, boot, 0, 440, 0); // code area only: 440.. is the disk signature and partition table
  writeSync(fd, padded, 0, padded.length, Number(lba) * SECTOR);
} finally {
  closeSync(fd);
}
