import json
import marshal
import pickle

import yaml


def bad(data, stream):
    # ruleid: python-deserialization
    pickle.loads(data)
    # ruleid: python-deserialization
    pickle.load(stream)
    # ruleid: python-deserialization
    marshal.loads(data)
    # ruleid: python-deserialization
    yaml.load(stream, Loader=yaml.Loader)
    # ruleid: python-deserialization
    yaml.unsafe_load(stream)


def good(data, stream):
    # ok: python-deserialization
    json.loads(data)
    # ok: python-deserialization
    yaml.safe_load(stream)
    # ok: python-deserialization
    yaml.load(stream, Loader=yaml.SafeLoader)
    # ok: python-deserialization
    pickle.dumps(data)
