"""Checks that a host answers on a TCP port, without a shell or a subprocess."""
import re
import socket
import sys

# A host name or IPv4 address: letters, digits, dots and hyphens only.
HOST_PATTERN = re.compile(r"^[A-Za-z0-9.-]{1,253}$")


def check(host, port=443, timeout=3.0):
    if not HOST_PATTERN.match(host):
        raise ValueError("not a host name: %r" % host)
    with socket.create_connection((host, port), timeout=timeout):
        return "%s:%d answers" % (host, port)


if __name__ == "__main__":
    print(check(sys.argv[1]))
