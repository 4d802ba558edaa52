#!/usr/bin/python3
"""Writes the numpy fixtures under tests/data/numpy/ that tests/test_npy.cpp and test_npz.cpp read.

Run with the system interpreter, which has numpy:  /usr/bin/python3 tests/data/make_numpy_fixtures.py
Every value is a closed-form function of np.arange so the C++ tests recompute it exactly; if
you change a formula here, change the matching expectation there.
"""
import os
import struct
import zipfile

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "numpy")


def path(name):
    return os.path.join(OUT, name)


def save(name, arr, **kw):
    np.save(path(name), arr, **kw)


def main():
    os.makedirs(OUT, exist_ok=True)

    # One 2x3 array per dtype and byte order. Values cover signs, fractions and all bytes.
    base = np.arange(6).reshape(2, 3)
    values = {
        "f4": base * 0.5 - 1.25,                      # float32 is exact for these
        "f8": base * 0.1 - 0.25,                      # float64 round trip, not exact decimals
        "i4": (base - 3) * 1000003,                   # spans all four bytes, negatives
        "i8": (base - 3) * 1000000000007,             # needs more than 32 bits
    }
    for code, v in values.items():
        for order, tag in (("<", "le"), (">", "be")):
            save(f"{code}_{tag}.npy", v.astype(order + code))
    save("b1.npy", np.arange(7) % 3 == 0)

    # Fortran order: the C++ side must return C order, i.e. arange(12) row by row.
    save("fortran_f8_3x4.npy", np.asfortranarray(np.arange(12, dtype="<f8").reshape(3, 4)))
    save("fortran_i4_2x3x4.npy", np.asfortranarray(np.arange(24, dtype="<i4").reshape(2, 3, 4)))
    save("fortran_f4_be_3x4.npy", np.asfortranarray((np.arange(12) - 5.5).astype(">f4").reshape(3, 4)))

    save("scalar_f8.npy", np.array(3.5, dtype="<f8"))                 # 0-d
    save("cube_f4.npy", (np.arange(24) * 0.25).astype("<f4").reshape(2, 3, 4))
    save("empty_f4_0x3.npy", np.zeros((0, 3), dtype="<f4"))

    for version, name, arr in (((2, 0), "v2_i8.npy", np.arange(5, dtype="<i8") * 7),
                               ((3, 0), "v3_f4.npy", np.arange(4, dtype="<f4") + 0.5)):
        with open(path(name), "wb") as f:
            np.lib.format.write_array(f, arr, version=version)

    # Dtypes that must be refused.
    save("object.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
    save("unicode.npy", np.array(["ab", "cde"]))
    save("bytes.npy", np.array([b"ab", b"cde"]))
    save("complex.npy", np.arange(3, dtype="<c8"))
    save("structured.npy", np.zeros(2, dtype=[("a", "<i4"), ("b", "<f4")]))
    save("float16.npy", np.arange(3, dtype="<f2"))

    # The archive the decoder reads: resp (trials x neurons), stimuli, idx.
    arrays = dict(
        resp=(np.arange(35) * 0.25 - 3).astype("<f4").reshape(5, 7),
        stimuli=np.arange(5, dtype="<f8") * 1.5 - 2,
        idx=np.arange(4, dtype="<i8") * 3,
    )
    np.savez(path("savez.npz"), **arrays)
    np.savez_compressed(path("savez_compressed.npz"), **arrays)
    np.savez(path("f8.npz"), w=np.arange(6, dtype="<f8").reshape(3, 2) / 8, b=np.array([-1.0, 2.0]))

    # A member that is not a .npy: np.load would expose it, neurocodec refuses the archive.
    with zipfile.ZipFile(path("non_npy_member.npz"), "w") as z:
        with z.open("a.npy", "w") as f:
            np.lib.format.write_array(f, np.arange(3, dtype="<f8"))
        z.writestr("readme.txt", "not an array\n")

    write_inflates_past_size(path("inflates_past_size.npz"))


def write_inflates_past_size(name):
    """A deflated member whose headers understate its size: the data inflates to 256 bytes of
    float64 plus the header, but both the local header and the central directory say 100."""
    import io
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.arange(32, dtype="<f8"))
    with zipfile.ZipFile(name, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("x.npy", buf.getvalue())
    data = bytearray(open(name, "rb").read())
    lie = 100
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    assert local == 0 and central > 0
    struct.pack_into("<I", data, local + 22, lie)      # local header: uncompressed size
    struct.pack_into("<I", data, central + 24, lie)    # central directory: uncompressed size
    open(name, "wb").write(bytes(data))


if __name__ == "__main__":
    main()
    for f in sorted(os.listdir(OUT)):
        size = os.path.getsize(path(f))
        assert size < 2048, f"{f} is {size} bytes; keep fixtures under 2 KB"
