#!/usr/bin/env python3
"""Generate progfig's own age test vectors with two independent implementations.

Tools used:
  * the `age` / `age-keygen` binaries (Go reference implementation), and
  * the `pyrage` Python package (bindings to rage, the Rust implementation).

Every vector is written in the CCTV age testkit format (c2sp.org/CCTV/age): a
header of `key: value` lines, one empty line, then the raw age file bytes.
See README.md next to this script for the header keys.

After writing, every vector is parsed back from disk and checked:
  * success vectors are decrypted with the OTHER tool (age for rage-made files,
    pyrage for age-made files) and the SHA-256 of the output must match both
    the `payload:` header and the deterministic plaintext of `size:` bytes;
  * failure vectors must be rejected by BOTH tools, and for `payload failure`
    the bytes both tools released before failing must hash to `payload:`.
Any mismatch raises and the script exits non-zero.

Run from anywhere:  python3 TestVectors/generate.py
"""

import base64
import datetime
import hashlib
import importlib.metadata
import io
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile

import pyrage

ROOT = os.path.dirname(os.path.abspath(__file__))
VECTORS_DIR = os.path.join(ROOT, "vectors")
FILES_DIR = os.path.join(ROOT, "files")

CHUNK = 64 * 1024  # age STREAM chunk size (plaintext bytes)
TAG = 16           # ChaCha20-Poly1305 tag size

X25519_SIZES = [0, 1, 65535, 65536, 65537, 131072, 200000]
ARMOR_SIZES = [0, 1, 65536, 100000]
SCRYPT_SIZES = [0, 65537]
MISC_SIZE = 5000  # identity/recipients file vectors
NEG_SIZE = 100    # header-failure vectors

AGE_VERSION = subprocess.run(["age", "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
PYRAGE_VERSION = importlib.metadata.version("pyrage")
TOOL_DESC = {
    "age": f"the age binary v{AGE_VERSION} (Go)",
    "rage": f"pyrage {PYRAGE_VERSION} (rage, Rust)",
}


class GenerationError(Exception):
    pass


# ---------------------------------------------------------------------------
# Plaintext and hashing


_STREAM_CACHE = b""


def plaintext(n):
    """First n bytes of the deterministic stream: byte i = (i * 31 + 7) mod 251."""
    global _STREAM_CACHE
    if len(_STREAM_CACHE) < n:
        _STREAM_CACHE = bytes((i * 31 + 7) % 251 for i in range(n))
    return _STREAM_CACHE[:n]


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def chunk_count(n):
    """Number of STREAM chunks for an n-byte plaintext (an empty payload is one chunk)."""
    return max(1, -(-n // CHUNK))


def describe_size(n):
    c = chunk_count(n)
    return f"{n} byte{'s' if n != 1 else ''} ({c} chunk{'s' if c != 1 else ''})"


# ---------------------------------------------------------------------------
# Running the age binary


_TMP = None  # temporary directory for the whole run


def tmp_path(name):
    return os.path.join(_TMP, name)


def run(argv, **kw):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, **kw)
    return p.returncode, p.stdout, p.stderr


def run_with_tty(argv, passphrase, timeout=300):
    """Run argv on a pseudo-terminal, answering every passphrase prompt.

    age reads passphrases from the terminal only. Encrypting prompts twice
    ("Enter passphrase (leave empty to autogenerate a secure one):" and
    "Confirm passphrase:"); decrypting prompts once ("Enter passphrase:" or
    'Enter passphrase for identity file "...":'). Output files must be given
    with -o since the pty carries the terminal traffic.
    Returns (exit code, terminal transcript, number of prompts answered).
    """
    pid, fd = pty.fork()
    if pid == 0:  # child
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    transcript = b""
    answered = 0
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                os.kill(pid, 9)
                raise GenerationError(f"timeout running {argv}: {transcript!r}")
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: child closed the terminal
                break
            if not data:
                break
            transcript += data
            prompts = len(re.findall(rb"[Pp]assphrase[^:\n]*:", transcript))
            while answered < prompts:
                os.write(fd, passphrase.encode("utf-8") + b"\n")
                answered += 1
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), transcript, answered


def age_keygen():
    """Returns (identity file text as printed by age-keygen, secret key, public key)."""
    rc, out, err = run(["age-keygen"])
    if rc != 0:
        raise GenerationError(f"age-keygen failed: {err!r}")
    text = out.decode()
    secret = re.search(r"^(AGE-SECRET-KEY-1[0-9A-Z]+)$", text, re.M).group(1)
    public = re.search(r"^# public key: (age1[0-9a-z]+)$", text, re.M).group(1)
    return text, secret, public


def age_encrypt(data, recipients=(), recipients_file=None, armor=False):
    src, dst = tmp_path("age_in"), tmp_path("age_out")
    with open(src, "wb") as f:
        f.write(data)
    argv = ["age", "-e"]
    for r in recipients:
        argv += ["-r", r]
    if recipients_file:
        argv += ["-R", recipients_file]
    if armor:
        argv.append("-a")
    argv += ["-o", dst, src]
    rc, _, err = run(argv)
    if rc != 0:
        raise GenerationError(f"{argv} failed: {err!r}")
    with open(dst, "rb") as f:
        out = f.read()
    os.remove(dst)
    return out


def age_encrypt_passphrase(data, passphrase, armor=False):
    src, dst = tmp_path("age_in"), tmp_path("age_out")
    with open(src, "wb") as f:
        f.write(data)
    argv = ["age", "-p"] + (["-a"] if armor else []) + ["-o", dst, src]
    rc, transcript, answered = run_with_tty(argv, passphrase)
    if rc != 0 or answered != 2:
        raise GenerationError(f"{argv} failed ({rc}, {answered} prompts): {transcript!r}")
    with open(dst, "rb") as f:
        out = f.read()
    os.remove(dst)
    return out


def age_decrypt(body, identities=(), passphrases=(), identity_file=None,
                identity_file_passphrase=None):
    """Decrypt with the age binary. Returns (ok, released bytes, diagnostics)."""
    src, dst = tmp_path("dec_in"), tmp_path("dec_out")
    with open(src, "wb") as f:
        f.write(body)
    if os.path.exists(dst):
        os.remove(dst)
    argv = ["age", "-d"]
    if identities:
        idf = tmp_path("dec_identities")
        with open(idf, "w") as f:
            f.write("".join(i + "\n" for i in identities))
        argv += ["-i", idf]
    if identity_file:
        argv += ["-i", identity_file]
    argv += ["-o", dst, src]
    tty_pass = identity_file_passphrase or (passphrases[0] if passphrases else None)
    if len(passphrases) > 1:
        raise GenerationError("age binary check supports a single passphrase")
    if tty_pass is not None:
        rc, diag, _ = run_with_tty(argv, tty_pass)
    else:
        rc, _, diag = run(argv)
    released = b""
    if os.path.exists(dst):
        with open(dst, "rb") as f:
            released = f.read()
        os.remove(dst)
    return rc == 0, released, diag.decode(errors="replace")


# ---------------------------------------------------------------------------
# Running pyrage


def rage_keygen():
    ident = pyrage.x25519.Identity.generate()
    return ident, str(ident), str(ident.to_public())


def rage_identity_file_text(keys, title):
    """An identity file in the same layout age-keygen uses, with extra comments/blanks."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = [f"# {title}", ""]
    for _, secret, public in keys:
        out += [f"# created: {now}", f"# public key: {public}", secret, "", ""]
    return "\n".join(out)


def rage_encrypt(data, recipients, armor=False):
    rs = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    return pyrage.encrypt(data, rs, armored=armor)


def rage_encrypt_passphrase(data, passphrase, armor=False):
    return pyrage.passphrase.encrypt(data, passphrase, armored=armor)


def parse_identity_file(text):
    """Identity file syntax: one identity per line, '#' comments and blank lines ignored."""
    ids = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        ids.append(line)
    return ids


def parse_recipients_file(text):
    return parse_identity_file(text)  # same comment / blank line rules


def is_age_file(data):
    return data.startswith(b"age-encryption.org/v1\n") or \
        data.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")


def rage_decrypt(body, identities=(), passphrases=(), identity_file=None,
                 identity_file_passphrase=None):
    """Decrypt with pyrage. Returns (ok, released bytes, diagnostics)."""
    ids = list(identities)
    if identity_file:
        with open(identity_file, "rb") as f:
            raw = f.read()
        if is_age_file(raw):
            raw = pyrage.passphrase.decrypt(raw, identity_file_passphrase)
        ids += parse_identity_file(raw.decode())
    if passphrases:
        if ids:
            raise GenerationError("mixed passphrase and identities not supported")
        for p in passphrases:
            try:
                return True, pyrage.passphrase.decrypt(body, p), ""
            except pyrage.DecryptError as e:
                last = repr(e)
        return False, b"", last
    out = io.BytesIO()
    try:
        pyrage.decrypt_io(io.BytesIO(body),
                          out, [pyrage.x25519.Identity.from_str(i) for i in ids])
        return True, out.getvalue(), ""
    except (pyrage.DecryptError, OSError) as e:
        return False, out.getvalue(), repr(e)


# ---------------------------------------------------------------------------
# Writing vectors


VECTORS = []  # names in generation order


def write_file(name, data):
    path = os.path.join(FILES_DIR, name)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


def write_vector(name, generator, expect, size, body, comment, payload=None,
                 identities=(), passphrases=(), identity_file=None,
                 identity_file_passphrase=None, recipients_file=None, armored=False):
    if name in VECTORS:
        raise GenerationError(f"duplicate vector {name}")
    if expect == "success":
        payload = sha256_hex(plaintext(size))
    lines = [f"expect: {expect}"]
    if payload is not None:
        lines.append(f"payload: {payload}")
    lines.append(f"size: {size}")
    lines.append(f"generator: {generator}")
    lines += [f"identity: {i}" for i in identities]
    lines += [f"passphrase: {p}" for p in passphrases]
    if identity_file:
        lines.append(f"identity file: {identity_file}")
    if identity_file_passphrase is not None:
        lines.append(f"identity file passphrase: {identity_file_passphrase}")
    if recipients_file:
        lines.append(f"recipients file: {recipients_file}")
    if armored:
        lines.append("armored: yes")
    lines.append(f"comment: made by {TOOL_DESC[generator]}; {comment}")
    for line in lines:
        if "\n" in line or "\r" in line:
            raise GenerationError(f"bad header line {line!r}")
    with open(os.path.join(VECTORS_DIR, name), "wb") as f:
        f.write(("\n".join(lines) + "\n\n").encode("utf-8") + body)
    VECTORS.append(name)


def encrypt_x25519(gen, data, recipients, armor=False):
    if gen == "age":
        return age_encrypt(data, recipients=recipients, armor=armor)
    return rage_encrypt(data, recipients, armor=armor)


def encrypt_passphrase(gen, data, passphrase, armor=False):
    if gen == "age":
        return age_encrypt_passphrase(data, passphrase, armor=armor)
    return rage_encrypt_passphrase(data, passphrase, armor=armor)


def keygen(gen):
    if gen == "age":
        return age_keygen()  # (file text, secret, public)
    return rage_keygen()     # (Identity, secret, public)


def scrypt_work_factor(body):
    if body.startswith(b"-----BEGIN"):
        b64 = b"".join(body.split(b"\n")[1:-2])
        body = base64.b64decode(b64)
    m = re.search(rb"^-> scrypt \S+ (\d+)$", body, re.M)
    return int(m.group(1))


# ---------------------------------------------------------------------------
# The vector set


def gen_x25519(gen):
    for size in X25519_SIZES:
        _, secret, public = keygen(gen)
        body = encrypt_x25519(gen, plaintext(size), [public])
        write_vector(f"{gen}_x25519_1r_{size}", gen, "success", size, body,
                     f"X25519, 1 recipient, {describe_size(size)}",
                     identities=[secret])
    for idx, size in enumerate(X25519_SIZES):
        keys = [keygen(gen) for _ in range(3)]
        pick = 2 if idx % 2 == 0 else 1
        which = "last" if pick == 2 else "middle"
        body = encrypt_x25519(gen, plaintext(size), [k[2] for k in keys])
        write_vector(f"{gen}_x25519_3r_{size}", gen, "success", size, body,
                     f"X25519, 3 recipients, identity of the {which} one, "
                     f"{describe_size(size)}",
                     identities=[keys[pick][1]])


def gen_armor(gen):
    for size in ARMOR_SIZES:
        _, secret, public = keygen(gen)
        body = encrypt_x25519(gen, plaintext(size), [public], armor=True)
        write_vector(f"{gen}_armor_x25519_{size}", gen, "success", size, body,
                     f"ASCII-armored, X25519, 1 recipient, {describe_size(size)}",
                     identities=[secret], armored=True)


def gen_scrypt(gen):
    for size in SCRYPT_SIZES:
        pw = f"progfig {gen} scrypt {size}"
        body = encrypt_passphrase(gen, plaintext(size), pw)
        write_vector(f"{gen}_scrypt_{size}", gen, "success", size, body,
                     f"scrypt passphrase (work factor {scrypt_work_factor(body)}), "
                     f"{describe_size(size)}",
                     passphrases=[pw])


def identity_file_text(gen, keys, title):
    if gen == "age":
        # age-keygen output blocks, joined with blank lines, under a title comment.
        return f"# {title}\n\n" + "\n\n".join(k[0] for k in keys) + "\n"
    return rage_identity_file_text(keys, title)


def gen_identity_file(gen):
    keys = [keygen(gen) for _ in range(3)]
    name = f"{gen}_identities.txt"
    write_file(name, identity_file_text(
        gen, keys, "progfig test identity file: three keys, only the second one matches"))
    body = encrypt_x25519(gen, plaintext(MISC_SIZE), [keys[1][2]])
    write_vector(f"{gen}_identity_file", gen, "success", MISC_SIZE, body,
                 f"X25519 to the 2nd of 3 keys in identity file {name} "
                 f"(comments and blank lines), {describe_size(MISC_SIZE)}",
                 identity_file=name)


def gen_recipients_file(gen):
    keys = [keygen(gen) for _ in range(3)]
    name = f"{gen}_recipients.txt"
    text = ("# progfig test recipients file\n"
            "\n"
            f"# first recipient\n{keys[0][2]}\n"
            "\n\n"
            f"# second recipient\n{keys[1][2]}\n"
            f"# third recipient\n{keys[2][2]}\n"
            "\n")
    path = write_file(name, text)
    data = plaintext(MISC_SIZE)
    if gen == "age":
        body = age_encrypt(data, recipients_file=path)
        how = "age -R"
    else:
        # pyrage has no recipients-file parser; the generator parses it.
        body = rage_encrypt(data, parse_recipients_file(text))
        how = "recipients parsed by generate.py and passed to pyrage"
    write_vector(f"{gen}_recipients_file", gen, "success", MISC_SIZE, body,
                 f"X25519 to the 3 recipients of {name} ({how}), "
                 f"identity of the second, {describe_size(MISC_SIZE)}",
                 identities=[keys[1][1]], recipients_file=name)


def gen_encrypted_identity(gen):
    for armor in (False, True):
        keys = [keygen(gen) for _ in range(2)]
        suffix = "_armored" if armor else ""
        pw = f"progfig {gen} identity{suffix}"
        text = identity_file_text(
            gen, keys, "progfig test identity file, passphrase-encrypted; "
                       "the first key matches")
        enc = encrypt_passphrase(gen, text.encode(), pw, armor=armor)
        name = f"{gen}_identities_encrypted{suffix}.age"
        write_file(name, enc)
        body = encrypt_x25519(gen, plaintext(MISC_SIZE), [keys[0][2]])
        write_vector(f"{gen}_identity_file_encrypted{suffix}", gen, "success",
                     MISC_SIZE, body,
                     f"X25519 to the 1st of 2 keys in {name}, an identity file "
                     f"encrypted with scrypt (work factor {scrypt_work_factor(enc)}"
                     f"{', armored' if armor else ', binary'}), "
                     f"{describe_size(MISC_SIZE)}",
                     identity_file=name, identity_file_passphrase=pw)


def split_header(body):
    """Returns (header bytes including the MAC line's newline, payload)."""
    i = body.index(b"\n--- ")
    j = body.index(b"\n", i + 1)
    return body[:j + 1], body[j + 1:]


def gen_negative(gen):
    # Truncated in the middle of the last chunk.
    size = 65537
    _, secret, public = keygen(gen)
    body = encrypt_x25519(gen, plaintext(size), [public])
    header, payload = split_header(body)
    full_chunks = chunk_count(size) - 1
    expected_len = 16 + chunk_count(size) * TAG + size  # nonce + tags + data
    if len(payload) != expected_len:
        raise GenerationError(f"unexpected payload length {len(payload)}")
    last_len = (size - full_chunks * CHUNK) + TAG
    cut = last_len // 2
    truncated = body[:-cut]
    released = plaintext(full_chunks * CHUNK)
    write_vector(f"{gen}_stream_truncated_{size}", gen, "payload failure", size,
                 truncated,
                 f"X25519, {describe_size(size)}, file truncated by {cut} bytes in the "
                 f"middle of the last ({last_len}-byte) chunk; the first "
                 f"{len(released)} plaintext bytes are released",
                 payload=sha256_hex(released), identities=[secret])

    # One bit flipped in the header MAC.
    _, secret, public = keygen(gen)
    body = encrypt_x25519(gen, plaintext(NEG_SIZE), [public])
    header, payload = split_header(body)
    mac_b64 = header[header.rindex(b"--- ") + 4:-1]
    mac = bytearray(base64.b64decode(mac_b64 + b"="))
    mac[7] ^= 0x01
    new_b64 = base64.b64encode(bytes(mac)).rstrip(b"=")
    if len(new_b64) != 43 or new_b64 == mac_b64:
        raise GenerationError("MAC flip failed")
    flipped = header[:-44] + new_b64 + b"\n" + payload
    write_vector(f"{gen}_hmac_flipped", gen, "HMAC failure", NEG_SIZE, flipped,
                 f"X25519, {describe_size(NEG_SIZE)}, bit 0 of byte 7 of the header MAC "
                 "flipped (still canonical base64)",
                 identities=[secret])

    # No matching identity.
    _, _, public = keygen(gen)
    others = [keygen(gen)[1] for _ in range(2)]
    body = encrypt_x25519(gen, plaintext(NEG_SIZE), [public])
    write_vector(f"{gen}_no_match", gen, "no match", NEG_SIZE, body,
                 f"X25519 to a key not given; both identities are unrelated keys, "
                 f"{describe_size(NEG_SIZE)}",
                 identities=others)


# ---------------------------------------------------------------------------
# Verification


def parse_vector(path):
    with open(path, "rb") as f:
        raw = f.read()
    head, body = raw.split(b"\n\n", 1)
    fields = {}
    for line in head.decode("utf-8").split("\n"):
        key, value = line.split(": ", 1)
        fields.setdefault(key, []).append(value)
    return fields, body


def one(fields, key, default=None):
    v = fields.get(key)
    if v is None:
        return default
    if len(v) != 1:
        raise GenerationError(f"key {key} repeated")
    return v[0]


AGE_ERROR_TEXT = {
    "no match": "no identity matched",
    "HMAC failure": "MAC",
    "payload failure": "payload",
}


def verify(name):
    fields, body = parse_vector(os.path.join(VECTORS_DIR, name))
    expect = one(fields, "expect")
    gen = one(fields, "generator")
    size = int(one(fields, "size"))
    payload = one(fields, "payload")
    idf = one(fields, "identity file")
    kwargs = dict(
        identities=fields.get("identity", []),
        passphrases=fields.get("passphrase", []),
        identity_file=os.path.join(FILES_DIR, idf) if idf else None,
        identity_file_passphrase=one(fields, "identity file passphrase"),
    )
    armored = one(fields, "armored") == "yes"
    if armored != body.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----"):
        raise GenerationError(f"{name}: armored flag mismatch")
    if expect == "success":
        if payload != sha256_hex(plaintext(size)):
            raise GenerationError(f"{name}: payload hash does not match size")
        other = age_decrypt if gen == "rage" else rage_decrypt
        ok, out, diag = other(body, **kwargs)
        if not ok or out != plaintext(size):
            raise GenerationError(f"{name}: cross-check decryption failed: {diag}")
        return f"ok   {name}: decrypted by {'age' if gen == 'rage' else 'pyrage'}"
    # Failure vectors: both tools must reject.
    for tool, fn in (("age", age_decrypt), ("pyrage", rage_decrypt)):
        ok, out, diag = fn(body, **kwargs)
        if ok:
            raise GenerationError(f"{name}: {tool} unexpectedly decrypted it")
        if tool == "age" and AGE_ERROR_TEXT[expect] not in diag:
            raise GenerationError(f"{name}: unexpected age error: {diag}")
        if expect == "payload failure":
            if sha256_hex(out) != payload:
                raise GenerationError(
                    f"{name}: {tool} released {len(out)} bytes, hash != payload")
        elif out:
            raise GenerationError(f"{name}: {tool} released data on a header failure")
    return f"ok   {name}: rejected by age and pyrage ({expect})"


# ---------------------------------------------------------------------------


def main():
    global _TMP
    for d in (VECTORS_DIR, FILES_DIR):
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
    with tempfile.TemporaryDirectory(prefix="progfig-vectors-") as tmp:
        _TMP = tmp
        for gen in ("age", "rage"):
            gen_x25519(gen)
            gen_armor(gen)
            gen_scrypt(gen)
            gen_identity_file(gen)
            gen_recipients_file(gen)
            gen_encrypted_identity(gen)
            gen_negative(gen)
        print(f"wrote {len(VECTORS)} vectors to {VECTORS_DIR}")
        for name in sorted(VECTORS):
            print(verify(name))
    total = 0
    for d in (VECTORS_DIR, FILES_DIR):
        total += sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print(f"all {len(VECTORS)} vectors verified; {total} bytes on disk")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except GenerationError as e:
        print(f"generate.py: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
