import hashlib


def bad(data):
    # ruleid: python-weak-hash
    hashlib.md5(data)
    # ruleid: python-weak-hash
    hashlib.sha1(data).hexdigest()
    # ruleid: python-weak-hash
    hashlib.new("md5", data)


def good(data):
    # ok: python-weak-hash
    hashlib.sha256(data)
    # ok: python-weak-hash
    hashlib.md5(data, usedforsecurity=False)
    # ok: python-weak-hash
    hashlib.new("sha256", data)
