#!/usr/bin/env python3
"""Mark one version need (e.g. GLIBCXX_3.4.32) of an ELF64 little-endian shared object as weak
(VER_FLG_WEAK in its Vernaux entry), so the dynamic loader does not refuse the library when the
version is absent. Idempotent. Usage: weaken-verneed.py <lib.so> <version name>"""
import struct, sys

VER_FLG_WEAK = 0x2
SHT_GNU_VERNEED = 0x6ffffffe

def main(path: str, version: str) -> int:
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            print(f"{path}: not an ELF64 little-endian file", file=sys.stderr)
            return 1
        e_shoff, = struct.unpack_from("<Q", data, 0x28)
        e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
        changed = found = 0
        for sh in sections:
            if sh[1] != SHT_GNU_VERNEED:
                continue
            off, link = sh[4], sh[6]
            stroff = sections[link][4]
            pos = off
            while True:
                vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, pos)
                apos = pos + vn_aux
                for _ in range(vn_cnt):
                    vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from("<IHHII", data, apos)
                    end = data.index(0, stroff + vna_name)
                    name = data[stroff + vna_name:end].decode()
                    if name == version:
                        found += 1
                        if not vna_flags & VER_FLG_WEAK:
                            struct.pack_into("<H", data, apos + 4, vna_flags | VER_FLG_WEAK)
                            changed += 1
                    if vna_next == 0:
                        break
                    apos += vna_next
                if vn_next == 0:
                    break
                pos += vn_next
        if changed:
            f.seek(0)
            f.write(data)
        print(f"{path}: {version} needs found={found} weakened={changed}")
        return 0 if found or version not in data.decode("latin-1") else 1

if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
