#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets: fuzz/corpus/{npy,npz,args}/.

Run with the system interpreter, which has numpy:  /usr/bin/python3 fuzz/make_corpus.py
Seeds are small valid files of every supported kind plus the malformed kinds the parser must
refuse, so the fuzzer starts next to both sides of each check. The numpy fixtures of
tests/data/numpy/ are copied in as well.
"""
import io
import os
import shutil
import struct
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(ROOT, "tests", "data", "numpy")


def out(kind, name):
    d = os.path.join(HERE, "corpus", kind)
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, name)


def npy_bytes(arr, version=None):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, version=version, allow_pickle=True)
    return buf.getvalue()


def raw_npy(header, payload=b"", version=(1, 0)):
    """A .npy image with a hand-written header (no padding rules enforced)."""
    h = header.encode("latin1")
    if version == (1, 0):
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + payload
    return b"\x93NUMPY" + bytes(version) + struct.pack("<I", len(h)) + h + payload


def npz_bytes(arrays, compress=False):
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for k, v in arrays.items():
            z.writestr(k + ".npy", v if isinstance(v, bytes) else npy_bytes(v))
    return buf.getvalue()


def write(kind, name, data):
    if kind == "npz" and not name.startswith("built_") and not data.startswith(b"\x00"):
        data = b"\x00" + data
    with open(out(kind, name), "wb") as f:
        f.write(data)


def npy_seeds():
    for f in sorted(os.listdir(FIXTURES)):
        if f.endswith(".npy"):
            shutil.copy(os.path.join(FIXTURES, f), out("npy", f))
    write("npy", "f4_2x3_c.npy", npy_bytes(np.arange(6, dtype="<f4").reshape(2, 3)))
    write("npy", "b1_0d.npy", npy_bytes(np.array(True)))
    write("npy", "i8_5d.npy", npy_bytes(np.zeros((1, 2, 1, 2, 1), dtype="<i8")))
    # Malformed: each one trips a different check.
    write("npy", "bad_empty.npy", b"")
    write("npy", "bad_magic.npy", b"\x93NUMPX\x01\x00\x10\x00{}")
    write("npy", "bad_version.npy", b"\x93NUMPY\x04\x00\x10\x00" + b" " * 16)
    write("npy", "bad_short.npy", b"\x93NUMPY\x01")
    write("npy", "bad_header_len.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr': '<f4'}")
    write("npy", "bad_not_dict.npy", raw_npy("['descr', '<f4']\n"))
    write("npy", "bad_missing_shape.npy", raw_npy("{'descr': '<f4', 'fortran_order': False}\n"))
    write("npy", "bad_extra_key.npy",
          raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}\n", b"\0" * 4))
    write("npy", "bad_absurd_shape.npy",
          raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }\n"))
    write("npy", "bad_overflow_shape.npy",
          raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }\n"))
    write("npy", "bad_negative_shape.npy",
          raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }\n"))
    write("npy", "bad_truncated_data.npy",
          raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }\n", b"\0" * 7))
    write("npy", "bad_trailing_data.npy",
          raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", b"\0" * 9))
    write("npy", "bad_fortran_value.npy",
          raw_npy("{'descr': '<f4', 'fortran_order': 1, 'shape': (1,), }\n", b"\0" * 4))
    write("npy", "bad_nested.npy", raw_npy("{'descr': " + "(" * 40 + ")" * 40 + "}\n"))
    write("npy", "bad_unterminated.npy", raw_npy("{'descr': '<f4\n"))
    write("npy", "bad_pipe_order.npy",
          raw_npy("{'descr': '|f8', 'fortran_order': False, 'shape': (1,), }\n", b"\0" * 8))
    write("npy", "v2_fortran_be.npy",
          raw_npy("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 2), }\n", bytes(range(16)), (2, 0)))
    write("npy", "py2_long_unicode.npy",
          raw_npy("{u'descr': u'<i8', u'fortran_order': False, u'shape': (2L,), }\n", b"\1" * 16))


def built(members):
    """fuzz_npz's odd mode: records (flags, name, data) from which it builds the zip itself."""
    b = b"\x01"
    for flags, name, data in members:
        n = name.encode()
        b += bytes([flags, len(n)]) + n + struct.pack("<H", len(data)) + data
    return b


def npz_seeds():
    # fuzz_npz reads the first byte as its mode: 0 = the rest is the archive as is.
    for f in sorted(os.listdir(FIXTURES)):
        if f.endswith(".npz"):
            with open(os.path.join(FIXTURES, f), "rb") as src:
                write("npz", f, b"\x00" + src.read())
    resp = (np.arange(12, dtype="<f4") * 0.5).reshape(4, 3)
    stim = np.array([0.0, 90.0, 180.0, 270.0])
    write("npz", "resp_stimuli.npz", npz_bytes({"resp": resp, "stimuli": stim}))
    write("npz", "resp_stimuli_compressed.npz", npz_bytes({"resp": resp, "stimuli": stim}, True))
    write("npz", "split.npz", npz_bytes({"train_idx": np.array([0, 2]), "test_idx": np.array([1, 3])}))
    write("npz", "empty_archive.npz", b"PK\x05\x06" + b"\0" * 18)
    good = npz_bytes({"a": np.arange(4, dtype="<f8")}, True)
    write("npz", "bad_truncated.npz", good[: len(good) // 2])
    write("npz", "bad_not_zip.npz", b"this is not a zip archive\n")
    write("npz", "bad_object_member.npz", npz_bytes({"o": np.array([1, None], dtype=object)}))
    write("npz", "bad_member_not_npy.npz", npz_bytes({"a": b"\x93NUMPY\x01\x00\x04\x00{}\n\n"}))
    bad = bytearray(good)
    crc = bad.find(b"PK\x03\x04") + 14
    bad[crc] ^= 0xFF
    write("npz", "bad_crc.npz", bytes(bad))
    # Built mode (odd first byte): well-formed zips around chosen members.
    r, st = npy_bytes(resp), npy_bytes(stim)
    write("npz", "built_stored.bin", built([(0, "resp", r), (0, "stimuli", st)]))
    write("npz", "built_deflated.bin", built([(1, "resp", r), (1, "stimuli", st)]))
    write("npz", "built_understated.bin", built([(3, "resp", r)]))
    write("npz", "built_overstated.bin", built([(4, "resp", r)]))
    write("npz", "built_not_npy.bin", built([(8, "readme.txt", b"hello\n")]))
    write("npz", "built_dir_and_dup.bin", built([(8, "d/", b""), (0, "a", r), (0, "a", r)]))
    write("npz", "built_object.bin", built([(0, "o", npy_bytes(np.array([1, None], dtype=object)))]))
    write("npz", "built_fortran_be.bin",
          built([(1, "f", npy_bytes(np.asfortranarray(np.arange(6, dtype=">f8").reshape(2, 3))))]))


def args_seeds():
    # One argument per line, after the program name (see fuzz_args.cpp).
    seeds = {
        "decode_defaults": ["decode"],
        "decode_full": ["decode", "--data", "d.npz", "--model", "regression", "--hidden", "10",
                        "--classes", "20", "--iters", "50", "--lr", "1e-4", "--l1", "0", "--l2", "0.01",
                        "--train-fraction", "0.6", "--seed", "3", "--bin-width", "6", "--out", "o", "--quiet"],
        "decode_split_init": ["decode", "--split", "s.npz", "--init", "m.npz", "--out=o"],
        "decode_bad_lr": ["decode", "--lr", "-1"],
        "decode_nan_lr": ["decode", "--lr", "nan"],
        "decode_inf_l2": ["decode", "--l2", "inf"],
        "decode_iters0": ["decode", "--iters", "0"],
        "decode_hidden0": ["decode", "--hidden", "0"],
        "decode_classes1": ["decode", "--classes", "1"],
        "decode_frac": ["decode", "--train-fraction", "1.5"],
        "decode_split_and_frac": ["decode", "--split", "s.npz", "--train-fraction", "0.5"],
        "decode_bad_model": ["decode", "--model", "banana"],
        "decode_missing_value": ["decode", "--hidden"],
        "decode_huge_int": ["decode", "--iters", "99999999999999999999999"],
        "encode_defaults": ["encode"],
        "encode_full": ["encode", "--data", "s.npz", "--channels", "6", "--kernel", "7", "--iters", "200",
                        "--lr", "2", "--momentum", "0.9", "--l2", "5e-4", "--l1", "1e-6", "--filters",
                        "random", "--seed", "1", "--init", "i.npz", "--out", "o", "--quiet"],
        "encode_kernel_even": ["encode", "--kernel", "4"],
        "encode_momentum": ["encode", "--momentum", "1"],
        "simulate": ["simulate", "--out", "x.npz", "--split", "--neurons", "50", "--trials", "100",
                     "--bin-width", "6", "--seed", "2", "--compress"],
        "decode_checkpoint": ["decode", "--checkpoint-every", "10", "--out", "o", "--no-plots"],
        "decode_resume": ["decode", "--resume", "o", "--iters", "20"],
        "encode_checkpoint": ["encode", "--checkpoint-every", "-1", "--resume", "o"],
        "tutorial": ["tutorial", "--quick", "--data-dir", "d", "--out", "o"],
        "fetch": ["fetch-data", "--dir", "d", "--url-base", "http://127.0.0.1:1/"],
        "help": ["decode", "--help"],
        "version": ["--version"],
        "none": [],
        "unknown": ["frobnicate", "-x"],
    }
    for name, argv in seeds.items():
        write("args", name + ".txt", "".join(a + "\n" for a in argv).encode())


if __name__ == "__main__":
    npy_seeds()
    npz_seeds()
    args_seeds()
