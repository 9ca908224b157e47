#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Give an FLV's H.264 SPS explicit scaling lists, decoding unchanged.

x264 writes its scaling matrices (cqm) into the PPS and always clears
seq_scaling_matrix_present_flag in the SPS, so no ffmpeg command makes an
SPS with scaling lists. This rewrites the SPS of the AVC sequence header:
the flag becomes 1 and the eight lists are signalled in every way the
syntax allows — the default 4x4 matrices written out value by value (lists
0 and 3), "use the default" (a first delta of -8; lists 2 and 6), and absent
(fall-back to the previous list; 1, 4, 5, 7). Every list is thus still the
default (JVT) matrix that x264 encoded with under cqm=jvt, so the video
decodes exactly as before (check with ffmpeg -f framemd5).

    sps-scaling-lists.py IN.flv OUT.flv
"""
import struct
import sys

INTRA4 = [6, 13, 13, 20, 20, 20, 28, 28, 28, 28, 32, 32, 32, 37, 37, 42]
INTER4 = [10, 14, 14, 20, 20, 20, 24, 24, 24, 24, 27, 27, 27, 30, 30, 34]


def unescape(b):
    out, zeros = bytearray(), 0
    for x in b:
        if zeros >= 2 and x == 3:
            zeros = 0
            continue
        zeros = zeros + 1 if x == 0 else 0
        out.append(x)
    return bytes(out)


def escape(b):
    out, zeros = bytearray(), 0
    for x in b:
        if zeros == 2 and x <= 3:
            out.append(3)
            zeros = 0
        out.append(x)
        zeros = zeros + 1 if x == 0 else 0
    return bytes(out)


class Bits:
    def __init__(self, data):
        self.bits = "".join(f"{x:08b}" for x in data)
        self.pos = 0

    def u(self, n):
        v = int(self.bits[self.pos:self.pos + n] or "0", 2)
        self.pos += n
        return v

    def ue(self):
        z = 0
        while self.bits[self.pos + z] == "0":
            z += 1
        self.pos += z + 1
        return (1 << z) - 1 + self.u(z)


def ue_bits(v):
    v += 1
    return "0" * (v.bit_length() - 1) + format(v, "b")


def se_bits(v):
    return ue_bits(2 * v - 1 if v > 0 else -2 * v)


def explicit(values):
    out, last = "", 8
    for v in values:
        delta = (v - last + 128) % 256 - 128
        out += se_bits(delta)
        last = v
    return out


def new_sps(sps):
    header, rbsp = sps[:1], unescape(sps[1:])
    b = Bits(rbsp)
    profile = b.u(8)
    b.u(16)
    b.ue()  # seq_parameter_set_id
    assert profile in (100, 110, 122, 244), "needs a High profile SPS"
    chroma = b.ue()
    if chroma == 3:
        b.u(1)
    b.ue()
    b.ue()
    b.u(1)  # qpprime_y_zero_transform_bypass_flag
    flag_at = b.pos
    assert b.bits[flag_at] == "0", "already has scaling lists"
    content_end = b.bits.rstrip("0")[:-1]  # drop rbsp_stop_one_bit and padding
    lists = ("1" + explicit(INTRA4)      # 0: written out
             + "0"                        # 1: absent -> list 0
             + "1" + se_bits(-8)          # 2: use the default
             + "1" + explicit(INTER4)     # 3: written out
             + "0" + "0"                  # 4, 5: absent -> list 3
             + "1" + se_bits(-8)          # 6: 8x8 intra default
             + "0")                       # 7: absent -> 8x8 inter default
    assert chroma != 3
    bits = content_end[:flag_at] + "1" + lists + content_end[flag_at + 1:] + "1"
    bits += "0" * (-len(bits) % 8)
    return header + escape(int(bits, 2).to_bytes(len(bits) // 8, "big"))


def main(src, dst):
    data = open(src, "rb").read()
    hsize = struct.unpack(">I", data[5:9])[0]
    out = bytearray(data[:hsize + 4])
    pos = hsize + 4
    while pos + 11 <= len(data):
        ttype = data[pos] & 0x1F
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        body = data[pos + 11:pos + 11 + size]
        if ttype == 9 and body[0] & 0x0F == 7 and body[1] == 0:
            rec = body[5:]
            n_sps = rec[5] & 0x1F
            assert n_sps == 1
            sps_len = int.from_bytes(rec[6:8], "big")
            sps = new_sps(rec[8:8 + sps_len])
            rec = rec[:6] + len(sps).to_bytes(2, "big") + sps + rec[8 + sps_len:]
            body = body[:5] + rec
        out += bytes([data[pos]]) + len(body).to_bytes(3, "big") + data[pos + 4:pos + 11]
        out += body + (11 + len(body)).to_bytes(4, "big")
        pos += 11 + size + 4
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main(*sys.argv[1:])
